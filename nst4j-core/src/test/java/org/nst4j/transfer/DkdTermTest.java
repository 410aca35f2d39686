package org.nst4j.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nst4j.model.ModelOutput;

class DkdTermTest {
  private static NDManager manager;

  @BeforeAll
  static void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  private static ModelOutput logits(double[] v, long b, long k) {
    return ModelOutput.of(manager.create(v, new Shape(b, k)), Map.of());
  }

  private static double[] randomLogits(long seed, int n, double scale) {
    Random r = new Random(seed);
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextGaussian() * scale;
    }
    return v;
  }

  // ---- plain-Java reference, double precision, straight from the spec's formulas ----

  static double[] softmax(double[] z, double temp) {
    double max = Double.NEGATIVE_INFINITY;
    for (double x : z) {
      max = Math.max(max, x / temp);
    }
    double sum = 0;
    double[] e = new double[z.length];
    for (int k = 0; k < z.length; k++) {
      e[k] = Math.exp(z[k] / temp - max);
      sum += e[k];
    }
    for (int k = 0; k < z.length; k++) {
      e[k] /= sum;
    }
    return e;
  }

  /** (z − mean) / (Bessel std + 1e-7). */
  static double[] standardize(double[] z) {
    double mean = 0;
    for (double x : z) {
      mean += x;
    }
    mean /= z.length;
    double ss = 0;
    for (double x : z) {
      ss += (x - mean) * (x - mean);
    }
    double std = Math.sqrt(ss / (z.length - 1));
    double[] out = new double[z.length];
    for (int k = 0; k < z.length; k++) {
      out[k] = (z[k] - mean) / (std + 1e-7);
    }
    return out;
  }

  /** {TCKD, NCKD} of one sample, T² included. */
  static double[] dkdSample(double[] zs, double[] zt, int y, double temp) {
    double[] ps = softmax(zs, temp);
    double[] pt = softmax(zt, temp);
    double tckd = pt[y] * Math.log(pt[y] / ps[y]) + (1 - pt[y]) * Math.log((1 - pt[y]) / (1 - ps[y]));
    // Non-target softmax: the K − 1 other classes' logits.
    double[] os = new double[zs.length - 1];
    double[] ot = new double[zs.length - 1];
    for (int k = 0, j = 0; k < zs.length; k++) {
      if (k != y) {
        os[j] = zs[k];
        ot[j++] = zt[k];
      }
    }
    double[] qs = softmax(os, temp);
    double[] qt = softmax(ot, temp);
    double nckd = 0;
    for (int j = 0; j < qs.length; j++) {
      nckd += qt[j] * Math.log(qt[j] / qs[j]);
    }
    return new double[] {temp * temp * tckd, temp * temp * nckd};
  }

  static double dkdReference(
      double[] zs, double[] zt, int[] y, int k, double alpha, double beta, double temp, boolean std) {
    int b = y.length;
    double sum = 0;
    for (int i = 0; i < b; i++) {
      double[] s = java.util.Arrays.copyOfRange(zs, i * k, (i + 1) * k);
      double[] t = java.util.Arrays.copyOfRange(zt, i * k, (i + 1) * k);
      if (std) {
        s = standardize(s);
        t = standardize(t);
      }
      double[] p = dkdSample(s, t, y[i], temp);
      sum += alpha * p[0] + beta * p[1];
    }
    return sum / b;
  }

  // ---- tests ----

  @Test
  void handValue() {
    // T = 1, K = 3, y = 0. z_s = 0 → p_s = (1/3, 1/3, 1/3); z_t = (ln 2, 0, 0) → p_t = (1/2, 1/4, 1/4).
    // b_t = (1/2, 1/2), b_s = (1/3, 2/3): TCKD = ½ln(3/2) + ½ln(3/4). p̃_t = p̃_s = (1/2, 1/2): NCKD = 0.
    double tckd = 0.5 * Math.log(1.5) + 0.5 * Math.log(0.75);
    NDArray y = manager.create(new long[] {0});
    DkdTerm dkd = new DkdTerm(2, 8, 1, 20, false);
    double v =
        dkd.compute(logits(new double[] {0, 0, 0}, 1, 3), logits(new double[] {Math.log(2), 0, 0}, 1, 3), y, true)
            .getDouble();
    assertEquals(2 * tckd, v, 1e-12);
    // Swap roles: z_s = (ln 2, 0, 0), z_t = 0: TCKD = (1/3)ln(2/3) + (2/3)ln(4/3), NCKD still 0.
    v = dkd.compute(logits(new double[] {Math.log(2), 0, 0}, 1, 3), logits(new double[] {0, 0, 0}, 1, 3), y, true)
        .getDouble();
    assertEquals(2 * (Math.log(2.0 / 3) / 3 + 2 * Math.log(4.0 / 3) / 3), v, 1e-12);
    // Equal target probabilities, different non-targets: z_s = 0, z_t = (ln 2, ln 3, 0) → p_t = (2/6, 3/6, 1/6),
    // p_t[y] = p_s[y] = 1/3: TCKD = 0; p̃_t = (3/4, 1/4), p̃_s = (1/2, 1/2): NCKD = ¾ln(3/2) + ¼ln(1/2).
    v = dkd.compute(
            logits(new double[] {0, 0, 0}, 1, 3), logits(new double[] {Math.log(2), Math.log(3), 0}, 1, 3), y, true)
        .getDouble();
    assertEquals(8 * (0.75 * Math.log(1.5) + 0.25 * Math.log(0.5)), v, 1e-12);
  }

  @Test
  void matchesThePlainJavaReference() {
    int b = 3;
    int k = 5;
    double[] zs = randomLogits(1, b * k, 2);
    double[] zt = randomLogits(2, b * k, 3);
    int[] y = {4, 0, 2};
    NDArray labels = manager.create(new long[] {4, 0, 2});
    for (boolean std : new boolean[] {false, true}) {
      for (double temp : new double[] {1, 4}) {
        double expected = dkdReference(zs, zt, y, k, 1.5, 8, temp, std);
        double v = new DkdTerm(1.5, 8, temp, 20, std).compute(logits(zs, b, k), logits(zt, b, k), labels, true)
            .getDouble();
        assertEquals(expected, v, 1e-10 * Math.abs(expected), "std " + std + ", T " + temp);
      }
    }
    // int32 labels are accepted too, and float32 logits give the float64 value to float precision.
    NDArray y32 = manager.create(new int[] {4, 0, 2});
    ModelOutput s32 = ModelOutput.of(manager.create(zs, new Shape(b, k)).toType(DataType.FLOAT32, false), Map.of());
    ModelOutput t32 = ModelOutput.of(manager.create(zt, new Shape(b, k)).toType(DataType.FLOAT32, false), Map.of());
    double expected = dkdReference(zs, zt, y, k, 1, 8, 4, false);
    assertEquals(expected, new DkdTerm().compute(s32, t32, y32, true).getFloat(), 1e-5 * expected);
  }

  @Test
  void zeroWhenStudentEqualsTeacher() {
    double[] z = randomLogits(3, 12, 3);
    NDArray y = manager.create(new long[] {1, 2, 0});
    for (boolean std : new boolean[] {false, true}) {
      assertEquals(0, new DkdTerm(1, 8, 4, 20, std).compute(logits(z, 3, 4), logits(z, 3, 4), y, true).getDouble(),
          1e-14);
    }
  }

  @Test
  void decomposesKdAsThePaperSays() {
    // Zhao et al., eq. (7): KD = TCKD + (1 − p_t[y])·NCKD, per sample (so batch 1).
    double[] zs = randomLogits(4, 6, 2);
    double[] zt = randomLogits(5, 6, 2);
    double temp = 3;
    NDArray y = manager.create(new long[] {2});
    NDArray[] parts = DkdTerm.parts(manager.create(zs, new Shape(1, 6)), manager.create(zt, new Shape(1, 6)),
        y.reshape(1, 1), temp);
    double ptY = softmax(zt, temp)[2];
    double kd = new KdTerm(temp, 1).compute(logits(zs, 1, 6), logits(zt, 1, 6), null, true).getDouble();
    assertEquals(kd, temp * temp * (parts[0].getDouble() + (1 - ptY) * parts[1].getDouble()), 1e-12);
  }

  @Test
  void extremeLogitsStayFinite() {
    // The teacher's target logit 4000 above the rest at T = 1: p_t[y] = 1 and 1 − p_t[y] underflows;
    // mdistiller's subtract-1000 mask would leak the target into the non-target softmax here.
    double[] zt = {4000, 0, 1, -2};
    double[] zs = {1, 0.5, -0.5, 2};
    NDArray y = manager.create(new long[] {0});
    double v = new DkdTerm(1, 8, 1, 0, false).compute(logits(zs, 1, 4), logits(zt, 1, 4), y, true).getDouble();
    assertTrue(Double.isFinite(v));
    // TCKD → −log p_s[y] (b_t = (1, 0)); NCKD is the reference's over the three others.
    double tckd = -Math.log(softmax(zs, 1)[0]);
    double nckd = dkdSample(zs, new double[] {0, 0, 1, -2}, 0, 1)[1]; // p̃ ignores the target logit
    assertEquals(tckd + 8 * nckd, v, 1e-9);
  }

  @Test
  void gradientMatchesCentralDifferences() {
    NDArray zs = manager.create(randomLogits(6, 10, 2), new Shape(2, 5));
    ModelOutput zt = logits(randomLogits(7, 10, 2), 2, 5);
    NDArray y = manager.create(new long[] {3, 0});
    for (boolean std : new boolean[] {false, true}) {
      DkdTerm dkd = new DkdTerm(1, 8, 4, 20, std);
      Function<NDArray, NDArray> f = x -> dkd.compute(ModelOutput.of(x, Map.of()), zt, y, true);
      double[] g = Fixtures.autograd(zs, f);
      for (int i = 0; i < 10; i++) {
        assertEquals(Fixtures.centralDifference(zs, i, 1e-6, f), g[i], 1e-7, "std " + std + ", element " + i);
      }
    }
  }

  /**
   * The gradient does not depend on the garbage collector: between the forward and the backward pass the
   * Java direct buffers of closed tensors are freed and fresh ones filled with 1e30 (see ScalarsTest), which a
   * constant wrapped from Java (x.div(T)) would have read.
   */
  @Test
  void gradientDoesNotDependOnTheGarbageCollector() throws InterruptedException {
    NDArray zs = manager.create(randomLogits(10, 40, 2), new Shape(4, 10)).toType(DataType.FLOAT32, false);
    ModelOutput zt = ModelOutput.of(
        manager.create(randomLogits(11, 40, 2), new Shape(4, 10)).toType(DataType.FLOAT32, false), Map.of());
    NDArray y = manager.create(new long[] {3, 0, 9, 9});
    DkdTerm dkd = new DkdTerm(1, 8, 4, 20, true);
    NDArray quietLeaf = zs.duplicate();
    quietLeaf.setRequiresGradient(true);
    try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
      gc.backward(dkd.compute(ModelOutput.of(quietLeaf, Map.of()), zt, y, true));
    }
    double[] quiet = quietLeaf.getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
    NDArray leaf = zs.duplicate();
    leaf.setRequiresGradient(true);
    java.util.List<java.nio.ByteBuffer> held = new java.util.ArrayList<>();
    try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
      NDArray loss = dkd.compute(ModelOutput.of(leaf, Map.of()), zt, y, true);
      for (int round = 0; round < 3; round++) {
        System.gc();
        Thread.sleep(50);
        for (int i = 0; i < 2000; i++) {
          java.nio.ByteBuffer b4 = java.nio.ByteBuffer.allocateDirect(4).order(java.nio.ByteOrder.nativeOrder());
          b4.putFloat(0, 1e30f);
          java.nio.ByteBuffer b8 = java.nio.ByteBuffer.allocateDirect(8).order(java.nio.ByteOrder.nativeOrder());
          b8.putDouble(0, 1e30);
          held.add(b4);
          held.add(b8);
        }
      }
      gc.backward(loss);
    }
    assertEquals(12_000, held.size());
    double[] churned = leaf.getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
    for (int i = 0; i < quiet.length; i++) {
      assertEquals(quiet[i], churned[i], 1e-6, "element " + i);
    }
  }

  @Test
  void warmUpScalesTheTermFromTheFirstEpoch() {
    double[] zs = randomLogits(8, 8, 2);
    double[] zt = randomLogits(9, 8, 2);
    NDArray y = manager.create(new long[] {1, 3});
    DkdTerm dkd = new DkdTerm(1, 8, 4, 20, false);
    double full = dkd.compute(logits(zs, 2, 4), logits(zt, 2, 4), y, true).getDouble();
    assertEquals(1, dkd.currentWarmupFactor()); // before any epoch: full weight (the loss command)
    dkd.beginEpoch(1);
    assertEquals(full / 20, dkd.compute(logits(zs, 2, 4), logits(zt, 2, 4), y, true).getDouble(), 1e-12);
    dkd.beginEpoch(5);
    assertEquals(0.25 * full, dkd.compute(logits(zs, 2, 4), logits(zt, 2, 4), y, true).getDouble(), 1e-12);
    dkd.beginEpoch(20);
    assertEquals(full, dkd.compute(logits(zs, 2, 4), logits(zt, 2, 4), y, true).getDouble(), 1e-12);
    dkd.beginEpoch(200);
    assertEquals(1, dkd.currentWarmupFactor());
    DkdTerm none = new DkdTerm(1, 8, 4, 0, false);
    none.beginEpoch(1);
    assertEquals(full, none.compute(logits(zs, 2, 4), logits(zt, 2, 4), y, true).getDouble(), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> dkd.beginEpoch(0));
  }

  @Test
  void logitStandardisationIsThePapersFormula() {
    double[] z = {1, 2, 4, -3, 0.5, 0.5, 0.5, 0.5};
    double[] out = Logits.standardize(manager.create(z, new Shape(2, 4))).toDoubleArray();
    double[] row0 = standardize(new double[] {1, 2, 4, -3});
    for (int k = 0; k < 4; k++) {
      assertEquals(row0[k], out[k], 1e-12);
      assertEquals(0, out[4 + k], 0); // a constant row maps to 0 ...
    }
    // ... with a finite (zero) gradient rather than NaN.
    double[] g = Fixtures.autograd(manager.create(z, new Shape(2, 4)), x -> Logits.standardize(x).sum());
    for (double x : g) {
      assertTrue(Double.isFinite(x));
    }
    // Invariant to a shift and a positive scale of a row (up to the 1e-7).
    double[] moved = {13, 16, 22, 1, 0.5, 0.5, 0.5, 0.5}; // 3·row0 + 10
    double[] out2 = Logits.standardize(manager.create(moved, new Shape(2, 4))).toDoubleArray();
    for (int k = 0; k < 4; k++) {
      assertEquals(out[k], out2[k], 1e-6);
    }
  }

  @Test
  void rejectsBadArguments() {
    assertThrows(IllegalArgumentException.class, () -> new DkdTerm(-1, 8, 4, 20, false));
    assertThrows(IllegalArgumentException.class, () -> new DkdTerm(1, Double.NaN, 4, 20, false));
    assertThrows(IllegalArgumentException.class, () -> new DkdTerm(1, 8, 0, 20, false));
    assertThrows(IllegalArgumentException.class, () -> new DkdTerm(1, 8, 4, -1, false));
    ModelOutput a = logits(new double[] {0, 0}, 1, 2);
    ModelOutput b = logits(new double[] {0, 0, 0}, 1, 3);
    NDArray y = manager.create(new long[] {0});
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new DkdTerm().compute(a, b, y, true));
    assertTrue(e.getMessage().contains("(1, 2)"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new DkdTerm().compute(a, a, null, true));
    assertTrue(e.getMessage().contains("labels"), e.getMessage());
    DkdTerm dkd = new DkdTerm();
    assertTrue(dkd.needsLabels() && dkd.needsLogits() && dkd.needsTeacher());
    assertEquals("dkd", dkd.name());
  }
}

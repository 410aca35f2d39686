package org.nst4j.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nst4j.model.ModelOutput;

class KdTermTest {
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

  /** Σ_k p_t log(p_t/p_s) with p = softmax(z/T), in plain doubles. */
  private static double kl(double[] zs, double[] zt, double temp) {
    double[] ps = softmax(zs, temp);
    double[] pt = softmax(zt, temp);
    double v = 0;
    for (int k = 0; k < ps.length; k++) {
      v += pt[k] * Math.log(pt[k] / ps[k]);
    }
    return v;
  }

  private static double[] softmax(double[] z, double temp) {
    double sum = 0;
    double[] e = new double[z.length];
    for (int k = 0; k < z.length; k++) {
      e[k] = Math.exp(z[k] / temp);
      sum += e[k];
    }
    for (int k = 0; k < z.length; k++) {
      e[k] /= sum;
    }
    return e;
  }

  @Test
  void handValue() {
    // T = 1: z_s = (0,0) → p_s = (1/2, 1/2); z_t = (ln 3, 0) → p_t = (3/4, 1/4);
    // KL = 3/4·ln(3/2) + 1/4·ln(1/2). With α = 0.5: 0.5·1²·KL.
    double handKl = 0.75 * Math.log(1.5) + 0.25 * Math.log(0.5);
    NDArray v =
        new KdTerm(1, 0.5)
            .compute(logits(new double[] {0, 0}, 1, 2), logits(new double[] {Math.log(3), 0}, 1, 2), null, true);
    assertEquals(0.5 * handKl, v.getDouble(), 1e-12);
  }

  @Test
  void temperatureSquaredScalingAndBatchMean() {
    double[] zs = {0.3, -1.2, 2.0, 0.5, 0.1, -0.4};
    double[] zt = {1.0, 0.2, -0.7, -0.2, 2.2, 0.9};
    double temp = 4;
    double alpha = 0.9;
    double expected =
        alpha * temp * temp
            * (kl(new double[] {0.3, -1.2, 2.0}, new double[] {1.0, 0.2, -0.7}, temp)
                + kl(new double[] {0.5, 0.1, -0.4}, new double[] {-0.2, 2.2, 0.9}, temp)) / 2;
    double v = new KdTerm(temp, alpha).compute(logits(zs, 2, 3), logits(zt, 2, 3), null, true).getDouble();
    assertEquals(expected, v, 1e-12);
  }

  @Test
  void reducesProperly() {
    ModelOutput zs = logits(new double[] {0.3, -1.2, 2.0, 0.5, 0.1, -0.4}, 2, 3);
    // Identical logits: KL = 0 at any T.
    assertEquals(0, new KdTerm(3, 1).compute(zs, zs, null, true).getDouble(), 1e-12);
    // α = 0: no soft term at all.
    ModelOutput zt = logits(new double[] {1, 0, 0, 0, 0, 1}, 2, 3);
    assertEquals(0, new KdTerm(4, 0).compute(zs, zt, null, true).getDouble(), 0);
    // T = 1 and a (nearly) one-hot teacher for labels y: KL(onehot ‖ p_s) = CE(z_s, y).
    ModelOutput sharp = logits(new double[] {0, 0, 200, 0, 200, 0}, 2, 3);
    NDArray y = manager.create(new long[] {2, 1});
    double ce = CrossEntropyTerm.crossEntropy(zs.logits(), y).getDouble();
    assertEquals(ce, new KdTerm(1, 1).compute(zs, sharp, null, true).getDouble(), 1e-9);
  }

  @Test
  void gradientMatchesCentralDifferencesAndScalesWithT() {
    NDArray zs = manager.create(new double[] {0.3, -1.2, 2.0, 0.5, 0.1, -0.4}, new Shape(2, 3));
    ModelOutput zt = logits(new double[] {1.0, 0.2, -0.7, -0.2, 2.2, 0.9}, 2, 3);
    for (double temp : new double[] {1, 4}) {
      KdTerm kd = new KdTerm(temp, 0.9);
      java.util.function.Function<NDArray, NDArray> f =
          x -> kd.compute(ModelOutput.of(x, Map.of()), zt, null, true);
      double[] g = Fixtures.autograd(zs, f);
      for (int i = 0; i < 6; i++) {
        assertEquals(Fixtures.centralDifference(zs, i, 1e-6, f), g[i], 1e-7);
      }
    }
  }

  @Test
  void logitStandardisationSwitch() {
    double[] zs = {0.3, -1.2, 2.0, 0.5, 0.1, -0.4};
    double[] zt = {1.0, 0.2, -0.7, -0.2, 2.2, 0.9};
    double temp = 2;
    // The two-argument constructor is the switch off.
    assertEquals(
        new KdTerm(temp, 0.9).compute(logits(zs, 2, 3), logits(zt, 2, 3), null, true).getDouble(),
        new KdTerm(temp, 0.9, false).compute(logits(zs, 2, 3), logits(zt, 2, 3), null, true).getDouble(),
        0);
    double expected = 0;
    for (int i = 0; i < 2; i++) {
      double[] s = DkdTermTest.standardize(java.util.Arrays.copyOfRange(zs, 3 * i, 3 * i + 3));
      double[] t = DkdTermTest.standardize(java.util.Arrays.copyOfRange(zt, 3 * i, 3 * i + 3));
      expected += 0.9 * temp * temp * kl(s, t, temp) / 2;
    }
    KdTerm kd = new KdTerm(temp, 0.9, true);
    assertTrue(kd.logitStd());
    assertEquals(expected, kd.compute(logits(zs, 2, 3), logits(zt, 2, 3), null, true).getDouble(), 1e-12);
    NDArray x = manager.create(zs, new Shape(2, 3));
    java.util.function.Function<NDArray, NDArray> f =
        a -> kd.compute(ModelOutput.of(a, Map.of()), logits(zt, 2, 3), null, true);
    double[] g = Fixtures.autograd(x, f);
    for (int i = 0; i < 6; i++) {
      assertEquals(Fixtures.centralDifference(x, i, 1e-6, f), g[i], 1e-7);
    }
  }

  @Test
  void rejectsBadArguments() {
    assertThrows(IllegalArgumentException.class, () -> new KdTerm(0, 0.5));
    assertThrows(IllegalArgumentException.class, () -> new KdTerm(4, 1.5));
    ModelOutput a = logits(new double[] {0, 0}, 1, 2);
    ModelOutput b = logits(new double[] {0, 0, 0}, 1, 3);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new KdTerm(4, 0.9).compute(a, b, null, true));
    assertTrue(e.getMessage().contains("(1, 2)"), e.getMessage());
    e = assertThrows(
        IllegalArgumentException.class,
        () -> new KdTerm(4, 0.9).compute(a, ModelOutput.of((NDArray) null, Map.of()), null, true));
    assertTrue(e.getMessage().contains("teacher logits"), e.getMessage());
  }
}

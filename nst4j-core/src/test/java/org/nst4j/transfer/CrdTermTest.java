package org.nst4j.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nst4j.model.ModelOutput;

class CrdTermTest {
  private static NDManager manager;

  @BeforeAll
  static void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  /** L2-normalised x·Wᵀ + b for each row, in doubles. */
  private static double[][] embed(double[][] x, double[] w, double[] b, int d) {
    double[][] out = new double[x.length][d];
    for (int i = 0; i < x.length; i++) {
      double n = 0;
      for (int o = 0; o < d; o++) {
        double v = b[o];
        for (int c = 0; c < x[i].length; c++) {
          v += w[o * x[i].length + c] * x[i][c];
        }
        out[i][o] = v;
        n += v * v;
      }
      for (int o = 0; o < d; o++) {
        out[i][o] /= Math.sqrt(n);
      }
    }
    return out;
  }

  private static double dot(double[] a, double[] b) {
    double v = 0;
    for (int i = 0; i < a.length; i++) {
      v += a[i] * b[i];
    }
    return v;
  }

  /** The NCE loss of raw scores exp(⟨row, v⟩/T) divided by z, in doubles. */
  private static double nce(double[][] v, long[][] sample, java.util.function.IntFunction<double[]> bank,
      double temp, double z, int n) {
    int b = v.length;
    int k = sample[0].length - 1;
    double noise = (double) k / n;
    double sum = 0;
    for (int i = 0; i < b; i++) {
      for (int j = 0; j <= k; j++) {
        double p = Math.exp(dot(bank.apply((int) sample[i][j]), v[i]) / temp) / z;
        sum += j == 0 ? Math.log(p / (p + noise + 1e-7)) : Math.log(noise / (p + noise + 1e-7));
      }
    }
    return -sum / b;
  }

  private static double rawMean(double[][] v, long[][] sample, java.util.function.IntFunction<double[]> bank,
      double temp) {
    double sum = 0;
    int count = 0;
    for (int i = 0; i < v.length; i++) {
      for (long j : sample[i]) {
        sum += Math.exp(dot(bank.apply((int) j), v[i]) / temp);
        count++;
      }
    }
    return sum / count;
  }

  @Test
  void nceHandValue() {
    // N = 4, K = 2: noise K/N = 1/2.
    double p0 = 0.9;
    double p1 = 0.2;
    double p2 = 0.05;
    double e = 1e-7;
    double expected = -(Math.log(p0 / (p0 + 0.5 + e)) + Math.log(0.5 / (p1 + 0.5 + e)) + Math.log(0.5 / (p2 + 0.5 + e)));
    NDArray out = manager.create(new double[] {p0, p1, p2}, new Shape(1, 3));
    assertEquals(expected, CrdTerm.nce(out, 4).getDouble(), 1e-12);
  }

  @Test
  void aBatchLeavesNothingBehindInTheEmbeddingsManager() {
    try (NDManager root = NDManager.newBaseManager(); CrdTerm crd = new CrdTerm(0.8, 20, 4, 7, 0.07, 0.5, null)) {
      double left = Fixtures.arraysLeftPerBatch(root, crd, Fixtures.random(root, 1, true, 3, 5, 2, 2),
          Fixtures.random(root, 2, true, 3, 6, 2, 2), 4, () -> crd.setBatchIndices(new long[] {3, 17, 0}));
      assertEquals(0, left, 0);
    }
  }

  @Test
  void valueBanksAndNormalisationMatchThePlainJavaReference() {
    int n = 20;
    int d = 4;
    NDArray sMap = Fixtures.random(manager, 91, true, 3, 5, 2, 2);
    NDArray tMap = Fixtures.random(manager, 92, true, 3, 6, 2, 2);
    ModelOutput s = Fixtures.maps(sMap);
    ModelOutput t = Fixtures.maps(tMap);
    double[][] ps = RkdTermTest.rows(Features.pooled(sMap, "s").toDoubleArray(), 3);
    double[][] pt = RkdTermTest.rows(Features.pooled(tMap, "t").toDoubleArray(), 3);
    try (CrdTerm crd = new CrdTerm(0.8, n, d, 7, 0.07, 0.5, null)) {
      crd.initialize(manager, s, t, 11);
      List<Parameter> p = crd.parameters();
      assertEquals(4, p.size());
      double[][] vs = embed(ps, p.get(0).getArray().toDoubleArray(), p.get(1).getArray().toDoubleArray(), d);
      double[][] vt = embed(pt, p.get(2).getArray().toDoubleArray(), p.get(3).getArray().toDoubleArray(), d);
      for (int round = 0; round < 2; round++) {
        long[] idx = round == 0 ? new long[] {3, 17, 0} : new long[] {5, 3, 19};
        double[][] bankS = new double[n][];
        double[][] bankT = new double[n][];
        for (int i = 0; i < n; i++) {
          bankS[i] = crd.studentBankRow(i);
          bankT[i] = crd.teacherBankRow(i);
        }
        crd.setBatchIndices(idx);
        double v = crd.compute(s, t, null, true).getDouble();
        long[][] sample = crd.lastSample();
        assertEquals(8, sample[0].length);
        if (round == 0) { // Z = N · mean of the first batch's raw scores, per direction
          double zs = n * rawMean(vs, sample, i -> bankT[i], 0.07);
          double zt = n * rawMean(vt, sample, i -> bankS[i], 0.07);
          assertEquals(zs, crd.normalisation()[0], 1e-12 * zs);
          assertEquals(zt, crd.normalisation()[1], 1e-12 * zt);
        }
        double[] z = crd.normalisation();
        double expected = 0.8 * (nce(vs, sample, i -> bankT[i], 0.07, z[0], n)
            + nce(vt, sample, i -> bankS[i], 0.07, z[1], n));
        assertEquals(expected, v, 1e-10 * Math.abs(expected), "round " + round);
        // Memory rows of the batch: normalise(½·old + ½·v); the others unchanged.
        for (int i = 0; i < 3; i++) {
          double[] old = bankS[(int) idx[i]];
          double[] upd = new double[d];
          double norm = 0;
          for (int c = 0; c < d; c++) {
            upd[c] = 0.5 * old[c] + 0.5 * vs[i][c];
            norm += upd[c] * upd[c];
          }
          double[] got = crd.studentBankRow((int) idx[i]);
          for (int c = 0; c < d; c++) {
            assertEquals(upd[c] / Math.sqrt(norm), got[c], 1e-12);
          }
        }
        assertEquals(bankT[1][2], crd.teacherBankRow(1)[2], 0);
      }
    }
  }

  /**
   * The rows a training batch updates hold, bit for bit, normalise(m·row + (1 − m)·v) computed in plain Java
   * doubles (left-to-right norm) from the banks before the batch; every other row keeps its bits. v is the
   * term's own embedding ({@link CrdTerm#embed} of the pooled maps, the same libtorch operations as compute).
   * Float32 maps (the models' type) and float64 maps; the second batch lists one image twice, which the
   * update applies twice, in order. d = 64 so that a norm summed in another order would show.
   */
  @Test
  void updatedRowsAreTheMomentumFormulaInJavaDoublesBitForBit() {
    int n = 12;
    int d = 64;
    double m = 0.3;
    for (DataType type : new DataType[] {DataType.FLOAT32, DataType.FLOAT64}) {
      NDArray sMap = Fixtures.random(manager, 81, true, 3, 5, 2, 2).toType(type, false);
      NDArray tMap = Fixtures.random(manager, 82, true, 3, 6, 2, 2).toType(type, false);
      ModelOutput s = Fixtures.maps(sMap);
      ModelOutput t = Fixtures.maps(tMap);
      try (CrdTerm crd = new CrdTerm(0.8, n, d, 9, 0.07, m, null)) {
        crd.initialize(manager, s, t, 21);
        List<Parameter> p = crd.parameters();
        double[] vs = CrdTerm.embed(Features.pooled(sMap, "s"), p.get(0).getArray(), p.get(1).getArray())
            .toType(DataType.FLOAT64, false).toDoubleArray();
        double[] vt = CrdTerm.embed(Features.pooled(tMap, "t"), p.get(2).getArray(), p.get(3).getArray())
            .toType(DataType.FLOAT64, false).toDoubleArray();
        for (long[] idx : new long[][] {{4, 11, 0}, {7, 4, 7}}) {
          double[][] bankS = new double[n][];
          double[][] bankT = new double[n][];
          for (int i = 0; i < n; i++) {
            bankS[i] = crd.studentBankRow(i);
            bankT[i] = crd.teacherBankRow(i);
          }
          for (int i = 0; i < idx.length; i++) { // the update as a Java loop, rows in batch order
            mix(bankS[(int) idx[i]], vs, i, m);
            mix(bankT[(int) idx[i]], vt, i, m);
          }
          crd.setBatchIndices(idx);
          crd.compute(s, t, null, true);
          for (int i = 0; i < n; i++) {
            assertArrayEquals(bankS[i], crd.studentBankRow(i), 0, type + " " + java.util.Arrays.toString(idx)
                + " student row " + i);
            assertArrayEquals(bankT[i], crd.teacherBankRow(i), 0, type + " " + java.util.Arrays.toString(idx)
                + " teacher row " + i);
          }
        }
      }
    }
  }

  /** row ← normalise(m·row + (1 − m)·v_i) with the norm summed left to right. */
  private static void mix(double[] row, double[] v, int i, double m) {
    double norm = 0;
    for (int c = 0; c < row.length; c++) {
      row[c] = m * row[c] + (1 - m) * v[i * row.length + c];
      norm += row[c] * row[c];
    }
    norm = Math.sqrt(norm);
    for (int c = 0; c < row.length; c++) {
      row[c] /= norm;
    }
  }

  @Test
  void negativesAreOtherImagesDrawnUniformly() {
    ModelOutput s = Fixtures.maps(Fixtures.random(manager, 93, true, 2, 3, 1, 1));
    try (CrdTerm crd = new CrdTerm(1, 4, 2, 3000, 0.07, 0.5, null)) {
      crd.initialize(manager, s, s, 1);
      crd.setBatchIndices(new long[] {2, 0});
      crd.compute(s, s, null, false);
      long[][] sample = crd.lastSample();
      for (int i = 0; i < 2; i++) {
        int[] counts = new int[4];
        for (int j = 1; j < sample[i].length; j++) {
          counts[(int) sample[i][j]]++;
        }
        long self = sample[i][0];
        assertEquals(0, counts[(int) self]);
        for (int c = 0; c < 4; c++) {
          if (c != self) {
            assertEquals(1000, counts[c], 100, "image " + c);
          }
        }
      }
    }
  }

  @Test
  void gradientMatchesCentralDifferencesAndReachesBothEmbeddings() {
    NDArray sMap = Fixtures.random(manager, 94, false, 3, 4, 1, 1);
    ModelOutput t = Fixtures.maps(Fixtures.random(manager, 95, false, 3, 5, 1, 1));
    long[] idx = {4, 1, 7};
    try (CrdTerm crd = new CrdTerm(0.8, 9, 3, 5, 0.5, 0.5, null)) {
      // Each evaluation: the same seed, a first batch at sMap (fixes Z, draws negatives), then the batch at x
      // (the second draw); no memory update, so every evaluation sees the same banks, Z and negatives.
      Function<NDArray, NDArray> f = x -> {
        crd.initialize(manager, Fixtures.maps(sMap), t, 3);
        crd.setBatchIndices(idx);
        crd.compute(Fixtures.maps(sMap), t, null, false);
        crd.setBatchIndices(idx);
        return crd.compute(Fixtures.maps(x), t, null, false);
      };
      double[] g = Fixtures.autograd(sMap, f);
      for (int i = 0; i < g.length; i++) {
        assertEquals(Fixtures.centralDifference(sMap, i, 1e-6, f), g[i], 1e-7, "element " + i);
      }
      crd.initialize(manager, Fixtures.maps(sMap), t, 3);
      crd.setBatchIndices(idx);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(crd.compute(Fixtures.maps(sMap), t, null, true));
      }
      for (Parameter p : crd.parameters()) {
        assertTrue(java.util.Arrays.stream(p.getArray().getGradient().toDoubleArray())
            .anyMatch(x -> Math.abs(x) > 1e-9), p.getName());
      }
    }
  }

  @Test
  void indicesAndArguments() {
    ModelOutput s = Fixtures.maps(Fixtures.random(manager, 96, true, 2, 3, 1, 1));
    try (CrdTerm crd = new CrdTerm(10)) {
      assertEquals(10, crd.numData());
      assertThrows(IllegalStateException.class, () -> crd.compute(s, s, null, true));
      crd.initialize(manager, s, s, 0);
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> crd.compute(s, s, null, true));
      assertTrue(e.getMessage().contains("setBatchIndices"), e.getMessage());
      crd.setBatchIndices(new long[] {1, 2, 3});
      assertThrows(IllegalStateException.class, () -> crd.compute(s, s, null, true));
      assertThrows(IllegalArgumentException.class, () -> crd.setBatchIndices(new long[] {10}));
      crd.setBatchIndices(new long[] {1, 2});
      double v = crd.compute(s, s, null, true).getDouble();
      assertTrue(Double.isFinite(v) && v > 0);
      // The indices are consumed by compute.
      assertThrows(IllegalStateException.class, () -> crd.compute(s, s, null, true));
      assertNotEquals(0, crd.normalisation()[0]);
    }
    assertThrows(IllegalArgumentException.class, () -> new CrdTerm(1));
    assertThrows(IllegalArgumentException.class, () -> new CrdTerm(1, 10, 128, 10, 0.07, 1, null));
    assertThrows(IllegalArgumentException.class, () -> new CrdTerm(1, 10, 128, 10, 0.07, 0.5, List.of("a", "b")));
  }

  /** The state (banks, Z, sampler) restored into a fresh term makes it continue exactly as the original. */
  @Test
  void savedStateMakesAFreshTermContinueIdentically() {
    NDArray sMap = Fixtures.random(manager, 97, true, 3, 4, 1, 1);
    ModelOutput s = Fixtures.maps(sMap);
    ModelOutput t = Fixtures.maps(Fixtures.random(manager, 98, true, 3, 5, 1, 1));
    try (CrdTerm a = new CrdTerm(0.8, 12, 3, 6, 0.07, 0.5, null);
        CrdTerm b = new CrdTerm(0.8, 12, 3, 6, 0.07, 0.5, null)) {
      a.initialize(manager, s, t, 4);
      a.setBatchIndices(new long[] {1, 5, 9});
      a.compute(s, t, null, true);
      byte[] state = a.saveState();
      b.initialize(manager, s, t, 4);
      b.restoreState(state);
      assertEquals(a.normalisation()[0], b.normalisation()[0], 0);
      assertArrayEquals(a.studentBankRow(5), b.studentBankRow(5), 0);
      for (long[] idx : new long[][] {{0, 2, 3}, {11, 5, 7}}) {
        a.setBatchIndices(idx);
        b.setBatchIndices(idx);
        assertEquals(a.compute(s, t, null, true).getDouble(), b.compute(s, t, null, true).getDouble(), 0);
        assertArrayEquals(a.lastSample()[2], b.lastSample()[2], "the same negatives");
      }
      assertArrayEquals(a.teacherBankRow(7), b.teacherBankRow(7), 0);
      try (CrdTerm other = new CrdTerm(0.8, 13, 3, 6, 0.07, 0.5, null)) {
        other.initialize(manager, s, t, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> other.restoreState(state));
        assertTrue(e.getMessage().contains("12 images"), e.getMessage());
      }
    }
  }
}

package org.nst4j.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

class VidTermTest {
  private static NDManager manager;

  @BeforeAll
  static void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  /** The spec's VID of one pair in doubles: w1 (ct×cs), w2, w3 (ct×ct), a (ct); maps B×C×HW flattened. */
  static double reference(double[] s, double[] t, int b, int cs, int ct, int hw, double[] w1, double[] w2,
      double[] w3, double[] a) {
    double sum = 0;
    for (int i = 0; i < b; i++) {
      for (int p = 0; p < hw; p++) {
        double[] x = new double[cs];
        for (int c = 0; c < cs; c++) {
          x[c] = s[(i * cs + c) * hw + p];
        }
        double[] h1 = relu(mul(w1, x, ct, cs));
        double[] h2 = relu(mul(w2, h1, ct, ct));
        double[] r = mul(w3, h2, ct, ct);
        for (int c = 0; c < ct; c++) {
          double var = Math.log1p(Math.exp(a[c])) + 1e-5;
          double d = r[c] - t[(i * ct + c) * hw + p];
          sum += 0.5 * (d * d / var + Math.log(var));
        }
      }
    }
    return sum / ((double) b * ct * hw);
  }

  private static double[] mul(double[] w, double[] x, int rows, int cols) {
    double[] y = new double[rows];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        y[r] += w[r * cols + c] * x[c];
      }
    }
    return y;
  }

  private static double[] relu(double[] x) {
    double[] y = x.clone();
    for (int i = 0; i < y.length; i++) {
      y[i] = Math.max(0, y[i]);
    }
    return y;
  }

  @Test
  void initialisationIsSeededWithVarianceFive() {
    ModelOutput s = Fixtures.maps(manager.zeros(new Shape(2, 16, 2, 2), DataType.FLOAT32));
    ModelOutput t = Fixtures.maps(manager.zeros(new Shape(2, 32, 2, 2), DataType.FLOAT32));
    try (VidTerm a = new VidTerm(); VidTerm b = new VidTerm(); VidTerm c = new VidTerm()) {
      a.initialize(manager, s, t, 7);
      b.initialize(manager, s, t, 7);
      c.initialize(manager, s, t, 8);
      List<Parameter> pa = a.parameters();
      assertEquals(4, pa.size());
      assertEquals(new Shape(32, 16), pa.get(0).getArray().getShape());
      assertEquals(new Shape(32, 32), pa.get(1).getArray().getShape());
      assertEquals(new Shape(32), pa.get(3).getArray().getShape());
      assertEquals(DataType.FLOAT32, pa.get(0).getArray().getDataType());
      float[] w = pa.get(0).getArray().toFloatArray();
      assertArrayEquals(w, b.parameters().get(0).getArray().toFloatArray());
      assertFalse(java.util.Arrays.equals(w, c.parameters().get(0).getArray().toFloatArray()));
      double max = 0;
      for (float x : w) {
        max = Math.max(max, Math.abs(x));
      }
      assertTrue(max <= 1 / Math.sqrt(16) && max > 0.8 / Math.sqrt(16), "uniform ±1/√fan_in: " + max);
      // σ² = softplus(a) + 1e-5 = 5.
      double a0 = pa.get(3).getArray().toFloatArray()[0];
      assertEquals(5, Math.log1p(Math.exp(a0)) + 1e-5, 1e-5);
      assertEquals(5, Math.log1p(Math.exp(VidTerm.initialScale(5))) + 1e-5, 1e-12);
      assertTrue(pa.stream().allMatch(Parameter::requiresGradient));
    }
  }

  @Test
  void valueMatchesThePlainJavaReferenceOverTwoPairs() {
    // Pair 1: same size; pair 2: the student's map is larger and gets pooled to the teacher's 1×2.
    NDArray s1 = Fixtures.random(manager, 71, true, 2, 3, 2, 2);
    NDArray t1 = Fixtures.random(manager, 72, true, 2, 4, 2, 2);
    NDArray s2 = Fixtures.random(manager, 73, true, 2, 2, 2, 4);
    NDArray t2 = Fixtures.random(manager, 74, false, 2, 3, 1, 2);
    ModelOutput s = Fixtures.maps(s1, s2);
    ModelOutput t = Fixtures.maps(t1, t2);
    try (VidTerm byDefault = new VidTerm(2, 3, null)) {
      byDefault.initialize(manager, s, t, 1);
      assertEquals(4, byDefault.parameters().size(), "default: every pair but the first, here one");
    }
    try (VidTerm vid = new VidTerm(2, 3, List.of("tap0", "tap1"))) {
      vid.initialize(manager, s, t, 1);
      List<Parameter> p = vid.parameters();
      assertEquals(8, p.size());
      double expected = 0;
      NDArray[] ss = {s1, Spatial.adaptiveAvgPool(s2, 1, 2)};
      NDArray[] ts = {t1, t2};
      int[][] dims = {{3, 4, 4}, {2, 3, 2}};
      for (int i = 0; i < 2; i++) {
        expected += reference(ss[i].toDoubleArray(), ts[i].toDoubleArray(), 2, dims[i][0], dims[i][1], dims[i][2],
            p.get(4 * i).getArray().toDoubleArray(), p.get(4 * i + 1).getArray().toDoubleArray(),
            p.get(4 * i + 2).getArray().toDoubleArray(), p.get(4 * i + 3).getArray().toDoubleArray());
      }
      assertEquals(2 * expected, vid.compute(s, t, null, true).getDouble(), 1e-12 * expected);
      // At the start σ² = 3: the log-variance part alone is ½·log 3 per pair when r(F_S) = F_T.
      assertEquals(0.5 * Math.log(3), reference(new double[4], new double[4], 1, 1, 1, 4, new double[] {0},
          new double[] {0}, new double[] {0}, new double[] {VidTerm.initialScale(3)}), 1e-12);
    }
  }

  @Test
  void aBatchLeavesNothingBehindInTheRegressorsManager() {
    // The FMNIST-10k grid's vid run grew to 20 GB in four epochs when the regressors' products stayed in the
    // parameters' manager (DJL's result manager is the first operand's).
    try (NDManager root = NDManager.newBaseManager(); VidTerm vid = new VidTerm()) {
      double left = Fixtures.arraysLeftPerBatch(root, vid, Fixtures.random(root, 1, true, 4, 3, 4, 4),
          Fixtures.random(root, 2, true, 4, 5, 4, 4), 4, () -> {});
      assertEquals(0, left, 0);
    }
  }

  @Test
  void gradientsMatchCentralDifferencesAndReachEveryParameter() {
    NDArray sMap = Fixtures.random(manager, 75, false, 2, 3, 2, 1);
    ModelOutput t = Fixtures.maps(Fixtures.random(manager, 76, false, 2, 2, 2, 1));
    try (VidTerm vid = new VidTerm()) {
      vid.initialize(manager, Fixtures.maps(sMap), t, 3);
      // The variance parameter a: d/da_c by finite differences of the value (first: gradients accumulate).
      NDArray a = vid.parameters().get(3).getArray();
      double[] a0 = a.toDoubleArray();
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(vid.compute(Fixtures.maps(sMap), t, null, true));
      }
      double[] ga = a.getGradient().toDoubleArray();
      for (Parameter p : vid.parameters()) {
        assertTrue(java.util.Arrays.stream(p.getArray().getGradient().toDoubleArray())
            .anyMatch(x -> Math.abs(x) > 1e-9), p.getName());
      }
      for (int c = 0; c < a0.length; c++) {
        double[] v = a0.clone();
        v[c] += 1e-6;
        a.set(v);
        double plus = vid.compute(Fixtures.maps(sMap), t, null, true).getDouble();
        v[c] -= 2e-6;
        a.set(v);
        double minus = vid.compute(Fixtures.maps(sMap), t, null, true).getDouble();
        a.set(a0);
        assertEquals((plus - minus) / 2e-6, ga[c], 1e-8, "a_" + c);
      }
      Function<NDArray, NDArray> f = x -> vid.compute(Fixtures.maps(x), t, null, true);
      double[] g = Fixtures.autograd(sMap, f);
      for (int i = 0; i < g.length; i++) {
        assertEquals(Fixtures.centralDifference(sMap, i, 1e-6, f), g[i], 1e-8, "input element " + i);
      }
    }
  }

  @Test
  void computeBeforeInitializeAndBadArgumentsFail() {
    ModelOutput s = Fixtures.maps(Fixtures.random(manager, 77, true, 2, 3, 2, 2));
    ModelOutput t = Fixtures.maps(Fixtures.random(manager, 78, true, 2, 4, 2, 2));
    try (VidTerm vid = new VidTerm()) {
      assertThrows(IllegalStateException.class, () -> vid.compute(s, t, null, true));
      vid.initialize(manager, s, t, 0);
      ModelOutput wide = Fixtures.maps(Fixtures.random(manager, 79, true, 2, 5, 2, 2));
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> vid.compute(wide, t, null, true));
      assertTrue(e.getMessage().contains("3 -> 4"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> new VidTerm(-1, 5, null));
    assertThrows(IllegalArgumentException.class, () -> new VidTerm(1, 0, null));
  }
}

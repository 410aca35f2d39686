package org.nst4j.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nst4j.model.ModelOutput;

class OfdTermTest {
  private static NDManager manager;

  @BeforeAll
  static void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  /** ∫ f over [a, b] by composite Simpson with n (even) intervals. */
  private static double simpson(java.util.function.DoubleUnaryOperator f, double a, double b, int n) {
    double h = (b - a) / n;
    double sum = f.applyAsDouble(a) + f.applyAsDouble(b);
    for (int i = 1; i < n; i++) {
      sum += (i % 2 == 1 ? 4 : 2) * f.applyAsDouble(a + i * h);
    }
    return sum * h / 3;
  }

  /** E[X | X &lt; 0] for X ~ N(β, γ²), by numerical integration. */
  private static double truncatedMean(double gamma, double beta) {
    double s = Math.abs(gamma);
    java.util.function.DoubleUnaryOperator pdf =
        x -> Math.exp(-(x - beta) * (x - beta) / (2 * s * s)) / (s * Math.sqrt(2 * Math.PI));
    double lo = beta - 40 * s;
    double mass = simpson(pdf, lo, 0, 200_000);
    return simpson(x -> x * pdf.applyAsDouble(x), lo, 0, 200_000) / mass;
  }

  private static ModelOutput pre(NDArray... maps) {
    Map<String, NDArray> m = new LinkedHashMap<>();
    for (int i = 0; i < maps.length; i++) {
      m.put("stage" + (i + 1), maps[i].zerosLike());
      m.put("stage" + (i + 1) + "_pre", maps[i]);
    }
    return ModelOutput.of((NDArray) null, m);
  }

  @Test
  void normalCdfAndMargins() {
    assertEquals(0.5, OfdTerm.normalCdf(0), 1e-16);
    assertEquals(0.15865525393145705, OfdTerm.normalCdf(-1), 1e-15);
    assertEquals(0.9750021048517795, OfdTerm.normalCdf(1.96), 1e-15);
    assertEquals(0.0013498980316301035, OfdTerm.normalCdf(-3), 1e-15); // 1 − erf: absolute precision
    assertEquals(9.865876450376946e-10, OfdTerm.normalCdf(-6), 1e-15);
    // β = 0: E[X | X < 0] = −γ·√(2/π); γ's sign does not matter.
    double[] m = OfdTerm.margins(new double[] {1, -2, 2, 0.5, 0.3, 0, 0}, new double[] {0, 0, 1, 2, -1, -0.4, 0.4});
    assertEquals(-Math.sqrt(2 / Math.PI), m[0], 1e-12);
    assertEquals(-2 * Math.sqrt(2 / Math.PI), m[1], 1e-12);
    assertEquals(truncatedMean(2, 1), m[2], 1e-9);
    assertEquals(truncatedMean(0.3, -1), m[4], 1e-9);
    // Φ(−2/0.5) = Φ(−4) ≈ 3e-5 ≤ 0.001: −3|γ|.
    assertEquals(-1.5, m[3], 0);
    assertEquals(-0.4, m[5], 0); // γ = 0: the constant β if negative,
    assertEquals(0, m[6], 0); // else 0
    // The rule's threshold: β/|γ| just below and above Φ⁻¹(0.999) ≈ 3.0902.
    assertEquals(truncatedMean(1, 3.08), OfdTerm.margins(new double[] {1}, new double[] {3.08})[0], 1e-8);
    assertEquals(-3, OfdTerm.margins(new double[] {1}, new double[] {3.10})[0], 0);
  }

  @Test
  void partialL2HandValue() {
    // One image, one channel, margin −1, six positions (s, t):
    // (0.5, −2): t ≤ m, s > m → (s − m)² = 2.25;   (−1.5, −2): s ≤ m → 0;
    // (0, −0.5): m < t ≤ 0, s > t → 0.25;          (−0.7, −0.5): s ≤ t → 0;
    // (−1, 1): t > 0 → 4;                           (3, 1): t > 0 → 4.
    NDArray s = manager.create(new double[] {0.5, -1.5, 0, -0.7, -1, 3}, new Shape(1, 1, 1, 6));
    NDArray t = manager.create(new double[] {-2, -2, -0.5, -0.5, 1, 1}, new Shape(1, 1, 1, 6));
    NDArray m = manager.create(new double[] {-1}, new Shape(1, 1, 1, 1));
    assertEquals(10.5, OfdTerm.partialL2(s, t, m).getDouble(), 1e-12);
    // Summed over C, H, W and averaged over B: two copies of the image give the same value.
    assertEquals(10.5, OfdTerm.partialL2(s.concat(s), t.concat(t), m).getDouble(), 1e-12);
  }

  /** The term in plain doubles for inference mode (fresh BN: divide by √(1 + 1e-5)). */
  private static double reference(List<double[]> s, List<double[]> t, List<double[]> w, List<double[]> m,
      int b, int[] cs, int[] ct, int[] hw) {
    double total = 0;
    int n = s.size();
    for (int i = 0; i < n; i++) {
      double sum = 0;
      for (int img = 0; img < b; img++) {
        for (int o = 0; o < ct[i]; o++) {
          for (int p = 0; p < hw[i]; p++) {
            double x = 0;
            for (int c = 0; c < cs[i]; c++) {
              x += w.get(i)[o * cs[i] + c] * s.get(i)[(img * cs[i] + c) * hw[i] + p];
            }
            x /= Math.sqrt(1 + 1e-5);
            double tv = t.get(i)[(img * ct[i] + o) * hw[i] + p];
            double mv = m.get(i)[o];
            if (x > mv && tv <= mv) {
              sum += (x - mv) * (x - mv);
            } else if ((x > tv && tv > mv && tv <= 0) || tv > 0) {
              sum += (x - tv) * (x - tv);
            }
          }
        }
      }
      total += sum / b / Math.pow(2, n - 1 - i);
    }
    return total;
  }

  @Test
  void valueMatchesThePlainJavaReferenceWithStageWeights() {
    NDArray s1 = Fixtures.random(manager, 81, false, 3, 2, 2, 2);
    NDArray s2 = Fixtures.random(manager, 82, false, 3, 3, 2, 1);
    NDArray s3 = Fixtures.random(manager, 83, false, 3, 4, 1, 1);
    NDArray t1 = Fixtures.random(manager, 84, false, 3, 3, 2, 2);
    NDArray t2 = Fixtures.random(manager, 85, false, 3, 4, 2, 1);
    NDArray t3 = Fixtures.random(manager, 86, false, 3, 5, 1, 1);
    Map<String, double[]> margins = new LinkedHashMap<>();
    margins.put("stage1_pre", OfdTerm.margins(new double[] {1, 0.5, 2}, new double[] {0, 0.2, -0.3}));
    margins.put("stage2_pre", new double[] {-0.5, -1, -0.2, -0.8});
    margins.put("stage3_pre", new double[] {-0.1, -0.3, -2, -0.6, -0.4});
    try (OfdTerm ofd = new OfdTerm(0.5, null, margins)) {
      ModelOutput s = pre(s1, s2, s3);
      ModelOutput t = pre(t1, t2, t3);
      ofd.initialize(manager, s, t, 9);
      List<Parameter> p = ofd.parameters();
      assertEquals(9, p.size()); // conv weight, γ, β per stage
      double expected = 0.5 * reference(List.of(s1.toDoubleArray(), s2.toDoubleArray(), s3.toDoubleArray()),
          List.of(t1.toDoubleArray(), t2.toDoubleArray(), t3.toDoubleArray()),
          List.of(p.get(0).getArray().toDoubleArray(), p.get(3).getArray().toDoubleArray(),
              p.get(6).getArray().toDoubleArray()),
          List.copyOf(margins.values()), 3, new int[] {2, 3, 4}, new int[] {3, 4, 5}, new int[] {4, 2, 1});
      assertTrue(expected > 0);
      assertEquals(expected, ofd.compute(s, t, null, false).getDouble(), 1e-12 * expected);
    }
  }

  @Test
  void gradientsMatchCentralDifferencesAndReachTheConnector() {
    NDArray sMap = Fixtures.random(manager, 87, false, 2, 2, 2, 2);
    ModelOutput t = pre(Fixtures.random(manager, 88, false, 2, 3, 2, 2));
    Map<String, double[]> margins = Map.of("stage1_pre", new double[] {-0.3, -0.8, -0.5});
    try (OfdTerm ofd = new OfdTerm(1, null, margins)) {
      ofd.initialize(manager, pre(sMap), t, 4);
      Function<NDArray, NDArray> f = x -> ofd.compute(pre(x), t, null, false);
      double[] g = Fixtures.autograd(sMap, f);
      for (int i = 0; i < g.length; i++) {
        assertEquals(Fixtures.centralDifference(sMap, i, 1e-6, f), g[i], 1e-7, "element " + i);
      }
      NDArray leaf = sMap.duplicate();
      leaf.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(ofd.compute(pre(leaf), t, null, true));
      }
      for (Parameter p : ofd.parameters()) {
        assertTrue(java.util.Arrays.stream(p.getArray().getGradient().toDoubleArray())
            .anyMatch(x -> Math.abs(x) > 1e-9), p.getName());
      }
    }
  }

  @Test
  void tapsMarginsAndErrors() {
    NDArray a = Fixtures.random(manager, 89, false, 2, 2, 2, 2);
    Map<String, double[]> margins = Map.of("stage1_pre", new double[] {-0.3, -0.8});
    try (OfdTerm ofd = new OfdTerm(1, null, margins)) {
      assertThrows(IllegalStateException.class, () -> ofd.compute(pre(a), pre(a), null, false));
      // Without *_pre taps: an error saying what is needed.
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> ofd.initialize(manager, Fixtures.maps(a), Fixtures.maps(a), 0));
      assertTrue(e.getMessage().contains("_pre"), e.getMessage());
      // Explicit taps read any tap, but need margins for the teacher's.
      e = assertThrows(IllegalArgumentException.class,
          () -> new OfdTerm(1, List.of("tap0"), margins).initialize(manager, Fixtures.maps(a), Fixtures.maps(a), 0));
      assertTrue(e.getMessage().contains("no margins for the teacher's tap 'tap0'"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> new OfdTerm(1, null, Map.of("stage1_pre",
          new double[] {-1})).initialize(manager, pre(a), pre(a), 0));
      assertTrue(e.getMessage().contains("1 margins"), e.getMessage());
      // Student = teacher through an identity-like path is not zero in general (the connector is random),
      // but the value is finite and ≥ 0.
      ofd.initialize(manager, pre(a), pre(a), 0);
      double v = ofd.compute(pre(a), pre(a), null, true).getDouble();
      assertTrue(v >= 0 && Double.isFinite(v));
    }
    assertThrows(IllegalArgumentException.class, () -> new OfdTerm(-1, null, margins));
    assertThrows(IllegalArgumentException.class, () -> new OfdTerm(1, null, Map.of()));
  }
}

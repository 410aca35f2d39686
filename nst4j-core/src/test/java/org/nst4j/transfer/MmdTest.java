package org.nst4j.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nst4j.transfer.Mmd.Kernel;
import org.nst4j.transfer.Mmd.PolyForm;

class MmdTest {
  private static NDManager manager;

  @BeforeAll
  static void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  private static LossOptions opts(Double sigma2, boolean keep) {
    return LossOptions.builder().set(NstGaussMethod.SIGMA2, sigma2).set(NstMethod.KEEP_TEACHER_TERM, keep).build();
  }

  private static double[] fast(NDArray s, NDArray t, Kernel k, LossOptions o) {
    return Mmd.mmd2(s, t, k, o).toDoubleArray();
  }

  private static double[] naive(NDArray s, NDArray t, Kernel k, LossOptions o) {
    return Mmd.naive(s, t, k, o.get(NstPolyMethod.DEGREE).intValue(), o.get(NstPolyMethod.C).doubleValue(), o.get(NstGaussMethod.SIGMA2), o.get(NstMethod.KEEP_TEACHER_TERM).booleanValue());
  }

  /**
   * One image, C = 2 channels of H×W = 1×2 for each model. Student rows (3,0), (0,2) normalise to
   * ŝ1 = (1,0), ŝ2 = (0,1); teacher rows (1,1), (5,0) to t̂1 = (1,1)/√2, t̂2 = (1,0).
   */
  private static NDArray[] tiny() {
    NDArray s = manager.create(new double[] {3, 0, 0, 2}, new Shape(1, 2, 1, 2));
    NDArray t = manager.create(new double[] {1, 1, 5, 0}, new Shape(1, 2, 1, 2));
    return new NDArray[] {s, t};
  }

  @Test
  void linearHandValue() {
    // mean ŝ = (1/2, 1/2); mean t̂ = ((1/√2 + 1)/2, 1/(2√2)).
    // Difference (−1/(2√2), 1/2 − 1/(2√2)); squared norm 1/8 + (3 − 2√2)/8 = (2 − √2)/4.
    NDArray[] st = tiny();
    double expected = (2 - Math.sqrt(2)) / 4;
    assertEquals(expected, fast(st[0], st[1], Kernel.LINEAR, opts(null, true))[0], 1e-12);
  }

  @Test
  void polyHandValue() {
    // Gss = I → Σ squares 2, /4 = 1/2. Gtt = [[1, 1/√2], [1/√2, 1]] → Σ squares 3, /4 = 3/4.
    // Gst = [[1/√2, 1], [1/√2, 0]] → Σ squares 2, /4 = 1/2. MMD² = 1/2 + 3/4 − 2·1/2 = 1/4.
    NDArray[] st = tiny();
    assertEquals(0.25, fast(st[0], st[1], Kernel.POLY, opts(null, true))[0], 1e-12);
    NDArray s = Mmd.normalizeRows(st[0]);
    NDArray t = Mmd.normalizeRows(st[1]);
    assertEquals(0.25, Mmd.poly(s, t, 2, 0, true, PolyForm.SPATIAL_GRAM).getDouble(0), 1e-12);
    assertEquals(0.25, Mmd.poly(s, t, 2, 0, true, PolyForm.CHANNEL_GRAM).getDouble(0), 1e-12);
  }

  @Test
  void gaussHandValueWithFixedSigma() {
    // σ² = 1, k = exp(−d/2). With a = exp(−(2 − √2)/2):
    // ss mean (1 + e⁻¹)/2, tt mean (1 + a)/2, st mean (2a + 1 + e⁻¹)/4 → MMD² = (1 − a)/2.
    NDArray[] st = tiny();
    double a = Math.exp(-(2 - Math.sqrt(2)) / 2);
    assertEquals((1 - a) / 2, fast(st[0], st[1], Kernel.GAUSS, opts(1.0, true))[0], 1e-12);
  }

  @Test
  void autoSigmaHandValue() {
    // Squared distances: ss block {0, 2, 2, 0}, tt block {0, 2−√2, 2−√2, 0},
    // st block {2−√2, 0, 2−√2, 2}: total 14 − 4√2 over 12 entries.
    NDArray[] st = tiny();
    double expected = (14 - 4 * Math.sqrt(2)) / 12;
    NDArray sig = Mmd.autoSigma2(Mmd.normalizeRows(st[0]), Mmd.normalizeRows(st[1]));
    assertEquals(expected, sig.getDouble(0), 1e-12);
    double a = Math.exp(-(2 - Math.sqrt(2)) / (2 * expected));
    double e = Math.exp(-2 / (2 * expected));
    double mmd = (2 + 2 * e) / 4 + (2 + 2 * a) / 4 - 2 * (2 * a + 1 + e) / 4;
    assertEquals(mmd, fast(st[0], st[1], Kernel.GAUSS, opts(null, true))[0], 1e-12);
  }

  @ParameterizedTest
  @EnumSource(Kernel.class)
  void zeroForIdenticalSamples(Kernel k) {
    NDArray x = Fixtures.random(manager, 1, true, 3, 6, 4, 5);
    for (double v : fast(x, x.duplicate(), k, opts(null, true))) {
      assertEquals(0, v, 1e-12);
    }
  }

  @ParameterizedTest
  @EnumSource(Kernel.class)
  void nonNegativeOnRandomMaps(Kernel k) {
    for (int seed = 0; seed < 5; seed++) {
      boolean relu = seed % 2 == 0;
      NDArray s = Fixtures.random(manager, 10 + seed, relu, 4, 3 + seed, 3, 4);
      NDArray t = Fixtures.random(manager, 20 + seed, relu, 4, 7, 3, 4);
      for (Double sigma2 : new Double[] {null, 0.3}) {
        for (double v : fast(s, t, k, opts(sigma2, true))) {
          assertTrue(v >= -1e-12, k + " gave negative MMD² " + v);
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Kernel.class)
  void symmetricInStudentAndTeacher(Kernel k) {
    NDArray s = Fixtures.random(manager, 3, true, 2, 5, 3, 3);
    NDArray t = Fixtures.random(manager, 4, false, 2, 8, 3, 3);
    assertArrayEquals(fast(s, t, k, opts(null, true)), fast(t, s, k, opts(null, true)), 1e-12);
  }

  @ParameterizedTest
  @EnumSource(Kernel.class)
  void invariantToPositiveChannelScaling(Kernel k) {
    NDArray s = Fixtures.random(manager, 5, true, 2, 4, 3, 3);
    NDArray t = Fixtures.random(manager, 6, true, 2, 6, 3, 3);
    double[] scale = {3.7, 0.01, 1, 250};
    NDArray scaled = s.mul(manager.create(scale, new Shape(1, 4, 1, 1)));
    assertArrayEquals(fast(s, t, k, opts(null, true)), fast(scaled, t, k, opts(null, true)), 1e-10);
    NDArray tScaled = t.mul(42.0);
    assertArrayEquals(fast(s, t, k, opts(null, true)), fast(s, tScaled, k, opts(null, true)), 1e-10);
  }

  @ParameterizedTest
  @EnumSource(Kernel.class)
  void fastFormsEqualNaivePairwise(Kernel k) {
    NDArray s = Fixtures.random(manager, 7, true, 3, 5, 2, 3);
    NDArray t = Fixtures.random(manager, 8, false, 3, 4, 2, 3);
    for (Double sigma2 : new Double[] {null, 0.7}) {
      for (boolean keep : new boolean[] {true, false}) {
        LossOptions o = opts(sigma2, keep);
        assertArrayEquals(naive(s, t, k, o), fast(s, t, k, o), 1e-11, k + " keep=" + keep);
      }
    }
  }

  @Test
  void linearClosedFormEqualsGenericPairwiseAndGram() {
    NDArray s = Fixtures.random(manager, 9, true, 2, 6, 4, 4);
    NDArray t = Fixtures.random(manager, 10, true, 2, 3, 4, 4);
    NDArray sn = Mmd.normalizeRows(s);
    NDArray tn = Mmd.normalizeRows(t);
    double[] closed = Mmd.linear(sn, tn, true).toDoubleArray();
    // Generic: the polynomial kernel with d = 1, c = 0 is xᵀy, through C×C Grams.
    double[] gram = Mmd.poly(sn, tn, 1, 0, true, PolyForm.CHANNEL_GRAM).toDoubleArray();
    double[] pairwise = Mmd.naive(s, t, Kernel.LINEAR, 1, 0, null, true);
    double[] broadcast = Mmd.naiveBroadcast(sn, tn, Kernel.LINEAR, 1, 0, null).toDoubleArray();
    assertArrayEquals(pairwise, closed, 1e-12);
    assertArrayEquals(pairwise, gram, 1e-12);
    assertArrayEquals(pairwise, broadcast, 1e-12);
  }

  @Test
  void channelAndSpatialGramFormsAgree() {
    // Few channels, many positions: the C×C form is the cheaper one ...
    assertTrue(Mmd.channelGramCheaper(4, 5, 64, true));
    // ... many channels, few positions: the HW×HW form is.
    assertFalse(Mmd.channelGramCheaper(40, 50, 4, true));
    // The rule for Cs = Ct = C with the teacher term: C×C iff 3C ≤ 2N.
    assertTrue(Mmd.channelGramCheaper(10, 10, 15, true));
    assertFalse(Mmd.channelGramCheaper(11, 11, 16, true));
    long[][] shapes = {{2, 4, 8, 8}, {2, 5, 8, 8}, {2, 40, 2, 2}, {2, 50, 2, 2}};
    for (int i = 0; i < shapes.length; i += 2) {
      NDArray s = Mmd.normalizeRows(Fixtures.random(manager, 11 + i, true, shapes[i]));
      NDArray t = Mmd.normalizeRows(Fixtures.random(manager, 12 + i, true, shapes[i + 1]));
      for (boolean keep : new boolean[] {true, false}) {
        double[] cc = Mmd.poly(s, t, 2, 0, keep, PolyForm.CHANNEL_GRAM).toDoubleArray();
        double[] hw = Mmd.poly(s, t, 2, 0, keep, PolyForm.SPATIAL_GRAM).toDoubleArray();
        double[] auto = Mmd.poly(s, t, 2, 0, keep, PolyForm.AUTO).toDoubleArray();
        double[] ref = Mmd.naiveBroadcast(s, t, Kernel.POLY, 2, 0, null).toDoubleArray();
        assertArrayEquals(cc, hw, 1e-12);
        assertArrayEquals(cc, auto, 1e-12);
        if (keep) {
          assertArrayEquals(ref, cc, 1e-12);
        }
      }
    }
  }

  @Test
  void spatialFormRefusesOtherKernels() {
    NDArray s = Mmd.normalizeRows(Fixtures.random(manager, 1, true, 1, 2, 2, 2));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> Mmd.poly(s, s, 3, 0, true, PolyForm.SPATIAL_GRAM));
    assertTrue(e.getMessage().contains("d = 2"), e.getMessage());
  }

  @Test
  void genericPolyWithOffsetAndDegreeMatchesNaive() {
    NDArray s = Fixtures.random(manager, 13, true, 2, 3, 3, 3);
    NDArray t = Fixtures.random(manager, 14, true, 2, 5, 3, 3);
    LossOptions o = LossOptions.builder().set(NstPolyMethod.DEGREE, 3).set(NstPolyMethod.C, 0.5).build();
    assertArrayEquals(naive(s, t, Kernel.POLY, o), fast(s, t, Kernel.POLY, o), 1e-11);
  }

  @Test
  void deadChannelsStayZeroAndGaussUsesTrueDistance() {
    // A channel of zeros normalises to the zero vector (max(‖f‖, ε)); the Gaussian then sees ‖x − y‖² = ‖y‖².
    NDArray s = manager.create(new double[] {0, 0, 0, 0, 1, 2, 3, 4}, new Shape(1, 2, 2, 2));
    NDArray t = Fixtures.random(manager, 15, true, 1, 3, 2, 2);
    NDArray n = Mmd.normalizeRows(s);
    assertArrayEquals(new double[] {0, 0, 0, 0}, n.get(0).get(0).toDoubleArray(), 0);
    LossOptions o = opts(null, true);
    assertArrayEquals(naive(s, t, Kernel.GAUSS, o), fast(s, t, Kernel.GAUSS, o), 1e-12);
  }

  @ParameterizedTest
  @EnumSource(Kernel.class)
  void droppingTeacherTermRemovesExactlyTheTeacherMean(Kernel k) {
    NDArray s = Fixtures.random(manager, 16, true, 2, 3, 3, 3);
    NDArray t = Fixtures.random(manager, 17, true, 2, 4, 3, 3);
    Double sigma2 = k == Kernel.GAUSS ? 0.5 : null;
    double[] kept = fast(s, t, k, opts(sigma2, true));
    double[] dropped = fast(s, t, k, opts(sigma2, false));
    // naive(T, T) without its teacher term is mean k(t̂,t̂) − 2·mean k(t̂,t̂) = −mean k(t̂,t̂).
    double[] negTeacherMean = Mmd.naive(t, t, k, 2, 0, sigma2, false);
    for (int i = 0; i < kept.length; i++) {
      assertTrue(negTeacherMean[i] < -1e-3, "teacher mean must be positive");
      assertEquals(-negTeacherMean[i], kept[i] - dropped[i], 1e-12, k + " image " + i);
    }
  }

  @ParameterizedTest
  @EnumSource(Kernel.class)
  void gradientMatchesCentralDifferences(Kernel k) {
    // σ² fixed: the automatic σ² is a constant for autograd, which finite differences cannot mimic.
    LossOptions o = opts(k == Kernel.GAUSS ? 0.4 : null, true);
    NDArray t = Fixtures.random(manager, 18, true, 2, 3, 2, 3);
    NDArray s = Fixtures.random(manager, 19, false, 2, 4, 2, 3);
    Function<NDArray, NDArray> f = x -> Mmd.mmd2(x, t, k, o).mean();
    double[] g = Fixtures.autograd(s, f);
    for (int i : new int[] {0, 5, 11, 17, 30, 47}) {
      double fd = Fixtures.centralDifference(s, i, 1e-6, f);
      assertEquals(fd, g[i], 1e-7 + 1e-5 * Math.abs(fd), k + " element " + i);
    }
  }

  @Test
  void autoSigmaIsConstantForTheGradient() {
    NDArray t = Fixtures.random(manager, 20, true, 2, 3, 2, 3);
    NDArray s = Fixtures.random(manager, 21, false, 2, 3, 2, 3);
    double[] sig = Mmd.autoSigma2(Mmd.normalizeRows(s), Mmd.normalizeRows(t)).toDoubleArray();
    // One image at a time so each gets its own fixed σ², equal to the automatic one.
    for (int b = 0; b < 2; b++) {
      NDArray sb = s.get(b).expandDims(0);
      NDArray tb = t.get(b).expandDims(0);
      double[] auto = Fixtures.autograd(sb, x -> Mmd.mmd2(x, tb, Kernel.GAUSS, opts(null, true)).sum());
      double fixedSigma = sig[b];
      double[] fixed =
          Fixtures.autograd(sb, x -> Mmd.mmd2(x, tb, Kernel.GAUSS, opts(fixedSigma, true)).sum());
      assertArrayEquals(fixed, auto, 1e-12);
    }
  }

  @Test
  void rejectsMismatchedShapes() {
    NDArray s = Mmd.normalizeRows(Fixtures.random(manager, 1, true, 2, 3, 2, 2));
    NDArray t = Mmd.normalizeRows(Fixtures.random(manager, 1, true, 2, 3, 3, 3));
    assertThrows(IllegalArgumentException.class, () -> Mmd.linear(s, t, true));
    assertThrows(IllegalArgumentException.class, () -> Mmd.normalizeRows(manager.zeros(new Shape(3))));
  }
}

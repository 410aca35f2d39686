package org.nst4j.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nst4j.model.ModelOutput;

class PktTermTest {
  private static final double EPS = 1e-7;
  private static NDManager manager;

  @BeforeAll
  static void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  /** The row-stochastic similarity, in doubles. */
  static double[][] similarity(double[][] p) {
    int b = p.length;
    double[][] u = new double[b][];
    for (int i = 0; i < b; i++) {
      double n = 0;
      for (double x : p[i]) {
        n += x * x;
      }
      n = Math.sqrt(n) + EPS;
      u[i] = new double[p[i].length];
      for (int c = 0; c < p[i].length; c++) {
        u[i][c] = p[i][c] / n;
      }
    }
    double[][] s = new double[b][b];
    for (int i = 0; i < b; i++) {
      double row = 0;
      for (int j = 0; j < b; j++) {
        double dot = 0;
        for (int c = 0; c < u[i].length; c++) {
          dot += u[i][c] * u[j][c];
        }
        s[i][j] = (dot + 1) / 2;
        row += s[i][j];
      }
      for (int j = 0; j < b; j++) {
        s[i][j] /= row;
      }
    }
    return s;
  }

  static double reference(double[][] ps, double[][] pt) {
    double[][] ss = similarity(ps);
    double[][] st = similarity(pt);
    int b = ps.length;
    double sum = 0;
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < b; j++) {
        sum += st[i][j] * Math.log((st[i][j] + EPS) / (ss[i][j] + EPS));
      }
    }
    return sum / (b * b);
  }

  @Test
  void handValue() {
    // Student p1 = (1,0), p2 = (0,1): p̂p̂ᵀ = I·(1/(1+ε))² → S ≈ [[2/3, 1/3], [1/3, 2/3]].
    // Teacher p1 = p2 = (1,0): S = [[1/2, 1/2], [1/2, 1/2]] exactly.
    double n = 1 / ((1 + EPS) * (1 + EPS));
    double diag = (n + 1) / 2 / ((n + 1) / 2 + 0.5);
    double off = 0.5 / ((n + 1) / 2 + 0.5);
    double expected = 2 * (0.5 * Math.log((0.5 + EPS) / (diag + EPS)) + 0.5 * Math.log((0.5 + EPS) / (off + EPS))) / 4;
    ModelOutput s = Fixtures.maps(manager.create(new double[] {1, 0, 0, 1}, new Shape(2, 2)));
    ModelOutput t = Fixtures.maps(manager.create(new double[] {1, 0, 1, 0}, new Shape(2, 2)));
    assertEquals(30000 * expected, new PktTerm().compute(s, t, null, true).getDouble(), 1e-9);
    assertEquals(expected, new PktTerm(1, null).compute(s, t, null, true).getDouble(), 1e-14);
    // ≈ ½·(½ln(3/4) + ½ln(3/2)) without the ε.
    assertEquals(0.25 * (Math.log(0.75) + Math.log(1.5)), expected, 1e-6);
  }

  @Test
  void matchesThePlainJavaReferenceOnPooledMaps() {
    NDArray sMap = Fixtures.random(manager, 21, true, 5, 3, 2, 2);
    NDArray tMap = Fixtures.random(manager, 22, true, 5, 6, 4, 4);
    double[][] ps = RkdTermTest.rows(Features.pooled(sMap, "s").toDoubleArray(), 5);
    double[][] pt = RkdTermTest.rows(Features.pooled(tMap, "t").toDoubleArray(), 5);
    double expected = 7 * reference(ps, pt);
    double v = new PktTerm(7, null).compute(Fixtures.maps(sMap), Fixtures.maps(tMap), null, true).getDouble();
    assertEquals(expected, v, 1e-12 * expected);
  }

  @Test
  void zeroWhenEqualAndInvariantToRescalingAFeatureVector() {
    NDArray p = Fixtures.random(manager, 23, false, 6, 4);
    NDArray t = Fixtures.random(manager, 24, false, 6, 3);
    assertEquals(0, new PktTerm().compute(Fixtures.maps(p), Fixtures.maps(p), null, true).getDouble(), 1e-12);
    PktTerm pkt = new PktTerm(1, null);
    double v = pkt.compute(Fixtures.maps(p), Fixtures.maps(t), null, true).getDouble();
    assertTrue(v > 1e-4);
    // Each image's vector scaled by its own positive factor: p̂ unchanged up to the ε in ‖p‖ + ε.
    NDArray scales = manager.create(new double[] {0.5, 2, 3, 10, 0.25, 1}, new Shape(6, 1));
    double scaled = pkt.compute(Fixtures.maps(p.mul(scales)), Fixtures.maps(t), null, true).getDouble();
    assertEquals(v, scaled, 1e-6 * v);
    double teacherScaled = pkt.compute(Fixtures.maps(p), Fixtures.maps(t.mul(scales)), null, true).getDouble();
    assertEquals(v, teacherScaled, 1e-6 * v);
  }

  @Test
  void gradientMatchesCentralDifferences() {
    NDArray s = Fixtures.random(manager, 25, false, 4, 3);
    ModelOutput t = Fixtures.maps(Fixtures.random(manager, 26, false, 4, 5));
    PktTerm pkt = new PktTerm(1, null);
    Function<NDArray, NDArray> f = x -> pkt.compute(Fixtures.maps(x), t, null, true);
    double[] g = Fixtures.autograd(s, f);
    for (int i = 0; i < g.length; i++) {
      assertEquals(Fixtures.centralDifference(s, i, 1e-6, f), g[i], 1e-8, "element " + i);
    }
    // An all-zero feature vector (a dead ReLU image): finite gradient.
    NDArray dead = manager.create(new double[] {0, 0, 0, 1, 2, 3, 0.5, 0, 1, 2, 2, 1}, new Shape(4, 3));
    for (double x : Fixtures.autograd(dead, f)) {
      assertTrue(Double.isFinite(x));
    }
  }

  @Test
  void rejectsBadArguments() {
    assertThrows(IllegalArgumentException.class, () -> new PktTerm(Double.POSITIVE_INFINITY, null));
    ModelOutput a = Fixtures.maps(manager.zeros(new Shape(2, 3)));
    ModelOutput b = Fixtures.maps(manager.zeros(new Shape(3, 3)));
    assertThrows(IllegalArgumentException.class, () -> new PktTerm().compute(a, b, null, true));
    ModelOutput threeD = Fixtures.maps(manager.zeros(new Shape(2, 3, 4)));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new PktTerm().compute(threeD, a, null, true));
    assertTrue(e.getMessage().contains("B×C×H×W or B×D"), e.getMessage());
  }
}

package org.nst4j.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nst4j.model.ModelOutput;

class RkdTermTest {
  private static NDManager manager;

  @BeforeAll
  static void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  // ---- plain-Java reference (double), straight from the spec ----

  static double smoothL1(double x) {
    double a = Math.abs(x);
    return a < 1 ? 0.5 * a * a : a - 0.5;
  }

  static double[][] distanceMatrix(double[][] p) {
    int b = p.length;
    double[][] d = new double[b][b];
    double sum = 0;
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < b; j++) {
        if (i != j) {
          double sq = 0;
          for (int c = 0; c < p[i].length; c++) {
            sq += (p[i][c] - p[j][c]) * (p[i][c] - p[j][c]);
          }
          d[i][j] = Math.sqrt(Math.max(sq, 1e-12));
          sum += d[i][j];
        }
      }
    }
    double mean = sum / (b * (b - 1));
    for (double[] row : d) {
      for (int j = 0; j < b; j++) {
        row[j] /= mean;
      }
    }
    return d;
  }

  /** e_ij = (p_i − p_j)/‖p_i − p_j‖, 0 for i = j. */
  static double[] unit(double[] pi, double[] pj) {
    double[] e = new double[pi.length];
    double n = 0;
    for (int c = 0; c < pi.length; c++) {
      e[c] = pi[c] - pj[c];
      n += e[c] * e[c];
    }
    n = Math.max(Math.sqrt(n), 1e-12);
    for (int c = 0; c < pi.length; c++) {
      e[c] /= n;
    }
    return e;
  }

  static double cos(double[][] p, int i, int j, int k) {
    double[] a = unit(p[i], p[j]);
    double[] c = unit(p[k], p[j]);
    double v = 0;
    for (int x = 0; x < a.length; x++) {
      v += a[x] * c[x];
    }
    return v;
  }

  static double distanceReference(double[][] s, double[][] t) {
    double[][] ds = distanceMatrix(s);
    double[][] dt = distanceMatrix(t);
    int b = s.length;
    double sum = 0;
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < b; j++) {
        sum += smoothL1(ds[i][j] - dt[i][j]);
      }
    }
    return sum / (b * b);
  }

  static double angleReference(double[][] s, double[][] t) {
    int b = s.length;
    double sum = 0;
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < b; j++) {
        for (int k = 0; k < b; k++) {
          sum += smoothL1(cos(s, i, j, k) - cos(t, i, j, k));
        }
      }
    }
    return sum / ((double) b * b * b);
  }

  static double[][] rows(double[] v, int b) {
    int d = v.length / b;
    double[][] out = new double[b][d];
    for (int i = 0; i < b; i++) {
      System.arraycopy(v, i * d, out[i], 0, d);
    }
    return out;
  }

  private static ModelOutput features(double[] v, long b, long d) {
    return Fixtures.maps(manager.create(v, new Shape(b, d)));
  }

  // ---- tests ----

  @Test
  void handValue() {
    // Teacher: the right triangle (0,0), (1,0), (0,1); student: the collinear (0,0), (1,0), (2,0).
    // Pairs (0,1), (0,2), (1,2), each twice: student distances 1, 2, 1, mean 4/3 → 3/4, 3/2, 3/4;
    // teacher 1, 1, √2, mean (2 + √2)/3.
    double mt = (2 + Math.sqrt(2)) / 3;
    double dist = 2 * (smoothL1(0.75 - 1 / mt) + smoothL1(1.5 - 1 / mt) + smoothL1(0.75 - Math.sqrt(2) / mt)) / 9;
    // Angles: diagonal entries (i = k ≠ j) are 1 on both sides, entries with i = j or k = j are 0. The rest,
    // two per vertex: at (0,0) student cos 1, teacher 0; at (1,0) student −1, teacher 1/√2; at (2,0) resp.
    // (0,1): student 1, teacher 1/√2.
    double r = 1 / Math.sqrt(2);
    double angle = 2 * (smoothL1(1) + smoothL1(-1 - r) + smoothL1(1 - r)) / 27;
    ModelOutput s = features(new double[] {0, 0, 1, 0, 2, 0}, 3, 2);
    ModelOutput t = features(new double[] {0, 0, 1, 0, 0, 1}, 3, 2);
    assertEquals(25 * dist + 50 * angle, new RkdTerm().compute(s, t, null, true).getDouble(), 1e-12);
    assertEquals(dist, new RkdTerm(1, 0, null).compute(s, t, null, true).getDouble(), 1e-12);
    assertEquals(angle, new RkdTerm(0, 1, null).compute(s, t, null, true).getDouble(), 1e-12);
  }

  @Test
  void matchesThePlainJavaReferenceAndPoolsMaps() {
    // Maps of different widths: student 5×3×2×2, teacher 5×4×3×3; the term reads their global average pools.
    NDArray sMap = Fixtures.random(manager, 11, true, 5, 3, 2, 2);
    NDArray tMap = Fixtures.random(manager, 12, true, 5, 4, 3, 3);
    double[][] ps = rows(Features.pooled(sMap, "s").toDoubleArray(), 5);
    double[][] pt = rows(Features.pooled(tMap, "t").toDoubleArray(), 5);
    assertEquals(sMap.get("0, 1").mean().getDouble(), ps[0][1], 1e-15);
    double expected = 2 * distanceReference(ps, pt) + 3 * angleReference(ps, pt);
    double v = new RkdTerm(2, 3, null).compute(Fixtures.maps(sMap), Fixtures.maps(tMap), null, true).getDouble();
    assertEquals(expected, v, 1e-12 * expected);
  }

  @Test
  void zeroWhenStudentEqualsTeacherAndDistanceIgnoresSimilarities() {
    NDArray p = Fixtures.random(manager, 13, false, 6, 4);
    assertEquals(0, new RkdTerm().compute(Fixtures.maps(p), Fixtures.maps(p), null, true).getDouble(), 1e-12);
    // A global rescaling and translation of the student's embeddings leaves the distance term unchanged
    // (and, the angles being those of a similar figure, the angle term too).
    NDArray t = Fixtures.random(manager, 14, false, 6, 4);
    NDArray shift = manager.create(new double[] {3, -1, 0.5, 7}, new Shape(1, 4));
    NDArray moved = p.mul(2.5).add(shift);
    RkdTerm distance = new RkdTerm(1, 0, null);
    RkdTerm angle = new RkdTerm(0, 1, null);
    double d0 = distance.compute(Fixtures.maps(p), Fixtures.maps(t), null, true).getDouble();
    assertTrue(d0 > 1e-3);
    assertEquals(d0, distance.compute(Fixtures.maps(moved), Fixtures.maps(t), null, true).getDouble(), 1e-12);
    double a0 = angle.compute(Fixtures.maps(p), Fixtures.maps(t), null, true).getDouble();
    assertEquals(a0, angle.compute(Fixtures.maps(moved), Fixtures.maps(t), null, true).getDouble(), 1e-12);
    // The teacher side alike, and student = scaled teacher gives 0.
    assertEquals(0,
        new RkdTerm().compute(Fixtures.maps(moved), Fixtures.maps(p), null, true).getDouble(), 1e-12);
  }

  @Test
  void gradientMatchesCentralDifferences() {
    NDArray s = Fixtures.random(manager, 15, false, 4, 3);
    ModelOutput t = Fixtures.maps(Fixtures.random(manager, 16, false, 4, 5));
    RkdTerm rkd = new RkdTerm();
    Function<NDArray, NDArray> f = x -> rkd.compute(Fixtures.maps(x), t, null, true);
    double[] g = Fixtures.autograd(s, f);
    for (int i = 0; i < g.length; i++) {
      assertEquals(Fixtures.centralDifference(s, i, 1e-6, f), g[i], 1e-6, "element " + i);
    }
    // Two identical student embeddings (d = 0, e = 0 there): the gradient stays finite.
    NDArray twins = manager.create(new double[] {1, 2, 3, 1, 2, 3, 0, 1, 0, 5, 5, 5}, new Shape(4, 3));
    for (double x : Fixtures.autograd(twins, f)) {
      assertTrue(Double.isFinite(x));
    }
  }

  @Test
  void tapsAndErrors() {
    NDArray a = Fixtures.random(manager, 17, false, 3, 2);
    NDArray b = Fixtures.random(manager, 18, false, 3, 2);
    ModelOutput s = Fixtures.maps(a, b);
    ModelOutput t = Fixtures.maps(b, a);
    // Default: the last tap; listed taps are summed.
    double last = new RkdTerm().compute(s, t, null, true).getDouble();
    assertEquals(new RkdTerm(25, 50, List.of("tap1")).compute(s, t, null, true).getDouble(), last, 0);
    double both = new RkdTerm(25, 50, List.of("tap0", "tap1")).compute(s, t, null, true).getDouble();
    assertEquals(2 * last, both, 1e-12); // tap0 pairs (a, b), tap1 (b, a): the loss is symmetric
    assertThrows(IllegalArgumentException.class, () -> new RkdTerm(-1, 50, null));
    ModelOutput one = features(new double[] {1, 2}, 1, 2);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new RkdTerm().compute(one, one, null, true));
    assertTrue(e.getMessage().contains("at least 2"), e.getMessage());
  }
}

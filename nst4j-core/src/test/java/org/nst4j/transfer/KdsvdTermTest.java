package org.nst4j.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nst4j.model.ModelOutput;

class KdsvdTermTest {
  private static NDManager manager;

  @BeforeAll
  static void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  // ---- independent reference: power iteration with deflation instead of Jacobi ----

  /** Top-m eigenpairs of A = M Mᵀ (M = C×HW), by power iteration; returns {λ..., then vectors}. */
  static double[][] topEigen(double[][] m, int count) {
    int c = m.length;
    double[][] a = new double[c][c];
    for (int i = 0; i < c; i++) {
      for (int j = 0; j < c; j++) {
        for (int p = 0; p < m[i].length; p++) {
          a[i][j] += m[i][p] * m[j][p];
        }
      }
    }
    double[][] out = new double[count + 1][];
    out[0] = new double[count];
    Random r = new Random(99);
    for (int e = 0; e < count; e++) {
      double[] v = new double[c];
      for (int i = 0; i < c; i++) {
        v[i] = r.nextGaussian();
      }
      for (int it = 0; it < 20000; it++) {
        double[] w = new double[c];
        for (int i = 0; i < c; i++) {
          for (int j = 0; j < c; j++) {
            w[i] += a[i][j] * v[j];
          }
        }
        for (int f = 0; f < e; f++) { // deflate: stay orthogonal to the vectors found
          double d = 0;
          for (int i = 0; i < c; i++) {
            d += w[i] * out[f + 1][i];
          }
          for (int i = 0; i < c; i++) {
            w[i] -= d * out[f + 1][i];
          }
        }
        double n = 0;
        for (double x : w) {
          n += x * x;
        }
        n = Math.sqrt(n);
        for (int i = 0; i < c; i++) {
          v[i] = w[i] / n;
        }
      }
      double lambda = 0;
      for (int i = 0; i < c; i++) {
        for (int j = 0; j < c; j++) {
          lambda += v[i] * a[i][j] * v[j];
        }
      }
      out[0][e] = lambda;
      out[e + 1] = v;
    }
    return out;
  }

  /** {student, teacher} vectors × s of one pair for one image: [which][channel][vector]. */
  static double[][][] alignedReference(double[][] ms, double[][] mt, int k) {
    int c = ms.length;
    int kt = Math.min(k, Math.min(mt[0].length, c));
    int m = Math.min(k + 3, Math.min(ms[0].length, c));
    double[][] t = topEigen(mt, kt);
    double[][] s = topEigen(ms, m);
    double norm = 0;
    for (int j = 0; j < kt; j++) {
      norm += t[0][j];
    }
    norm = Math.sqrt(norm);
    double[][][] out = new double[2][c][kt];
    for (int j = 0; j < kt; j++) {
      double[] tv = t[j + 1].clone();
      int arg = 0;
      for (int i = 1; i < c; i++) {
        if (Math.abs(tv[i]) > Math.abs(tv[arg])) {
          arg = i;
        }
      }
      if (tv[arg] < 0) {
        for (int i = 0; i < c; i++) {
          tv[i] = -tv[i];
        }
      }
      double sj = Math.sqrt(t[0][j]) / norm;
      int best = 0;
      double bestCos = 0;
      for (int i = 0; i < m; i++) {
        if (!(s[0][i] > 1e-10 * s[0][0])) {
          continue; // null-space vectors are no candidates
        }
        double cos = 0;
        for (int ch = 0; ch < c; ch++) {
          cos += s[i + 1][ch] * tv[ch];
        }
        if (Math.abs(cos) > Math.abs(bestCos)) {
          bestCos = cos;
          best = i;
        }
      }
      double sign = bestCos >= 0 ? 1 : -1;
      for (int ch = 0; ch < c; ch++) {
        out[0][ch][j] = sign * s[best + 1][ch] * sj;
        out[1][ch][j] = tv[ch] * sj;
      }
    }
    return out;
  }

  /** One image's C×HW matrix of a B×C×H×W array. */
  static double[][] image(NDArray maps, int b) {
    Shape s = maps.getShape();
    int c = (int) s.get(1);
    int hw = (int) (s.get(2) * s.get(3));
    double[] v = maps.toDoubleArray();
    double[][] m = new double[c][hw];
    for (int i = 0; i < c; i++) {
      System.arraycopy(v, (b * c + i) * hw, m[i], 0, hw);
    }
    return m;
  }

  static double reference(List<NDArray> student, List<NDArray> teacher, int k) {
    int batch = (int) student.get(0).getShape().get(0);
    double sum = 0;
    for (int b = 0; b < batch; b++) {
      double[][][] prev = null;
      for (int i = 0; i < student.size(); i++) {
        double[][][] cur = alignedReference(image(student.get(i), b), image(teacher.get(i), b), k);
        if (prev != null) {
          int kk = Math.min(cur[0][0].length, prev[0][0].length);
          for (int c1 = 0; c1 < cur[0].length; c1++) {
            for (int c0 = 0; c0 < prev[0].length; c0++) {
              for (int j = 0; j < kk; j++) {
                double ds = cur[0][c1][j] - prev[0][c0][j];
                double dt = cur[1][c1][j] - prev[1][c0][j];
                double d = Math.exp(-ds * ds / 8) - Math.exp(-dt * dt / 8);
                sum += d * d;
              }
            }
          }
        }
        prev = cur;
      }
    }
    return sum / batch;
  }

  private static ModelOutput maps(List<NDArray> taps) {
    return Fixtures.maps(taps.toArray(new NDArray[0]));
  }

  // ---- tests ----

  private static void checkEigen(double[][] a, KdsvdTerm.Eigen e, String what) {
    int n = a.length;
    double scale = 1;
    for (double[] row : a) {
      for (double x : row) {
        scale = Math.max(scale, Math.abs(x));
      }
    }
    for (int j = 0; j < n; j++) {
      if (j > 0) {
        assertTrue(e.values[j] <= e.values[j - 1], what);
      }
      double[] v = e.vector(j);
      for (int i = 0; i < n; i++) {
        double av = 0;
        for (int q = 0; q < n; q++) {
          av += a[i][q] * v[q];
        }
        assertEquals(e.values[j] * v[i], av, 1e-11 * scale * n, what + ": A·v = λ·v, vector " + j);
      }
      for (int j2 = 0; j2 < n; j2++) {
        double d = 0;
        double[] w = e.vector(j2);
        for (int i = 0; i < n; i++) {
          d += v[i] * w[i];
        }
        assertEquals(j == j2 ? 1 : 0, d, 1e-12 * n, what + ": orthonormal");
      }
    }
  }

  private static double[][] copy(double[][] a) {
    double[][] c = new double[a.length][];
    for (int i = 0; i < a.length; i++) {
      c[i] = a[i].clone();
    }
    return c;
  }

  @Test
  void eigenDecompositions() {
    Random r = new Random(5);
    java.util.List<double[][]> cases = new java.util.ArrayList<>();
    for (int n : new int[] {1, 2, 3, 7, 40}) {
      double[][] a = new double[n][n];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j <= i; j++) {
          a[i][j] = a[j][i] = r.nextGaussian();
        }
      }
      cases.add(a);
    }
    // Repeated eigenvalues, a diagonal, a zero matrix, and a rank-2 Gram matrix of size 6 (xᵀx, x 2×6).
    double[][] id = new double[5][5];
    for (int i = 0; i < 5; i++) {
      id[i][i] = i < 3 ? 2 : -1;
    }
    cases.add(id);
    cases.add(new double[4][4]);
    double[][] x = new double[2][6];
    for (double[] row : x) {
      for (int j = 0; j < 6; j++) {
        row[j] = Math.max(0, r.nextGaussian());
      }
    }
    double[][] g = new double[6][6];
    for (int i = 0; i < 6; i++) {
      for (int j = 0; j < 6; j++) {
        g[i][j] = x[0][i] * x[0][j] + x[1][i] * x[1][j];
      }
    }
    cases.add(g);
    for (int c = 0; c < cases.size(); c++) {
      double[][] a = cases.get(c);
      KdsvdTerm.Eigen qr = KdsvdTerm.Eigen.symmetric(copy(a));
      KdsvdTerm.Eigen jac = KdsvdTerm.Eigen.jacobi(copy(a));
      checkEigen(a, qr, "QR, case " + c);
      checkEigen(a, jac, "Jacobi, case " + c);
      for (int j = 0; j < a.length; j++) {
        assertEquals(jac.values[j], qr.values[j], 1e-11 * (1 + Math.abs(jac.values[j])), "case " + c);
      }
    }
  }

  @Test
  void handValue() {
    // One image, C = 2, HW = 2 (maps 1×2×1×2). Rows are channels.
    // Pair 1: teacher [[3,0],[0,1]] → A = diag(9,1), v_t = (1,0), s = 1; student [[0,1],[2,0]] → A = diag(1,4),
    //   vectors (0,1) then (1,0); (1,0) has |cos| 1 with the teacher's: aligned student (1,0).
    // Pair 2: teacher [[0.8,0],[0.6,0]] → A = [[.64,.48],[.48,.36]], v_t = (0.8,0.6); student [[2,0],[0,1]]
    //   → vectors (1,0), (0,1), cosines 0.8 and 0.6: aligned student (1,0).
    // RBF over (c of pair 2, c' of pair 1): student differences 0, 1, −1, 0; teacher −0.2, 0.8, −0.4, 0.6.
    NDArray s1 = manager.create(new double[] {0, 1, 2, 0}, new Shape(1, 2, 1, 2));
    NDArray t1 = manager.create(new double[] {3, 0, 0, 1}, new Shape(1, 2, 1, 2));
    NDArray s2 = manager.create(new double[] {2, 0, 0, 1}, new Shape(1, 2, 1, 2));
    NDArray t2 = manager.create(new double[] {0.8, 0, 0.6, 0}, new Shape(1, 2, 1, 2));
    double[] ds = {0, 1, -1, 0};
    double[] dt = {-0.2, 0.8, -0.4, 0.6};
    double expected = 0;
    for (int i = 0; i < 4; i++) {
      double d = Math.exp(-ds[i] * ds[i] / 8) - Math.exp(-dt[i] * dt[i] / 8);
      expected += d * d;
    }
    double v = new KdsvdTerm(1, 3, null).compute(maps(List.of(s1, s2)), maps(List.of(t1, t2)), null, true)
        .getDouble();
    assertEquals(3 * expected, v, 1e-12);
  }

  @Test
  void matchesTheReferenceAndIsZeroForEqualMaps() {
    // Three pairs; pair 3 has fewer positions than channels (the HW×HW route), and the student's sizes
    // differ from the teacher's (V lives in channel space).
    List<NDArray> s = List.of(Fixtures.random(manager, 41, true, 3, 3, 2, 3),
        Fixtures.random(manager, 42, true, 3, 4, 2, 2), Fixtures.random(manager, 43, true, 3, 6, 1, 2));
    List<NDArray> t = List.of(Fixtures.random(manager, 44, true, 3, 3, 3, 3),
        Fixtures.random(manager, 45, true, 3, 4, 2, 2), Fixtures.random(manager, 46, true, 3, 6, 2, 2));
    for (int k : new int[] {1, 2}) {
      double expected = reference(s, t, k);
      double v = new KdsvdTerm(k, 1, null).compute(maps(s), maps(t), null, true).getDouble();
      assertTrue(expected > 1e-6);
      assertEquals(expected, v, 1e-9 * expected, "k " + k);
    }
    assertEquals(0, new KdsvdTerm(2, 1, null).compute(maps(t), maps(t), null, true).getDouble(), 1e-20);
    // Float32 maps: the same value to float precision.
    List<NDArray> s32 = s.stream().map(x -> x.toType(DataType.FLOAT32, false)).toList();
    List<NDArray> t32 = t.stream().map(x -> x.toType(DataType.FLOAT32, false)).toList();
    double expected = reference(s, t, 1);
    assertEquals(expected, new KdsvdTerm().compute(maps(s32), maps(t32), null, true).getFloat(), 1e-4 * expected);
  }

  @Test
  void gradientMatchesCentralDifferences() {
    // Pair 1 through C×C (C = 3 ≤ HW = 4), pair 2 through HW×HW (C = 4 > HW = 2).
    NDArray s1 = Fixtures.random(manager, 51, false, 2, 3, 2, 2);
    NDArray s2 = Fixtures.random(manager, 52, false, 2, 4, 1, 2);
    ModelOutput t = maps(List.of(Fixtures.random(manager, 53, false, 2, 3, 2, 2),
        Fixtures.random(manager, 54, false, 2, 4, 1, 2)));
    for (int k : new int[] {1, 2}) {
      KdsvdTerm kdsvd = new KdsvdTerm(k, 1, null);
      Function<NDArray, NDArray> f1 = x -> kdsvd.compute(maps(List.of(x, s2)), t, null, true);
      Function<NDArray, NDArray> f2 = x -> kdsvd.compute(maps(List.of(s1, x)), t, null, true);
      for (Object[] c : new Object[][] {{s1, f1}, {s2, f2}}) {
        NDArray x = (NDArray) c[0];
        @SuppressWarnings("unchecked")
        Function<NDArray, NDArray> f = (Function<NDArray, NDArray>) c[1];
        double[] g = Fixtures.autograd(x, f);
        double scale = 0;
        for (double v : g) {
          scale = Math.max(scale, Math.abs(v));
        }
        assertTrue(scale > 1e-6);
        for (int i = 0; i < g.length; i++) {
          assertEquals(Fixtures.centralDifference(x, i, 1e-6, f), g[i], 1e-6 * scale, "k " + k + ", element " + i);
        }
      }
    }
  }

  @Test
  void errors() {
    NDArray a = Fixtures.random(manager, 61, true, 2, 3, 2, 2);
    NDArray b = Fixtures.random(manager, 62, true, 2, 4, 2, 2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new KdsvdTerm().compute(Fixtures.maps(a, a), Fixtures.maps(a, b), null, true));
    assertTrue(e.getMessage().contains("equal channel"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new KdsvdTerm().compute(Fixtures.maps(a), Fixtures.maps(a), null, true));
    assertTrue(e.getMessage().contains("at least two"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new KdsvdTerm(0, 1, null));
    assertThrows(IllegalArgumentException.class, () -> new KdsvdTerm(1, -1, null));
  }
}

package org.nst4j.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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

class SpTermTest {
  private static NDManager manager;

  @BeforeAll
  static void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  static double[][] gram(double[][] q) {
    int b = q.length;
    double[][] g = new double[b][b];
    for (int i = 0; i < b; i++) {
      double n = 0;
      for (int j = 0; j < b; j++) {
        for (int c = 0; c < q[i].length; c++) {
          g[i][j] += q[i][c] * q[j][c];
        }
        n += g[i][j] * g[i][j];
      }
      n = Math.max(Math.sqrt(n), 1e-12);
      for (int j = 0; j < b; j++) {
        g[i][j] /= n;
      }
    }
    return g;
  }

  static double reference(double[][] qs, double[][] qt) {
    double[][] gs = gram(qs);
    double[][] gt = gram(qt);
    int b = qs.length;
    double sum = 0;
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < b; j++) {
        sum += (gs[i][j] - gt[i][j]) * (gs[i][j] - gt[i][j]);
      }
    }
    return sum / (b * b);
  }

  @Test
  void handValue() {
    // Student rows (1,0), (1,1): G = [[1,1],[1,2]] → rows (1,1)/√2, (1,2)/√5. Teacher (1,0), (0,1): G = I.
    double r2 = 1 / Math.sqrt(2);
    double r5 = 1 / Math.sqrt(5);
    double expected =
        ((r2 - 1) * (r2 - 1) + r2 * r2 + r5 * r5 + (2 * r5 - 1) * (2 * r5 - 1)) / 4;
    ModelOutput s = Fixtures.maps(manager.create(new double[] {1, 0, 1, 1}, new Shape(2, 2, 1, 1)));
    ModelOutput t = Fixtures.maps(manager.create(new double[] {1, 0, 0, 1}, new Shape(2, 1, 2, 1)));
    assertEquals(3000 * expected, new SpTerm().compute(s, t, null, true).getDouble(), 1e-10);
  }

  @Test
  void matchesThePlainJavaReferenceWithoutSpatialAlignment() {
    // Different channels and sizes: G is B×B either way, nothing is pooled.
    NDArray sMap = Fixtures.random(manager, 31, true, 4, 3, 4, 4);
    NDArray tMap = Fixtures.random(manager, 32, true, 4, 5, 2, 3);
    double[][] qs = RkdTermTest.rows(sMap.toDoubleArray(), 4);
    double[][] qt = RkdTermTest.rows(tMap.toDoubleArray(), 4);
    double expected = 2 * reference(qs, qt);
    double v = new SpTerm(2, null).compute(Fixtures.maps(sMap), Fixtures.maps(tMap), null, true).getDouble();
    assertEquals(expected, v, 1e-12 * expected);
  }

  @Test
  void zeroWhenEqualAndInvariantToRescalingTheFeatures() {
    NDArray f = Fixtures.random(manager, 33, true, 5, 2, 3, 3);
    NDArray t = Fixtures.random(manager, 34, true, 5, 4, 3, 3);
    assertEquals(0, new SpTerm().compute(Fixtures.maps(f), Fixtures.maps(f), null, true).getDouble(), 1e-12);
    SpTerm sp = new SpTerm(1, null);
    double v = sp.compute(Fixtures.maps(f), Fixtures.maps(t), null, true).getDouble();
    assertTrue(v > 1e-4);
    // A positive rescaling of the whole (batch of) feature vectors: G scales by c², rows normalised.
    assertEquals(v, sp.compute(Fixtures.maps(f.mul(7.5)), Fixtures.maps(t), null, true).getDouble(), 1e-12);
    assertEquals(v, sp.compute(Fixtures.maps(f), Fixtures.maps(t.mul(0.01)), null, true).getDouble(), 1e-12);
    // Rescaling one image's features is not an invariance of SP (it rescales a column of every row of G).
    NDArray perImage = manager.create(new double[] {1, 3, 1, 1, 1}, new Shape(5, 1, 1, 1));
    assertNotEquals(v, sp.compute(Fixtures.maps(f.mul(perImage)), Fixtures.maps(t), null, true).getDouble(), 1e-6);
  }

  @Test
  void gradientMatchesCentralDifferences() {
    NDArray s = Fixtures.random(manager, 35, false, 3, 2, 2, 1);
    ModelOutput t = Fixtures.maps(Fixtures.random(manager, 36, false, 3, 3, 1, 1));
    SpTerm sp = new SpTerm(1, null);
    Function<NDArray, NDArray> f = x -> sp.compute(Fixtures.maps(x), t, null, true);
    double[] g = Fixtures.autograd(s, f);
    for (int i = 0; i < g.length; i++) {
      assertEquals(Fixtures.centralDifference(s, i, 1e-6, f), g[i], 1e-8, "element " + i);
    }
  }

  @Test
  void rejectsBadArguments() {
    assertThrows(IllegalArgumentException.class, () -> new SpTerm(-3, null));
    ModelOutput a = Fixtures.maps(manager.zeros(new Shape(2, 3, 1, 1)));
    ModelOutput b = Fixtures.maps(manager.zeros(new Shape(3, 3, 1, 1)));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new SpTerm().compute(a, b, null, true));
    assertTrue(e.getMessage().contains("batch sizes differ"), e.getMessage());
  }
}

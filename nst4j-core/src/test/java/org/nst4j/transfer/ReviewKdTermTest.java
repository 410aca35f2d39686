package org.nst4j.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

class ReviewKdTermTest {
  private static final double BN = 1 / Math.sqrt(1 + 1e-5); // a fresh BatchNorm in inference mode
  private static NDManager manager;

  @BeforeAll
  static void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  @Test
  void hclHandValueAndLevels() {
    // 2×2 map: only the 1×1 pool is below the height: (MSE + ½·MSE₁ₓ₁)/(3/2).
    NDArray s = manager.create(new double[] {1, 2, 3, 4}, new Shape(1, 1, 2, 2));
    NDArray t = manager.zeros(new Shape(1, 1, 2, 2), s.getDataType());
    assertEquals((7.5 + 0.5 * 6.25) / 1.5, ReviewKdTerm.hcl(s, t).getDouble(), 1e-12);
    // 1×1 map (the pooled level): plain MSE.
    NDArray one = manager.create(new double[] {3}, new Shape(1, 1, 1, 1));
    assertEquals(9, ReviewKdTerm.hcl(one, one.zerosLike()).getDouble(), 1e-12);
    // 8×8: full, 4×4, 2×2 and 1×1 pools, weights 1, ½, ¼, ⅛ over 15/8.
    NDArray a = Fixtures.random(manager, 101, false, 2, 3, 8, 8);
    NDArray b = Fixtures.random(manager, 102, false, 2, 3, 8, 8);
    double[] d = a.sub(b).toDoubleArray();
    double expected = 0;
    double w = 1;
    for (int l : new int[] {8, 4, 2, 1}) {
      int block = 8 / l;
      double sum = 0;
      for (int img = 0; img < 6; img++) { // image × channel
        for (int i = 0; i < l; i++) {
          for (int j = 0; j < l; j++) {
            double m = 0;
            for (int y = i * block; y < (i + 1) * block; y++) {
              for (int x = j * block; x < (j + 1) * block; x++) {
                m += d[img * 64 + y * 8 + x];
              }
            }
            m /= block * block;
            sum += m * m;
          }
        }
      }
      expected += w * sum / (6 * l * l);
      w /= 2;
    }
    assertEquals(expected / 1.875, ReviewKdTerm.hcl(a, b).getDouble(), 1e-12);
  }

  @Test
  void nearestResizeIsPyTorchs() {
    NDArray x = manager.create(new double[] {1, 2, 3}, new Shape(1, 1, 1, 3));
    assertArrayEquals(new double[] {1, 1, 2, 2, 3}, ReviewKdTerm.resizeNearest(x, 1, 5).toDoubleArray());
    NDArray y = manager.create(new double[] {1, 2, 3, 4}, new Shape(1, 1, 2, 2));
    assertArrayEquals(new double[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4},
        ReviewKdTerm.resizeNearest(y, 4, 4).toDoubleArray());
    NDArray z = manager.create(new double[] {7}, new Shape(1, 1, 1, 1));
    assertArrayEquals(new double[] {7, 7, 7, 7}, ReviewKdTerm.resizeNearest(z, 2, 2).toDoubleArray());
  }

  private static ModelOutput student(NDArray map) {
    return ModelOutput.of((NDArray) null, Map.of("stage1", map));
  }

  private static ModelOutput teacher(NDArray pre, NDArray post) {
    Map<String, NDArray> m = new LinkedHashMap<>();
    m.put("stage1", post);
    m.put("stage1_pre", pre);
    return ModelOutput.of((NDArray) null, m);
  }

  /** out[b][o][p] = Σ_i w[o][i]·x[b][i][p] (1×1 conv) over B×C×P arrays. */
  private static double[][][] conv1x1(double[][][] x, double[] w, double[] bias, int out) {
    int in = x[0].length;
    double[][][] y = new double[x.length][out][x[0][0].length];
    for (int b = 0; b < x.length; b++) {
      for (int o = 0; o < out; o++) {
        for (int p = 0; p < x[0][0].length; p++) {
          double v = bias == null ? 0 : bias[o];
          for (int i = 0; i < in; i++) {
            v += w[o * in + i] * x[b][i][p];
          }
          y[b][o][p] = v;
        }
      }
    }
    return y;
  }

  /** 3×3 convolution with zero padding 1 on B×C×(h·w) arrays. */
  private static double[][][] conv3x3(double[][][] x, double[] w, int out, int h, int wd) {
    int in = x[0].length;
    double[][][] y = new double[x.length][out][h * wd];
    for (int b = 0; b < x.length; b++) {
      for (int o = 0; o < out; o++) {
        for (int r = 0; r < h; r++) {
          for (int c = 0; c < wd; c++) {
            double v = 0;
            for (int i = 0; i < in; i++) {
              for (int kr = 0; kr < 3; kr++) {
                for (int kc = 0; kc < 3; kc++) {
                  int rr = r + kr - 1;
                  int cc = c + kc - 1;
                  if (rr >= 0 && rr < h && cc >= 0 && cc < wd) {
                    v += w[((o * in + i) * 3 + kr) * 3 + kc] * x[b][i][rr * wd + cc];
                  }
                }
              }
            }
            y[b][o][r * wd + c] = v;
          }
        }
      }
    }
    return y;
  }

  private static double[][][] scale(double[][][] x, double f) {
    double[][][] y = new double[x.length][x[0].length][];
    for (int b = 0; b < x.length; b++) {
      for (int c = 0; c < x[0].length; c++) {
        y[b][c] = x[b][c].clone();
        for (int p = 0; p < y[b][c].length; p++) {
          y[b][c][p] *= f;
        }
      }
    }
    return y;
  }

  private static double[][][] cube(NDArray a) {
    Shape s = a.getShape();
    int b = (int) s.get(0);
    int c = (int) s.get(1);
    int p = (int) (s.size() / (b * c));
    double[] v = a.toDoubleArray();
    double[][][] out = new double[b][c][p];
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < c; j++) {
        System.arraycopy(v, (i * c + j) * p, out[i][j], 0, p);
      }
    }
    return out;
  }

  private static double mse(double[][][] s, double[][][] t) {
    double sum = 0;
    int n = 0;
    for (int b = 0; b < s.length; b++) {
      for (int c = 0; c < s[0].length; c++) {
        for (int p = 0; p < s[0][0].length; p++) {
          sum += (s[b][c][p] - t[b][c][p]) * (s[b][c][p] - t[b][c][p]);
          n++;
        }
      }
    }
    return sum / n;
  }

  @Test
  void forwardMatchesThePlainJavaReferenceInInference() {
    // One tap pair (student stage1 3×2×2, teacher stage1_pre 2×2×2) and the pooled level; mid = 3.
    NDArray sMap = Fixtures.random(manager, 103, true, 2, 3, 2, 2);
    NDArray tPre = Fixtures.random(manager, 104, false, 2, 2, 2, 2);
    NDArray tPost = Fixtures.random(manager, 105, true, 2, 2, 2, 2);
    try (ReviewKdTerm rkd = new ReviewKdTerm(2, 20, null)) {
      rkd.initialize(manager, student(sMap), teacher(tPre, tPost), 5);
      List<Parameter> p = rkd.parameters();
      assertEquals(14, p.size()); // level 0: conv1, bn1 γβ, conv2, bn2 γβ, att w b; level 1: no att
      // Level 1 (pooled, 1×1): conv1 → BN → residual; conv2 on a 1×1 map reads the kernel's centre only.
      double[][][] pooled = cube(Features.pooled(sMap, "s").reshape(2, 3, 1));
      double[][][] r1 = scale(conv1x1(pooled, p.get(8).getArray().toDoubleArray(), null, 3), BN);
      double[][][] out1 = scale(conv3x3(r1, p.get(11).getArray().toDoubleArray(), 2, 1, 1), BN);
      // Level 0: conv1 → BN; fuse with the residual repeated to 2×2.
      double[][][] x0 = scale(conv1x1(cube(sMap.reshape(2, 3, 4)), p.get(0).getArray().toDoubleArray(), null, 3), BN);
      double[][][] cat = new double[2][6][4];
      for (int b = 0; b < 2; b++) {
        for (int c = 0; c < 3; c++) {
          for (int q = 0; q < 4; q++) {
            cat[b][c][q] = x0[b][c][q];
            cat[b][3 + c][q] = r1[b][c][0];
          }
        }
      }
      double[][][] z = conv1x1(cat, p.get(6).getArray().toDoubleArray(), p.get(7).getArray().toDoubleArray(), 2);
      double[][][] fused = new double[2][3][4];
      for (int b = 0; b < 2; b++) {
        for (int c = 0; c < 3; c++) {
          for (int q = 0; q < 4; q++) {
            double z0 = 1 / (1 + Math.exp(-z[b][0][q]));
            double z1 = 1 / (1 + Math.exp(-z[b][1][q]));
            fused[b][c][q] = x0[b][c][q] * z0 + r1[b][c][0] * z1;
          }
        }
      }
      double[][][] out0 = scale(conv3x3(fused, p.get(3).getArray().toDoubleArray(), 2, 2, 2), BN);
      // HCL: level 0 is 2×2 (full + ½·1×1 pool, over 3/2); level 1 plain MSE against the pooled teacher.
      double[][][] t0 = cube(tPre.reshape(2, 2, 4));
      double[][][] out0Pool = new double[2][2][1];
      double[][][] t0Pool = new double[2][2][1];
      for (int b = 0; b < 2; b++) {
        for (int c = 0; c < 2; c++) {
          for (int q = 0; q < 4; q++) {
            out0Pool[b][c][0] += out0[b][c][q] / 4;
            t0Pool[b][c][0] += t0[b][c][q] / 4;
          }
        }
      }
      double level0 = (mse(out0, t0) + 0.5 * mse(out0Pool, t0Pool)) / 1.5;
      double level1 = mse(out1, cube(Features.pooled(tPost, "t").reshape(2, 2, 1)));
      double v = rkd.compute(student(sMap), teacher(tPre, tPost), null, false).getDouble();
      assertEquals(2 * (level0 + level1), v, 1e-12 * v);
    }
  }

  @Test
  void gradientsWarmUpAndParameters() {
    NDArray sMap = Fixtures.random(manager, 106, false, 2, 2, 2, 2);
    ModelOutput t = teacher(Fixtures.random(manager, 107, false, 2, 3, 2, 2),
        Fixtures.random(manager, 108, true, 2, 3, 2, 2));
    try (ReviewKdTerm rkd = new ReviewKdTerm()) {
      rkd.initialize(manager, student(sMap), t, 2);
      Function<NDArray, NDArray> f = x -> rkd.compute(student(x), t, null, false);
      double[] g = Fixtures.autograd(sMap, f);
      for (int i = 0; i < g.length; i++) {
        assertEquals(Fixtures.centralDifference(sMap, i, 1e-6, f), g[i], 1e-7, "element " + i);
      }
      double full = f.apply(sMap).getDouble();
      assertEquals(1, rkd.currentWarmupFactor());
      rkd.beginEpoch(5);
      assertEquals(full / 4, f.apply(sMap).getDouble(), 1e-12 * full);
      rkd.beginEpoch(40);
      assertEquals(full, f.apply(sMap).getDouble(), 1e-12 * full);
      NDArray leaf = sMap.duplicate();
      leaf.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(rkd.compute(student(leaf), t, null, true));
      }
      for (Parameter p : rkd.parameters()) {
        assertTrue(java.util.Arrays.stream(p.getArray().getGradient().toDoubleArray())
            .anyMatch(x -> Math.abs(x) > 1e-12), p.getName());
      }
    }
  }

  @Test
  void errors() {
    NDArray a = Fixtures.random(manager, 109, true, 2, 2, 2, 2);
    try (ReviewKdTerm rkd = new ReviewKdTerm()) {
      assertThrows(IllegalStateException.class, () -> rkd.compute(student(a), teacher(a, a), null, false));
      assertThrows(IllegalArgumentException.class, () -> rkd.beginEpoch(0));
    }
    assertThrows(IllegalArgumentException.class, () -> new ReviewKdTerm(-1, 20, null));
    assertThrows(IllegalArgumentException.class, () -> new ReviewKdTerm(1, -1, null));
  }
}

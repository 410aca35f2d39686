package org.nst4j.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nst4j.model.ModelOutput;

class AtTermTest {
  private static NDManager manager;

  @BeforeAll
  static void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  private static ModelOutput named(String[] names, NDArray... maps) {
    Map<String, NDArray> taps = new LinkedHashMap<>();
    for (int i = 0; i < maps.length; i++) {
      taps.put(names[i], maps[i]);
    }
    return ModelOutput.of((NDArray) null, taps);
  }

  @Test
  void handValue() {
    // One channel, 1×2 positions. Student (1, 0): F² = (1, 0), normalised (1, 0).
    // Teacher (1, −1): F² = (1, 1), normalised (1, 1)/√2.
    // mean((a_S − a_T)²) = ((1 − 1/√2)² + 1/2)/2 = (2 − √2)/2; times β/2 = 500.
    NDArray s = manager.create(new double[] {1, 0}, new Shape(1, 1, 1, 2));
    NDArray t = manager.create(new double[] {1, -1}, new Shape(1, 1, 1, 2));
    double v = new AtTerm(LossOptions.defaults()).compute(Fixtures.maps(s), Fixtures.maps(t), null, true).getDouble();
    assertEquals(500 * (2 - Math.sqrt(2)) / 2, v, 1e-9);
  }

  @Test
  void attentionIsChannelMeanOfSquaresNormalised() {
    NDArray f = manager.create(new double[] {1, 2, 3, 4, 2, 0, 0, 2}, new Shape(1, 2, 2, 2));
    // Mean over channels of F²: (1+4)/2, (4+0)/2, (9+0)/2, (16+4)/2 = 2.5, 2, 4.5, 10.
    double[] m = {2.5, 2, 4.5, 10};
    double n = Math.sqrt(2.5 * 2.5 + 4 + 4.5 * 4.5 + 100);
    double[] expected = {m[0] / n, m[1] / n, m[2] / n, m[3] / n};
    assertArrayEquals(expected, AtTerm.attention(f, 2).toDoubleArray(), 1e-12);
    // p = 1 uses |F|: (1+2)/2, (2+0)/2, (3+0)/2, (4+2)/2.
    double[] m1 = {1.5, 1, 1.5, 3};
    double n1 = Math.sqrt(1.5 * 1.5 + 1 + 1.5 * 1.5 + 9);
    NDArray neg = f.neg();
    assertArrayEquals(
        new double[] {m1[0] / n1, m1[1] / n1, m1[2] / n1, m1[3] / n1},
        AtTerm.attention(neg, 1).toDoubleArray(), 1e-12);
  }

  @Test
  void defaultTapsAreAllSharedTapsSummed() {
    NDArray s1 = Fixtures.random(manager, 1, true, 2, 3, 8, 8);
    NDArray s2 = Fixtures.random(manager, 2, true, 2, 6, 4, 4);
    NDArray t1 = Fixtures.random(manager, 3, true, 2, 5, 8, 8);
    NDArray t2 = Fixtures.random(manager, 4, true, 2, 7, 2, 2);
    String[] names = {"stage1", "stage2"};
    ModelOutput s = named(names, s1, s2);
    ModelOutput t = named(names, t1, t2);
    AtTerm all = new AtTerm(LossOptions.defaults());
    double both = all.compute(s, t, null, true).getDouble();
    double one = new AtTerm(LossOptions.builder().optTaps(List.of("stage1")).build()).compute(s, t, null, true).getDouble();
    double two = new AtTerm(LossOptions.builder().optTaps(List.of("stage2")).build()).compute(s, t, null, true).getDouble();
    assertEquals(one + two, both, 1e-12);
    // stage2: the student's 4×4 is pooled to the teacher's 2×2 before the attention maps.
    NDArray d = AtTerm.attention(Spatial.adaptiveAvgPool(s2, 2, 2), 2).sub(AtTerm.attention(t2, 2));
    assertEquals(500 * d.square().mean().getDouble(), two, 1e-12);
    // Different names but equal counts: paired by position.
    ModelOutput tOther = named(new String[] {"group1", "group2"}, t1, t2);
    assertEquals(both, all.compute(s, tOther, null, true).getDouble(), 1e-12);
    ModelOutput tThree = named(new String[] {"a", "b", "c"}, t1, t2, t2);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> all.compute(s, tThree, null, true));
    assertTrue(e.getMessage().contains("[stage1, stage2]") && e.getMessage().contains("[a, b, c]"), e.getMessage());
  }

  @Test
  void gradientMatchesCentralDifferences() {
    NDArray s = Fixtures.random(manager, 5, false, 2, 3, 3, 3);
    ModelOutput t = Fixtures.maps(Fixtures.random(manager, 6, true, 2, 4, 3, 3));
    AtTerm at = new AtTerm(LossOptions.builder().set(AtMethod.BETA, 2.0).build());
    Function<NDArray, NDArray> f = x -> at.compute(Fixtures.maps(x), t, null, true);
    double[] g = Fixtures.autograd(s, f);
    for (int i : new int[] {0, 7, 20, 41, 53}) {
      assertEquals(Fixtures.centralDifference(s, i, 1e-6, f), g[i], 1e-7);
    }
  }
}

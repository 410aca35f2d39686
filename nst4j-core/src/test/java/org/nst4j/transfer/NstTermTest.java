package org.nst4j.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nst4j.model.ModelOutput;
import org.nst4j.transfer.Mmd.Kernel;

class NstTermTest {
  private static NDManager manager;

  @BeforeAll
  static void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  private static double value(Kernel k, LossOptions o, ModelOutput s, ModelOutput t) {
    return Scalars.value(new NstTerm(k, o).compute(s, t, null, true));
  }

  @Test
  void paperScaleIsHalfLambdaTimesBatchMean() {
    // The tiny maps of MmdTest have poly MMD² = 1/4; λ = 50 → (50/2)·1/4 = 6.25.
    NDArray s = manager.create(new double[] {3, 0, 0, 2}, new Shape(1, 2, 1, 2));
    NDArray t = manager.create(new double[] {1, 1, 5, 0}, new Shape(1, 2, 1, 2));
    assertEquals(6.25, value(Kernel.POLY, LossOptions.defaults(), Fixtures.maps(s), Fixtures.maps(t)), 1e-12);
    LossOptions full = LossOptions.builder().set(NstMethod.SCALE, "full").build();
    assertEquals(12.5, value(Kernel.POLY, full, Fixtures.maps(s), Fixtures.maps(t)), 1e-12);
  }

  @ParameterizedTest
  @EnumSource(Kernel.class)
  void lambdaVersusHalfLambda(Kernel k) {
    ModelOutput s = Fixtures.maps(Fixtures.random(manager, 1, true, 2, 3, 4, 4));
    ModelOutput t = Fixtures.maps(Fixtures.random(manager, 2, true, 2, 5, 4, 4));
    double half = value(k, LossOptions.builder().set(NstMethod.LAMBDA, 7.0).build(), s, t);
    double full = value(k, LossOptions.builder().set(NstMethod.LAMBDA, 7.0).set(NstMethod.SCALE, "full").build(), s, t);
    double mmd = Mmd.mmd2(s.tap("tap0"), t.tap("tap0"), k, LossOptions.defaults()).mean().getDouble();
    assertEquals(3.5 * mmd, half, 1e-12);
    assertEquals(2 * half, full, 1e-12);
  }

  @ParameterizedTest
  @EnumSource(Kernel.class)
  void doublingTheBatchWithACopyLeavesTheValueUnchanged(Kernel k) {
    NDArray s = Fixtures.random(manager, 3, true, 3, 4, 3, 3);
    NDArray t = Fixtures.random(manager, 4, true, 3, 6, 3, 3);
    double once = value(k, LossOptions.defaults(), Fixtures.maps(s), Fixtures.maps(t));
    double twice =
        value(k, LossOptions.defaults(), Fixtures.maps(s.concat(s, 0)), Fixtures.maps(t.concat(t, 0)));
    assertTrue(once > 0);
    assertEquals(once, twice, 1e-12 * Math.max(1, once));
  }

  @ParameterizedTest
  @EnumSource(Kernel.class)
  void droppingTeacherTermChangesValueButNotStudentGradient(Kernel k) {
    NDArray s = Fixtures.random(manager, 5, false, 2, 3, 3, 2);
    ModelOutput t = Fixtures.maps(Fixtures.random(manager, 6, true, 2, 4, 3, 2));
    LossOptions keep = LossOptions.defaults();
    LossOptions drop = LossOptions.builder().set(NstMethod.KEEP_TEACHER_TERM, false).build();
    double vk = value(k, keep, Fixtures.maps(s), t);
    double vd = value(k, drop, Fixtures.maps(s), t);
    assertTrue(Math.abs(vk - vd) > 1e-3, "values " + vk + " and " + vd);
    double[] gk = Fixtures.autograd(s, x -> new NstTerm(k, keep).compute(Fixtures.maps(x), t, null, true));
    double[] gd = Fixtures.autograd(s, x -> new NstTerm(k, drop).compute(Fixtures.maps(x), t, null, true));
    assertArrayEquals(gk, gd, 1e-12);
    assertTrue(java.util.Arrays.stream(gk).anyMatch(v -> Math.abs(v) > 1e-6), "gradient is zero");
  }

  @ParameterizedTest
  @EnumSource(Kernel.class)
  void termGradientMatchesCentralDifferences(Kernel k) {
    LossOptions o = LossOptions.builder().set(NstGaussMethod.SIGMA2, k == Kernel.GAUSS ? 1.3 : null).build();
    NDArray s = Fixtures.random(manager, 7, false, 2, 2, 4, 4);
    ModelOutput t = Fixtures.maps(Fixtures.random(manager, 8, true, 2, 3, 2, 2));
    // Student 4×4 is pooled to the teacher's 2×2: the gradient goes through the pooling too.
    java.util.function.Function<NDArray, NDArray> f =
        x -> new NstTerm(k, o).compute(Fixtures.maps(x), t, null, true);
    double[] g = Fixtures.autograd(s, f);
    for (int i : new int[] {0, 9, 18, 33, 50, 63}) {
      double fd = Fixtures.centralDifference(s, i, 1e-6, f);
      assertEquals(fd, g[i], 1e-6 + 1e-5 * Math.abs(fd), k + " element " + i);
    }
  }

  @Test
  void severalTapsAreSummed() {
    NDArray s0 = Fixtures.random(manager, 9, true, 2, 3, 4, 4);
    NDArray s1 = Fixtures.random(manager, 10, true, 2, 5, 2, 2);
    NDArray t0 = Fixtures.random(manager, 11, true, 2, 4, 4, 4);
    NDArray t1 = Fixtures.random(manager, 12, true, 2, 6, 2, 2);
    ModelOutput s = Fixtures.maps(s0, s1);
    ModelOutput t = Fixtures.maps(t0, t1);
    double both = value(Kernel.POLY, LossOptions.builder().optTaps(List.of("tap0", "tap1")).build(), s, t);
    double first = value(Kernel.POLY, LossOptions.builder().optTaps(List.of("tap0")).build(), s, t);
    double last = value(Kernel.POLY, LossOptions.defaults(), s, t);
    double lastExplicit = value(Kernel.POLY, LossOptions.builder().optTaps(List.of("tap1")).build(), s, t);
    assertEquals(last, lastExplicit, 0);
    assertEquals(first + last, both, 1e-12);
    // Pairs with different names: student tap0 against teacher tap1 after pooling 4×4 → 2×2.
    double cross = value(Kernel.POLY, LossOptions.builder().optTaps(List.of("tap0:tap1")).build(), s, t);
    double expected =
        25 * Mmd.mmd2(Spatial.adaptiveAvgPool(s0, 2, 2), t1, Kernel.POLY, LossOptions.defaults())
            .mean().getDouble();
    assertEquals(expected, cross, 1e-12);
  }

  @Test
  void unknownTapNamesTheModelsTaps() {
    ModelOutput s = Fixtures.maps(Fixtures.random(manager, 1, true, 1, 2, 2, 2));
    ModelOutput t = Fixtures.maps(Fixtures.random(manager, 2, true, 1, 2, 2, 2));
    LossOptions o = LossOptions.builder().optTaps(List.of("stage9")).build();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new NstTerm(Kernel.POLY, o).compute(s, t, null, true));
    assertTrue(e.getMessage().contains("stage9") && e.getMessage().contains("[tap0]"), e.getMessage());
  }

  @Test
  void refusePolicyNamesBothShapes() {
    ModelOutput s = Fixtures.maps(Fixtures.random(manager, 1, true, 2, 3, 8, 8));
    ModelOutput t = Fixtures.maps(Fixtures.random(manager, 2, true, 2, 3, 4, 4));
    LossOptions o = LossOptions.builder().optSpatial(SpatialPolicy.REFUSE).build();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new NstTerm(Kernel.POLY, o).compute(s, t, null, true));
    assertTrue(e.getMessage().contains("(2, 3, 8, 8)") && e.getMessage().contains("(2, 3, 4, 4)"), e.getMessage());
    double pooled = value(Kernel.POLY, LossOptions.defaults(), s, t);
    double manual =
        value(Kernel.POLY, LossOptions.defaults(),
            Fixtures.maps(Spatial.adaptiveAvgPool(s.tap("tap0"), 4, 4)), t);
    assertEquals(manual, pooled, 1e-12);
  }

  @Test
  void floatInputsWork() {
    NDArray s = Fixtures.random(manager, 1, true, 2, 3, 4, 4).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
    NDArray t = Fixtures.random(manager, 2, true, 2, 3, 4, 4).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
    double f32 = value(Kernel.GAUSS, LossOptions.defaults(), Fixtures.maps(s), Fixtures.maps(t));
    double f64 =
        value(Kernel.GAUSS, LossOptions.defaults(),
            Fixtures.maps(s.toType(ai.djl.ndarray.types.DataType.FLOAT64, false)),
            Fixtures.maps(t.toType(ai.djl.ndarray.types.DataType.FLOAT64, false)));
    assertEquals(f64, f32, 1e-4 * f64);
  }
}

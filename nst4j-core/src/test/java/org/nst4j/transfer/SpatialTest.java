package org.nst4j.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SpatialTest {
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
  void poolsBlocksByHand() {
    // 1×1×4×4 with values 0..15 pooled to 2×2: means of the 2×2 blocks.
    NDArray x = manager.arange(16f).toType(ai.djl.ndarray.types.DataType.FLOAT64, false).reshape(1, 1, 4, 4);
    double[] out = Spatial.adaptiveAvgPool(x, 2, 2).toDoubleArray();
    assertArrayEquals(new double[] {2.5, 4.5, 10.5, 12.5}, out, 1e-12);
    // 1×1×1×5 to 1×3, PyTorch bins [0,2) [1,4) [3,5): (0+1)/2, (1+2+3)/3, (3+4)/2.
    NDArray r = manager.arange(5f).toType(ai.djl.ndarray.types.DataType.FLOAT64, false).reshape(1, 1, 1, 5);
    assertArrayEquals(new double[] {0.5, 2, 3.5}, Spatial.adaptiveAvgPool(r, 1, 3).toDoubleArray(), 1e-12);
  }

  @Test
  void matchesLibtorchAdaptiveAvgPool() {
    NDArray x = Fixtures.random(manager, 3, false, 2, 3, 7, 9);
    NDArray ours = Spatial.adaptiveAvgPool(x, 3, 4);
    NDArray torch = JniUtils.adaptiveAvgPool((PtNDArray) x, new Shape(3, 4));
    assertEquals(torch.getShape(), ours.getShape());
    assertArrayEquals(torch.toDoubleArray(), ours.toDoubleArray(), 1e-12);
  }

  @Test
  void alignPoolsTheLargerMapPerDimension() {
    NDArray s = Fixtures.random(manager, 1, true, 2, 3, 8, 8);
    NDArray t = Fixtures.random(manager, 2, true, 2, 5, 4, 4);
    NDArray[] a = Spatial.align(s, t, SpatialPolicy.POOL, "tap x");
    assertEquals(new Shape(2, 3, 4, 4), a[0].getShape());
    assertSame(t, a[1]);
    NDArray[] b = Spatial.align(t, s, SpatialPolicy.POOL, "tap x");
    assertEquals(new Shape(2, 3, 4, 4), b[1].getShape());
    NDArray[] same = Spatial.align(s, s, SpatialPolicy.REFUSE, "tap x");
    assertSame(s, same[0]);
  }

  @Test
  void refuseAndBadShapesAreClearErrors() {
    NDArray s = Fixtures.random(manager, 1, true, 2, 3, 8, 8);
    NDArray t = Fixtures.random(manager, 2, true, 2, 5, 4, 4);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Spatial.align(s, t, SpatialPolicy.REFUSE, "tap x"));
    assertTrue(e.getMessage().contains("tap x") && e.getMessage().contains("(2, 3, 8, 8)")
        && e.getMessage().contains("(2, 5, 4, 4)") && e.getMessage().contains("refuse"), e.getMessage());
    NDArray other = Fixtures.random(manager, 2, true, 3, 5, 4, 4);
    e = assertThrows(IllegalArgumentException.class, () -> Spatial.align(s, other, SpatialPolicy.POOL, "t"));
    assertTrue(e.getMessage().contains("batch"), e.getMessage());
    NDArray flat = manager.zeros(new Shape(2, 3));
    assertThrows(IllegalArgumentException.class, () -> Spatial.align(flat, t, SpatialPolicy.POOL, "t"));
    assertThrows(IllegalArgumentException.class, () -> Spatial.adaptiveAvgPool(t, 5, 4));
  }
}

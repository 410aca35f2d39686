package org.nst4j.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Scalars}: constants that stay valid for the backward pass. */
class ScalarsTest {

  /**
   * Lets the garbage collector free the Java buffers of closed tensors, then fills freshly allocated small
   * direct buffers with a huge value, so that a backward pass reading freed 8-byte blocks reads 1e30.
   */
  private static List<ByteBuffer> churnJavaDirectMemory() throws InterruptedException {
    List<ByteBuffer> keep = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      System.gc();
      Thread.sleep(50); // the Cleaner thread frees the unreachable buffers
      for (int i = 0; i < 2000; i++) {
        for (int size : new int[] {4, 8}) {
          ByteBuffer b = ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
          if (size == 4) {
            b.putFloat(0, 1e30f);
          } else {
            b.putDouble(0, 1e30);
          }
          keep.add(b);
        }
      }
    }
    return keep;
  }

  @Test
  void constantsHaveTheArraysTypeAndNoShape() {
    try (NDManager m = NDManager.newBaseManager()) {
      for (DataType t : List.of(DataType.FLOAT32, DataType.FLOAT64)) {
        NDArray c = Scalars.constant(m.zeros(new Shape(2), t), 0.1);
        assertEquals(new Shape(), c.getShape());
        assertEquals(t, c.getDataType());
        assertEquals(t == DataType.FLOAT32 ? (double) 0.1f : 0.1, c.toType(DataType.FLOAT64, false).getDouble());
      }
    }
  }

  @Test
  void theArithmeticIsDjlsNumberArithmetic() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.randomNormal(new Shape(64, 10)).abs();
      assertArrayEquals(x.mul(2).toFloatArray(), Scalars.times(x, 2).toFloatArray());
      assertArrayEquals(x.div(4.0).toFloatArray(), Scalars.over(x, 4.0).toFloatArray());
      assertArrayEquals(x.div(16L).toFloatArray(), Scalars.over(x, 16).toFloatArray());
      assertArrayEquals(x.pow(3).toFloatArray(), Scalars.power(x, 3).toFloatArray());
      assertArrayEquals(x.maximum(0.5).toFloatArray(), Scalars.atLeast(x, 0.5).toFloatArray());
    }
  }

  /**
   * The KD gradient with respect to the student's logits is (softmax(zs/T) − softmax(zt/T)) / (T·B) for
   * the batch mean of KL(p_t ‖ p_s); it must come out right even when the garbage collector runs between the
   * forward and the backward pass and the memory it frees is reused (DJL's {@code x.div(T)} saved a tensor
   * over a Java buffer for the backward pass, which then read whatever the freed memory held).
   */
  @Test
  void gradientsDoNotDependOnTheGarbageCollector() throws InterruptedException {
    int b = 8;
    int k = 10;
    double temperature = 4;
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray zs = m.randomNormal(new Shape(b, k)).mul(3);
      NDArray zt = m.randomNormal(new Shape(b, k)).mul(3);
      zs.setRequiresGradient(true);
      List<ByteBuffer> held;
      try (GradientCollector collector = m.getEngine().newGradientCollector()) {
        NDArray loss = KdTerm.klDivergence(zs, zt, temperature);
        held = churnJavaDirectMemory();
        collector.backward(loss);
      }
      assertEquals(12_000, held.size()); // also keeps the buffers alive until after the backward pass
      float[] grad = zs.getGradient().toFloatArray();
      float[] ps = zs.div(temperature).softmax(1).toFloatArray();
      float[] pt = zt.div(temperature).softmax(1).toFloatArray();
      for (int i = 0; i < grad.length; i++) {
        double expected = (ps[i] - pt[i]) / (temperature * b);
        assertEquals(expected, grad[i], 1e-6, "gradient element " + i);
      }
    }
  }
}

package org.nst4j.detection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The focal and L1 terms on cases computed by hand, and the batching of targets. */
class CenterNetLossTest {
  @Test
  void focalLossOfEvenOddsIsComputedByHand() {
    try (NDManager m = NDManager.newBaseManager()) {
      // One class, a 1×2 grid: target [1, 0], logits [0, 0] → p = .5 everywhere:
      // positive −(.5)² log .5, negative −(1 − 0)⁴ (.5)² log .5; one object.
      NDArray logits = m.zeros(new Shape(1, 1, 1, 2));
      NDArray target = m.create(new float[] {1, 0}, new Shape(1, 1, 1, 2));
      double expected = -2 * 0.25 * Math.log(0.5);
      assertEquals(expected, CenterNetLoss.focal(logits, target).getFloat(), 1e-6);
      // Near a centre (y = .5) the negative term is scaled by (1 − .5)⁴.
      NDArray near = m.create(new float[] {1, 0.5f}, new Shape(1, 1, 1, 2));
      assertEquals(-0.25 * Math.log(0.5) * (1 + Math.pow(0.5, 4)), CenterNetLoss.focal(logits, near).getFloat(), 1e-6);
      // Confident and right: almost nothing.
      NDArray right = m.create(new float[] {9, -9}, new Shape(1, 1, 1, 2));
      assertTrue(CenterNetLoss.focal(right, target).getFloat() < 1e-6);
    }
  }

  @Test
  void regressionReadsEachObjectsCellAndIgnoresPadding() {
    try (NDManager m = NDManager.newBaseManager()) {
      // B = 1, a 2×2 grid; channel 0 = [0, 1, 2, 3], channel 1 = [10, 11, 12, 13].
      NDArray pred = m.create(new float[] {0, 1, 2, 3, 10, 11, 12, 13}, new Shape(1, 2, 2, 2));
      NDArray index = m.create(new long[] {2, 0}, new Shape(1, 2));
      NDArray mask = m.create(new float[] {1, 0}, new Shape(1, 2));
      NDArray target = m.create(new float[] {2.5f, 11f, 99, 99}, new Shape(1, 2, 2));
      // Cell 2 predicts (2, 12): |2 − 2.5| + |12 − 11| = 1.5 over 2 values; the padded entry is ignored.
      assertEquals(0.75, CenterNetLoss.regression(pred, index, mask, target).getFloat(), 1e-4);
    }
  }

  @Test
  void targetsAreBatchedWithPadding() {
    Map<Integer, Integer> channels = Map.of(1, 0, 2, 1);
    CenterNetTargets a = CenterNetTargets.encode(16, 16, 4, channels,
        List.of(CocoAnnotation.of(1, 1, 1, new Box(0, 0, 8, 8)), CocoAnnotation.of(2, 1, 2, new Box(8, 8, 8, 4))));
    CenterNetTargets b = CenterNetTargets.encode(16, 16, 4, channels, List.of());
    try (NDManager m = NDManager.newBaseManager()) {
      NDList t = CenterNetLoss.batch(m, List.of(a, b));
      assertEquals(new Shape(2, 2, 4, 4), t.get(0).getShape());
      // Centres (4, 4) px → cell (1, 1) = 5; (12, 10) px → (3, 2.5) cells → cell (2, 3) = 11, offset (0, .5).
      assertArrayEquals(new long[] {5, 11, 0, 0}, t.get(1).toLongArray());
      assertArrayEquals(new float[] {1, 1, 0, 0}, t.get(2).toFloatArray());
      assertArrayEquals(new float[] {2, 2, 2, 1, 0, 0, 0, 0}, t.get(3).toFloatArray());
      assertArrayEquals(new float[] {0, 0, 0, 0.5f, 0, 0, 0, 0}, t.get(4).toFloatArray());
      // A batch of empty images still has one (masked) slot, and a loss of only the focal term.
      NDList empty = CenterNetLoss.batch(m, List.of(b));
      assertEquals(new Shape(1, 1), empty.get(1).getShape());
      NDList out = new NDList(m.zeros(new Shape(1, 2, 4, 4)), m.zeros(new Shape(1, 2, 4, 4)),
          m.zeros(new Shape(1, 2, 4, 4)));
      NDList loss = CenterNetLoss.loss(out, empty);
      assertEquals(0f, loss.get(2).getFloat(), 0);
      assertEquals(loss.get(1).getFloat(), loss.get(0).getFloat(), 1e-6);
      assertThrows(IllegalArgumentException.class, () -> CenterNetLoss.batch(m, List.of()));
    }
  }
}

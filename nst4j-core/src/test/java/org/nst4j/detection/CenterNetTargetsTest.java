package org.nst4j.detection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** CenterNet targets: centre cells, offsets, sizes, and the Gaussian's radius and shape. */
class CenterNetTargetsTest {
  private static final Map<Integer, Integer> CHANNELS = Map.of(1, 0, 2, 1);

  @Test
  void anObjectIsItsCentreCellWithSizeAndOffset() {
    // Box [10, 20, 30, 14] on stride 4: centre (25, 27) → (6.25, 6.75) cells: cell (row 6, col 6).
    CenterNetTargets t = CenterNetTargets.encode(96, 96, 4, CHANNELS,
        List.of(CocoAnnotation.of(1, 1, 2, new Box(10, 20, 30, 14))));
    assertEquals(24, t.height());
    assertEquals(24, t.width());
    assertEquals(1, t.objects());
    assertArrayEquals(new int[] {6 * 24 + 6}, t.index());
    assertArrayEquals(new int[] {1}, t.category());
    assertArrayEquals(new float[] {7.5f, 3.5f}, t.size());
    assertArrayEquals(new float[] {0.25f, 0.75f}, t.offset());
    int plane = 24 * 24;
    assertEquals(1f, t.heatmap()[plane + 6 * 24 + 6]);
    for (int i = 0; i < plane; i++) {
      assertEquals(0f, t.heatmap()[i], "other class untouched");
    }
  }

  @Test
  void theGaussianFollowsTheBoxAndOverlappingPeaksMergeByMaximum() {
    // Two class-1 objects 3 cells apart, 40×80 px = 10×20 cells: σ_x = 0.54·10/6 = 0.9, σ_y = 1.8 cells.
    CenterNetTargets t = CenterNetTargets.encode(96, 96, 4, CHANNELS, List.of(
        CocoAnnotation.of(1, 1, 1, new Box(20, 0, 40, 80)), CocoAnnotation.of(2, 1, 1, new Box(32, 0, 40, 80))));
    double sx = CenterNetTargets.ALPHA * 10 / 6;
    double sy = CenterNetTargets.ALPHA * 20 / 6;
    float[] h = t.heatmap();
    int row = 10;
    assertEquals(1f, h[row * 24 + 10]);
    assertEquals(1f, h[row * 24 + 13]);
    assertEquals((float) Math.exp(-1 / (2 * sy * sy)), h[(row + 1) * 24 + 10], 1e-7); // one row down
    assertEquals((float) Math.exp(-1 / (2 * sx * sx)), h[row * 24 + 9], 1e-7); // one column left
    assertTrue(h[(row + 1) * 24 + 10] > h[row * 24 + 9], "taller than wide");
    // Between the two peaks, the nearer peak's value: max-merge, not sum.
    assertEquals((float) Math.exp(-1 / (2 * sx * sx)), h[row * 24 + 11], 1e-7);
    assertEquals(0f, h[row * 24 + 10 - 3], "beyond 3σ_x: 0");
    assertEquals(0f, h[(row + 6) * 24 + 10], "beyond 3σ_y: 0");
  }

  @Test
  void crowdRegionsAreSkippedAndBadInputRefused() {
    CenterNetTargets t = CenterNetTargets.encode(96, 96, 4, CHANNELS,
        List.of(new CocoAnnotation(1, 1, 1, new Box(0, 0, 50, 50), 2500, true)));
    assertEquals(0, t.objects());
    assertThrows(IllegalArgumentException.class, () -> CenterNetTargets.encode(97, 96, 4, CHANNELS, List.of()));
    assertThrows(IllegalArgumentException.class, () -> CenterNetTargets.encode(96, 96, 4, CHANNELS,
        List.of(CocoAnnotation.of(1, 1, 5, new Box(0, 0, 5, 5)))));
    assertThrows(IllegalArgumentException.class,
        () -> new CenterNetTargets(1, 2, 2, 4, new float[3], new int[0], new int[0], new float[0], new float[0]));
  }
}

package org.nst4j.detection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.data.DataSources;

/** The detection batch loader: deterministic order per (seed, epoch), flips of pixels and boxes, targets. */
class DetectionBatchesTest {
  @TempDir static Path dir;
  private static DetectionBatches data;

  @BeforeAll
  static void tinySet() throws Exception {
    FmnistDet.generate(DataSources.resolve("sample", null), 5, 10, 2, dir.resolve("fd"));
    CocoDataset train = CocoReader.read(dir.resolve("fd").resolve("train"));
    Map<Integer, Integer> channelOf = new LinkedHashMap<>();
    for (CocoCategory c : train.categories()) {
      channelOf.put(c.id(), channelOf.size());
    }
    data = DetectionBatches.load(train, 1, channelOf);
  }

  @Test
  void epochOrderIsAPureFunctionOfSeedAndEpoch() {
    List<int[]> a = data.epoch(7, 3, 4, true);
    List<int[]> b = data.epoch(7, 3, 4, true);
    assertEquals(3, a.size()); // 10 images in batches of 4: 4, 4, 2
    assertEquals(2, a.get(2).length);
    for (int i = 0; i < a.size(); i++) {
      assertArrayEquals(a.get(i), b.get(i));
    }
    assertNotEquals(flat(a), flat(data.epoch(7, 4, 4, true)), "another epoch, another order");
    assertNotEquals(flat(a), flat(data.epoch(8, 3, 4, true)), "another seed, another order");
    // Every image once per epoch, flipped or not.
    Set<Integer> seen = new HashSet<>();
    boolean anyFlip = false;
    for (int p : flat(a)) {
      seen.add(p < 0 ? -1 - p : p);
      anyFlip |= p < 0;
    }
    assertEquals(10, seen.size());
    assertTrue(anyFlip);
    for (int p : flat(data.epoch(7, 3, 4, false))) {
      assertTrue(p >= 0, "no flips when flipping is off");
    }
  }

  @Test
  void aFlippedImageIsMirroredWithItsBoxes() {
    try (NDManager m = NDManager.newBaseManager()) {
      float[] plain = data.images(m, new int[] {0}).toFloatArray();
      float[] flipped = data.images(m, new int[] {-1}).toFloatArray();
      int w = data.width();
      for (int y = 0; y < data.height(); y++) {
        for (int x = 0; x < w; x++) {
          assertEquals(plain[y * w + x], flipped[y * w + (w - 1 - x)]);
        }
      }
      float max = 0;
      for (float v : plain) {
        max = Math.max(max, v);
      }
      assertTrue(max > 0.5f && max <= 1f, "pixels scaled to [0, 1]");
      List<CocoAnnotation> a = data.objects(0);
      List<CocoAnnotation> b = data.objects(-1);
      assertFalse(a.isEmpty());
      for (int i = 0; i < a.size(); i++) {
        Box o = a.get(i).bbox();
        Box f = b.get(i).bbox();
        assertEquals(w - o.x() - o.width(), f.x(), 1e-9);
        assertEquals(o.y(), f.y());
        assertEquals(o.width(), f.width());
        assertEquals(a.get(i).categoryId(), b.get(i).categoryId());
      }
    }
  }

  @Test
  void aBatchHoldsImagesAndTheTargetsOfTheFlippedBoxes() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDList batch = data.batch(m, new int[] {-1, 2}, 4, org.nst4j.data.Normalization.unit(1));
      assertEquals(6, batch.size());
      assertEquals(new ai.djl.ndarray.types.Shape(2, 1, 96, 96), batch.get(0).getShape());
      assertEquals(new ai.djl.ndarray.types.Shape(2, 10, 24, 24), batch.get(1).getShape());
      CenterNetTargets t = CenterNetTargets.encode(96, 96, 4, channelOf(), data.objects(-1));
      NDArray index = batch.get(2);
      for (int j = 0; j < t.objects(); j++) {
        assertEquals(t.index()[j], index.getLong(0, j));
      }
    }
  }

  @Test
  void imagesOfDifferentSizesAreRefused() {
    CocoDataset train = data.split();
    CocoImage first = train.images().get(0);
    List<CocoImage> images = new java.util.ArrayList<>(train.images());
    images.set(1, new CocoImage(images.get(1).id(), images.get(1).fileName(), 64, 96));
    CocoDataset mixed = new CocoDataset(train.name(), train.imageDir(), images, train.categories(), List.of());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DetectionBatches.load(mixed, 1, channelOf()));
    assertTrue(e.getMessage().contains("one size"), e.getMessage());
    assertEquals(96, first.width());
  }

  private static Map<Integer, Integer> channelOf() {
    Map<Integer, Integer> channelOf = new LinkedHashMap<>();
    for (int id = 1; id <= 10; id++) {
      channelOf.put(id, id - 1);
    }
    return channelOf;
  }

  private static List<Integer> flat(List<int[]> batches) {
    return batches.stream().flatMap(b -> Arrays.stream(b).boxed()).toList();
  }
}

package org.nst4j.detection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.data.DataSources;

/** Decoding: peaks, top-K, boxes; and targets → decoder → COCO evaluation as a round trip. */
class CenterNetDecoderTest {
  @TempDir Path dir;

  /** Dense size and offset maps holding each object's targets at its centre cell, as a perfect model would. */
  private static float[][] denseMaps(CenterNetTargets t) {
    int plane = t.height() * t.width();
    float[] size = new float[2 * plane];
    float[] offset = new float[2 * plane];
    for (int i = 0; i < t.objects(); i++) {
      size[t.index()[i]] = t.size()[2 * i];
      size[plane + t.index()[i]] = t.size()[2 * i + 1];
      offset[t.index()[i]] = t.offset()[2 * i];
      offset[plane + t.index()[i]] = t.offset()[2 * i + 1];
    }
    return new float[][] {size, offset};
  }

  @Test
  void peaksBecomeBoxesHighestFirst() {
    int rows = 4;
    int cols = 4;
    float[] heat = new float[2 * 16];
    heat[5] = 0.9f; // class 0 at (1, 1), with a lower neighbour that is not a peak
    heat[6] = 0.5f;
    heat[16 + 15] = 0.95f; // class 1 at (3, 3)
    float[] size = new float[32];
    float[] offset = new float[32];
    size[5] = 2;
    size[16 + 5] = 1; // 8×4 px at stride 4
    offset[5] = 0.5f;
    offset[16 + 5] = 0.5f; // centre (6, 6) px
    size[15] = 3;
    size[16 + 15] = 3; // 12×12 px around (12, 12): clipped at the image's edge
    List<Detection> d = CenterNetDecoder.decode(9, List.of(3, 7), rows, cols, 4, heat, size, offset, 10, 16, 16);
    assertEquals(2, d.size());
    assertEquals(new Detection(9, 7, new Box(6, 6, 10, 10), 0.95f), d.get(0));
    assertEquals(new Detection(9, 3, new Box(2, 4, 8, 4), 0.9f), d.get(1));
    assertEquals(1, CenterNetDecoder.decode(9, List.of(3, 7), rows, cols, 4, heat, size, offset, 1, 16, 16).size());
    assertEquals(0, CenterNetDecoder.decode(9, List.of(3, 7), rows, cols, 4, new float[32], size, offset, 10, 16, 16)
        .size(), "a flat zero map has no detections");
  }

  @Test
  void targetsDecodeBackToTheGroundTruth() throws IOException {
    FmnistDet.Result r = FmnistDet.generate(DataSources.sample(), 5, 2, 40, dir.resolve("fd"));
    CocoDataset gt = r.test();
    Map<Integer, Integer> channelOf = new HashMap<>();
    List<Integer> categoryIds = new ArrayList<>();
    for (CocoCategory c : gt.categories()) {
      channelOf.put(c.id(), categoryIds.size());
      categoryIds.add(c.id());
    }
    Map<Long, List<CocoAnnotation>> byImage = gt.annotationsByImage();
    List<Detection> all = new ArrayList<>();
    int exact = 0;
    int shared = 0;
    for (CocoImage im : gt.images()) {
      List<CocoAnnotation> objects = byImage.get(im.id());
      CenterNetTargets t = CenterNetTargets.encode(96, 96, 4, channelOf, objects);
      float[][] maps = denseMaps(t);
      List<Detection> found = CenterNetDecoder.decode(im.id(), categoryIds, t.height(), t.width(), 4, t.heatmap(),
          maps[0], maps[1], CenterNetDecoder.DEFAULT_TOP_K, 96, 96);
      java.util.Set<Long> peaks = new java.util.HashSet<>();
      for (int i = 0; i < t.objects(); i++) {
        peaks.add((long) t.category()[i] << 32 | t.index()[i]);
      }
      assertEquals(peaks.size(), found.size(), "one peak per class and centre cell");
      for (int i = 0; i < objects.size(); i++) {
        boolean alone = true;
        for (int j = 0; j < objects.size(); j++) {
          alone &= j == i || t.index()[j] != t.index()[i];
        }
        if (!alone) {
          // Size and offset maps are shared by the classes (as in CenterNet): two objects centred in one
          // cell get one box between them.
          shared++;
          continue;
        }
        CocoAnnotation o = objects.get(i);
        assertTrue(found.stream().anyMatch(d -> d.categoryId() == o.categoryId() && d.bbox().equals(o.bbox())),
            "decoded exactly: " + o);
        exact++;
      }
      all.addAll(found);
    }
    assertTrue(exact >= 0.95 * gt.annotations().size(), exact + " exact, " + shared + " sharing a cell");
    CocoMetrics m = CocoEvaluator.evaluate(gt, all);
    assertTrue(m.ap() > 0.97, "AP " + m.ap());
  }
}

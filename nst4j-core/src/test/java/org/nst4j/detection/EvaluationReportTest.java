package org.nst4j.detection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Both protocols in one report, and its text. */
class EvaluationReportTest {
  @Test
  void reportsBothProtocolsAndATableOfCategories() {
    CocoDataset gt = Gt.of(2, 2).box(1, 1, 0, 0, 10, 10).box(2, 1, 0, 0, 10, 10).crowd(2, 1, 50, 50, 20, 20).build();
    List<Detection> d = List.of(Gt.det(1, 1, 0, 0, 10, 10, 0.9), Gt.det(2, 2, 0, 0, 10, 10, 0.8));
    EvaluationReport r = EvaluationReport.evaluate(gt, d);
    assertEquals(2, r.images());
    assertEquals(2, r.objects()); // the crowd region is not an object to find
    assertEquals(2, r.detections());
    assertEquals(51.0 / 101, r.coco().ap(), 1e-12);
    assertEquals(6.0 / 11, r.voc07().map(), 1e-12);
    List<String> lines = r.lines();
    assertEquals(12 + 1 + 1 + 1 + 2, lines.size());
    assertEquals(" VOC07 11-point mAP @[ IoU=0.50 ] = 0.545", lines.get(12));
    assertTrue(lines.get(14).matches(" +id +category +objects +detections +AP +AP50 +AP75 +VOC07 AP"), lines.get(14));
    assertEquals("    1  c1              2          1   0.505   0.505   0.505     0.545", lines.get(15));
    assertEquals("    2  c2              0          1  -1.000  -1.000  -1.000    -1.000", lines.get(16));
  }
}

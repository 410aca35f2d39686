package org.nst4j.detection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.nst4j.detection.Gt.det;

import java.util.List;
import org.junit.jupiter.api.Test;

/** VOC07 11-point AP@0.5 on hand-built cases worked out in each test. */
class Voc07EvaluatorTest {
  private static final double EPS = 1e-9;

  @Test
  void perfectDetectionsScoreOne() {
    CocoDataset gt = Gt.of(2, 2).box(1, 1, 0, 0, 30, 30).box(2, 2, 10, 10, 60, 60).build();
    Voc07Metrics m = Voc07Evaluator.evaluate(gt, Gt.perfect(gt));
    assertEquals(1.0, m.map(), EPS);
    assertEquals(2, m.perClass().size());
  }

  @Test
  void elevenPointInterpolationTakesTheBestPrecisionAtOrBeyondEachLevel() {
    // FP, TP, TP, FP, TP over three objects: recall 0, 1/3, 2/3, 2/3, 1, precision 0, .5, .667, .5, .6.
    // Levels 0 … .6 (7 of them) reach precision .667, levels .7 … 1 (4) reach .6.
    CocoDataset gt = Gt.of(3, 1).box(1, 1, 0, 0, 40, 40).box(2, 1, 0, 0, 40, 40).box(3, 1, 0, 0, 40, 40).build();
    List<Detection> d = List.of(det(1, 1, 100, 100, 40, 40, 0.9), det(1, 1, 0, 0, 40, 40, 0.8),
        det(2, 1, 0, 0, 40, 40, 0.7), det(2, 1, 100, 100, 40, 40, 0.6), det(3, 1, 0, 0, 40, 40, 0.5));
    assertEquals((7 * (2.0 / 3) + 4 * 0.6) / 11, Voc07Evaluator.evaluate(gt, d).map(), EPS);
  }

  @Test
  void aSecondDetectionOfTheSameObjectIsAFalsePositive() {
    // The second detection overlaps object A best (already taken) and object B at IoU 0.6: VOC counts it as a
    // duplicate (false positive) where COCO would give it B.
    CocoDataset gt = Gt.of(1, 1).box(1, 1, 0, 0, 10, 10).box(1, 1, 2.5, 0, 10, 10).build();
    List<Detection> d = List.of(det(1, 1, 0, 0, 10, 10, 0.9), det(1, 1, 0, 0, 10, 10, 0.8));
    // TP (recall .5, precision 1), FP (.5, .5): levels 0 … .5 reach 1, levels .6 … 1 nothing.
    assertEquals(6.0 / 11, Voc07Evaluator.evaluate(gt, d).map(), EPS);
    assertEquals(1.0, CocoEvaluator.evaluate(gt, d).ap50(), EPS);
  }

  @Test
  void iouOfExactlyOneHalfMatches() {
    CocoDataset gt = Gt.of(1, 1).box(1, 1, 0, 0, 30, 10).build();
    // Shifted by 10 px: intersection 200, union 400.
    assertEquals(1.0, Voc07Evaluator.evaluate(gt, List.of(det(1, 1, 10, 0, 30, 10, 1))).map(), EPS);
    assertEquals(0.0, Voc07Evaluator.evaluate(gt, List.of(det(1, 1, 10.5, 0, 30, 10, 1))).map(), EPS);
  }

  @Test
  void classesWithoutObjectsAreLeftOutAndCrowdMatchesCountNeitherWay() {
    CocoDataset gt = Gt.of(1, 3).box(1, 1, 0, 0, 20, 20).crowd(1, 1, 100, 100, 50, 50).build();
    List<Detection> d = List.of(det(1, 1, 100, 100, 50, 50, 0.9), det(1, 1, 0, 0, 20, 20, 0.8),
        det(1, 2, 0, 0, 20, 20, 0.7));
    Voc07Metrics m = Voc07Evaluator.evaluate(gt, d);
    assertEquals(1.0, m.map(), EPS);
    assertEquals(-1, m.perClass().get(1).ap(), 0);
    assertEquals(-1, m.perClass().get(2).ap(), 0);
  }
}

package org.nst4j.detection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.nst4j.detection.Gt.det;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The COCO protocol on hand-built cases whose AP is worked out by hand in each test. */
class CocoEvaluatorTest {
  private static final double EPS = 1e-9;

  /** AP of a curve that has precision {@code p} up to recall {@code r} (inclusive), 0 after: of 101 points. */
  private static double steps(double... recallPrecisionPairs) {
    double sum = 0;
    for (int q = 0; q <= 100; q++) {
      double r = q / 100.0;
      for (int i = 0; i < recallPrecisionPairs.length; i += 2) {
        if (r <= recallPrecisionPairs[i] + 1e-12) {
          sum += recallPrecisionPairs[i + 1];
          break;
        }
      }
    }
    return sum / 101;
  }

  @Test
  void perfectDetectionsScoreOne() {
    CocoDataset gt = Gt.of(3, 2).box(1, 1, 10, 10, 20, 20).box(1, 2, 50, 50, 40, 40).box(2, 1, 0, 0, 120, 110)
        .box(3, 2, 100, 100, 30, 5).build();
    CocoMetrics m = CocoEvaluator.evaluate(gt, Gt.perfect(gt));
    assertEquals(1.0, m.ap(), EPS);
    assertEquals(1.0, m.ap50(), EPS);
    assertEquals(1.0, m.ap75(), EPS);
    assertEquals(1.0, m.apSmall(), EPS);
    assertEquals(1.0, m.apMedium(), EPS);
    assertEquals(1.0, m.apLarge(), EPS);
    assertEquals(1.0, m.ar100(), EPS);
    assertEquals(2, m.perClass().size());
    assertEquals(1.0, m.perClass().get(0).ap(), EPS);
    assertEquals(2, m.perClass().get(1).groundTruth());
  }

  @Test
  void aBoxShiftedToIou06CountsForAp50ButNotAp75() {
    CocoDataset gt = Gt.of(1, 1).box(1, 1, 0, 0, 10, 10).build();
    // Shifted by 2.5 px: intersection 75, union 125, IoU exactly 0.6.
    List<Detection> d = List.of(det(1, 1, 2.5, 0, 10, 10, 0.9));
    assertEquals(0.6, d.get(0).bbox().iou(gt.annotations().get(0).bbox()), 0);
    CocoMetrics m = CocoEvaluator.evaluate(gt, d);
    assertEquals(1.0, m.ap50(), EPS);
    assertEquals(0.0, m.ap75(), EPS);
    // A match at thresholds .50, .55 and .60 (IoU ≥ threshold), none at the seven above: 3 of 10.
    assertEquals(0.3, m.ap(), EPS);
    assertEquals(0.3, m.ar100(), EPS);
  }

  @Test
  void duplicatesAreFalsePositives() {
    // Image 1 detected twice (0.9 true, 0.8 duplicate), image 2 once (0.7): TP, FP, TP over 2 objects.
    // Recall .5, .5, 1; precision 1, .5, .667 → monotone 1, .667, .667.
    CocoDataset gt = Gt.of(2, 1).box(1, 1, 0, 0, 50, 50).box(2, 1, 0, 0, 50, 50).build();
    List<Detection> d = List.of(det(1, 1, 0, 0, 50, 50, 0.9), det(1, 1, 0, 0, 50, 50, 0.8),
        det(2, 1, 0, 0, 50, 50, 0.7));
    CocoMetrics m = CocoEvaluator.evaluate(gt, d);
    double expected = steps(0.5, 1.0, 1.0, 2.0 / 3);
    assertEquals((51 + 50 * 2.0 / 3) / 101, expected, EPS); // the helper agrees with the count by hand
    assertEquals(expected, m.ap50(), EPS);
    assertEquals(expected, m.ap(), EPS);
    // Without the duplicate every point has precision 1.
    assertEquals(1.0, CocoEvaluator.evaluate(gt, List.of(d.get(0), d.get(2))).ap(), EPS);
  }

  @Test
  void aDuplicateMayTakeAnotherUnmatchedObject() {
    // Two overlapping objects; the second detection overlaps the first object best, but it is taken, so it
    // matches the second object (IoU 0.6 ≥ .5): both are true positives at .5.
    CocoDataset gt = Gt.of(1, 1).box(1, 1, 0, 0, 10, 10).box(1, 1, 2.5, 0, 10, 10).build();
    List<Detection> d = List.of(det(1, 1, 0, 0, 10, 10, 0.9), det(1, 1, 0, 0, 10, 10, 0.8));
    assertEquals(1.0, CocoEvaluator.evaluate(gt, d).ap50(), EPS);
  }

  @Test
  void anUnmatchedObjectLowersRecall() {
    CocoDataset gt = Gt.of(1, 1).box(1, 1, 0, 0, 50, 50).box(1, 1, 100, 100, 50, 50).build();
    CocoMetrics m = CocoEvaluator.evaluate(gt, List.of(det(1, 1, 0, 0, 50, 50, 0.9)));
    assertEquals(0.5, m.ar100(), EPS);
    assertEquals(51.0 / 101, m.ap(), EPS); // precision 1 up to recall .5 (51 points), 0 beyond
  }

  @Test
  void precisionIsMadeMonotoneFromTheRight() {
    // Three objects; ranked FP, TP, TP, FP, TP. Recall 0, 1/3, 2/3, 2/3, 1; precision 0, .5, .667, .5, .6;
    // monotone: .667, .667, .667, .6, .6.
    CocoDataset gt = Gt.of(3, 1).box(1, 1, 0, 0, 40, 40).box(2, 1, 0, 0, 40, 40).box(3, 1, 0, 0, 40, 40).build();
    List<Detection> d = List.of(det(1, 1, 100, 100, 40, 40, 0.9), det(1, 1, 0, 0, 40, 40, 0.8),
        det(2, 1, 0, 0, 40, 40, 0.7), det(2, 1, 100, 100, 40, 40, 0.6), det(3, 1, 0, 0, 40, 40, 0.5));
    double expected = (67 * (2.0 / 3) + 34 * 0.6) / 101;
    assertEquals(expected, steps(2.0 / 3, 2.0 / 3, 1.0, 0.6), EPS);
    assertEquals(expected, CocoEvaluator.evaluate(gt, d).ap(), EPS);
  }

  @Test
  void recallPointsAreTheReferenceImplementationsDoubles() {
    // 7 of 20 objects found, no false positive: recall exactly 0.35. The reference's point "0.35" is
    // 0.35000000000000003, so it is not reached: 35 points (0 … .34) of precision 1, not 36.
    Gt g = Gt.of(20, 1);
    for (int i = 1; i <= 20; i++) {
      g.box(i, 1, 0, 0, 10, 10);
    }
    CocoDataset gt = g.build();
    List<Detection> d = new ArrayList<>();
    for (int i = 1; i <= 7; i++) {
      d.add(det(i, 1, 0, 0, 10, 10, 0.9));
    }
    assertEquals(35.0 / 101, CocoEvaluator.evaluate(gt, d).ap(), EPS);
    assertEquals(0.8999999999999999, CocoEvaluator.IOU_THRESHOLDS[8], 0);
    assertEquals(0.35000000000000003, CocoEvaluator.RECALL_THRESHOLDS[35], 0);
  }

  @Test
  void categoriesWithoutGroundTruthAreLeftOutOfTheMean() {
    CocoDataset gt = Gt.of(1, 3).box(1, 1, 0, 0, 50, 50).build();
    // Category 2 has no object and a detection; category 3 neither: both excluded, not averaged in as 0.
    List<Detection> d = List.of(det(1, 1, 0, 0, 50, 50, 0.9), det(1, 2, 0, 0, 50, 50, 0.95));
    CocoMetrics m = CocoEvaluator.evaluate(gt, d);
    assertEquals(1.0, m.ap(), EPS);
    assertEquals(-1, m.perClass().get(1).ap(), 0);
    assertEquals(-1, m.perClass().get(2).ap(), 0);
    assertEquals(1, m.perClass().get(1).detections());
  }

  @Test
  void areaRangesUseTheAreaFieldThenTheBox() {
    // 10×10 small, 100×100 large; a 10×10 box whose area field says 2000 is medium.
    CocoDataset gt = Gt.of(1, 1).box(1, 1, 0, 0, 10, 10).box(1, 1, 50, 50, 100, 100)
        .boxWithArea(1, 1, 20, 0, 10, 10, 2000).build();
    // Only the small object is found; the rest is missed.
    CocoMetrics m = CocoEvaluator.evaluate(gt, List.of(det(1, 1, 0, 0, 10, 10, 0.9)));
    assertEquals(1.0, m.apSmall(), EPS);
    assertEquals(0.0, m.apMedium(), EPS);
    assertEquals(0.0, m.apLarge(), EPS);
    assertEquals(1.0 / 3, m.ar100(), EPS);
    // No medium object at all: undefined, -1.
    CocoDataset noMedium = Gt.of(1, 1).box(1, 1, 0, 0, 10, 10).build();
    assertEquals(-1, CocoEvaluator.evaluate(noMedium, Gt.perfect(noMedium)).apMedium(), 0);
  }

  @Test
  void areaBoundsAreInclusiveOnBothSides() {
    // Area exactly 32² is both small and medium, as in the reference implementation.
    CocoDataset gt = Gt.of(1, 1).box(1, 1, 0, 0, 32, 32).build();
    CocoMetrics m = CocoEvaluator.evaluate(gt, Gt.perfect(gt));
    assertEquals(1.0, m.apSmall(), EPS);
    assertEquals(1.0, m.apMedium(), EPS);
    assertEquals(-1, m.apLarge(), 0);
  }

  @Test
  void aFalsePositiveOutsideTheAreaRangeIsIgnoredThere() {
    // One small object found; a large unmatched detection is a false positive for "all" only.
    CocoDataset gt = Gt.of(2, 1).box(1, 1, 0, 0, 10, 10).box(2, 1, 0, 0, 10, 10).build();
    List<Detection> d = List.of(det(1, 1, 0, 0, 10, 10, 0.9), det(1, 1, 50, 50, 100, 100, 0.8),
        det(2, 1, 0, 0, 10, 10, 0.7));
    CocoMetrics m = CocoEvaluator.evaluate(gt, d);
    assertEquals(1.0, m.apSmall(), EPS);
    assertEquals(steps(0.5, 1.0, 1.0, 2.0 / 3), m.ap(), EPS);
  }

  @Test
  void onlyTheTopHundredDetectionsPerImageAndCategoryCount() {
    CocoDataset gt = Gt.of(1, 1).box(1, 1, 0, 0, 10, 10).build();
    List<Detection> d = new ArrayList<>();
    for (int i = 0; i < 99; i++) {
      d.add(det(1, 1, 100, 100, 10, 10, 0.9)); // false positives, ranked above the true one
    }
    d.add(det(1, 1, 0, 0, 10, 10, 0.5));
    CocoMetrics m = CocoEvaluator.evaluate(gt, d);
    assertEquals(0.01, m.ap(), EPS); // found as the 100th: precision 1/100 at recall 1
    assertEquals(1.0, m.ar100(), EPS);
    assertEquals(0.0, m.ar10(), EPS);
    d.add(0, det(1, 1, 100, 100, 10, 10, 0.95)); // one more above it pushes it past the limit
    CocoMetrics cut = CocoEvaluator.evaluate(gt, d);
    assertEquals(0.0, cut.ap(), EPS);
    assertEquals(0.0, cut.ar100(), EPS);
  }

  @Test
  void detectionsArePooledAcrossImagesByScore() {
    // Image 2's false positive outranks image 1's true positive: FP then TP → precision .5 at recall 1.
    CocoDataset gt = Gt.of(2, 1).box(1, 1, 0, 0, 50, 50).build();
    List<Detection> d = List.of(det(1, 1, 0, 0, 50, 50, 0.5), det(2, 1, 0, 0, 50, 50, 0.9));
    assertEquals(0.5, CocoEvaluator.evaluate(gt, d).ap(), EPS);
    List<Detection> swapped = List.of(det(1, 1, 0, 0, 50, 50, 0.9), det(2, 1, 0, 0, 50, 50, 0.5));
    assertEquals(1.0, CocoEvaluator.evaluate(gt, swapped).ap(), EPS);
  }

  @Test
  void apIsAveragedOverCategoriesThenThresholds() {
    // Category 1 perfect (AP 1); category 2 found at IoU 0.6 only (AP .3): mean .65, AP50 1, AP75 .5.
    CocoDataset gt = Gt.of(1, 2).box(1, 1, 0, 0, 10, 10).box(1, 2, 50, 50, 10, 10).build();
    List<Detection> d = List.of(det(1, 1, 0, 0, 10, 10, 0.9), det(1, 2, 52.5, 50, 10, 10, 0.9));
    CocoMetrics m = CocoEvaluator.evaluate(gt, d);
    assertEquals(0.65, m.ap(), EPS);
    assertEquals(1.0, m.ap50(), EPS);
    assertEquals(0.5, m.ap75(), EPS);
    assertEquals(0.3, m.perClass().get(1).ap(), EPS);
  }

  @Test
  void detectionsOnCrowdRegionsCountNeitherWay() {
    CocoDataset gt = Gt.of(1, 1).box(1, 1, 0, 0, 20, 20).crowd(1, 1, 100, 100, 80, 80).build();
    // Two detections inside the crowd region (each lies wholly inside it), ranked above the true one.
    List<Detection> d = List.of(det(1, 1, 110, 110, 20, 20, 0.9), det(1, 1, 140, 140, 20, 20, 0.8),
        det(1, 1, 0, 0, 20, 20, 0.7));
    CocoMetrics m = CocoEvaluator.evaluate(gt, d);
    assertEquals(1.0, m.ap(), EPS);
    assertEquals(1, m.perClass().get(0).groundTruth());
  }

  @Test
  void noDetectionsScoreZeroAndNoGroundTruthIsUndefined() {
    CocoDataset gt = Gt.of(1, 1).box(1, 1, 0, 0, 20, 20).build();
    CocoMetrics m = CocoEvaluator.evaluate(gt, List.of());
    assertEquals(0.0, m.ap(), 0);
    assertEquals(0.0, m.ar100(), 0);
    CocoMetrics empty = CocoEvaluator.evaluate(Gt.of(1, 1).build(), List.of(det(1, 1, 0, 0, 5, 5, 1)));
    assertEquals(-1, empty.ap(), 0);
    assertEquals(12, empty.summaryLines().size());
    assertEquals(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = -1.000",
        empty.summaryLines().get(0));
  }

  @Test
  void aDetectionOutsideTheGroundTruthIsRefused() {
    CocoDataset gt = Gt.of(1, 1).box(1, 1, 0, 0, 20, 20).build();
    assertThrows(IllegalArgumentException.class,
        () -> CocoEvaluator.evaluate(gt, List.of(det(7, 1, 0, 0, 5, 5, 1))));
    assertThrows(IllegalArgumentException.class,
        () -> CocoEvaluator.evaluate(gt, List.of(det(1, 9, 0, 0, 5, 5, 1))));
  }
}

package org.nst4j.detection;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The full evaluation of a set of detections: the COCO metrics, the VOC07 metric and what was evaluated.
 *
 * @param groundTruth the ground truth's name
 * @param images its images
 * @param objects its objects (crowd regions not counted)
 * @param detections the detections evaluated
 * @param coco the COCO metrics
 * @param voc07 the VOC07 11-point metric
 */
public record EvaluationReport(String groundTruth, int images, int objects, int detections, CocoMetrics coco,
    Voc07Metrics voc07) {
  /** @throws NullPointerException if a part is null */
  public EvaluationReport {
    Objects.requireNonNull(groundTruth, "groundTruth");
    Objects.requireNonNull(coco, "coco");
    Objects.requireNonNull(voc07, "voc07");
  }

  /**
   * Evaluates detections with both protocols.
   *
   * @param gt the ground truth
   * @param detections detections of {@code gt}'s images and categories
   * @return the report
   * @throws IllegalArgumentException if a detection names an image or category {@code gt} does not have
   */
  public static EvaluationReport evaluate(CocoDataset gt, List<Detection> detections) {
    int objects = (int) gt.annotations().stream().filter(a -> !a.crowd()).count();
    return new EvaluationReport(gt.name(), gt.images().size(), objects, detections.size(),
        CocoEvaluator.evaluate(gt, detections), Voc07Evaluator.evaluate(gt, detections));
  }

  /**
   * The report as text: the twelve COCO summary lines, the VOC07 mAP, then a table of the categories (-1 marks
   * an AP that is undefined because the category has no object).
   */
  public List<String> lines() {
    List<String> out = new ArrayList<>(coco.summaryLines());
    out.add(String.format(Locale.ROOT, " VOC07 11-point mAP @[ IoU=0.50 ] = %.3f", voc07.map()));
    out.add("");
    int width = "category".length();
    for (CocoMetrics.ClassAp c : coco.perClass()) {
      width = Math.max(width, c.name().length());
    }
    width = Math.min(width, 40);
    out.add(String.format(Locale.ROOT, "%5s  %-" + width + "s %8s %10s %7s %7s %7s %9s", "id", "category",
        "objects", "detections", "AP", "AP50", "AP75", "VOC07 AP"));
    for (int k = 0; k < coco.perClass().size(); k++) {
      CocoMetrics.ClassAp c = coco.perClass().get(k);
      out.add(String.format(Locale.ROOT, "%5d  %-" + width + "s %8d %10d %7.3f %7.3f %7.3f %9.3f", c.categoryId(),
          c.name(), c.groundTruth(), c.detections(), c.ap(), c.ap50(), c.ap75(), voc07.perClass().get(k).ap()));
    }
    return out;
  }
}

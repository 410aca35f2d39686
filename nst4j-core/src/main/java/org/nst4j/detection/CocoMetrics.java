package org.nst4j.detection;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The COCO detection metrics of one evaluation. A value of -1 means "undefined" (no ground truth in that
 * area range, or no category with ground truth), as in the reference implementation's summary.
 *
 * @param ap AP at IoU .50:.05:.95, all areas, 100 detections
 * @param ap50 AP at IoU .50
 * @param ap75 AP at IoU .75
 * @param apSmall AP for objects of area &lt; 32²
 * @param apMedium AP for objects of area 32²..96²
 * @param apLarge AP for objects of area &gt; 96²
 * @param ar1 average recall with 1 detection (per image and category)
 * @param ar10 average recall with 10 detections
 * @param ar100 average recall with 100 detections
 * @param arSmall AR@100 for small objects
 * @param arMedium AR@100 for medium objects
 * @param arLarge AR@100 for large objects
 * @param perClass one entry per ground-truth category, in category-id order
 */
public record CocoMetrics(
    double ap, double ap50, double ap75, double apSmall, double apMedium, double apLarge, double ar1,
    double ar10, double ar100, double arSmall, double arMedium, double arLarge, List<ClassAp> perClass) {
  /**
   * One category's figures.
   *
   * @param categoryId the category id
   * @param name its name
   * @param groundTruth its ground-truth objects (not counting crowd regions)
   * @param detections its detections
   * @param ap AP at IoU .50:.05:.95, or -1 if it has no ground truth
   * @param ap50 AP at IoU .50, or -1
   * @param ap75 AP at IoU .75, or -1
   */
  public record ClassAp(int categoryId, String name, int groundTruth, int detections, double ap, double ap50,
      double ap75) {
    /** @throws NullPointerException if the name is null */
    public ClassAp {
      Objects.requireNonNull(name, "name");
    }
  }

  /** Copies the per-class list. */
  public CocoMetrics {
    perClass = List.copyOf(perClass);
  }

  /** The twelve standard summary lines, in the reference implementation's wording and order. */
  public List<String> summaryLines() {
    return List.of(
        line("Precision", "0.50:0.95", "all", 100, ap),
        line("Precision", "0.50", "all", 100, ap50),
        line("Precision", "0.75", "all", 100, ap75),
        line("Precision", "0.50:0.95", "small", 100, apSmall),
        line("Precision", "0.50:0.95", "medium", 100, apMedium),
        line("Precision", "0.50:0.95", "large", 100, apLarge),
        line("Recall", "0.50:0.95", "all", 1, ar1),
        line("Recall", "0.50:0.95", "all", 10, ar10),
        line("Recall", "0.50:0.95", "all", 100, ar100),
        line("Recall", "0.50:0.95", "small", 100, arSmall),
        line("Recall", "0.50:0.95", "medium", 100, arMedium),
        line("Recall", "0.50:0.95", "large", 100, arLarge));
  }

  private static String line(String what, String iou, String area, int maxDets, double v) {
    return String.format(Locale.ROOT, " Average %-10s (%s) @[ IoU=%-9s | area=%6s | maxDets=%3d ] = %.3f", what,
        what.equals("Precision") ? "AP" : "AR", iou, area, maxDets, v);
  }
}

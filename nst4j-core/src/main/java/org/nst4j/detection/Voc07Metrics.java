package org.nst4j.detection;

import java.util.List;
import java.util.Objects;

/**
 * The PASCAL VOC 2007 detection metric: 11-point interpolated AP at IoU ≥ 0.5, per class and its mean.
 *
 * @param map the mean of the per-class APs over the categories with ground truth, or -1 if there is none
 * @param perClass one entry per ground-truth category, in category-id order
 */
public record Voc07Metrics(double map, List<ClassAp> perClass) {
  /**
   * One category's figure.
   *
   * @param categoryId the category id
   * @param name its name
   * @param ap its 11-point AP@0.5, or -1 if it has no ground truth
   */
  public record ClassAp(int categoryId, String name, double ap) {
    /** @throws NullPointerException if the name is null */
    public ClassAp {
      Objects.requireNonNull(name, "name");
    }
  }

  /** Copies the per-class list. */
  public Voc07Metrics {
    perClass = List.copyOf(perClass);
  }
}

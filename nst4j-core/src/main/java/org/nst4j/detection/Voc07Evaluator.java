package org.nst4j.detection;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates box detections with the PASCAL VOC 2007 protocol: per category, all detections of all images
 * ranked by score (ties in input order); each is a true positive if the ground-truth object of its image and
 * category that it overlaps most has IoU ≥ 0.5 and was not detected before, a false positive otherwise — a
 * second detection of the same object is a false positive, even if another object overlaps it less. A
 * detection whose best overlap is a crowd region (VOC's "difficult") counts neither way, and those regions are
 * not among the objects to find. AP is the 11-point interpolation: the mean, over recall levels 0, 0.1, …, 1,
 * of the highest precision at a recall at least that level (0 if that recall is never reached).
 *
 * <p>Unlike the original devkit, boxes are in continuous coordinates (no "+1" on widths), as COCO's are, so
 * that both metrics see the same overlaps; and there is no limit on detections per image.
 */
public final class Voc07Evaluator {
  /** The IoU a detection needs. */
  public static final double IOU_THRESHOLD = 0.5;

  private Voc07Evaluator() {}

  /**
   * Evaluates detections against a ground truth.
   *
   * @param gt the ground truth
   * @param detections the detections, each of an image and a category of {@code gt}
   * @return the per-class APs and their mean
   * @throws IllegalArgumentException if a detection's category is not one of {@code gt}'s
   */
  public static Voc07Metrics evaluate(CocoDataset gt, List<Detection> detections) {
    List<CocoCategory> cats = new ArrayList<>(gt.categories());
    cats.sort(Comparator.comparingInt(CocoCategory::id));
    Map<Integer, List<Detection>> byCat = new HashMap<>();
    for (Detection d : detections) {
      byCat.computeIfAbsent(d.categoryId(), c -> new ArrayList<>()).add(d);
    }
    for (Integer c : byCat.keySet()) {
      if (cats.stream().noneMatch(x -> x.id() == c)) {
        throw new IllegalArgumentException("detections of category " + c + ": not in the ground truth " + gt.name());
      }
    }
    Map<Integer, Map<Long, List<CocoAnnotation>>> objects = new HashMap<>();
    for (CocoAnnotation a : gt.annotations()) {
      objects.computeIfAbsent(a.categoryId(), c -> new HashMap<>())
          .computeIfAbsent(a.imageId(), i -> new ArrayList<>()).add(a);
    }
    List<Voc07Metrics.ClassAp> perClass = new ArrayList<>();
    double sum = 0;
    int n = 0;
    for (CocoCategory c : cats) {
      double ap = classAp(objects.getOrDefault(c.id(), Map.of()), byCat.getOrDefault(c.id(), List.of()));
      perClass.add(new Voc07Metrics.ClassAp(c.id(), c.name(), ap));
      if (ap >= 0) {
        sum += ap;
        n++;
      }
    }
    return new Voc07Metrics(n == 0 ? -1 : sum / n, perClass);
  }

  /** One category's AP, or -1 if it has no object to find. */
  static double classAp(Map<Long, List<CocoAnnotation>> objects, List<Detection> found) {
    int positives = 0;
    Map<CocoAnnotation, Boolean> taken = new java.util.IdentityHashMap<>();
    for (List<CocoAnnotation> l : objects.values()) {
      for (CocoAnnotation a : l) {
        positives += a.crowd() ? 0 : 1;
      }
    }
    if (positives == 0) {
      return -1;
    }
    List<Detection> ranked = new ArrayList<>(found);
    ranked.sort(Comparator.comparingDouble(d -> -d.score()));
    List<double[]> curve = new ArrayList<>(); // (recall, precision) after each counted detection
    int tp = 0;
    int fp = 0;
    for (Detection d : ranked) {
      CocoAnnotation best = null;
      double bestIou = -1;
      for (CocoAnnotation a : objects.getOrDefault(d.imageId(), List.of())) {
        double iou = d.bbox().iou(a.bbox());
        if (iou > bestIou) {
          bestIou = iou;
          best = a;
        }
      }
      if (best != null && bestIou >= IOU_THRESHOLD) {
        if (best.crowd()) {
          continue;
        }
        if (taken.put(best, Boolean.TRUE) == null) {
          tp++;
        } else {
          fp++;
        }
      } else {
        fp++;
      }
      curve.add(new double[] {(double) tp / positives, (double) tp / (tp + fp)});
    }
    double ap = 0;
    for (int level = 0; level <= 10; level++) {
      double r = level / 10.0;
      double p = 0;
      for (double[] point : curve) {
        if (point[0] >= r) {
          p = Math.max(p, point[1]);
        }
      }
      ap += p / 11;
    }
    return ap;
  }
}

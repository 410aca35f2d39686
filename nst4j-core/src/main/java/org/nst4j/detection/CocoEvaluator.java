package org.nst4j.detection;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Evaluates box detections with the COCO protocol.
 *
 * <ul>
 *   <li>IoU thresholds .50, .55, …, .95; 101 recall points 0, .01, …, 1; area ranges all, small (area ≤ 32²),
 *       medium (32²..96²) and large (≥ 96²), bounds included on both sides as in the reference implementation
 *       (an object of area exactly 32² counts as small and as medium); at most 1, 10 or 100 detections — the
 *       highest-scoring ones — per image and category.
 *   <li>Ground truth outside the area range, and crowd regions, are ignored: a detection matched to one is
 *       neither a true nor a false positive. A detection outside the area range that matches nothing is
 *       ignored too.
 *   <li>Per image and category, detections are matched greedily in descending score order (ties in input
 *       order): each takes, among the ground truths not yet taken, the one of highest IoU ≥ the threshold,
 *       preferring ignored ones only if no other qualifies. A ground truth is taken at most once (a crowd
 *       region any number of times, its IoU being the intersection over the detection's area).
 *   <li>Per category and area range, the detections of all images (images in id order, ties in score kept
 *       in that order) are ranked by score; precision is made monotone from the right (each point takes the
 *       best precision at any higher recall) and read at each recall point (0 past the highest recall
 *       reached). AP is the mean over recall points, then over categories with ground truth (categories
 *       without are left out, -1 in the reference implementation), then over IoU thresholds. AR is the final
 *       recall, averaged over categories and thresholds likewise.
 * </ul>
 */
public final class CocoEvaluator {
  /** The 101 recall points 0:.01:1. */
  static final int RECALL_POINTS = 101;

  /**
   * The ten IoU thresholds .50:.05:.95 and the 101 recall points 0:.01:1, computed as the reference
   * implementation's evenly spaced ranges are (start + i · step, the last set to the end), not as the nearest
   * doubles to the decimals: they differ in the last bit for the threshold .90 (0.8999999999999999) and ten
   * recall points (0.35 is 0.35000000000000003, so a recall of exactly 7/20 does not reach it). Results then
   * agree with the reference to the last digit instead of differing whenever a recall lands on such a point.
   */
  static final double[] IOU_THRESHOLDS = spaced(0.5, 0.95, 10);

  static final double[] RECALL_THRESHOLDS = spaced(0, 1, RECALL_POINTS);

  /** Detections per image and category counted for the summary AP. */
  public static final int MAX_DETS = 100;

  /** The detection limits of the AR figures; the last is {@link #MAX_DETS}. */
  static final int[] MAX_DETS_LIST = {1, 10, MAX_DETS};

  /** Area ranges all, small, medium, large, in pixels². */
  static final double[][] AREA_RANGES = {{0, 1e10}, {0, 32 * 32}, {32 * 32, 96 * 96}, {96 * 96, 1e10}};

  private static final int T = 10;
  private static final int A = AREA_RANGES.length;
  private static final int M = MAX_DETS_LIST.length;

  private CocoEvaluator() {}

  /** n values from start to end: start + i · ((end − start) / (n − 1)), the last exactly end. */
  private static double[] spaced(double start, double end, int n) {
    double step = (end - start) / (n - 1);
    double[] v = new double[n];
    for (int i = 0; i < n - 1; i++) {
      v[i] = i * step + start;
    }
    v[n - 1] = end;
    return v;
  }

  /** The outcome of matching one image's detections of one category in one area range. */
  private record ImageResult(double[] scores, boolean[][] matched, boolean[][] ignored, int relevantGt) {}

  /**
   * Evaluates detections against a ground truth.
   *
   * @param gt the ground truth; its images and categories define what is evaluated
   * @param detections the detections; each must name an image and a category of {@code gt} (as {@link
   *     CocoResults#read} ensures)
   * @return the metrics; all -1 if the ground truth has no (non-crowd) object
   * @throws IllegalArgumentException if a detection names an image or category {@code gt} does not have
   */
  public static CocoMetrics evaluate(CocoDataset gt, List<Detection> detections) {
    List<Long> imageIds = new ArrayList<>(new TreeSet<>(gt.imagesById().keySet()));
    List<CocoCategory> cats = new ArrayList<>(gt.categories());
    cats.sort(Comparator.comparingInt(CocoCategory::id));
    Map<Integer, Integer> catIndex = new HashMap<>();
    for (int k = 0; k < cats.size(); k++) {
      catIndex.put(cats.get(k).id(), k);
    }
    Map<Long, Integer> imageIndex = new HashMap<>();
    for (int i = 0; i < imageIds.size(); i++) {
      imageIndex.put(imageIds.get(i), i);
    }
    int K = cats.size();
    int I = imageIds.size();
    // [category][image] → the objects and the detections of that image and category
    List<List<List<CocoAnnotation>>> gts = grid(K, I);
    List<List<List<Detection>>> dts = grid(K, I);
    int[] gtCount = new int[K];
    int[] dtCount = new int[K];
    for (CocoAnnotation a : gt.annotations()) {
      int k = catIndex.get(a.categoryId());
      gts.get(k).get(imageIndex.get(a.imageId())).add(a);
      gtCount[k] += a.crowd() ? 0 : 1;
    }
    for (Detection d : detections) {
      Integer k = catIndex.get(d.categoryId());
      Integer i = imageIndex.get(d.imageId());
      if (k == null || i == null) {
        throw new IllegalArgumentException("detection of category " + d.categoryId() + " in image " + d.imageId()
            + ": not in the ground truth " + gt.name());
      }
      dts.get(k).get(i).add(d);
      dtCount[k]++;
    }

    // precision[t][k][a][m][r] and recall[t][k][a][m]; -1 where the category has no relevant ground truth
    double[][][][][] precision = new double[T][K][A][M][RECALL_POINTS];
    double[][][][] recall = new double[T][K][A][M];
    for (int k = 0; k < K; k++) {
      for (int a = 0; a < A; a++) {
        List<ImageResult> results = new ArrayList<>(I);
        for (int i = 0; i < I; i++) {
          results.add(matchImage(gts.get(k).get(i), dts.get(k).get(i), AREA_RANGES[a]));
        }
        for (int m = 0; m < M; m++) {
          accumulate(results, MAX_DETS_LIST[m], precision, recall, k, a, m);
        }
      }
    }

    List<CocoMetrics.ClassAp> perClass = new ArrayList<>();
    for (int k = 0; k < K; k++) {
      perClass.add(new CocoMetrics.ClassAp(cats.get(k).id(), cats.get(k).name(), gtCount[k], dtCount[k],
          meanAp(precision, -1, k, 0, M - 1), meanAp(precision, 0, k, 0, M - 1), meanAp(precision, 5, k, 0, M - 1)));
    }
    return new CocoMetrics(
        meanAp(precision, -1, -1, 0, M - 1), meanAp(precision, 0, -1, 0, M - 1), meanAp(precision, 5, -1, 0, M - 1),
        meanAp(precision, -1, -1, 1, M - 1), meanAp(precision, -1, -1, 2, M - 1), meanAp(precision, -1, -1, 3, M - 1),
        meanAr(recall, 0, 0), meanAr(recall, 0, 1), meanAr(recall, 0, 2), meanAr(recall, 1, 2), meanAr(recall, 2, 2),
        meanAr(recall, 3, 2), perClass);
  }

  private static <X> List<List<List<X>>> grid(int k, int i) {
    List<List<List<X>>> g = new ArrayList<>(k);
    for (int a = 0; a < k; a++) {
      List<List<X>> row = new ArrayList<>(i);
      for (int b = 0; b < i; b++) {
        row.add(new ArrayList<>(0));
      }
      g.add(row);
    }
    return g;
  }

  /** Matches one image's detections of one category to its objects at every threshold; null if both are empty. */
  private static ImageResult matchImage(List<CocoAnnotation> objects, List<Detection> found, double[] range) {
    if (objects.isEmpty() && found.isEmpty()) {
      return null;
    }
    // Objects to count first, ignored ones (crowd or outside the range) after them: the matching below stops
    // at the first ignored object once a counted one qualified, so that a counted object always wins.
    List<CocoAnnotation> g = new ArrayList<>(objects);
    g.sort(Comparator.comparingInt(o -> ignored(o, range) ? 1 : 0)); // stable: file order otherwise
    boolean[] gIgnored = new boolean[g.size()];
    int relevant = 0;
    for (int j = 0; j < g.size(); j++) {
      gIgnored[j] = ignored(g.get(j), range);
      relevant += gIgnored[j] ? 0 : 1;
    }
    List<Detection> d = new ArrayList<>(found);
    d.sort(Comparator.comparingDouble(x -> -x.score())); // stable: ties keep input order
    if (d.size() > MAX_DETS) {
      d = d.subList(0, MAX_DETS);
    }
    int nd = d.size();
    double[][] iou = new double[nd][g.size()];
    for (int i = 0; i < nd; i++) {
      Box db = d.get(i).bbox();
      for (int j = 0; j < g.size(); j++) {
        CocoAnnotation o = g.get(j);
        if (o.crowd()) {
          // A crowd region covers many objects: a detection is judged by how much of it lies inside.
          double inter = db.intersection(o.bbox());
          iou[i][j] = db.area() <= 0 ? 0 : inter / db.area();
        } else {
          iou[i][j] = db.iou(o.bbox());
        }
      }
    }
    boolean[][] dMatched = new boolean[T][nd];
    boolean[][] dIgnored = new boolean[T][nd];
    for (int t = 0; t < T; t++) {
      boolean[] gTaken = new boolean[g.size()];
      for (int i = 0; i < nd; i++) {
        // Best IoU must reach the threshold; the cap below 1 lets a threshold of 1 still be met by IoU 1.
        double best = Math.min(IOU_THRESHOLDS[t], 1 - 1e-10);
        int bestJ = -1;
        for (int j = 0; j < g.size(); j++) {
          if (gTaken[j] && !g.get(j).crowd()) {
            continue;
          }
          if (bestJ >= 0 && !gIgnored[bestJ] && gIgnored[j]) {
            break; // a counted object qualified: ignored ones (sorted last) may not take the detection
          }
          if (iou[i][j] < best) {
            continue;
          }
          best = iou[i][j];
          bestJ = j;
        }
        if (bestJ >= 0) {
          dMatched[t][i] = true;
          dIgnored[t][i] = gIgnored[bestJ];
          gTaken[bestJ] = true;
        } else {
          double area = d.get(i).bbox().area();
          dIgnored[t][i] = area < range[0] || area > range[1];
        }
      }
    }
    double[] scores = new double[nd];
    for (int i = 0; i < nd; i++) {
      scores[i] = d.get(i).score();
    }
    return new ImageResult(scores, dMatched, dIgnored, relevant);
  }

  private static boolean ignored(CocoAnnotation o, double[] range) {
    return o.crowd() || o.area() < range[0] || o.area() > range[1];
  }

  /** Pools the images' top {@code maxDets} detections and fills the precision curve and recall. */
  private static void accumulate(List<ImageResult> results, int maxDets, double[][][][][] precision,
      double[][][][] recall, int k, int a, int m) {
    int relevant = 0;
    int total = 0;
    for (ImageResult r : results) {
      if (r != null) {
        relevant += r.relevantGt();
        total += Math.min(maxDets, r.scores().length);
      }
    }
    if (relevant == 0) {
      for (int t = 0; t < T; t++) {
        java.util.Arrays.fill(precision[t][k][a][m], -1);
        recall[t][k][a][m] = -1;
      }
      return;
    }
    // Pool in image order, then sort stably by score: equal scores keep image order.
    Integer[] order = new Integer[total];
    double[] scores = new double[total];
    int[] image = new int[total];
    int[] pos = new int[total];
    int n = 0;
    for (int i = 0; i < results.size(); i++) {
      ImageResult r = results.get(i);
      if (r == null) {
        continue;
      }
      for (int p = 0; p < Math.min(maxDets, r.scores().length); p++) {
        scores[n] = r.scores()[p];
        image[n] = i;
        pos[n] = p;
        order[n] = n;
        n++;
      }
    }
    java.util.Arrays.sort(order, Comparator.comparingDouble(x -> -scores[x]));
    for (int t = 0; t < T; t++) {
      double[] rc = new double[total];
      double[] pr = new double[total];
      int len = 0;
      int tp = 0;
      int fp = 0;
      for (int o = 0; o < total; o++) {
        ImageResult r = results.get(image[order[o]]);
        int p = pos[order[o]];
        if (r.ignored()[t][p]) {
          continue;
        }
        if (r.matched()[t][p]) {
          tp++;
        } else {
          fp++;
        }
        rc[len] = (double) tp / relevant;
        pr[len] = (double) tp / (tp + fp);
        len++;
      }
      recall[t][k][a][m] = len > 0 ? rc[len - 1] : 0;
      // Monotone from the right: the precision at a recall is the best achievable at that recall or beyond.
      for (int i = len - 1; i > 0; i--) {
        pr[i - 1] = Math.max(pr[i - 1], pr[i]);
      }
      int i = 0;
      for (int q = 0; q < RECALL_POINTS; q++) {
        double point = RECALL_THRESHOLDS[q];
        while (i < len && rc[i] < point) {
          i++;
        }
        precision[t][k][a][m][q] = i < len ? pr[i] : 0;
      }
    }
  }

  /**
   * Mean of the precision values that are defined (≥ 0): over recall points, categories ({@code k} = -1 for
   * all) and thresholds ({@code t} = -1 for all). Every category with relevant ground truth contributes the
   * same number of values at every threshold, so this equals the mean over categories, then thresholds.
   */
  private static double meanAp(double[][][][][] precision, int t, int k, int a, int m) {
    double sum = 0;
    long n = 0;
    for (int ti = 0; ti < T; ti++) {
      if (t >= 0 && ti != t) {
        continue;
      }
      for (int ki = 0; ki < precision[ti].length; ki++) {
        if (k >= 0 && ki != k) {
          continue;
        }
        for (double v : precision[ti][ki][a][m]) {
          if (v > -1) {
            sum += v;
            n++;
          }
        }
      }
    }
    return n == 0 ? -1 : sum / n;
  }

  private static double meanAr(double[][][][] recall, int a, int m) {
    double sum = 0;
    long n = 0;
    for (double[][][] byK : recall) {
      for (double[][] byA : byK) {
        double v = byA[a][m];
        if (v > -1) {
          sum += v;
          n++;
        }
      }
    }
    return n == 0 ? -1 : sum / n;
  }
}

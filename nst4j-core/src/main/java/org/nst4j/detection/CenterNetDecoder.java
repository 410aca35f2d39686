package org.nst4j.detection;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Turns a CenterNet-style detector's outputs for one image into detections: the heatmap's local maxima (a
 * point at least as high as its 8 neighbours — CenterNet's 3×3 max-pool in place of box NMS), the
 * {@code topK} highest of them over all classes, each with the box its cell's size and offset give. Points
 * of score 0 are never detections.
 */
public final class CenterNetDecoder {
  /** Detections kept per image: COCO's summary AP counts at most 100 per image and category. */
  public static final int DEFAULT_TOP_K = 100;

  private CenterNetDecoder() {}

  /**
   * Decodes one image.
   *
   * @param imageId the image's id, given to every detection
   * @param categoryIds the category id of each heatmap channel (K entries)
   * @param rows grid rows
   * @param cols grid columns
   * @param stride input pixels per grid cell
   * @param heat K × rows × cols scores in [0, 1] (after the sigmoid)
   * @param size 2 × rows × cols predicted widths then heights, in cells
   * @param offset 2 × rows × cols predicted centre offsets (x then y), in cells
   * @param topK how many detections to keep at most
   * @param imageWidth the image width, boxes are clipped to it
   * @param imageHeight the image height
   * @return the detections, highest score first (ties: lower channel, then row-major position, first)
   * @throws IllegalArgumentException if an array's length does not fit the counts
   */
  public static List<Detection> decode(long imageId, List<Integer> categoryIds, int rows, int cols, int stride,
      float[] heat, float[] size, float[] offset, int topK, int imageWidth, int imageHeight) {
    int k = categoryIds.size();
    int plane = rows * cols;
    if (heat.length != k * plane || size.length != 2 * plane || offset.length != 2 * plane) {
      throw new IllegalArgumentException("outputs do not fit " + k + " classes on a " + rows + "×" + cols + " grid");
    }
    // Min-heap of the best topK peaks so far: (score, position) with position = channel · plane + cell.
    PriorityQueue<long[]> best = new PriorityQueue<>((a, b) -> {
      int c = Float.compare(Float.intBitsToFloat((int) a[0]), Float.intBitsToFloat((int) b[0]));
      return c != 0 ? c : Long.compare(b[1], a[1]); // of equal scores, the later position goes first
    });
    for (int c = 0; c < k; c++) {
      for (int y = 0; y < rows; y++) {
        for (int x = 0; x < cols; x++) {
          int at = c * plane + y * cols + x;
          float v = heat[at];
          // Zero (or NaN, from a diverged model) carries no evidence: a flat map would otherwise be all peaks.
          if (!(v > 0) || !isPeak(heat, c * plane, rows, cols, y, x, v)) {
            continue;
          }
          if (best.size() < topK) {
            best.add(new long[] {Float.floatToIntBits(v), at});
          } else if (topK > 0 && Float.compare(v, Float.intBitsToFloat((int) best.peek()[0])) > 0) {
            best.poll();
            best.add(new long[] {Float.floatToIntBits(v), at});
          }
        }
      }
    }
    List<long[]> kept = new ArrayList<>(best);
    kept.sort((a, b) -> {
      int c = Float.compare(Float.intBitsToFloat((int) b[0]), Float.intBitsToFloat((int) a[0]));
      return c != 0 ? c : Long.compare(a[1], b[1]);
    });
    List<Detection> out = new ArrayList<>(kept.size());
    for (long[] p : kept) {
      int at = (int) p[1];
      int c = at / plane;
      int cell = at % plane;
      int y = cell / cols;
      int x = cell % cols;
      double w = Math.max(0, size[cell]) * stride;
      double h = Math.max(0, size[plane + cell]) * stride;
      double cx = (x + offset[cell]) * stride;
      double cy = (y + offset[plane + cell]) * stride;
      double x0 = clamp(cx - w / 2, imageWidth);
      double y0 = clamp(cy - h / 2, imageHeight);
      double x1 = clamp(cx + w / 2, imageWidth);
      double y1 = clamp(cy + h / 2, imageHeight);
      out.add(new Detection(imageId, categoryIds.get(c), new Box(x0, y0, x1 - x0, y1 - y0),
          Float.intBitsToFloat((int) p[0])));
    }
    return out;
  }

  private static double clamp(double v, int max) {
    return Math.min(max, Math.max(0, v));
  }

  private static boolean isPeak(float[] heat, int base, int rows, int cols, int y, int x, float v) {
    for (int dy = -1; dy <= 1; dy++) {
      for (int dx = -1; dx <= 1; dx++) {
        int yy = y + dy;
        int xx = x + dx;
        if ((dy != 0 || dx != 0) && yy >= 0 && yy < rows && xx >= 0 && xx < cols && heat[base + yy * cols + xx] > v) {
          return false;
        }
      }
    }
    return true;
  }
}

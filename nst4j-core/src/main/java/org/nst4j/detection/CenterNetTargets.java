package org.nst4j.detection;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The training targets of a CenterNet-style detector ("Objects as Points", Zhou et al., 2019) for one image:
 * each object is its box centre on a grid of stride {@code stride}, a per-class heatmap with a Gaussian peak
 * of 1 at that cell, and, at the cell, the box size and the centre's sub-cell offset to regress.
 *
 * <p>Arrays are owned by the record and must not be modified: the record is a value handed from the data
 * pipeline to the loss.
 *
 * @param classes K, heatmap channels
 * @param height H/stride, grid rows
 * @param width W/stride, grid columns
 * @param stride input pixels per grid cell
 * @param heatmap K × rows × columns, channel-major, values in [0, 1]
 * @param index per object, its centre cell {@code row · width + column}
 * @param category per object, its heatmap channel
 * @param size per object, width and height in grid cells (2 values each)
 * @param offset per object, the centre's offset from its cell's corner in grid cells, in [0, 1) (2 values each)
 */
public record CenterNetTargets(int classes, int height, int width, int stride, float[] heatmap, int[] index,
    int[] category, float[] size, float[] offset) {
  /**
   * The Gaussian's spread relative to the box: σ_x = α·w/6, σ_y = α·h/6, as TTFNet (Liu et al., 2020) does
   * with α = 0.54. An elliptical Gaussian that follows the box suits FMNIST-Det's tall trousers and flat
   * sandals better than one round radius.
   */
  public static final double ALPHA = 0.54;

  /**
   * Checks the sizes.
   *
   * @throws IllegalArgumentException if an array's length does not fit the counts
   */
  public CenterNetTargets {
    Objects.requireNonNull(heatmap, "heatmap");
    if (heatmap.length != classes * height * width) {
      throw new IllegalArgumentException("heatmap has " + heatmap.length + " values for " + classes + "×" + height
          + "×" + width);
    }
    int n = index.length;
    if (category.length != n || size.length != 2 * n || offset.length != 2 * n) {
      throw new IllegalArgumentException("per-object arrays disagree on the number of objects");
    }
  }

  /** Number of objects. */
  public int objects() {
    return index.length;
  }

  /**
   * Encodes one image's objects.
   *
   * @param imageWidth the image's width, a multiple of {@code stride}
   * @param imageHeight the image's height, a multiple of {@code stride}
   * @param stride pixels per grid cell, ≥ 1
   * @param channelOf the heatmap channel of each category id; its size is K
   * @param objects the image's annotations; crowd regions are skipped (they have no single centre)
   * @return the targets
   * @throws IllegalArgumentException if the image size is not a multiple of the stride or an object's
   *     category has no channel
   */
  public static CenterNetTargets encode(int imageWidth, int imageHeight, int stride, Map<Integer, Integer> channelOf,
      List<CocoAnnotation> objects) {
    if (stride < 1 || imageWidth % stride != 0 || imageHeight % stride != 0) {
      throw new IllegalArgumentException("image " + imageWidth + "×" + imageHeight + " is not a multiple of stride "
          + stride);
    }
    int k = channelOf.size();
    int rows = imageHeight / stride;
    int cols = imageWidth / stride;
    float[] heat = new float[k * rows * cols];
    List<CocoAnnotation> kept = new ArrayList<>();
    for (CocoAnnotation a : objects) {
      if (!a.crowd()) {
        kept.add(a);
      }
    }
    int n = kept.size();
    int[] index = new int[n];
    int[] category = new int[n];
    float[] size = new float[2 * n];
    float[] offset = new float[2 * n];
    for (int i = 0; i < n; i++) {
      CocoAnnotation a = kept.get(i);
      Integer channel = channelOf.get(a.categoryId());
      if (channel == null || channel < 0 || channel >= k) {
        throw new IllegalArgumentException("annotation " + a.id() + ": category " + a.categoryId()
            + " has no heatmap channel");
      }
      Box b = a.bbox();
      double cx = (b.x() + b.width() / 2) / stride;
      double cy = (b.y() + b.height() / 2) / stride;
      int col = Math.min(cols - 1, Math.max(0, (int) Math.floor(cx)));
      int row = Math.min(rows - 1, Math.max(0, (int) Math.floor(cy)));
      double w = b.width() / stride;
      double h = b.height() / stride;
      index[i] = row * cols + col;
      category[i] = channel;
      size[2 * i] = (float) w;
      size[2 * i + 1] = (float) h;
      offset[2 * i] = (float) (cx - col);
      offset[2 * i + 1] = (float) (cy - row);
      splat(heat, channel * rows * cols, rows, cols, row, col, ALPHA * w / 6, ALPHA * h / 6);
    }
    return new CenterNetTargets(k, rows, cols, stride, heat, index, category, size, offset);
  }

  /**
   * Max-merges a Gaussian of spreads σ_x, σ_y with peak 1 at (row, col), out to 3σ along each axis (at least
   * the peak cell itself).
   */
  private static void splat(float[] heat, int base, int rows, int cols, int row, int col, double sx, double sy) {
    int rx = (int) Math.floor(3 * sx);
    int ry = (int) Math.floor(3 * sy);
    for (int y = Math.max(0, row - ry); y <= Math.min(rows - 1, row + ry); y++) {
      for (int x = Math.max(0, col - rx); x <= Math.min(cols - 1, col + rx); x++) {
        double dx = x - col;
        double dy = y - row;
        float v = (float) Math.exp(-dx * dx / (2 * sx * sx) - dy * dy / (2 * sy * sy));
        int at = base + y * cols + x;
        heat[at] = Math.max(heat[at], v);
      }
    }
  }
}

package org.nst4j.detection;

import java.util.List;

/**
 * An axis-aligned box in COCO form: top-left corner and size, in pixels, continuous coordinates (the box
 * {@code [x, y, w, h]} covers {@code [x, x + w) × [y, y + h)}).
 *
 * @param x left edge
 * @param y top edge
 * @param width width, ≥ 0
 * @param height height, ≥ 0
 */
public record Box(double x, double y, double width, double height) {
  /**
   * Checks the values.
   *
   * @throws IllegalArgumentException if a value is not finite or the width or height is negative
   */
  public Box {
    if (!Double.isFinite(x) || !Double.isFinite(y) || !Double.isFinite(width) || !Double.isFinite(height)) {
      throw new IllegalArgumentException("box [" + x + ", " + y + ", " + width + ", " + height
          + "] has a value that is not a finite number");
    }
    if (width < 0 || height < 0) {
      throw new IllegalArgumentException("box [" + x + ", " + y + ", " + width + ", " + height
          + "] has a negative width or height");
    }
  }

  /** Right edge, {@code x + width}. */
  public double right() {
    return x + width;
  }

  /** Bottom edge, {@code y + height}. */
  public double bottom() {
    return y + height;
  }

  /** Width × height. */
  public double area() {
    return width * height;
  }

  /** Area of the intersection with {@code other} (0 if they do not overlap). */
  public double intersection(Box other) {
    double w = Math.min(right(), other.right()) - Math.max(x, other.x);
    double h = Math.min(bottom(), other.bottom()) - Math.max(y, other.y);
    return w <= 0 || h <= 0 ? 0 : w * h;
  }

  /**
   * Intersection over union with {@code other}; 0 when the union is empty (two boxes of zero area), so that
   * degenerate boxes never match anything.
   */
  public double iou(Box other) {
    double inter = intersection(other);
    double union = area() + other.area() - inter;
    return union <= 0 ? 0 : inter / union;
  }

  /** True if the box lies within {@code [0, width] × [0, height]}, allowing {@code tolerance} pixels. */
  public boolean within(double imageWidth, double imageHeight, double tolerance) {
    return x >= -tolerance && y >= -tolerance && right() <= imageWidth + tolerance
        && bottom() <= imageHeight + tolerance;
  }

  /** The COCO JSON form, {@code [x, y, width, height]}. */
  public List<Double> toList() {
    return List.of(x, y, width, height);
  }

  @Override
  public String toString() {
    return "[" + fmt(x) + ", " + fmt(y) + ", " + fmt(width) + ", " + fmt(height) + "]";
  }

  /** Integers without ".0", other values as Java prints them: short and exact in messages. */
  static String fmt(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }
}

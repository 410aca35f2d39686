package org.nst4j.transfer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Spatial alignment of a student and a teacher feature map (spec, "Spatial alignment").
 *
 * <p>Adaptive average pooling is done with two small averaging matrices, {@code P_h · X · P_wᵀ}: it is
 * separable, engine-independent and differentiable, and uses PyTorch's {@code adaptive_avg_pool2d} bins
 * (output cell i averages input rows ⌊i·H/h⌋ … ⌈(i+1)·H/h⌉ − 1).
 */
public final class Spatial {
  private Spatial() {}

  /**
   * Brings two B×C×H×W maps to a common height and width.
   *
   * <p>Each spatial dimension is pooled down to the smaller of the two sizes, so a map that is larger in
   * both dimensions is pooled to the other's size ("pool the larger map down to the smaller size").
   *
   * @param student B×C_s×H×W
   * @param teacher B×C_t×H'×W'
   * @param policy {@link SpatialPolicy#POOL} or {@link SpatialPolicy#REFUSE}
   * @param where a label for messages, e.g. {@code tap stage3}
   * @return {student', teacher'} of equal H and W
   * @throws IllegalArgumentException if a map is not 4-D, the batch sizes differ, or the sizes differ under
   *     {@link SpatialPolicy#REFUSE}
   */
  public static NDArray[] align(NDArray student, NDArray teacher, SpatialPolicy policy, String where) {
    Shape s = student.getShape();
    Shape t = teacher.getShape();
    if (s.dimension() != 4 || t.dimension() != 4) {
      throw new IllegalArgumentException(
          where + ": feature maps must be B×C×H×W, got student " + s + " and teacher " + t);
    }
    if (s.get(0) != t.get(0)) {
      throw new IllegalArgumentException(
          where + ": student and teacher batch sizes differ: " + s + " vs " + t);
    }
    if (s.get(2) == t.get(2) && s.get(3) == t.get(3)) {
      return new NDArray[] {student, teacher};
    }
    if (policy == SpatialPolicy.REFUSE) {
      throw new IllegalArgumentException(
          where
              + ": student map "
              + s
              + " and teacher map "
              + t
              + " differ in spatial size and the spatial policy is 'refuse' (use 'pool' to"
              + " adaptive-average-pool the larger one)");
    }
    long h = Math.min(s.get(2), t.get(2));
    long w = Math.min(s.get(3), t.get(3));
    return new NDArray[] {adaptiveAvgPool(student, h, w), adaptiveAvgPool(teacher, h, w)};
  }

  /**
   * Adaptive average pooling of a B×C×H×W map to B×C×h×w (h ≤ H, w ≤ W), as PyTorch defines it.
   *
   * @param x the map
   * @param h output height, 1 ≤ h ≤ H
   * @param w output width, 1 ≤ w ≤ W
   * @return the pooled map (x itself if already h×w)
   */
  public static NDArray adaptiveAvgPool(NDArray x, long h, long w) {
    Shape s = x.getShape();
    long inH = s.get(s.dimension() - 2);
    long inW = s.get(s.dimension() - 1);
    if (h < 1 || w < 1 || h > inH || w > inW) {
      throw new IllegalArgumentException("cannot pool " + s + " to " + h + "×" + w);
    }
    NDArray out = x;
    if (w != inW) {
      // (..., H, W) @ (W, w): average each row's bins.
      out = out.matMul(poolMatrix(x, inW, w).transpose());
    }
    if (h != inH) {
      // (h, H) @ (..., H, w): broadcast over the leading dimensions.
      out = poolMatrix(x, inH, h).matMul(out);
    }
    return out;
  }

  /** The out×in matrix whose row i averages PyTorch's adaptive bin i. */
  private static NDArray poolMatrix(NDArray like, long in, long out) {
    double[] m = new double[Math.toIntExact(in * out)];
    for (long i = 0; i < out; i++) {
      long start = Math.floorDiv(i * in, out);
      long end = -Math.floorDiv(-(i + 1) * in, out); // ceil((i+1)·in/out)
      double v = 1.0 / (end - start);
      for (long j = start; j < end; j++) {
        m[Math.toIntExact(i * in + j)] = v;
      }
    }
    return like.getManager().create(m, new Shape(out, in)).toType(like.getDataType(), false);
  }
}

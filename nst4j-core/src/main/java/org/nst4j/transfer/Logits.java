package org.nst4j.transfer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.nst4j.model.ModelOutput;

/** Shape checks and conversions shared by the logit-based terms (CE, KD, DKD), and logit standardisation. */
final class Logits {
  private Logits() {}

  /** The B×K logits of an output, or an error naming whose they are if absent or not 2-D. */
  static NDArray of(ModelOutput out, String whose) {
    if (out == null || out.logits() == null) {
      throw new IllegalArgumentException(whose + " logits are required but were not given");
    }
    NDArray z = out.logits();
    if (z.getShape().dimension() != 2) {
      throw new IllegalArgumentException(whose + " logits must be B×K, got shape " + z.getShape());
    }
    return z;
  }

  /**
   * Labels as a B×1 int64 index array, checked against the logits' batch size. Float labels (DJL's datasets give
   * float32) are accepted when they hold whole numbers.
   */
  static NDArray labelIndex(NDArray labels, NDArray logits) {
    if (labels == null) {
      throw new IllegalArgumentException("labels are required for the cross-entropy but were not given");
    }
    long b = logits.getShape().get(0);
    Shape s = labels.getShape();
    if (s.dimension() != 1 || s.get(0) != b) {
      throw new IllegalArgumentException("labels must have shape (" + b + "), got " + s);
    }
    DataType t = labels.getDataType();
    NDArray idx;
    if (t == DataType.INT64 || t == DataType.INT32) {
      idx = t == DataType.INT64 ? labels : labels.toType(DataType.INT64, false);
    } else if (t == DataType.FLOAT32 || t == DataType.FLOAT64) {
      // DJL's ArrayDataset and most DJL datasets give float32 labels; they are class indices all the same, but a
      // fraction would be truncated silently by the conversion, so it is refused.
      idx = labels.toType(DataType.INT64, false);
      if (!idx.toType(t, false).eq(labels).all().getBoolean()) {
        throw new IllegalArgumentException("float labels must be whole class indices, got " + labels);
      }
    } else {
      throw new IllegalArgumentException("labels must be int64, int32 or float32/float64 class indices, got " + t);
    }
    return idx.reshape(b, 1);
  }

  /** The ε added to the standard deviation by {@link #standardize}. */
  static final double STD_EPS = 1e-7;

  /**
   * Logit standardisation (Sun et al., CVPR 2024; spec part 2, "Logit standardisation"): each row z of a B×K
   * array becomes {@code (z − mean(z)) / (std(z) + 1e-7)}, the standard deviation over the K classes with
   * Bessel's correction (K − 1), as {@code torch.std} in the authors' code. Applied to the teacher's and the
   * student's logits alike, before the temperature.
   *
   * <p>The variance is floored at 1e-30 before the square root (std ≥ 1e-15, far below the 1e-7 added), so a
   * constant row (e.g. a freshly zero-initialised classifier) maps to 0 with a zero rather than NaN gradient;
   * the value differs from the formula only for rows whose std is below 1e-15.
   *
   * @param logits B×K, K ≥ 2
   * @return B×K standardised logits
   */
  static NDArray standardize(NDArray logits) {
    Shape s = logits.getShape();
    if (s.dimension() != 2 || s.get(1) < 2) {
      throw new IllegalArgumentException("logit standardisation needs B×K logits with K ≥ 2, got " + s);
    }
    NDArray centred = logits.sub(logits.mean(new int[] {1}, true));
    NDArray variance = Scalars.over(centred.square().sum(new int[] {1}, true), s.get(1) - 1);
    NDArray std = Scalars.atLeast(variance, 1e-30).sqrt();
    return centred.div(Scalars.plus(std, STD_EPS));
  }
}

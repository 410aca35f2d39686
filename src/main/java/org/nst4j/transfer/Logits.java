package org.nst4j.transfer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.nst4j.model.ModelOutput;

/** Shape checks and conversions shared by the logit-based terms (CE, KD). */
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

  /** Labels as a B×1 int64 index array, checked against the logits' batch size. */
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
    if (t != DataType.INT64 && t != DataType.INT32) {
      throw new IllegalArgumentException("labels must be int64 or int32, got " + t);
    }
    NDArray idx = t == DataType.INT64 ? labels : labels.toType(DataType.INT64, false);
    return idx.reshape(b, 1);
  }
}

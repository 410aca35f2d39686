package org.nst4j.transfer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** Small helpers for 0-d results. */
final class Scalars {
  private Scalars() {}

  /**
   * {@code x · w} keeping x's data type.
   *
   * <p>DJL turns a Java double into a float64 0-d array, and PyTorch promotes 0-d × 0-d to the wider type, so
   * {@code loss.mul(0.5)} would turn a float32 scalar loss into float64. The weight is cast first.
   */
  static NDArray times(NDArray x, double w) {
    return x.mul(x.getManager().create(w).toType(x.getDataType(), false));
  }

  /** The value of a 0-d array of any floating type as a double. */
  static double value(NDArray x) {
    return x.getDataType() == DataType.FLOAT64 ? x.getDouble() : x.toType(DataType.FLOAT64, false).getDouble();
  }
}

package org.nst4j.transfer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Arithmetic with Java numbers for arrays that take part in a backward pass, and small helpers for 0-d
 * results.
 *
 * <p>Why the loss code never calls {@code x.mul(2.0)}, {@code x.div(t)}, {@code x.pow(d)} or {@code
 * x.maximum(eps)} directly: DJL 0.36's PyTorch engine implements them by wrapping the number in a 0-d tensor
 * whose memory is a Java direct buffer ({@code torch::from_blob}), running the tensor–tensor operation, and
 * closing that tensor at once. libtorch's autograd saves the operand of a product, quotient, power or
 * maximum for the backward pass, still pointing at the buffer; once closed, the buffer belongs to the Java
 * garbage collector, which may free it, and the memory be reused, before the backward pass reads it. The
 * gradient then uses whatever lies there: runs that should be identical differed, now and then a loss
 * became NaN (the kd+nst-poly run of the FMNIST-10k grid at epoch 12, a benchmark run at epoch 1), and with
 * the young generation shrunk to 2 MB (collections every few steps) most kd+nst-poly runs failed within the
 * first epoch. The constants here are allocated by libtorch itself ({@code torch::full}, or a copy), so the
 * saved operand owns its memory; the arithmetic is the same (a 0-d operand is cast to the array's type
 * either way), and so are the results.
 *
 * <p>{@link #times} is public for {@code org.nst4j.bench.NstBenchmark}, which times the loss computed as the
 * losses compute it.
 */
public final class Scalars {
  private Scalars() {}

  /** A 0-d array holding {@code v} in {@code like}'s data type and device, in memory libtorch owns. */
  static NDArray constant(NDArray like, double v) {
    NDManager manager = like.getManager();
    DataType type = like.getDataType();
    if (type == DataType.FLOAT64) {
      // full() takes a float; a float64 constant is created from Java memory and copied by libtorch.
      try (NDArray javaBacked = manager.create(v)) {
        return javaBacked.duplicate();
      }
    }
    return manager.full(new Shape(), (float) v, type);
  }

  /** {@code x · w}, keeping x's data type. */
  public static NDArray times(NDArray x, double w) {
    return x.mul(constant(x, w));
  }

  /** {@code x / w}, keeping x's data type. */
  static NDArray over(NDArray x, double w) {
    return x.div(constant(x, w));
  }

  /** {@code x + v}, keeping x's data type. */
  static NDArray plus(NDArray x, double v) {
    return x.add(constant(x, v));
  }

  /** {@code x ^ e} element-wise, keeping x's data type. */
  static NDArray power(NDArray x, double e) {
    return x.pow(constant(x, e));
  }

  /** {@code max(x, floor)} element-wise, keeping x's data type. */
  static NDArray atLeast(NDArray x, double floor) {
    return x.maximum(constant(x, floor));
  }

  /** {@code min(x, ceiling)} element-wise, keeping x's data type. */
  static NDArray atMost(NDArray x, double ceiling) {
    return x.minimum(constant(x, ceiling));
  }

  /** The value of a 0-d array of any floating type as a double. */
  static double value(NDArray x) {
    return x.getDataType() == DataType.FLOAT64 ? x.getDouble() : x.toType(DataType.FLOAT64, false).getDouble();
  }
}

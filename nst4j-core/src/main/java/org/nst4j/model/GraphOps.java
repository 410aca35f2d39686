package org.nst4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * The operations of an inference graph, through which a model describes its forward pass to an exporter
 * ({@link ModelGraph#trace}); {@code T} is the exporter's handle of a tensor (an ONNX value name, say).
 *
 * <p>Every operation has its inference (eval) meaning: BatchNorm uses its running statistics. Tensors are
 * NCHW float32 unless said otherwise. The arrays handed over are the model's parameters (or, for a folded
 * conv–BN pair, the folded weight and bias): an implementation reads them during the call and neither keeps
 * nor closes them.
 */
public interface GraphOps<T> {

  /**
   * A 2-D convolution (cross-correlation, as DJL's and PyTorch's) with symmetric zero padding.
   *
   * @param x input, B×C×H×W
   * @param weight filters, F×(C/groups)×kH×kW
   * @param bias one per filter, or null for none
   * @param stride (sH, sW)
   * @param padding (pH, pW), added on both sides
   * @param dilation (dH, dW)
   * @param groups channel groups
   * @return B×F×H'×W'
   */
  T conv2d(T x, NDArray weight, NDArray bias, Shape stride, Shape padding, Shape dilation, int groups);

  /**
   * BatchNorm over axis 1 with running statistics: y = γ·(x − μ)/√(σ² + ε) + β per channel.
   *
   * @param x input, B×C×…
   * @param gamma γ, C
   * @param beta β, C
   * @param runningMean μ, C
   * @param runningVar σ², C
   * @param epsilon ε
   * @return same shape as x
   */
  T batchNorm(T x, NDArray gamma, NDArray beta, NDArray runningMean, NDArray runningVar, float epsilon);

  /** max(x, 0), elementwise. */
  T relu(T x);

  /** a + b, same shapes. */
  T add(T a, T b);

  /** Concatenation on the channel axis (axis 1), in list order. */
  T concatChannels(List<T> xs);

  /**
   * A k×k max pool, floor mode (PyTorch's {@code ceil_mode=False}), padding that never wins the max.
   *
   * @param x input, B×C×H×W
   * @param kernel k
   * @param stride s
   * @param padding p, on every side
   * @return B×C×(⌊(H + 2p − k)/s⌋ + 1)×(⌊(W + 2p − k)/s⌋ + 1)
   */
  T maxPool2d(T x, int kernel, int stride, int padding);

  /**
   * A k×k average pool, floor mode.
   *
   * @param x input, B×C×H×W
   * @param kernel k
   * @param stride s
   * @param padding p, zeros on every side
   * @param countIncludePad whether the padded zeros count in the divisor (PyTorch's default, true)
   * @return as {@link #maxPool2d}
   */
  T avgPool2d(T x, int kernel, int stride, int padding, boolean countIncludePad);

  /** The mean over the spatial axes: B×C×H×W to B×C. */
  T globalAvgPool2d(T x);

  /**
   * A fully connected layer y = x·Wᵀ + b.
   *
   * @param x input, B×N
   * @param weight W, U×N
   * @param bias b, U, or null for none
   * @return B×U
   */
  T linear(T x, NDArray weight, NDArray bias);
}

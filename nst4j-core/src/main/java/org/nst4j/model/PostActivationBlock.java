package org.nst4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * A post-activation residual block (He et al. 2016): a branch of convolutions, each followed by a
 * BatchNorm, with a ReLU between consecutive pairs; plus the shortcut; then a ReLU. The shortcut is the
 * identity, or where the block changes the shape a strided 1×1 convolution + BN projection of the input.
 *
 * <p>Children, in this order (they fix the parameter names): {@code conv1, bn1, ..., convK, bnK}, then
 * {@code projConv, projBn} for a projection. The subclasses ({@link ResNet.BasicBlock}, {@link
 * ImageNetResNet.Bottleneck}) only choose the convolutions; their class names appear in the parameter names
 * of the stages that hold them.
 */
abstract class PostActivationBlock extends ResidualBlock implements ConvBatchNorm.Holder, Traceable {
  private final ConvBatchNorm[] branch;
  private final ConvBatchNorm projection;
  private boolean exposePreRelu;

  /**
   * Builds the block.
   *
   * @param in channels entering the block
   * @param stride the block's stride
   * @param strideAt which convolution of the branch carries the stride (0-based)
   * @param kernels the branch's kernel sizes, padding k/2
   * @param widths the branch's output channels; the last is the block's
   */
  PostActivationBlock(int in, int stride, int strideAt, int[] kernels, int[] widths) {
    branch = new ConvBatchNorm[kernels.length];
    for (int i = 0; i < kernels.length; i++) {
      Conv2d conv = branch("conv" + (i + 1), Layers.conv(widths[i], kernels[i], i == strideAt ? stride : 1));
      branch[i] = new ConvBatchNorm(conv, branch("bn" + (i + 1), Layers.batchNorm()));
    }
    int out = widths[widths.length - 1];
    if (projects(in, out, stride)) {
      Conv2d conv = projection("projConv", Layers.conv(out, 1, stride));
      projection = new ConvBatchNorm(conv, projection("projBn", Layers.batchNorm()));
    } else {
      projection = null;
    }
  }

  /**
   * Makes the block return {@code [output, pre-ReLU sum]}: the residual sum before the final ReLU as a second
   * output (the last block of a stage, for the model's pre-ReLU tap). Call before initialisation.
   */
  final void exposePreRelu() {
    exposePreRelu = true;
  }

  /** The branch's last BatchNorm: the one before the final ReLU (mdistiller's {@code get_bn_before_relu}). */
  final BatchNorm lastBatchNorm() {
    return branch[branch.length - 1].bn();
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape[] out = super.getOutputShapes(inputShapes);
    return exposePreRelu ? new Shape[] {out[0], out[0]} : out;
  }

  @Override
  public List<ConvBatchNorm> convBatchNorms() {
    List<ConvBatchNorm> pairs = new ArrayList<>(List.of(branch));
    if (projection != null) {
      pairs.add(projection);
    }
    return pairs;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDArray y = x;
    for (int i = 0; i < branch.length; i++) {
      if (i > 0) {
        y = Activation.relu(y);
      }
      y = branch[i].forward(ps, y, training);
    }
    NDArray shortcut = projection != null ? projection.forward(ps, x, training) : x;
    // Out of place on purpose. DJL's BatchNorm returns a view of libtorch's result (it swaps axis 1 with
    // itself around batch_norm), and an in-place add into a view makes autograd rebuild the base's gradient
    // through CopySlices, which hands the add's backward a clone in NCHW layout: the projection's BatchNorm
    // then gets an NCHW gradient for a channels-last input and libtorch 2.7.1 runs its generic, unvectorised
    // BatchNorm backward (docs/performance.md, "the BatchNorm backward fallback").
    y = y.add(shortcut);
    NDArray out = Activation.relu(y);
    return exposePreRelu ? new NDList(out, y) : new NDList(out);
  }

  /** {@link #forwardInternal}'s graph, op for op. */
  @Override
  public <T> List<T> trace(GraphOps<T> ops, List<T> inputs) {
    T x = inputs.get(0);
    T y = x;
    for (int i = 0; i < branch.length; i++) {
      if (i > 0) {
        y = ops.relu(y);
      }
      y = branch[i].trace(ops, y);
    }
    y = ops.add(y, projection != null ? projection.trace(ops, x) : x);
    T out = ops.relu(y);
    return exposePreRelu ? List.of(out, y) : List.of(out);
  }
}

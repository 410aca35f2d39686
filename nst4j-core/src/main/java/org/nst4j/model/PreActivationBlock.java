package org.nst4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.List;

/**
 * A pre-activation residual block (He et al. 2016b): a branch of BN-ReLU-convolution triples, plus the
 * shortcut, with no ReLU after the sum. The shortcut is the identity, or where the block changes the shape
 * a strided 1×1 convolution (no BN) of the block's pre-activated input: the first BN-ReLU is shared by both
 * paths, as in the authors' code ("both_preact" in KaimingHe/resnet-1k-layers, the same in the WRN code).
 *
 * <p>Children, in this order (they fix the parameter names): {@code bn0, conv0, ..., bnK-1, convK-1}, then
 * {@code convDim} for a projection. The subclasses ({@link PreActResNet.Unit}, {@link
 * WideResNet.PreActBlock}) only choose the convolutions; their class names appear in the parameter names of
 * the stages that hold them.
 */
abstract class PreActivationBlock extends ResidualBlock implements Traceable {
  private final BatchNorm[] bns;
  private final Conv2d[] convs;

  /**
   * Builds the block.
   *
   * @param in channels entering the block
   * @param stride the block's stride, carried by the first convolution of the branch
   * @param kernels the branch's kernel sizes, padding k/2
   * @param widths the branch's output channels; the last is the block's
   */
  PreActivationBlock(int in, int stride, int[] kernels, int[] widths) {
    bns = new BatchNorm[kernels.length];
    convs = new Conv2d[kernels.length];
    for (int i = 0; i < kernels.length; i++) {
      bns[i] = branch("bn" + i, Layers.batchNorm());
      convs[i] = branch("conv" + i, Layers.conv(widths[i], kernels[i], i == 0 ? stride : 1));
    }
    int out = widths[widths.length - 1];
    if (projects(in, out, stride)) {
      projection("convDim", Layers.conv(out, 1, stride));
    }
  }

  /** The first BatchNorm of the branch, applied to the block's input (a pre-ReLU map of the stage before). */
  final BatchNorm firstBatchNorm() {
    return bns[0];
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDArray preActivated = Activation.relu(Layers.run(bns[0], ps, x, training));
    NDArray y = Layers.run(convs[0], ps, preActivated, training);
    for (int i = 1; i < convs.length; i++) {
      y = Layers.run(convs[i], ps, Activation.relu(Layers.run(bns[i], ps, y, training)), training);
    }
    // In place: a convolution's backward needs its input and weight, not its output.
    y.addi(hasProjection() ? project(ps, preActivated, training) : x);
    return new NDList(y);
  }

  /** {@link #forwardInternal}'s graph, op for op. */
  @Override
  public <T> List<T> trace(GraphOps<T> ops, List<T> inputs) {
    T x = inputs.get(0);
    T preActivated = ops.relu(ModelGraph.batchNorm(bns[0], ops, x));
    T y = ModelGraph.run(convs[0], ops, preActivated);
    for (int i = 1; i < convs.length; i++) {
      y = ModelGraph.run(convs[i], ops, ops.relu(ModelGraph.batchNorm(bns[i], ops, y)));
    }
    return List.of(ops.add(y, hasProjection() ? traceProjection(ops, preActivated) : x));
  }
}

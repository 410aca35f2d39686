package org.nst4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;

/**
 * A convolution followed directly by a BatchNorm, which can be folded into one biased convolution for
 * inference.
 *
 * <p>In inference a BatchNorm is the affine map y = γ·(x − μ)/√(σ² + ε) + β of its running statistics, so
 * conv-then-BN equals one convolution with weight W·s and bias β − μ·s, s = γ/√(σ² + ε) per output channel
 * (the conv–BN folding of PyTorch's {@code torch.nn.utils.fusion.fuse_conv_bn_eval} and {@code
 * torch.jit.freeze}). The folded convolution does the BatchNorm's work in oneDNN's output stage instead of a
 * separate pass over the activations: a frozen ResNet-20 teacher's forward is about a quarter faster
 * (docs/performance.md).
 *
 * <p>The folded weight and bias are computed once, from the parameters at the time of {@link #fold}; they
 * are not parameters (saved files are unchanged) and go stale if the parameters change, which is why a
 * folded pair refuses to run in training mode. Both blocks stay the model's children: parameter names,
 * initialisation and the unfolded forward pass are exactly those of the two blocks run one after the other.
 */
final class ConvBatchNorm {
  /** A block (or model) that runs some of its children as conv–BN pairs; {@link TappedModel} folds them. */
  interface Holder {
    /** The pairs this block runs itself (not its children's). */
    java.util.List<ConvBatchNorm> convBatchNorms();
  }

  private final Conv2d conv;
  private final BatchNorm bn;
  private NDArray foldedWeight;
  private NDArray foldedBias;

  /**
   * Pairs a convolution with the BatchNorm that reads its output.
   *
   * @param conv a convolution without bias ({@link Layers#conv})
   * @param bn a BatchNorm over the channel axis with eps {@link Layers#BN_EPS} ({@link Layers#batchNorm})
   */
  ConvBatchNorm(Conv2d conv, BatchNorm bn) {
    this.conv = conv;
    this.bn = bn;
  }

  /** The BatchNorm (its γ and β stay the parameters when folded). */
  BatchNorm bn() {
    return bn;
  }

  /** The convolution, then the BatchNorm; or the folded convolution (inference only). */
  NDArray forward(ParameterStore ps, NDArray x, boolean training) {
    if (foldedWeight == null) {
      return Layers.run(bn, ps, Layers.run(conv, ps, x, training), training);
    }
    if (training) {
      throw new IllegalStateException(
          "this model's BatchNorm layers are folded into its convolutions for inference; unfold them before"
              + " training it");
    }
    return Conv2d.conv2d(x, foldedWeight, foldedBias, conv.getStride(), conv.getPadding(), conv.getDilation(),
            conv.getGroups())
        .head();
  }

  /**
   * The pair's inference graph ({@link ModelGraph}): as it runs, one biased convolution when folded, else the
   * convolution then the BatchNorm.
   */
  <T> T trace(GraphOps<T> ops, T x) {
    if (foldedWeight != null) {
      return ops.conv2d(x, foldedWeight, foldedBias, conv.getStride(), conv.getPadding(), conv.getDilation(),
          conv.getGroups());
    }
    return ModelGraph.batchNorm(bn, ops, ModelGraph.run(conv, ops, x));
  }

  /** Output shape for an input of shape {@code x}. */
  Shape outputShape(Shape x) {
    return Layers.shape(conv, x);
  }

  /** Initialises both blocks; returns the output shape. */
  Shape initialize(NDManager manager, DataType dataType, Shape x) {
    return Layers.init(bn, manager, dataType, Layers.init(conv, manager, dataType, x));
  }

  /**
   * Computes the folded weight and bias from the current parameters (again, if already folded).
   *
   * @throws IllegalStateException if the blocks are not initialised
   */
  void fold() {
    NDArray w = array(conv, "weight");
    NDArray gamma = array(bn, "gamma");
    NDArray beta = array(bn, "beta");
    NDArray mean = array(bn, "runningMean");
    NDArray var = array(bn, "runningVar");
    NDManager owner = w.getManager();
    unfold();
    try (NDManager scope = owner.newSubManager()) {
      // The parameters join the scope for the computation (results and temporaries land in it) and go
      // back to their own managers when it closes; only the two results are kept.
      scope.tempAttachAll(w, gamma, beta, mean, var);
      NDArray scale = gamma.div(var.add(Layers.BN_EPS).sqrt());
      NDArray weight = w.mul(scale.reshape(scale.getShape().get(0), 1, 1, 1));
      NDArray bias = beta.sub(mean.mul(scale));
      weight.attach(owner);
      bias.attach(owner);
      foldedWeight = weight;
      foldedBias = bias;
    }
  }

  /** Drops the folded weight and bias: the pair runs as its two blocks again. */
  void unfold() {
    if (foldedWeight != null) {
      foldedWeight.close();
      foldedBias.close();
      foldedWeight = null;
      foldedBias = null;
    }
  }

  /** Whether {@link #fold} is in effect. */
  boolean isFolded() {
    return foldedWeight != null;
  }

  private static NDArray array(Block block, String name) {
    Parameter p = block.getParameters().get(name);
    if (p == null || !p.isInitialized()) {
      throw new IllegalStateException("initialise the model before folding its BatchNorm layers");
    }
    return p.getArray();
  }
}

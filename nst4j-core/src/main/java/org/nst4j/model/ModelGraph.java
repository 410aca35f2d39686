package org.nst4j.model;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import java.util.List;

/**
 * A model's inference forward pass as a graph of {@link GraphOps}, for exporters (the ONNX export of
 * {@code org.nst4j.deploy.onnx}).
 *
 * <p>Each block kind of the zoo describes itself in one place, its own class ({@link Traceable}, next to its
 * forward pass); DJL's own layers that the zoo uses — {@link Conv2d}, {@link BatchNorm}, {@link Linear} and
 * {@link SequentialBlock} — are described here. A block of any other kind makes {@link #trace} fail with a
 * message naming it, before anything is written.
 *
 * <p>Conv–BN pairs are described as they run: folded ({@link TappedModel#foldBatchNorm()}) as one biased
 * convolution, unfolded as a convolution and a BatchNorm.
 */
public final class ModelGraph {
  private ModelGraph() {}

  /**
   * Describes a model's inference forward pass.
   *
   * @param model an initialised zoo model
   * @param ops the graph to build
   * @param images the input, B×C×H×W
   * @return the outputs in {@code forward}'s order: logits, the main taps ({@link TappedModel#tapNames()}), the
   *     pre-ReLU taps ({@link TappedModel#preReluTapNames()})
   * @throws IllegalArgumentException if the model, or a block inside it, has no graph description
   * @throws IllegalStateException if the model is not initialised
   */
  /**
   * Whether {@link #trace} can describe the model as a whole (its blocks are checked only when tracing).
   *
   * @param model any model
   * @return true for the zoo's models and others built from {@link ChainedModel}
   */
  public static boolean describes(TappedModel model) {
    return model instanceof Traceable;
  }

  public static <T> List<T> trace(TappedModel model, GraphOps<T> ops, T images) {
    if (!(model instanceof Traceable)) {
      throw new IllegalArgumentException(model.architecture() + " (" + model.getClass().getSimpleName()
          + ") has no graph description; only the zoo's DJL models can be exported this way");
    }
    if (!model.isInitialized()) {
      throw new IllegalStateException("initialise " + model.architecture() + " before describing its graph");
    }
    List<T> out = ((Traceable) model).trace(ops, List.of(images));
    int expected = 1 + model.tapNames().size() + model.preReluTapNames().size();
    if (out.size() != expected) {
      throw new IllegalStateException(model.architecture() + "'s graph has " + out.size() + " outputs, its forward "
          + expected);
    }
    return out;
  }

  /**
   * Describes a child block: a {@link Traceable} zoo block, or one of DJL's layers listed in the class comment.
   *
   * @throws IllegalArgumentException for any other block
   */
  static <T> List<T> block(Block block, GraphOps<T> ops, List<T> inputs) {
    if (block instanceof Traceable t) {
      return t.trace(ops, inputs);
    }
    if (block instanceof SequentialBlock seq) {
      // DJL's SequentialBlock feeds each child's whole output list to the next.
      List<T> x = inputs;
      for (Block child : seq.getChildren().values()) {
        x = block(child, ops, x);
      }
      return x;
    }
    T x = single(block, inputs);
    if (block instanceof Conv2d conv) {
      return List.of(ops.conv2d(x, array(conv, "weight"), conv.isIncludeBias() ? array(conv, "bias") : null,
          conv.getStride(), conv.getPadding(), conv.getDilation(), conv.getGroups()));
    }
    if (block instanceof BatchNorm bn) {
      return List.of(batchNorm(bn, ops, x));
    }
    if (block instanceof Linear linear) {
      Parameter bias = linear.getParameters().get("bias");
      return List.of(ops.linear(x, array(linear, "weight"), bias == null ? null : array(linear, "bias")));
    }
    throw new IllegalArgumentException("no graph description for block " + block.getClass().getName()
        + " (the export knows the zoo's blocks and DJL's Conv2d, BatchNorm, Linear and SequentialBlock)");
  }

  /** A single-input single-output block described by {@link #block}. */
  static <T> T run(Block block, GraphOps<T> ops, T x) {
    return single(block, block(block, ops, List.of(x)));
  }

  /**
   * A BatchNorm of the zoo ({@link Layers#batchNorm}: axis 1, ε {@link Layers#BN_EPS}, with γ and β; DJL
   * exposes none of these settings, and they are also DJL's defaults).
   */
  static <T> T batchNorm(BatchNorm bn, GraphOps<T> ops, T x) {
    return ops.batchNorm(x, array(bn, "gamma"), array(bn, "beta"), array(bn, "runningMean"),
        array(bn, "runningVar"), Layers.BN_EPS);
  }

  private static <T> T single(Object who, List<T> xs) {
    if (xs.size() != 1) {
      throw new IllegalStateException(who.getClass().getSimpleName() + " takes or gives one tensor, not "
          + xs.size());
    }
    return xs.get(0);
  }

  private static ai.djl.ndarray.NDArray array(Block block, String name) {
    Parameter p = block.getParameters().get(name);
    if (p == null || !p.isInitialized()) {
      throw new IllegalStateException(block.getClass().getSimpleName() + " has no initialised parameter " + name);
    }
    return p.getArray();
  }
}

package org.nst4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * A {@link TappedModel} whose forward pass is one chain from the image to the classifier: child blocks and
 * parameter-free steps (ReLU, max pool) run one after the other, some of them marked as taps, then a global
 * average pool and a linear layer {@code fc}. Every convolutional network of the zoo is such a chain.
 *
 * <p>A subclass's constructor only lists its links, in forward order — {@link #layer}, {@link #relu},
 * {@link #maxPool}, {@link #tap} (or {@link #tapped}, or {@link #residualStages} for the stages of a ResNet)
 * — and ends with {@link #classifier}. The forward pass, the output shapes and the initialisation are all
 * derived from that one list, so they cannot disagree.
 *
 * <p>The links' blocks become child blocks in the order they are listed. DJL prefixes a child's parameter
 * names with its position ({@code 01stem_weight}, {@code 03stage1_...}), so that order fixes the parameter
 * names, hence the seeded initialisation ({@link SeededInit} seeds each parameter from its name) and the
 * layout of saved parameter files.
 */
abstract class ChainedModel extends TappedModel implements ConvBatchNorm.Holder {
  private final List<Link> links = new ArrayList<>();
  private Linear fc;

  /** See {@link TappedModel#TappedModel(byte, String, List, int, int)}. */
  ChainedModel(byte version, String architecture, List<String> tapNames, int inputChannels, int numClasses) {
    super(version, architecture, tapNames, inputChannels, numClasses);
  }

  /**
   * One link of the chain: a child block, a convolution and the BatchNorm that follows it ({@code pair}), or a
   * parameter-free operation with its shape rule; {@code tapped} when every array the link returns is a tap.
   */
  private record Link(
      Block block, ConvBatchNorm pair, UnaryOperator<NDArray> op, UnaryOperator<Shape> opShape, boolean tapped) {

    Link asTap() {
      return new Link(block, pair, op, opShape, true);
    }

    NDList forward(ParameterStore ps, NDArray x, boolean training) {
      if (pair != null) {
        return new NDList(pair.forward(ps, x, training));
      }
      return block != null ? block.forward(ps, new NDList(x), training) : new NDList(op.apply(x));
    }

    Shape[] outputShapes(Shape x) {
      if (pair != null) {
        return new Shape[] {pair.outputShape(x)};
      }
      return block != null ? block.getOutputShapes(new Shape[] {x}) : new Shape[] {opShape.apply(x)};
    }

    /** Initialises the block(s), if any; returns the shape of the first output. */
    Shape initialize(NDManager manager, DataType dataType, Shape x) {
      if (pair != null) {
        return pair.initialize(manager, dataType, x);
      }
      return block != null ? Layers.init(block, manager, dataType, x) : opShape.apply(x);
    }
  }

  private void checkOpen() {
    if (fc != null) {
      throw new IllegalStateException("the classifier ends the chain of " + architecture());
    }
  }

  /**
   * Appends a block, added as child {@code name}. Its first output feeds the next link. A BatchNorm that
   * directly follows a convolution which is not a tap joins it as one link, so that {@link
   * TappedModel#foldBatchNorm()} can fold it; it runs exactly as the two blocks otherwise.
   *
   * @return the block
   * @throws IllegalStateException after {@link #classifier}
   */
  final <T extends Block> T layer(String name, T block) {
    checkOpen();
    T child = addChildBlock(name, block);
    Link last = links.isEmpty() ? null : links.get(links.size() - 1);
    if (child instanceof BatchNorm bn && last != null && !last.tapped() && last.block() instanceof Conv2d conv) {
      links.set(links.size() - 1, new Link(null, new ConvBatchNorm(conv, bn), null, null, false));
    } else {
      links.add(new Link(child, null, null, null, false));
    }
    return child;
  }

  @Override
  public List<ConvBatchNorm> convBatchNorms() {
    return links.stream().map(Link::pair).filter(Objects::nonNull).toList();
  }

  private void op(UnaryOperator<NDArray> op, UnaryOperator<Shape> shape) {
    checkOpen();
    links.add(new Link(null, null, op, shape, false));
  }

  /** Appends a ReLU. */
  final void relu() {
    op(Activation::relu, s -> s);
  }

  /**
   * Appends a k×k max pool with the given stride and padding, floor mode (PyTorch's {@code ceil_mode=False}):
   * each spatial size d becomes ⌊(d + 2·padding − k) / stride⌋ + 1.
   */
  final void maxPool(int kernel, int stride, int padding) {
    Shape k = new Shape(kernel, kernel);
    Shape s = new Shape(stride, stride);
    Shape p = new Shape(padding, padding);
    op(
        x -> Pool.maxPool2d(x, k, s, p, false),
        x -> new Shape(x.get(0), x.get(1), Math.floorDiv(x.get(2) + 2 * padding - kernel, stride) + 1,
            Math.floorDiv(x.get(3) + 2 * padding - kernel, stride) + 1));
  }

  /**
   * Marks the last link's outputs as taps: all the arrays it returns, in order (a block may return more than
   * one, e.g. a map and its pre-ReLU version). Taps are numbered in chain order and named by {@link
   * #tapNames()}.
   *
   * @throws IllegalStateException if there is no link yet, it is already a tap, or after {@link #classifier}
   */
  final void tap() {
    checkOpen();
    if (links.isEmpty() || links.get(links.size() - 1).tapped()) {
      throw new IllegalStateException("tap() must follow a link that is not a tap yet");
    }
    links.set(links.size() - 1, links.get(links.size() - 1).asTap());
  }

  /** {@link #layer} then {@link #tap}. */
  final void tapped(String name, Block block) {
    layer(name, block);
    tap();
  }

  /** Makes one residual block of a stage. */
  @FunctionalInterface
  interface ResidualBlock {
    /**
     * @param in channels entering the block
     * @param stage the stage, 0-based
     * @param stride 2 for the first block of every stage but the first, else 1
     */
    Block create(int in, int stage, int stride);
  }

  /**
   * Appends the stages of a ResNet, each a tapped {@link SequentialBlock} of residual blocks named after its
   * tap; the stages give the model's first taps, so stage s is named {@code tapNames().get(s)}, e.g. {@code
   * stage1}. The first block of every stage but the
   * first downsamples with stride 2, as in He et al. 2016.
   *
   * @param in channels entering the first stage
   * @param blocks blocks per stage
   * @param outs channels leaving each stage (the next block's {@code in})
   * @param factory makes the blocks
   */
  final void residualStages(int in, int[] blocks, int[] outs, ResidualBlock factory) {
    for (int s = 0; s < blocks.length; s++) {
      SequentialBlock stage = new SequentialBlock();
      for (int b = 0; b < blocks[s]; b++) {
        stage.add(factory.create(in, s, (s > 0 && b == 0) ? 2 : 1));
        in = outs[s];
      }
      tapped(tapNames().get(s), stage);
    }
  }

  /**
   * Ends the chain: global average pool of the last output, then a linear layer with bias to the classes,
   * added as child {@code fc}.
   *
   * @throws IllegalStateException if called twice
   */
  final void classifier() {
    checkOpen();
    fc = addChildBlock("fc", Layers.linear(numClasses()));
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDList out = new NDList();
    for (Link link : links) {
      NDList y = link.forward(ps, x, training);
      x = y.head();
      if (link.tapped()) {
        out.addAll(y);
      }
    }
    out.add(0, Layers.run(fc, ps, Pool.globalAvgPool2d(x), training));
    return out;
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalStateException if the taps the chain returns are not as many as {@link #tapNames()}
   */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Layers.checkInput(inputShapes[0], inputChannels(), architecture());
    Shape x = inputShapes[0];
    List<Shape> out = new ArrayList<>();
    for (Link link : links) {
      Shape[] y = link.outputShapes(x);
      x = y[0];
      if (link.tapped()) {
        Collections.addAll(out, y);
      }
    }
    if (out.size() != tapNames().size()) {
      throw new IllegalStateException(architecture() + " returns " + out.size() + " taps for the "
          + tapNames().size() + " names " + tapNames());
    }
    out.add(0, new Shape(x.get(0), numClasses()));
    return out.toArray(new Shape[0]);
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Layers.checkInput(inputShapes[0], inputChannels(), architecture());
    Shape x = inputShapes[0];
    for (Link link : links) {
      x = link.initialize(manager, dataType, x);
    }
    Layers.init(fc, manager, dataType, new Shape(x.get(0), x.get(1)));
  }
}

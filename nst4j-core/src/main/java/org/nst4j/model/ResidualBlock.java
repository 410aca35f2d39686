package org.nst4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;

/**
 * The plumbing shared by the zoo's residual blocks: a branch, a chain of single-input layers, and an
 * optional projection shortcut, a chain of layers from the block's input (or its pre-activation) to the
 * branch's output shape. Subclasses add their children through {@link #branch} and {@link #projection} in
 * the order that fixes their parameter names, and write the forward pass; output shapes and initialisation
 * follow the two chains.
 *
 * <p>The shortcut is a projection exactly where the block changes the shape (stride ≠ 1 or in ≠ out), the
 * identity elsewhere: option B of He et al. 2016, section 3.3, used by all the zoo's ResNets.
 */
abstract class ResidualBlock extends AbstractBlock {
  private static final byte VERSION = 1;
  private final List<Block> branch = new ArrayList<>();
  private final List<Block> projection = new ArrayList<>();

  ResidualBlock() {
    super(VERSION);
  }

  /** Whether a block from {@code in} to {@code out} channels with this stride needs a projection shortcut. */
  static boolean projects(int in, int out, int stride) {
    return stride != 1 || in != out;
  }

  /** Adds a child as the next layer of the branch; returns it. */
  final <T extends Block> T branch(String name, T block) {
    branch.add(addChildBlock(name, block));
    return block;
  }

  /** Adds a child as the next layer of the projection shortcut; returns it. */
  final <T extends Block> T projection(String name, T block) {
    projection.add(addChildBlock(name, block));
    return block;
  }

  /** Whether the shortcut is a projection (else the identity). */
  final boolean hasProjection() {
    return !projection.isEmpty();
  }

  /** Runs the projection shortcut on {@code x}. */
  final NDArray project(ParameterStore ps, NDArray x, boolean training) {
    NDArray y = x;
    for (Block block : projection) {
      y = Layers.run(block, ps, y, training);
    }
    return y;
  }

  /** The graph of {@link #project} ({@link ModelGraph}). */
  final <T> T traceProjection(GraphOps<T> ops, T x) {
    T y = x;
    for (Block block : projection) {
      y = ModelGraph.run(block, ops, y);
    }
    return y;
  }

  /** The branch's output shape, which the shortcut matches. */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {Layers.shape(branch, inputShapes[0])};
  }

  /** Initialises the branch and the projection, both from the block's input shape. */
  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Layers.init(branch, manager, dataType, inputShapes[0]);
    Layers.init(projection, manager, dataType, inputShapes[0]);
  }
}

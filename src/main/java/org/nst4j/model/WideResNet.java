package org.nst4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.List;

/**
 * Wide ResNet WRN-D-K (Zagoruyko &amp; Komodakis 2016), D = 6n + 4, without dropout: 3×3 stem convolution
 * to 16 channels; three groups of n pre-activation basic blocks (BN-ReLU-conv3×3-BN-ReLU-conv3×3 plus
 * shortcut) of widths 16K/32K/64K, stride 2 at the start of groups 2 and 3; where the shape changes the
 * shortcut is a 1×1 convolution applied to the block's pre-activated input (as in the authors' code);
 * final BN-ReLU; global average pool; linear. Convolutions have no bias.
 *
 * <p>Where the taps sit: {@code stage1..stage3} are the outputs of the three groups, i.e. the residual
 * stream (sum of the last block's branch and shortcut) BEFORE any following BN-ReLU — all three, including
 * {@code stage3}, which is taken before the final BN-ReLU. This is what the Attention Transfer reference
 * code does ({@code szagoruyko/attention-transfer}, cifar.py: {@code return o, [g0, g1, g2]} with {@code g2}
 * the last group's output, the final {@code activation(g2, ...)} feeding only the classifier). Unlike the
 * post-activation {@link ResNet}'s taps these maps can be negative.
 *
 * <p>Initialisation follows the FMNIST-10k protocol (see {@link SeededInit}), not the WRN paper's.
 */
public final class WideResNet extends TappedModel {
  private static final byte VERSION = 1;

  private final int depth;
  private final int widen;
  private final int inputChannels;
  private final int numClasses;
  private final Conv2d stem;
  private final SequentialBlock[] groups = new SequentialBlock[3];
  private final BatchNorm finalBn;
  private final Linear fc;

  /**
   * Builds an uninitialised WRN-depth-widen.
   *
   * @param depth 6n + 4 with n ≥ 1
   * @param widen the widening factor K ≥ 1
   * @param inputChannels image channels, ≥ 1
   * @param numClasses classes, ≥ 1
   * @throws IllegalArgumentException on an invalid depth, width or count
   */
  public WideResNet(int depth, int widen, int inputChannels, int numClasses) {
    super(VERSION);
    if (depth < 10 || (depth - 4) % 6 != 0) {
      throw new IllegalArgumentException("WRN depth must be 6n+4 with n >= 1, got " + depth);
    }
    if (widen < 1) {
      throw new IllegalArgumentException("WRN widening factor must be >= 1, got " + widen);
    }
    ModelZoo.checkCounts(inputChannels, numClasses);
    this.depth = depth;
    this.widen = widen;
    this.inputChannels = inputChannels;
    this.numClasses = numClasses;
    int n = (depth - 4) / 6;
    stem = addChildBlock("stem", Layers.conv(16, 3, 1));
    int in = 16;
    for (int g = 0; g < 3; g++) {
      int out = (16 << g) * widen;
      SequentialBlock group = new SequentialBlock();
      for (int b = 0; b < n; b++) {
        int stride = (g > 0 && b == 0) ? 2 : 1;
        group.add(new PreActBlock(in, out, stride));
        in = out;
      }
      groups[g] = addChildBlock(ResNet.TAPS.get(g), group);
    }
    finalBn = addChildBlock("finalBn", Layers.batchNorm());
    fc = addChildBlock("fc", Layers.linear(numClasses));
  }

  @Override
  public String architecture() {
    return "wrn-" + depth + "-" + widen;
  }

  @Override
  public List<String> tapNames() {
    return ResNet.TAPS;
  }

  @Override
  public int inputChannels() {
    return inputChannels;
  }

  @Override
  public int numClasses() {
    return numClasses;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = Layers.run(stem, ps, inputs.singletonOrThrow(), training);
    NDArray g1 = Layers.run(groups[0], ps, x, training);
    NDArray g2 = Layers.run(groups[1], ps, g1, training);
    NDArray g3 = Layers.run(groups[2], ps, g2, training);
    NDArray o = Activation.relu(Layers.run(finalBn, ps, g3, training));
    NDArray logits = Layers.run(fc, ps, Pool.globalAvgPool2d(o), training);
    return new NDList(logits, g1, g2, g3);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Layers.checkInput(inputShapes[0], inputChannels, architecture());
    Shape x = Layers.shape(stem, inputShapes[0]);
    Shape g1 = Layers.shape(groups[0], x);
    Shape g2 = Layers.shape(groups[1], g1);
    Shape g3 = Layers.shape(groups[2], g2);
    return new Shape[] {new Shape(g3.get(0), numClasses), g1, g2, g3};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Layers.checkInput(inputShapes[0], inputChannels, architecture());
    Shape x = Layers.init(stem, manager, dataType, inputShapes[0]);
    for (SequentialBlock group : groups) {
      x = Layers.init(group, manager, dataType, x);
    }
    Layers.init(finalBn, manager, dataType, x);
    Layers.init(fc, manager, dataType, new Shape(x.get(0), x.get(1)));
  }

  /** Pre-activation basic block (He et al. 2016b; WRN "B(3,3)"), no dropout. */
  static final class PreActBlock extends AbstractBlock {
    private static final byte VERSION = 1;
    private final BatchNorm bn0;
    private final Conv2d conv0;
    private final BatchNorm bn1;
    private final Conv2d conv1;
    private final Conv2d convDim; // null for an identity shortcut

    PreActBlock(int in, int out, int stride) {
      super(VERSION);
      bn0 = addChildBlock("bn0", Layers.batchNorm());
      conv0 = addChildBlock("conv0", Layers.conv(out, 3, stride));
      bn1 = addChildBlock("bn1", Layers.batchNorm());
      conv1 = addChildBlock("conv1", Layers.conv(out, 3, 1));
      convDim = (stride != 1 || in != out) ? addChildBlock("convDim", Layers.conv(out, 1, stride)) : null;
    }

    @Override
    protected NDList forwardInternal(
        ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
      NDArray x = inputs.singletonOrThrow();
      NDArray o1 = Activation.relu(Layers.run(bn0, ps, x, training));
      NDArray y = Layers.run(conv0, ps, o1, training);
      NDArray o2 = Activation.relu(Layers.run(bn1, ps, y, training));
      NDArray z = Layers.run(conv1, ps, o2, training);
      // In place: a convolution's backward needs its input and weight, not its output.
      z.addi(convDim == null ? x : Layers.run(convDim, ps, o1, training));
      return new NDList(z);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      return new Shape[] {Layers.shape(conv1, Layers.shape(conv0, inputShapes[0]))};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
      Layers.init(bn0, manager, dataType, inputShapes[0]);
      Shape y = Layers.init(conv0, manager, dataType, inputShapes[0]);
      Layers.init(bn1, manager, dataType, y);
      Layers.init(conv1, manager, dataType, y);
      if (convDim != null) {
        Layers.init(convDim, manager, dataType, inputShapes[0]);
      }
    }
  }
}

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
 * The pre-activation bottleneck ResNet-D for CIFAR of He et al. 2016b ("Identity Mappings in Deep Residual
 * Networks", section 4 and table 3), D = 9n + 2, e.g. ResNet-164 (n = 18, 1.7M parameters) and ResNet-1001
 * (n = 111, 10.2M parameters) — the CIFAR teacher of Huang &amp; Wang 2017.
 *
 * <p>Layout, following the authors' Torch code ({@code KaimingHe/resnet-1k-layers}, resnet-pre-act.lua):
 * 3×3 stem convolution to 16 channels; three stages of n bottleneck units BN-ReLU-conv1×1-BN-ReLU-conv3×3-
 * BN-ReLU-conv1×1 with bottleneck widths 16/32/64 and outputs 64/128/256; the first unit of every stage
 * changes the width, and there the leading BN-ReLU is shared by both paths and the shortcut is a 1×1
 * convolution of the pre-activated input ("both_preact"), with the stride (2 in stages 2 and 3) on the
 * unit's first 1×1 convolution as in that code; other units add an identity shortcut; final BN-ReLU;
 * global average pool; linear. Convolutions have no bias.
 *
 * <p>Taps {@code stage1..stage3}: the residual stream after each stage, before any following BN-ReLU (as
 * in {@link WideResNet}; these maps can be negative): for a 32×32 input 64×32×32, 128×16×16, 256×8×8.
 */
public final class PreActResNet extends TappedModel {
  private static final byte VERSION = 1;
  private static final int[] WIDTHS = {16, 32, 64};

  private final int depth;
  private final int inputChannels;
  private final int numClasses;
  private final Conv2d stem;
  private final SequentialBlock[] stages = new SequentialBlock[3];
  private final BatchNorm finalBn;
  private final Linear fc;

  /**
   * Builds an uninitialised pre-activation ResNet-depth.
   *
   * @param depth 9n + 2 with n ≥ 1
   * @param inputChannels image channels, ≥ 1
   * @param numClasses classes, ≥ 1
   * @throws IllegalArgumentException if depth is not 9n+2 or a count is not positive
   */
  public PreActResNet(int depth, int inputChannels, int numClasses) {
    super(VERSION);
    if (depth < 11 || (depth - 2) % 9 != 0) {
      throw new IllegalArgumentException("pre-activation ResNet depth must be 9n+2 with n >= 1, got " + depth);
    }
    ModelZoo.checkCounts(inputChannels, numClasses);
    this.depth = depth;
    this.inputChannels = inputChannels;
    this.numClasses = numClasses;
    int n = (depth - 2) / 9;
    stem = addChildBlock("stem", Layers.conv(16, 3, 1));
    int in = 16;
    for (int s = 0; s < 3; s++) {
      SequentialBlock stage = new SequentialBlock();
      for (int b = 0; b < n; b++) {
        int stride = (s > 0 && b == 0) ? 2 : 1;
        stage.add(new Unit(in, WIDTHS[s], stride));
        in = 4 * WIDTHS[s];
      }
      stages[s] = addChildBlock(ResNet.TAPS.get(s), stage);
    }
    finalBn = addChildBlock("finalBn", Layers.batchNorm());
    fc = addChildBlock("fc", Layers.linear(numClasses));
  }

  /** Units per stage, n = (depth − 2) / 9. */
  public int unitsPerStage() {
    return (depth - 2) / 9;
  }

  @Override
  public String architecture() {
    return "preact-resnet-" + depth;
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
    NDArray g1 = Layers.run(stages[0], ps, x, training);
    NDArray g2 = Layers.run(stages[1], ps, g1, training);
    NDArray g3 = Layers.run(stages[2], ps, g2, training);
    NDArray o = Activation.relu(Layers.run(finalBn, ps, g3, training));
    NDArray logits = Layers.run(fc, ps, Pool.globalAvgPool2d(o), training);
    return new NDList(logits, g1, g2, g3);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Layers.checkInput(inputShapes[0], inputChannels, architecture());
    Shape x = Layers.shape(stem, inputShapes[0]);
    Shape g1 = Layers.shape(stages[0], x);
    Shape g2 = Layers.shape(stages[1], g1);
    Shape g3 = Layers.shape(stages[2], g2);
    return new Shape[] {new Shape(g3.get(0), numClasses), g1, g2, g3};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Layers.checkInput(inputShapes[0], inputChannels, architecture());
    Shape x = Layers.init(stem, manager, dataType, inputShapes[0]);
    for (SequentialBlock stage : stages) {
      x = Layers.init(stage, manager, dataType, x);
    }
    Layers.init(finalBn, manager, dataType, x);
    Layers.init(fc, manager, dataType, new Shape(x.get(0), x.get(1)));
  }

  /** One pre-activation bottleneck unit (He et al. 2016b, fig. 1(b) with a bottleneck). */
  static final class Unit extends AbstractBlock {
    private static final byte VERSION = 1;
    private final BatchNorm bn0;
    private final Conv2d conv0;
    private final BatchNorm bn1;
    private final Conv2d conv1;
    private final BatchNorm bn2;
    private final Conv2d conv2;
    private final Conv2d convDim; // null for an identity shortcut

    Unit(int in, int width, int stride) {
      super(VERSION);
      int out = 4 * width;
      bn0 = addChildBlock("bn0", Layers.batchNorm());
      conv0 = addChildBlock("conv0", Layers.conv(width, 1, stride));
      bn1 = addChildBlock("bn1", Layers.batchNorm());
      conv1 = addChildBlock("conv1", Layers.conv(width, 3, 1));
      bn2 = addChildBlock("bn2", Layers.batchNorm());
      conv2 = addChildBlock("conv2", Layers.conv(out, 1, 1));
      convDim = (stride != 1 || in != out) ? addChildBlock("convDim", Layers.conv(out, 1, stride)) : null;
    }

    @Override
    protected NDList forwardInternal(
        ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
      NDArray x = inputs.singletonOrThrow();
      NDArray o0 = Activation.relu(Layers.run(bn0, ps, x, training));
      NDArray y = Layers.run(conv0, ps, o0, training);
      y = Layers.run(conv1, ps, Activation.relu(Layers.run(bn1, ps, y, training)), training);
      NDArray z = Layers.run(conv2, ps, Activation.relu(Layers.run(bn2, ps, y, training)), training);
      // In place: a convolution's backward needs its input and weight, not its output.
      z.addi(convDim == null ? x : Layers.run(convDim, ps, o0, training));
      return new NDList(z);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      Shape y = Layers.shape(conv1, Layers.shape(conv0, inputShapes[0]));
      return new Shape[] {Layers.shape(conv2, y)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
      Layers.init(bn0, manager, dataType, inputShapes[0]);
      Shape y = Layers.init(conv0, manager, dataType, inputShapes[0]);
      Layers.init(bn1, manager, dataType, y);
      y = Layers.init(conv1, manager, dataType, y);
      Layers.init(bn2, manager, dataType, y);
      Layers.init(conv2, manager, dataType, y);
      if (convDim != null) {
        Layers.init(convDim, manager, dataType, inputShapes[0]);
      }
    }
  }
}

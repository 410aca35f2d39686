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
 * CIFAR-style ResNet-(6n+2) of He et al. 2016 (section 4.2), as fixed by the FMNIST-10k protocol
 * ("Teacher"): 3×3 stem convolution to 16 channels + BN + ReLU; three stages of n post-activation basic
 * blocks of widths 16/32/64, stride 2 at the start of stages 2 and 3; 1×1 convolution + BN projection
 * shortcut where the shape changes (option B), identity otherwise; global average pool; linear. Convolutions
 * have no bias (a BN follows each).
 *
 * <p>Taps {@code stage1..stage3}: the outputs of the three stages, after the last block's final ReLU
 * (protocol "Taps"); for a 28×28 input they are 16×28×28, 32×14×14 and 64×7×7.
 */
public final class ResNet extends TappedModel {
  private static final byte VERSION = 1;
  private static final int[] WIDTHS = {16, 32, 64};
  static final List<String> TAPS = List.of("stage1", "stage2", "stage3");

  private final int depth;
  private final int inputChannels;
  private final int numClasses;
  private final Conv2d stem;
  private final BatchNorm stemBn;
  private final SequentialBlock[] stages = new SequentialBlock[3];
  private final Linear fc;

  /**
   * Builds an uninitialised ResNet-depth (DJL default initialisers; {@link ModelZoo#create} sets the seeded
   * ones).
   *
   * @param depth 6n + 2 with n ≥ 1
   * @param inputChannels image channels, ≥ 1
   * @param numClasses classes, ≥ 1
   * @throws IllegalArgumentException if depth is not 6n+2 or a count is not positive
   */
  public ResNet(int depth, int inputChannels, int numClasses) {
    super(VERSION);
    if (depth < 8 || (depth - 2) % 6 != 0) {
      throw new IllegalArgumentException("ResNet depth must be 6n+2 with n >= 1, got " + depth);
    }
    ModelZoo.checkCounts(inputChannels, numClasses);
    this.depth = depth;
    this.inputChannels = inputChannels;
    this.numClasses = numClasses;
    int n = (depth - 2) / 6;
    stem = addChildBlock("stem", Layers.conv(WIDTHS[0], 3, 1));
    stemBn = addChildBlock("stemBn", Layers.batchNorm());
    int in = WIDTHS[0];
    for (int s = 0; s < 3; s++) {
      SequentialBlock stage = new SequentialBlock();
      for (int b = 0; b < n; b++) {
        int stride = (s > 0 && b == 0) ? 2 : 1;
        stage.add(new BasicBlock(in, WIDTHS[s], stride));
        in = WIDTHS[s];
      }
      stages[s] = addChildBlock(TAPS.get(s), stage);
    }
    fc = addChildBlock("fc", Layers.linear(numClasses));
  }

  /** Blocks per stage, n = (depth − 2) / 6. */
  public int blocksPerStage() {
    return (depth - 2) / 6;
  }

  @Override
  public String architecture() {
    return "resnet" + depth;
  }

  @Override
  public List<String> tapNames() {
    return TAPS;
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
    NDArray x = inputs.singletonOrThrow();
    x = Activation.relu(Layers.run(stemBn, ps, Layers.run(stem, ps, x, training), training));
    NDArray s1 = Layers.run(stages[0], ps, x, training);
    NDArray s2 = Layers.run(stages[1], ps, s1, training);
    NDArray s3 = Layers.run(stages[2], ps, s2, training);
    NDArray logits = Layers.run(fc, ps, Pool.globalAvgPool2d(s3), training);
    return new NDList(logits, s1, s2, s3);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Layers.checkInput(inputShapes[0], inputChannels, architecture());
    Shape x = Layers.shape(stem, inputShapes[0]);
    Shape s1 = Layers.shape(stages[0], x);
    Shape s2 = Layers.shape(stages[1], s1);
    Shape s3 = Layers.shape(stages[2], s2);
    return new Shape[] {new Shape(s3.get(0), numClasses), s1, s2, s3};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Layers.checkInput(inputShapes[0], inputChannels, architecture());
    Shape x = Layers.init(stem, manager, dataType, inputShapes[0]);
    Layers.init(stemBn, manager, dataType, x);
    for (SequentialBlock stage : stages) {
      x = Layers.init(stage, manager, dataType, x);
    }
    Layers.init(fc, manager, dataType, new Shape(x.get(0), x.get(1)));
  }

  /**
   * Post-activation basic block (He et al. 2016, fig. 2 left): conv3×3-BN-ReLU-conv3×3-BN, plus the
   * shortcut, then ReLU.
   */
  static final class BasicBlock extends AbstractBlock {
    private static final byte VERSION = 1;
    private final Conv2d conv1;
    private final BatchNorm bn1;
    private final Conv2d conv2;
    private final BatchNorm bn2;
    private final Conv2d projConv; // null for an identity shortcut
    private final BatchNorm projBn;

    BasicBlock(int in, int out, int stride) {
      super(VERSION);
      conv1 = addChildBlock("conv1", Layers.conv(out, 3, stride));
      bn1 = addChildBlock("bn1", Layers.batchNorm());
      conv2 = addChildBlock("conv2", Layers.conv(out, 3, 1));
      bn2 = addChildBlock("bn2", Layers.batchNorm());
      if (stride != 1 || in != out) {
        projConv = addChildBlock("projConv", Layers.conv(out, 1, stride));
        projBn = addChildBlock("projBn", Layers.batchNorm());
      } else {
        projConv = null;
        projBn = null;
      }
    }

    @Override
    protected NDList forwardInternal(
        ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
      NDArray x = inputs.singletonOrThrow();
      NDArray y = Activation.relu(Layers.run(bn1, ps, Layers.run(conv1, ps, x, training), training));
      y = Layers.run(bn2, ps, Layers.run(conv2, ps, y, training), training);
      NDArray shortcut =
          projConv == null
              ? x
              : Layers.run(projBn, ps, Layers.run(projConv, ps, x, training), training);
      // In place: batch_norm's backward needs its input and saved statistics, not its output, so adding
      // into the BN output is safe for autograd (torchvision does the same with `out += identity`).
      y.addi(shortcut);
      return new NDList(Activation.relu(y));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      return new Shape[] {Layers.shape(conv2, Layers.shape(conv1, inputShapes[0]))};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
      Shape y = Layers.init(conv1, manager, dataType, inputShapes[0]);
      Layers.init(bn1, manager, dataType, y);
      y = Layers.init(conv2, manager, dataType, y);
      Layers.init(bn2, manager, dataType, y);
      if (projConv != null) {
        Layers.init(projBn, manager, dataType, Layers.init(projConv, manager, dataType, inputShapes[0]));
      }
    }
  }
}

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
 * The ImageNet ResNets of He et al. 2016 (table 1), laid out as torchvision's {@code resnet18/34/50/101/152}
 * ("ResNet v1.5"): 7×7/2 stem convolution to 64 channels + BN + ReLU, 3×3/2 max pool (padding 1); four
 * stages of post-activation residual blocks — basic blocks (two 3×3) for depths 18 and 34, bottlenecks
 * (1×1, 3×3, 1×1 with 4× expansion) for 50, 101 and 152 — of widths 64/128/256/512, stride 2 at the start of
 * stages 2 to 4 (in a bottleneck on its 3×3 convolution, as torchvision, not on the first 1×1 as the paper's
 * Caffe model); 1×1 convolution + BN projection shortcut where the shape changes, identity otherwise;
 * global average pool; linear. Convolutions have no bias. With 3 input channels and 1000 classes the
 * parameter counts equal torchvision's (resnet18 11,689,512; resnet50 25,557,032; resnet101 44,549,160).
 *
 * <p>Zoo names are {@code imagenet-resnetD}, not {@code resnetD}: the names {@code resnetN} belong to the
 * CIFAR family ({@link ResNet}, N = 6n + 2), and 50 = 6·8 + 2 and 110 are of that form too.
 *
 * <p>Taps {@code stage1..stage4}: the outputs of the four stages, after the last block's final ReLU; for a
 * 224×224 input 56×56, 28×28, 14×14 and 7×7 maps of 64/128/256/512 channels (×4 for bottleneck nets).
 *
 * <p>Note for reproducing Huang &amp; Wang 2017 on ImageNet: their teacher was MXNet's pre-activation
 * ResNet-101 tapped at its final BatchNorm before the last ReLU ({@code bn1_output} in the official
 * code); this post-activation net's {@code stage4} is the closest tap and is non-negative.
 */
public final class ImageNetResNet extends TappedModel {
  private static final byte VERSION = 1;
  private static final int[] WIDTHS = {64, 128, 256, 512};
  static final List<String> TAPS = List.of("stage1", "stage2", "stage3", "stage4");
  private static final Shape POOL_KERNEL = new Shape(3, 3);
  private static final Shape POOL_STRIDE = new Shape(2, 2);
  private static final Shape POOL_PAD = new Shape(1, 1);

  /** The depths with a layout, and their blocks per stage (He et al. 2016, table 1). */
  private static final int[] DEPTHS = {18, 34, 50, 101, 152};
  private static final int[][] BLOCKS = {{2, 2, 2, 2}, {3, 4, 6, 3}, {3, 4, 6, 3}, {3, 4, 23, 3}, {3, 8, 36, 3}};

  private final int depth;
  private final int inputChannels;
  private final int numClasses;
  private final Conv2d stem;
  private final BatchNorm stemBn;
  private final SequentialBlock[] stages = new SequentialBlock[4];
  private final Linear fc;

  /**
   * Builds an uninitialised ImageNet ResNet.
   *
   * @param depth 18, 34, 50, 101 or 152
   * @param inputChannels image channels, ≥ 1
   * @param numClasses classes, ≥ 1
   * @throws IllegalArgumentException for another depth or a non-positive count
   */
  public ImageNetResNet(int depth, int inputChannels, int numClasses) {
    super(VERSION);
    int layout = layoutIndex(depth);
    if (layout < 0) {
      throw new IllegalArgumentException(
          "ImageNet ResNet depth must be one of 18, 34, 50, 101, 152, got " + depth);
    }
    ModelZoo.checkCounts(inputChannels, numClasses);
    this.depth = depth;
    this.inputChannels = inputChannels;
    this.numClasses = numClasses;
    boolean bottleneck = depth >= 50;
    stem = addChildBlock("stem", Layers.conv(64, 7, 2));
    stemBn = addChildBlock("stemBn", Layers.batchNorm());
    int in = 64;
    for (int s = 0; s < 4; s++) {
      SequentialBlock stage = new SequentialBlock();
      int out = bottleneck ? 4 * WIDTHS[s] : WIDTHS[s];
      for (int b = 0; b < BLOCKS[layout][s]; b++) {
        int stride = (s > 0 && b == 0) ? 2 : 1;
        stage.add(bottleneck ? new Bottleneck(in, WIDTHS[s], stride) : new ResNet.BasicBlock(in, out, stride));
        in = out;
      }
      stages[s] = addChildBlock(TAPS.get(s), stage);
    }
    fc = addChildBlock("fc", Layers.linear(numClasses));
  }

  /** Whether a depth has a layout (18, 34, 50, 101, 152). */
  static boolean isDepth(int depth) {
    return layoutIndex(depth) >= 0;
  }

  private static int layoutIndex(int depth) {
    for (int i = 0; i < DEPTHS.length; i++) {
      if (DEPTHS[i] == depth) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public String architecture() {
    return "imagenet-resnet" + depth;
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
    x = Pool.maxPool2d(x, POOL_KERNEL, POOL_STRIDE, POOL_PAD, false);
    NDArray[] taps = new NDArray[4];
    for (int s = 0; s < 4; s++) {
      x = Layers.run(stages[s], ps, x, training);
      taps[s] = x;
    }
    NDArray logits = Layers.run(fc, ps, Pool.globalAvgPool2d(x), training);
    return new NDList(logits, taps[0], taps[1], taps[2], taps[3]);
  }

  /** Shape after the 3×3/2 max pool with padding 1 (floor mode). */
  private static Shape pooled(Shape s) {
    return new Shape(s.get(0), s.get(1), (s.get(2) + 2 - 3) / 2 + 1, (s.get(3) + 2 - 3) / 2 + 1);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Layers.checkInput(inputShapes[0], inputChannels, architecture());
    Shape x = pooled(Layers.shape(stem, inputShapes[0]));
    Shape[] result = new Shape[5];
    for (int s = 0; s < 4; s++) {
      x = Layers.shape(stages[s], x);
      result[s + 1] = x;
    }
    result[0] = new Shape(x.get(0), numClasses);
    return result;
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Layers.checkInput(inputShapes[0], inputChannels, architecture());
    Shape x = Layers.init(stem, manager, dataType, inputShapes[0]);
    Layers.init(stemBn, manager, dataType, x);
    x = pooled(x);
    for (SequentialBlock stage : stages) {
      x = Layers.init(stage, manager, dataType, x);
    }
    Layers.init(fc, manager, dataType, new Shape(x.get(0), x.get(1)));
  }

  /**
   * Post-activation bottleneck (He et al. 2016, fig. 5 right): conv1×1-BN-ReLU-conv3×3(stride)-BN-ReLU-
   * conv1×1(4·width)-BN, plus the shortcut, then ReLU. The stride sits on the 3×3 convolution as in
   * torchvision.
   */
  static final class Bottleneck extends AbstractBlock {
    private static final byte VERSION = 1;
    private final Conv2d conv1;
    private final BatchNorm bn1;
    private final Conv2d conv2;
    private final BatchNorm bn2;
    private final Conv2d conv3;
    private final BatchNorm bn3;
    private final Conv2d projConv; // null for an identity shortcut
    private final BatchNorm projBn;

    Bottleneck(int in, int width, int stride) {
      super(VERSION);
      int out = 4 * width;
      conv1 = addChildBlock("conv1", Layers.conv(width, 1, 1));
      bn1 = addChildBlock("bn1", Layers.batchNorm());
      conv2 = addChildBlock("conv2", Layers.conv(width, 3, stride));
      bn2 = addChildBlock("bn2", Layers.batchNorm());
      conv3 = addChildBlock("conv3", Layers.conv(out, 1, 1));
      bn3 = addChildBlock("bn3", Layers.batchNorm());
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
      y = Activation.relu(Layers.run(bn2, ps, Layers.run(conv2, ps, y, training), training));
      y = Layers.run(bn3, ps, Layers.run(conv3, ps, y, training), training);
      NDArray shortcut =
          projConv == null
              ? x
              : Layers.run(projBn, ps, Layers.run(projConv, ps, x, training), training);
      // In place, as in ResNet.BasicBlock: batch_norm's backward does not need its output.
      y.addi(shortcut);
      return new NDList(Activation.relu(y));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      Shape y = Layers.shape(conv2, Layers.shape(conv1, inputShapes[0]));
      return new Shape[] {Layers.shape(conv3, y)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
      Shape y = Layers.init(conv1, manager, dataType, inputShapes[0]);
      Layers.init(bn1, manager, dataType, y);
      y = Layers.init(conv2, manager, dataType, y);
      Layers.init(bn2, manager, dataType, y);
      y = Layers.init(conv3, manager, dataType, y);
      Layers.init(bn3, manager, dataType, y);
      if (projConv != null) {
        Layers.init(projBn, manager, dataType, Layers.init(projConv, manager, dataType, inputShapes[0]));
      }
    }
  }
}

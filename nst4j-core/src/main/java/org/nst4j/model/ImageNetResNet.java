package org.nst4j.model;

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
 * Pre-ReLU taps {@code stage1_pre..stage4_pre}: the residual sum of each stage's last block before its final
 * ReLU; their BatchNorm is that block's last branch BN ({@code bn2} basic, {@code bn3} bottleneck), as
 * mdistiller's {@code get_bn_before_relu}.
 *
 * <p>Note for reproducing Huang &amp; Wang 2017 on ImageNet: their teacher was MXNet's pre-activation
 * ResNet-101 tapped at its final BatchNorm before the last ReLU ({@code bn1_output} in the official
 * code); this post-activation net's {@code stage4} is the closest tap and is non-negative.
 */
public final class ImageNetResNet extends ChainedModel {
  private static final byte VERSION = 1;
  private static final int[] WIDTHS = {64, 128, 256, 512};
  private static final int[] BOTTLENECK_OUTS = {4 * 64, 4 * 128, 4 * 256, 4 * 512};
  static final List<String> TAPS = List.of("stage1", "stage2", "stage3", "stage4");
  static final List<String> PRE_RELU_TAPS = List.of("stage1_pre", "stage2_pre", "stage3_pre", "stage4_pre");

  /** The depths with a layout, and their blocks per stage (He et al. 2016, table 1). */
  private static final int[] DEPTHS = {18, 34, 50, 101, 152};
  private static final int[][] BLOCKS = {{2, 2, 2, 2}, {3, 4, 6, 3}, {3, 4, 6, 3}, {3, 4, 23, 3}, {3, 8, 36, 3}};

  /**
   * Builds an uninitialised ImageNet ResNet.
   *
   * @param depth 18, 34, 50, 101 or 152
   * @param inputChannels image channels, ≥ 1
   * @param numClasses classes, ≥ 1
   * @throws IllegalArgumentException for another depth or a non-positive count
   */
  public ImageNetResNet(int depth, int inputChannels, int numClasses) {
    super(VERSION, "imagenet-resnet" + depth, TAPS, PRE_RELU_TAPS, inputChannels, numClasses);
    int layout = layoutIndex(depth);
    if (layout < 0) {
      throw new IllegalArgumentException(
          "ImageNet ResNet depth must be one of 18, 34, 50, 101, 152, got " + depth);
    }
    ModelZoo.checkCounts(inputChannels, numClasses);
    layer("stem", Layers.conv(64, 7, 2));
    layer("stemBn", Layers.batchNorm());
    relu();
    maxPool(3, 2, 1);
    if (depth >= 50) {
      residualStages(64, BLOCKS[layout], BOTTLENECK_OUTS,
          (in, s, stride) -> new Bottleneck(in, WIDTHS[s], stride));
    } else {
      residualStages(64, BLOCKS[layout], WIDTHS, (in, s, stride) -> new ResNet.BasicBlock(in, WIDTHS[s], stride));
    }
    classifier();
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

  /**
   * Post-activation bottleneck (He et al. 2016, fig. 5 right): conv1×1-BN-ReLU-conv3×3(stride)-BN-ReLU-
   * conv1×1(4·width)-BN, plus the shortcut, then ReLU. The stride sits on the 3×3 convolution as in
   * torchvision.
   */
  static final class Bottleneck extends PostActivationBlock {
    Bottleneck(int in, int width, int stride) {
      super(in, stride, 1, new int[] {1, 3, 1}, new int[] {width, width, 4 * width});
    }
  }
}

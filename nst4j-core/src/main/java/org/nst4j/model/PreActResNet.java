package org.nst4j.model;

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
 *
 * <p>Pre-ReLU taps {@code stage1_pre..stage3_pre} (OFD, ReviewKD): a pre-activation net has no ReLU at the end of
 * a stage, so, as mdistiller's {@code wrn.py} does, the pre-ReLU map of stage s is the BatchNorm that the next
 * ReLU follows applied to the stage output: the first BN of stage s + 1's first block for stages 1..n−1, the
 * final BN for the last stage (these BNs are also what {@link #preReluBatchNorm} returns). The maps are
 * computed by the same kernel with the same parameters as in the forward pass, without moving the running
 * statistics a second time (mdistiller's training-mode re-application moves them twice); the cost is one
 * extra BatchNorm pass over the outputs of stages 1..n−1 per forward.
 */
public final class PreActResNet extends ChainedModel {
  private static final byte VERSION = 1;
  private static final int[] WIDTHS = {16, 32, 64};
  private static final int[] OUTS = {4 * 16, 4 * 32, 4 * 64};

  private final int depth;

  /**
   * Builds an uninitialised pre-activation ResNet-depth.
   *
   * @param depth 9n + 2 with n ≥ 1
   * @param inputChannels image channels, ≥ 1
   * @param numClasses classes, ≥ 1
   * @throws IllegalArgumentException if depth is not 9n+2 or a count is not positive
   */
  public PreActResNet(int depth, int inputChannels, int numClasses) {
    super(VERSION, "preact-resnet-" + depth, ResNet.TAPS, ResNet.PRE_RELU_TAPS, inputChannels, numClasses);
    if (depth < 11 || (depth - 2) % 9 != 0) {
      throw new IllegalArgumentException("pre-activation ResNet depth must be 9n+2 with n >= 1, got " + depth);
    }
    ModelZoo.checkCounts(inputChannels, numClasses);
    this.depth = depth;
    int n = (depth - 2) / 9;
    layer("stem", Layers.conv(16, 3, 1));
    residualStages(16, new int[] {n, n, n}, OUTS, (in, s, stride) -> new Unit(in, WIDTHS[s], stride));
    preReluTap(0, List.of(layer("finalBn", Layers.batchNorm())));
    relu();
    classifier();
  }

  /** Units per stage, n = (depth − 2) / 9. */
  public int unitsPerStage() {
    return (depth - 2) / 9;
  }

  /** One pre-activation bottleneck unit (He et al. 2016b, fig. 1(b) with a bottleneck). */
  static final class Unit extends PreActivationBlock {
    Unit(int in, int width, int stride) {
      super(in, stride, new int[] {1, 3, 1}, new int[] {width, width, 4 * width});
    }
  }
}

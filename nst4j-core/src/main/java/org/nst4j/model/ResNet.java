package org.nst4j.model;

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
 *
 * <p>Pre-ReLU taps {@code stage1_pre..stage3_pre} (OFD, ReviewKD): the residual sum of each stage's last block
 * before its final ReLU, same shapes; their BatchNorm ({@link #preReluBatchNorm}) is that block's {@code bn2}
 * (the shortcut's BN is ignored, as mdistiller's {@code get_bn_before_relu} and the OFD authors' code do).
 */
public final class ResNet extends ChainedModel {
  private static final byte VERSION = 1;
  private static final int[] WIDTHS = {16, 32, 64};
  static final List<String> TAPS = List.of("stage1", "stage2", "stage3");
  static final List<String> PRE_RELU_TAPS = List.of("stage1_pre", "stage2_pre", "stage3_pre");

  private final int depth;

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
    super(VERSION, "resnet" + depth, TAPS, PRE_RELU_TAPS, inputChannels, numClasses);
    if (depth < 8 || (depth - 2) % 6 != 0) {
      throw new IllegalArgumentException("ResNet depth must be 6n+2 with n >= 1, got " + depth);
    }
    ModelZoo.checkCounts(inputChannels, numClasses);
    this.depth = depth;
    int n = (depth - 2) / 6;
    layer("stem", Layers.conv(WIDTHS[0], 3, 1));
    layer("stemBn", Layers.batchNorm());
    relu();
    residualStages(
        WIDTHS[0], new int[] {n, n, n}, WIDTHS, (in, s, stride) -> new BasicBlock(in, WIDTHS[s], stride));
    classifier();
  }

  /** Blocks per stage, n = (depth − 2) / 6. */
  public int blocksPerStage() {
    return (depth - 2) / 6;
  }

  /**
   * Post-activation basic block (He et al. 2016, fig. 2 left): conv3×3-BN-ReLU-conv3×3-BN, plus the
   * shortcut, then ReLU.
   */
  static final class BasicBlock extends PostActivationBlock {
    BasicBlock(int in, int out, int stride) {
      super(in, stride, 0, new int[] {3, 3}, new int[] {out, out});
    }
  }
}

package org.nst4j.model;


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
public final class WideResNet extends ChainedModel {
  private static final byte VERSION = 1;

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
    super(VERSION, "wrn-" + depth + "-" + widen, ResNet.TAPS, inputChannels, numClasses);
    if (depth < 10 || (depth - 4) % 6 != 0) {
      throw new IllegalArgumentException("WRN depth must be 6n+4 with n >= 1, got " + depth);
    }
    if (widen < 1) {
      throw new IllegalArgumentException("WRN widening factor must be >= 1, got " + widen);
    }
    ModelZoo.checkCounts(inputChannels, numClasses);
    int n = (depth - 4) / 6;
    int[] outs = {16 * widen, 32 * widen, 64 * widen};
    layer("stem", Layers.conv(16, 3, 1));
    residualStages(16, new int[] {n, n, n}, outs, (in, g, stride) -> new PreActBlock(in, outs[g], stride));
    layer("finalBn", Layers.batchNorm());
    relu();
    classifier();
  }

  /** Pre-activation basic block (He et al. 2016b; WRN "B(3,3)"), no dropout. */
  static final class PreActBlock extends PreActivationBlock {
    PreActBlock(int in, int out, int stride) {
      super(in, stride, new int[] {3, 3}, new int[] {out, out});
    }
  }
}

package org.nst4j.model;

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
 * <p>Pre-ReLU taps {@code stage1_pre..stage3_pre} (OFD, ReviewKD): a pre-activation net has no ReLU at the end of
 * a stage, so, as mdistiller's {@code wrn.py} does, the pre-ReLU map of stage s is the BatchNorm that the next
 * ReLU follows applied to the stage output: the first BN of stage s + 1's first block for stages 1..n−1, the
 * final BN for the last stage (these BNs are also what {@link #preReluBatchNorm} returns). The maps are
 * computed by the same kernel with the same parameters as in the forward pass, without moving the running
 * statistics a second time (mdistiller's training-mode re-application moves them twice); the cost is one
 * extra BatchNorm pass over the outputs of stages 1..n−1 per forward.
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
    super(VERSION, "wrn-" + depth + "-" + widen, ResNet.TAPS, ResNet.PRE_RELU_TAPS, inputChannels, numClasses);
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
    preReluTap(0, List.of(layer("finalBn", Layers.batchNorm())));
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

package org.nst4j.model;

import java.util.List;

/**
 * {@code cnn-small}: a plain three-block CNN for fast tests and demos: conv3×3(32)-BN-ReLU-maxpool2,
 * conv3×3(64)-BN-ReLU-maxpool2, conv3×3(128)-BN-ReLU, global average pool, linear.
 *
 * <p>Taps {@code block1..block3}: the output of each block (after its pool where it has one): for a 28×28
 * input 32×14×14, 64×7×7 and 128×7×7. Pre-ReLU taps {@code block1_pre..block3_pre}: each block's BatchNorm
 * output, before its ReLU and pool (32×28×28, 64×14×14, 128×7×7), that BN being {@link #preReluBatchNorm}'s.
 */
public final class SmallCnn extends ChainedModel {
  private static final byte VERSION = 1;
  private static final int[] WIDTHS = {32, 64, 128};
  private static final List<String> TAPS = List.of("block1", "block2", "block3");
  private static final List<String> PRE_RELU_TAPS = List.of("block1_pre", "block2_pre", "block3_pre");

  /**
   * Builds an uninitialised cnn-small.
   *
   * @param inputChannels image channels, ≥ 1
   * @param numClasses classes, ≥ 1
   * @throws IllegalArgumentException if a count is not positive
   */
  public SmallCnn(int inputChannels, int numClasses) {
    super(VERSION, "cnn-small", TAPS, PRE_RELU_TAPS, inputChannels, numClasses);
    ModelZoo.checkCounts(inputChannels, numClasses);
    for (int i = 0; i < 3; i++) {
      layer("conv" + (i + 1), Layers.conv(WIDTHS[i], 3, 1));
      preReluTap(0, List.of(layer("bn" + (i + 1), Layers.batchNorm())));
      relu();
      if (i < 2) {
        maxPool(2, 2, 0);
      }
      tap();
    }
    classifier();
  }
}

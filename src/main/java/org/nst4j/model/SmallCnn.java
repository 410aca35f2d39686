package org.nst4j.model;

import java.util.List;

/**
 * {@code cnn-small}: a plain three-block CNN for fast tests and demos: conv3×3(32)-BN-ReLU-maxpool2,
 * conv3×3(64)-BN-ReLU-maxpool2, conv3×3(128)-BN-ReLU, global average pool, linear.
 *
 * <p>Taps {@code block1..block3}: the output of each block (after its pool where it has one): for a 28×28
 * input 32×14×14, 64×7×7 and 128×7×7.
 */
public final class SmallCnn extends ChainedModel {
  private static final byte VERSION = 1;
  private static final int[] WIDTHS = {32, 64, 128};
  private static final List<String> TAPS = List.of("block1", "block2", "block3");

  /**
   * Builds an uninitialised cnn-small.
   *
   * @param inputChannels image channels, ≥ 1
   * @param numClasses classes, ≥ 1
   * @throws IllegalArgumentException if a count is not positive
   */
  public SmallCnn(int inputChannels, int numClasses) {
    super(VERSION, "cnn-small", TAPS, inputChannels, numClasses);
    ModelZoo.checkCounts(inputChannels, numClasses);
    for (int i = 0; i < 3; i++) {
      layer("conv" + (i + 1), Layers.conv(WIDTHS[i], 3, 1));
      layer("bn" + (i + 1), Layers.batchNorm());
      relu();
      if (i < 2) {
        maxPool(2, 2, 0);
      }
      tap();
    }
    classifier();
  }
}

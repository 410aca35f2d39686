package org.nst4j.data;

import java.util.Iterator;

/**
 * Where a training loop takes its mini-batches from, whatever holds the images: nst4j's 8-bit {@link ImageDataset}
 * ({@link BatchLoader}) or a DJL dataset ({@code org.nst4j.train.DjlDatasetBatches}). The loop needs nothing
 * else, so both feed it the same way.
 *
 * <p>The contract every implementation keeps, on which resume and the shared-teacher grid rest:
 * <ul>
 *   <li>the batches of epoch e are a pure function of (seed, e): the same order ({@link #shuffledOrder}) and
 *       contents however often, and from whichever batch, the epoch is iterated;
 *   <li>{@link #epoch(int, int)} from batch b yields exactly what iterating from batch 0 would have yielded from
 *       b on (a run resumed mid-epoch);
 *   <li>every batch carries its items' indices in the data set ({@link ImageBatch#indices()}; CRD's memory
 *       banks read them);
 *   <li>when the last partial batch is dropped, an epoch has {@code size / batchSize} batches
 *       ({@link #batchesPerEpoch(int, int, boolean)}).
 * </ul>
 */
public interface BatchSource {

  /** Items in the data set the batches are cut from (what the data-set indices of a batch index into). */
  int size();

  /** Items per full batch. */
  int batchSize();

  /** Number of batches in every epoch, ≥ 1. */
  int batchesPerEpoch();

  /**
   * Builds one batch on its own.
   *
   * @param epoch the epoch, ≥ 0
   * @param index the batch, in {@code [0, batchesPerEpoch())}
   * @return the batch, equal to the one {@link #epoch(int, int)} yields at that index
   * @throws IllegalArgumentException if an argument is out of range
   */
  ImageBatch batch(int epoch, int index);

  /**
   * Iterates over the batches of an epoch from batch {@code startBatch} on, exactly as an iteration started at
   * batch 0 would have produced them.
   *
   * @param epoch the epoch, ≥ 0
   * @param startBatch the first batch, in {@code [0, batchesPerEpoch()]}
   * @return a single-use iterator
   * @throws IllegalArgumentException if an argument is out of range
   */
  Iterator<ImageBatch> epoch(int epoch, int startBatch);

  /**
   * Batches per epoch of {@code size} items: {@code size / batchSize} when the last partial batch is dropped,
   * else rounded up.
   *
   * @param size items, ≥ 0
   * @param batchSize items per batch, ≥ 1
   * @param dropLast whether the last partial batch is dropped
   * @return the number of batches
   */
  static int batchesPerEpoch(long size, int batchSize, boolean dropLast) {
    return (int) (dropLast ? size / batchSize : (size + batchSize - 1) / batchSize);
  }

  /**
   * The order in which epoch {@code epoch} of a shuffled source visits {@code n} items: a Fisher–Yates shuffle
   * driven by a {@link java.util.SplittableRandom} seeded with {@link #epochKey}{@code (seed, epoch)}. One
   * function for every source, so an {@link ImageDataset} and a DJL dataset holding the same items in the same
   * order give the same batches for the same seed.
   *
   * @param n items, ≥ 0
   * @param seed the seed of the run
   * @param epoch the epoch, ≥ 0
   * @return a permutation of 0..n−1
   */
  static int[] shuffledOrder(int n, long seed, int epoch) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    java.util.SplittableRandom rng = new java.util.SplittableRandom(epochKey(seed, epoch));
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /** The key of all randomness of epoch {@code epoch} of a run seeded with {@code seed}. */
  static long epochKey(long seed, int epoch) {
    return BatchLoader.mix64(BatchLoader.mix64(seed) + epoch);
  }
}

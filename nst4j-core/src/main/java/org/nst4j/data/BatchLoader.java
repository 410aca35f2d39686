package org.nst4j.data;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Cuts an {@link ImageDataset} into normalised, optionally shuffled and augmented mini-batches —
 * deterministically (the {@link BatchSource} of nst4j's own data sets).
 *
 * <p>Determinism: everything about epoch e — the order of the images and every image's augmentation — is
 * a function of (seed, e) alone. The order is a Fisher–Yates shuffle driven by a {@link SplittableRandom}
 * seeded with a mix of seed and epoch ({@link BatchSource#shuffledOrder}); the augmentation of the image at position p of the epoch is drawn
 * from its own generator seeded with a mix of that epoch key and p. So a run resumed at epoch e, or at
 * batch b of epoch e ({@link #epoch(int, int)}), sees exactly the batches an uninterrupted run would
 * have seen, any batch can be built on its own ({@link #batch(int, int)}), and prefetching on another
 * thread changes nothing.
 *
 * <p>Each batch carries its images' indices in the data set ({@link ImageBatch#indices()}), for the losses that keep
 * per-image state (CRD's memory banks).
 *
 * <p>Speed: pixels stay bytes until a batch is built; each channel is normalised through a 256-entry
 * lookup table in the same pass as the crop and flip.
 *
 * <p>Immutable and thread-safe.
 */
public final class BatchLoader implements BatchSource {
  private final ImageDataset dataset;
  private final int batchSize;
  private final boolean shuffle;
  private final boolean dropLast;
  private final Augmentation augmentation;
  private final Normalization normalization;
  private final long seed;
  private final int prefetchDepth;
  private final float[][] lut;
  private final int batchesPerEpoch;

  /**
   * Creates a loader.
   *
   * @param ds the data set, non-empty
   * @param batchSize images per batch, ≥ 1
   * @param shuffle whether each epoch visits the images in a fresh random order (else in data-set order)
   * @param dropLast whether the last, smaller batch of an epoch is dropped
   * @param aug the augmentation ({@link Augmentation#none()} for evaluation)
   * @param norm the normalisation, with as many channels as the images
   * @param seed the seed of all randomness
   * @throws IllegalArgumentException if an argument is invalid, or an epoch would have no batch
   */
  public BatchLoader(
      ImageDataset ds,
      int batchSize,
      boolean shuffle,
      boolean dropLast,
      Augmentation aug,
      Normalization norm,
      long seed) {
    this(ds, batchSize, shuffle, dropLast, aug, norm, seed, 0);
  }

  private BatchLoader(
      ImageDataset ds,
      int batchSize,
      boolean shuffle,
      boolean dropLast,
      Augmentation aug,
      Normalization norm,
      long seed,
      int prefetchDepth) {
    Objects.requireNonNull(ds, "ds");
    Objects.requireNonNull(aug, "aug");
    Objects.requireNonNull(norm, "norm");
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be ≥ 1, got " + batchSize);
    }
    if (ds.size() == 0) {
      throw new IllegalArgumentException("data set " + ds.name() + " is empty");
    }
    if (norm.channels() != ds.channels()) {
      throw new IllegalArgumentException(
          "normalisation has " + norm.channels() + " channels but " + ds.name() + " has " + ds.channels());
    }
    this.batchesPerEpoch = BatchSource.batchesPerEpoch(ds.size(), batchSize, dropLast);
    if (batchesPerEpoch == 0) {
      throw new IllegalArgumentException(
          "batch size " + batchSize + " exceeds the " + ds.size() + " images of " + ds.name()
              + " and the last partial batch is dropped: an epoch would have no batch");
    }
    this.dataset = ds;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.augmentation = aug;
    this.normalization = norm;
    this.seed = seed;
    this.prefetchDepth = prefetchDepth;
    this.lut = new float[ds.channels()][];
    for (int c = 0; c < ds.channels(); c++) {
      lut[c] = norm.lookupTable(c);
    }
  }

  /**
   * An evaluation loader: data-set order, no augmentation, last partial batch kept.
   *
   * @param ds the data set
   * @param batchSize images per batch
   * @param norm the normalisation
   * @return the loader
   */
  public static BatchLoader forEvaluation(ImageDataset ds, int batchSize, Normalization norm) {
    return new BatchLoader(ds, batchSize, false, false, Augmentation.none(), norm, 0L);
  }

  /**
   * Returns a loader identical to this one whose epoch iterators build up to {@code depth} batches ahead
   * on a background thread. The batches are the same as without prefetching; close an iterator that is
   * abandoned before its end ({@link BatchIterator#close()}) to stop its thread at once.
   *
   * @param depth batches built ahead, ≥ 1; 0 switches prefetching off
   * @return the loader
   * @throws IllegalArgumentException if {@code depth} is negative
   */
  public BatchLoader prefetching(int depth) {
    if (depth < 0) {
      throw new IllegalArgumentException("prefetch depth must be ≥ 0, got " + depth);
    }
    return new BatchLoader(dataset, batchSize, shuffle, dropLast, augmentation, normalization, seed, depth);
  }

  @Override
  public int size() {
    return dataset.size();
  }

  /** Number of batches in every epoch. */
  @Override
  public int batchesPerEpoch() {
    return batchesPerEpoch;
  }

  /** Images per full batch. */
  @Override
  public int batchSize() {
    return batchSize;
  }

  public ImageDataset dataset() {
    return dataset;
  }

  public boolean shuffle() {
    return shuffle;
  }

  public boolean dropLast() {
    return dropLast;
  }

  public Augmentation augmentation() {
    return augmentation;
  }

  public Normalization normalization() {
    return normalization;
  }

  public long seed() {
    return seed;
  }

  /** Batches built ahead by epoch iterators, 0 if none. */
  public int prefetchDepth() {
    return prefetchDepth;
  }

  /**
   * Iterates over all batches of an epoch.
   *
   * @param epoch the epoch, ≥ 0
   * @return a single-use iterator, also usable in a for-each loop
   */
  public BatchIterator epoch(int epoch) {
    return epoch(epoch, 0);
  }

  /**
   * Iterates over the batches of an epoch from batch {@code startBatch} on, exactly as an iteration
   * started at batch 0 would have produced them (to resume a run mid-epoch).
   *
   * @param epoch the epoch, ≥ 0
   * @param startBatch the first batch, in {@code [0, batchesPerEpoch()]}
   * @return a single-use iterator, also usable in a for-each loop
   * @throws IllegalArgumentException if an argument is out of range
   */
  @Override
  public BatchIterator epoch(int epoch, int startBatch) {
    checkEpoch(epoch);
    if (startBatch < 0 || startBatch > batchesPerEpoch) {
      throw new IllegalArgumentException(
          "start batch must be in [0, " + batchesPerEpoch + "], got " + startBatch);
    }
    return new BatchIterator(this, epoch, order(epoch), startBatch, batchesPerEpoch, prefetchDepth);
  }

  /**
   * Builds one batch on its own.
   *
   * @param epoch the epoch, ≥ 0
   * @param index the batch, in {@code [0, batchesPerEpoch())}
   * @return the batch, equal to the one {@link #epoch(int)} yields at that index
   */
  @Override
  public ImageBatch batch(int epoch, int index) {
    checkEpoch(epoch);
    if (index < 0 || index >= batchesPerEpoch) {
      throw new IllegalArgumentException("batch index must be in [0, " + batchesPerEpoch + "), got " + index);
    }
    return build(epoch, order(epoch), index);
  }

  /**
   * The order in which epoch {@code epoch} visits the data set.
   *
   * @param epoch the epoch, ≥ 0
   * @return a permutation of 0..N−1 (the identity if not shuffling); the last {@code N mod batchSize}
   *     entries are not visited when dropping the last batch
   */
  public int[] order(int epoch) {
    checkEpoch(epoch);
    if (shuffle) {
      return BatchSource.shuffledOrder(dataset.size(), seed, epoch);
    }
    int[] order = new int[dataset.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    return order;
  }

  /** Builds batch {@code index} of an epoch whose order is {@code order}. */
  ImageBatch build(int epoch, int[] order, int index) {
    int start = index * batchSize;
    int size = Math.min(batchSize, dataset.size() - start);
    int c = dataset.channels();
    int h = dataset.height();
    int w = dataset.width();
    int imageSize = dataset.imageSize();
    byte[] px = dataset.pixelArray();
    int[] allLabels = dataset.labelArray();
    float[] images = new float[size * imageSize];
    int[] labels = new int[size];
    long[] indices = new long[size];
    long augKey = mix64(epochKey(epoch) ^ 0x5DEECE66DL);
    boolean plain = augmentation.isNone();
    int plane = h * w;
    for (int k = 0; k < size; k++) {
      int i = order[start + k];
      labels[k] = allLabels[i];
      indices[k] = i;
      int src = i * imageSize;
      int dst = k * imageSize;
      if (plain) {
        for (int ch = 0; ch < c; ch++) {
          float[] t = lut[ch];
          int s = src + ch * plane;
          int d = dst + ch * plane;
          for (int j = 0; j < plane; j++) {
            images[d + j] = t[px[s + j] & 0xFF];
          }
        }
      } else {
        // One generator per epoch position: any batch can be built alone and gets the same draws.
        SplittableRandom rng = new SplittableRandom(mix64(augKey + start + k));
        augmentation.apply(px, src, c, h, w, augmentation.draw(rng), lut, images, dst);
      }
    }
    return new ImageBatch(images, labels, size, c, h, w, indices);
  }

  private long epochKey(int epoch) {
    return BatchSource.epochKey(seed, epoch);
  }

  private static void checkEpoch(int epoch) {
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must be ≥ 0, got " + epoch);
    }
  }

  /** Stafford's "Mix13" 64-bit finaliser (as in SplittableRandom): a bijection that scrambles all bits. */
  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  @Override
  public String toString() {
    return "BatchLoader[" + dataset.name() + ", batch " + batchSize + (shuffle ? ", shuffled" : "")
        + (dropLast ? ", drop last" : "") + ", " + augmentation + ", seed " + seed + "]";
  }
}

package org.nst4j.data;

import java.util.Objects;

/**
 * One mini-batch, ready to be copied into a tensor of shape (size, channels, height, width).
 *
 * <p>"Immutable-ish": for speed the arrays are handed over without copies; neither the loader nor anybody
 * else may modify them once the batch exists.
 *
 * @param images size·channels·height·width normalised pixels, image after image, each channel-major
 * @param labels size class labels
 * @param size number of images B ≥ 1 (the last batch of an epoch may be smaller than the batch size)
 * @param channels C
 * @param height H
 * @param width W
 * @param indices each image's index in the data set the batch was cut from (CRD's memory banks read it), or
 *     null when unknown (batches made by hand)
 */
public record ImageBatch(float[] images, int[] labels, int size, int channels, int height, int width, long[] indices) {

  /** A batch whose images' data-set indices are unknown. */
  public ImageBatch(float[] images, int[] labels, int size, int channels, int height, int width) {
    this(images, labels, size, channels, height, width, null);
  }

  /**
   * Checks the shapes.
   *
   * @throws IllegalArgumentException if the array lengths disagree with the shape
   */
  public ImageBatch {
    Objects.requireNonNull(images, "images");
    Objects.requireNonNull(labels, "labels");
    if (indices != null && indices.length != labels.length) {
      throw new IllegalArgumentException("batch of " + labels.length + " labels has " + indices.length + " indices");
    }
    if (size < 1 || channels < 1 || height < 1 || width < 1) {
      throw new IllegalArgumentException(
          "batch shape must be positive, got " + size + "×" + channels + "×" + height + "×" + width);
    }
    if (labels.length != size || (long) images.length != (long) size * channels * height * width) {
      throw new IllegalArgumentException(
          "batch of " + size + " × " + channels + "×" + height + "×" + width + " needs "
              + (long) size * channels * height * width + " pixels and " + size + " labels, got "
              + images.length + " and " + labels.length);
    }
  }

  /** Floats per image, C·H·W. */
  public int imageSize() {
    return channels * height * width;
  }

  /** The labels widened to long (DJL's sparse cross-entropy wants int64 indices). */
  public long[] longLabels() {
    long[] out = new long[size];
    for (int i = 0; i < size; i++) {
      out[i] = labels[i];
    }
    return out;
  }

  /** The shape as {B, C, H, W}. */
  public long[] shape() {
    return new long[] {size, channels, height, width};
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ImageBatch)) {
      return false;
    }
    ImageBatch b = (ImageBatch) o;
    return size == b.size
        && channels == b.channels
        && height == b.height
        && width == b.width
        && java.util.Arrays.equals(labels, b.labels)
        && java.util.Arrays.equals(indices, b.indices)
        && java.util.Arrays.equals(images, b.images);
  }

  @Override
  public int hashCode() {
    return 31 * java.util.Arrays.hashCode(labels) + java.util.Arrays.hashCode(images);
  }

  @Override
  public String toString() {
    return "ImageBatch[" + size + " × " + channels + "×" + height + "×" + width + "]";
  }
}

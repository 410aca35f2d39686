package org.nst4j.data;

import java.util.SplittableRandom;

/**
 * Training-time augmentation: pad, random crop back to the original size, random horizontal flip — the
 * torchvision pipeline {@code RandomCrop(size, padding=pad)} then {@code RandomHorizontalFlip(0.5)}.
 *
 * <p>FMNIST-10k ("Data"): pad 2 pixels on every side with the background value 0 (a raw pixel of 0, i.e.
 * before normalising, as torchvision pads the [0, 1] tensor before {@code Normalize}), random 28×28 crop,
 * horizontal flip with p = 0.5. See {@link #fmnist10k()}.
 *
 * <p>Immutable. The random choices for one image are drawn as a {@link Draw} from a caller-supplied
 * generator, so that the caller controls determinism (see {@link BatchLoader}).
 */
public final class Augmentation {
  private static final Augmentation NONE = new Augmentation(0, false);

  private final int pad;
  private final boolean horizontalFlip;

  private Augmentation(int pad, boolean horizontalFlip) {
    this.pad = pad;
    this.horizontalFlip = horizontalFlip;
  }

  /** No augmentation: images pass unchanged (evaluation). */
  public static Augmentation none() {
    return NONE;
  }

  /**
   * Pads {@code pad} pixels of value 0 on every side, crops a random window of the original size (each of
   * the 2·pad + 1 offsets per axis equally likely) and, if {@code horizontalFlip}, mirrors it left-right
   * with probability 0.5.
   *
   * @param pad padding in pixels, ≥ 0
   * @param horizontalFlip whether to flip at random
   * @return the augmentation
   * @throws IllegalArgumentException if {@code pad} is negative
   */
  public static Augmentation padCropFlip(int pad, boolean horizontalFlip) {
    if (pad < 0) {
      throw new IllegalArgumentException("padding must be ≥ 0, got " + pad);
    }
    if (pad == 0 && !horizontalFlip) {
      return NONE;
    }
    return new Augmentation(pad, horizontalFlip);
  }

  /** The FMNIST-10k training augmentation: pad 2, random crop, horizontal flip with p = 0.5. */
  public static Augmentation fmnist10k() {
    return padCropFlip(2, true);
  }

  /** Padding in pixels on each side. */
  public int pad() {
    return pad;
  }

  /** Whether images are flipped left-right at random. */
  public boolean horizontalFlip() {
    return horizontalFlip;
  }

  /** True if this augmentation leaves every image unchanged. */
  public boolean isNone() {
    return pad == 0 && !horizontalFlip;
  }

  /**
   * The random choices for one image.
   *
   * @param dy top row of the crop window in the padded image, 0..2·pad
   * @param dx left column of the crop window in the padded image, 0..2·pad
   * @param flip whether the crop is mirrored left-right
   */
  public record Draw(int dy, int dx, boolean flip) {}

  /** The draw that leaves an image unchanged (centred crop, no flip). */
  public Draw identity() {
    return new Draw(pad, pad, false);
  }

  /**
   * Draws the random choices for one image: crop row, crop column, then (if enabled) the flip — always in
   * that order, so a generator in a given state always gives the same draw.
   *
   * @param rng the generator
   * @return the draw
   */
  public Draw draw(SplittableRandom rng) {
    if (isNone()) {
      return identity();
    }
    int range = 2 * pad + 1;
    int dy = rng.nextInt(range);
    int dx = rng.nextInt(range);
    boolean flip = horizontalFlip && rng.nextBoolean();
    return new Draw(dy, dx, flip);
  }

  /**
   * Augments one channel-major image and normalises it through per-channel lookup tables in one pass.
   * Output pixel (c, y, x) is padded pixel (c, y + dy, x' + dx) with x' = W−1−x if flipped, else x; padded
   * pixels outside the image are raw 0, i.e. {@code lut[c][0]} after normalising.
   *
   * @param src source bytes
   * @param srcOffset offset of the image's first byte
   * @param channels C
   * @param height H
   * @param width W
   * @param d the draw
   * @param lut per-channel 256-entry tables of normalised values ({@link Normalization#lookupTable})
   * @param dst destination
   * @param dstOffset offset of the image's first float
   */
  public void apply(
      byte[] src,
      int srcOffset,
      int channels,
      int height,
      int width,
      Draw d,
      float[][] lut,
      float[] dst,
      int dstOffset) {
    int plane = height * width;
    int rowShift = d.dy() - pad;
    int colShift = d.dx() - pad;
    boolean flip = d.flip();
    for (int c = 0; c < channels; c++) {
      float[] t = lut[c];
      float background = t[0];
      int srcPlane = srcOffset + c * plane;
      int dstPlane = dstOffset + c * plane;
      for (int y = 0; y < height; y++) {
        int sy = y + rowShift;
        int out = dstPlane + y * width;
        if (sy < 0 || sy >= height) {
          for (int x = 0; x < width; x++) {
            dst[out + x] = background;
          }
          continue;
        }
        int row = srcPlane + sy * width;
        // Output columns [lo, hi) read inside the image, the rest is padding: bounds computed once per row
        // so the inner loops have no branches.
        int lo;
        int hi;
        if (flip) {
          // x reads source column W−1−x+colShift
          lo = Math.min(width, Math.max(0, colShift));
          hi = Math.min(width, width + colShift);
        } else {
          // x reads source column x+colShift
          lo = Math.min(width, Math.max(0, -colShift));
          hi = Math.min(width, width - colShift);
        }
        for (int x = 0; x < lo; x++) {
          dst[out + x] = background;
        }
        if (flip) {
          int base = row + width - 1 + colShift;
          for (int x = lo; x < hi; x++) {
            dst[out + x] = t[src[base - x] & 0xFF];
          }
        } else {
          int base = row + colShift;
          for (int x = lo; x < hi; x++) {
            dst[out + x] = t[src[base + x] & 0xFF];
          }
        }
        for (int x = Math.max(lo, hi); x < width; x++) {
          dst[out + x] = background;
        }
      }
    }
  }

  /**
   * Augments one channel-major image without normalising, for tests and for looking at the result.
   *
   * @param image C·H·W raw bytes
   * @param channels C
   * @param height H
   * @param width W
   * @param d the draw
   * @return the augmented C·H·W raw bytes
   */
  public byte[] apply(byte[] image, int channels, int height, int width, Draw d) {
    if (image.length != channels * height * width) {
      throw new IllegalArgumentException(
          "image has " + image.length + " bytes, not " + channels + "×" + height + "×" + width);
    }
    float[] identity = new float[256];
    for (int v = 0; v < 256; v++) {
      identity[v] = v;
    }
    float[][] lut = new float[channels][];
    java.util.Arrays.fill(lut, identity);
    float[] out = new float[image.length];
    apply(image, 0, channels, height, width, d, lut, out, 0);
    byte[] result = new byte[image.length];
    for (int i = 0; i < out.length; i++) {
      result[i] = (byte) (int) out[i];
    }
    return result;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Augmentation
        && ((Augmentation) o).pad == pad
        && ((Augmentation) o).horizontalFlip == horizontalFlip;
  }

  @Override
  public int hashCode() {
    return 31 * pad + (horizontalFlip ? 1 : 0);
  }

  @Override
  public String toString() {
    return isNone() ? "none" : "pad " + pad + " + random crop" + (horizontalFlip ? " + horizontal flip" : "");
  }
}

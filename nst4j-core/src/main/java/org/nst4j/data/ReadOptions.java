package org.nst4j.data;

/**
 * How a data set is read: how many pixels an image folder may decode, checked on the image headers before
 * any image is decoded (a few PNGs of large dimensions are small on disk but take gigabytes once decoded),
 * and whether numbered classes counted from the labels may have no image.
 *
 * @param maxImagePixels the largest image accepted (width × height)
 * @param maxTotalPixels the sum of width × height over all images of a data set
 * @param allowEmptyClasses accept an IDX folder of an unknown data set whose labels skip classes (its class
 *     count is the largest label plus one, so a damaged label byte of 42 would make a 43-class data set)
 */
public record ReadOptions(long maxImagePixels, long maxTotalPixels, boolean allowEmptyClasses) {
  /** Default per image: 64 Mpx (an 8192×8192 image; 192 MiB decoded, 256 MiB in ImageIO's buffer). */
  public static final long DEFAULT_MAX_IMAGE_PIXELS = 1L << 26;

  /**
   * Bytes of Java heap one decoded pixel needs: 3 for its RGB planes, up to 3 in the data set built from
   * them, and room for the normalisation and the decoder's buffer.
   */
  static final long HEAP_BYTES_PER_PIXEL = 8;

  /**
   * Checks the limits.
   *
   * @throws IllegalArgumentException if a limit is below 1
   */
  public ReadOptions {
    if (maxImagePixels < 1) {
      throw new IllegalArgumentException("--max-image-pixels must be ≥ 1, got " + maxImagePixels);
    }
    if (maxTotalPixels < 1) {
      throw new IllegalArgumentException("--max-total-pixels must be ≥ 1, got " + maxTotalPixels);
    }
  }

  /**
   * The defaults: {@link #DEFAULT_MAX_IMAGE_PIXELS} per image, and in all what this JVM's heap holds at
   * {@value #HEAP_BYTES_PER_PIXEL} bytes a pixel (a data set is one byte array, so never more than 2^31 / 3);
   * empty numbered classes refused.
   */
  public static ReadOptions defaults() {
    return new ReadOptions(DEFAULT_MAX_IMAGE_PIXELS, defaultTotal(), false);
  }

  /** The default total budget for this JVM's heap. */
  public static long defaultTotal() {
    return Math.min(Runtime.getRuntime().maxMemory() / HEAP_BYTES_PER_PIXEL, (Integer.MAX_VALUE - 8) / 3);
  }
}

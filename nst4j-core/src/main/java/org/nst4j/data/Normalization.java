package org.nst4j.data;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * Per-channel normalisation {@code (x/255 − mean[c]) / std[c]}, with mean and std in [0, 1] pixel units,
 * as torchvision's {@code ToTensor()} followed by {@code Normalize(mean, std)}.
 *
 * <p>Immutable: the arrays are copied in and out. A record so that Jackson writes and reads it as
 * {@code {"mean":[…],"std":[…]}} without annotations.
 *
 * @param mean per-channel mean of x/255, each finite
 * @param std per-channel standard deviation of x/255, each finite and &gt; 0
 */
public record Normalization(double[] mean, double[] std) {
  /** Fashion-MNIST, fixed by the FMNIST-10k protocol (fmnist-10k.md, "Data"). */
  public static final Normalization FASHION_MNIST = of(0.2860, 0.3530);

  /** MNIST, the customary values of the training set. */
  public static final Normalization MNIST = of(0.1307, 0.3081);

  /** CIFAR-10, the customary per-channel RGB values of the training set. */
  public static final Normalization CIFAR10 =
      new Normalization(new double[] {0.4914, 0.4822, 0.4465}, new double[] {0.2470, 0.2435, 0.2616});

  /** CIFAR-100, the customary per-channel RGB values of the training set. */
  public static final Normalization CIFAR100 =
      new Normalization(new double[] {0.5071, 0.4865, 0.4409}, new double[] {0.2673, 0.2564, 0.2762});

  /**
   * Creates a normalisation.
   *
   * @throws IllegalArgumentException if the arrays are empty or of different lengths, or a value is not
   *     finite, or a std is not positive
   */
  public Normalization {
    Objects.requireNonNull(mean, "mean");
    Objects.requireNonNull(std, "std");
    if (mean.length == 0 || mean.length != std.length) {
      throw new IllegalArgumentException(
          "mean and std need one value per channel, got " + mean.length + " and " + std.length);
    }
    for (int c = 0; c < mean.length; c++) {
      if (!Double.isFinite(mean[c]) || !Double.isFinite(std[c]) || std[c] <= 0) {
        throw new IllegalArgumentException(
            "channel " + c + ": mean must be finite and std finite and > 0, got mean " + mean[c]
                + ", std " + std[c]);
      }
    }
    mean = mean.clone();
    std = std.clone();
  }

  /** Single-channel normalisation. */
  public static Normalization of(double mean, double std) {
    return new Normalization(new double[] {mean}, new double[] {std});
  }

  /** The identity on [0, 1] pixels (mean 0, std 1) for {@code channels} channels: x/255 only. */
  public static Normalization unit(int channels) {
    if (channels < 1) {
      throw new IllegalArgumentException("channels must be ≥ 1, got " + channels);
    }
    double[] m = new double[channels];
    double[] s = new double[channels];
    Arrays.fill(s, 1.0);
    return new Normalization(m, s);
  }

  /**
   * Computes the per-channel mean and (population) standard deviation of x/255 over all pixels of
   * {@code ds}, exactly (integer sums). A channel whose pixels are all equal gets std 1, so that
   * normalising it does not divide by zero.
   *
   * @param ds a non-empty data set
   * @return its normalisation
   * @throws IllegalArgumentException if {@code ds} is empty
   */
  public static Normalization compute(ImageDataset ds) {
    if (ds.size() == 0) {
      throw new IllegalArgumentException("cannot compute a normalisation of the empty data set " + ds.name());
    }
    int channels = ds.channels();
    int plane = ds.height() * ds.width();
    long[][] hist = new long[channels][256];
    byte[] px = ds.pixelArray();
    int image = ds.imageSize();
    for (int i = 0; i < ds.size(); i++) {
      int base = i * image;
      for (int c = 0; c < channels; c++) {
        long[] h = hist[c];
        int off = base + c * plane;
        for (int k = 0; k < plane; k++) {
          h[px[off + k] & 0xFF]++;
        }
      }
    }
    double[] mean = new double[channels];
    double[] std = new double[channels];
    double count = (double) ds.size() * plane;
    for (int c = 0; c < channels; c++) {
      double s1 = 0;
      double s2 = 0;
      for (int v = 0; v < 256; v++) {
        s1 += (double) hist[c][v] * v;
        s2 += (double) hist[c][v] * v * v;
      }
      double m = s1 / count;
      double var = Math.max(0, s2 / count - m * m);
      mean[c] = m / 255.0;
      std[c] = var > 0 ? Math.sqrt(var) / 255.0 : 1.0;
    }
    return new Normalization(mean, std);
  }

  /** Returns a copy of the per-channel means. */
  @Override
  public double[] mean() {
    return mean.clone();
  }

  /** Returns a copy of the per-channel standard deviations. */
  @Override
  public double[] std() {
    return std.clone();
  }

  /** Number of channels. */
  public int channels() {
    return mean.length;
  }

  /**
   * Normalises one raw pixel.
   *
   * @param channel the channel
   * @param raw the pixel value, 0..255
   * @return {@code (raw/255 − mean[channel]) / std[channel]}
   */
  public double apply(int channel, int raw) {
    return (raw / 255.0 - mean[channel]) / std[channel];
  }

  /**
   * Returns the 256-entry table of normalised values of one channel, for batching without arithmetic.
   *
   * @param channel the channel
   * @return a new array t with {@code t[v] = (float) apply(channel, v)}
   */
  public float[] lookupTable(int channel) {
    float[] t = new float[256];
    for (int v = 0; v < 256; v++) {
      t[v] = (float) apply(channel, v);
    }
    return t;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Normalization
        && Arrays.equals(mean, ((Normalization) o).mean)
        && Arrays.equals(std, ((Normalization) o).std);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Normalization[mean=");
    append(sb, mean);
    sb.append(", std=");
    append(sb, std);
    return sb.append(']').toString();
  }

  private static void append(StringBuilder sb, double[] values) {
    sb.append('(');
    for (int i = 0; i < values.length; i++) {
      sb.append(i > 0 ? ", " : "").append(String.format(Locale.ROOT, "%.4f", values[i]));
    }
    sb.append(')');
  }
}

package org.nst4j.detection;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.nst4j.data.Normalization;

/**
 * The decoded images of one COCO split with their objects, cut into training batches (pixels + CenterNet
 * targets) in an order that is a pure function of (seed, epoch), with random horizontal flips.
 *
 * <p>Why a pure function: a run resumed from the checkpoint of epoch e must see exactly the batches an
 * uninterrupted run sees in epoch e + 1, without saving any random state. Each epoch draws from its own
 * {@link SplittableRandom} seeded with (seed, epoch): a Fisher–Yates shuffle of the images, then one flip coin
 * per position. A flipped image is mirrored left–right and its boxes with it ({@code x' = W − x − w}).
 *
 * <p>Pixels are kept as bytes (10,000 FMNIST-Det scenes take 92 MB as bytes, four times that as floats) and
 * normalised per batch, {@code (x/255 − mean[c]) / std[c]} ({@link Normalization}): a detector whose backbone
 * was trained as a classifier must see its inputs normalised as they were then. Every image must have the same size and channel count: the detector is
 * fully convolutional, but a batch is one array.
 */
public final class DetectionBatches {
  private final CocoDataset split;
  private final List<CocoImage> images;
  private final List<List<CocoAnnotation>> objects;
  private final byte[][] pixels;
  private final int channels;
  private final int height;
  private final int width;
  private final Map<Integer, Integer> channelOf;

  private DetectionBatches(CocoDataset split, int channels, byte[][] pixels, Map<Integer, Integer> channelOf) {
    this.split = split;
    this.images = split.images();
    this.channels = channels;
    this.pixels = pixels;
    this.channelOf = channelOf;
    this.height = images.get(0).height();
    this.width = images.get(0).width();
    Map<Long, List<CocoAnnotation>> byImage = split.annotationsByImage();
    this.objects = new ArrayList<>();
    for (CocoImage im : images) {
      objects.add(byImage.getOrDefault(im.id(), List.of()));
    }
  }

  /**
   * Decodes every image of a split (on all cores).
   *
   * @param split the split (its image files are read)
   * @param channels 1 (gray) or 3 (RGB)
   * @param channelOf the heatmap channel of each category id
   * @return the loaded split
   * @throws IllegalArgumentException if the split has no image or its images differ in size
   */
  public static DetectionBatches load(CocoDataset split, int channels, Map<Integer, Integer> channelOf) {
    List<CocoImage> images = split.images();
    if (images.isEmpty()) {
      throw new IllegalArgumentException(split.name() + ": no images");
    }
    CocoImage first = images.get(0);
    for (CocoImage im : images) {
      if (im.width() != first.width() || im.height() != first.height()) {
        throw new IllegalArgumentException(split.name() + ": image " + im.id() + " is " + im.width() + "×"
            + im.height() + ", image " + first.id() + " is " + first.width() + "×" + first.height()
            + "; the detector trains on images of one size");
      }
    }
    byte[][] pixels = new byte[images.size()][];
    IntStream.range(0, images.size()).parallel()
        .forEach(i -> pixels[i] = CocoReader.loadImage(split, images.get(i), channels));
    return new DetectionBatches(split, channels, pixels, channelOf);
  }

  /** The split. */
  public CocoDataset split() {
    return split;
  }

  /** Number of images. */
  public int size() {
    return images.size();
  }

  /** Image channels. */
  public int channels() {
    return channels;
  }

  /** Image height. */
  public int height() {
    return height;
  }

  /** Image width. */
  public int width() {
    return width;
  }

  /** Batches per epoch: the last one may be smaller. */
  public int batchesPerEpoch(int batchSize) {
    return (images.size() + batchSize - 1) / batchSize;
  }

  /**
   * The batches of one epoch: per batch, the image positions, each negative ({@code −1 − i}) when image i
   * is to be flipped.
   *
   * @param seed the run's seed
   * @param epoch 1-based epoch
   * @param batchSize images per batch
   * @param flip whether to draw flips (no flips when false)
   * @return the batches, in order
   */
  public List<int[]> epoch(long seed, int epoch, int batchSize, boolean flip) {
    SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
    int n = images.size();
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    for (int i = 0; i < n; i++) {
      if (flip && random.nextBoolean()) {
        order[i] = -1 - order[i];
      }
    }
    List<int[]> batches = new ArrayList<>();
    for (int start = 0; start < n; start += batchSize) {
      int[] b = new int[Math.min(batchSize, n - start)];
      System.arraycopy(order, start, b, 0, b.length);
      batches.add(b);
    }
    return batches;
  }

  /**
   * The pixels of some images, scaled to [0, 1], as a B×C×H×W array.
   *
   * @param manager where to create the array
   * @param positions image positions, negative ({@code −1 − i}) for a flipped image
   * @return the images
   */
  public NDArray images(NDManager manager, int[] positions) {
    return images(manager, positions, Normalization.unit(channels));
  }

  /**
   * The pixels of some images, normalised, as a B×C×H×W array.
   *
   * @param manager where to create the array
   * @param positions image positions, negative ({@code −1 − i}) for a flipped image
   * @param normalization per-channel mean and std (of x/255), one per image channel
   * @return the images
   * @throws IllegalArgumentException if the normalisation has another number of channels
   */
  public NDArray images(NDManager manager, int[] positions, Normalization normalization) {
    if (normalization.channels() != channels) {
      throw new IllegalArgumentException("a normalisation of " + normalization.channels() + " channels for images"
          + " of " + channels);
    }
    float[][] table = new float[channels][];
    for (int c = 0; c < channels; c++) {
      table[c] = normalization.lookupTable(c);
    }
    int plane = height * width;
    float[] x = new float[positions.length * channels * plane];
    for (int b = 0; b < positions.length; b++) {
      boolean flipped = positions[b] < 0;
      byte[] src = pixels[flipped ? -1 - positions[b] : positions[b]];
      int base = b * channels * plane;
      for (int c = 0; c < channels; c++) {
        float[] t = table[c];
        for (int y = 0; y < height; y++) {
          int row = c * plane + y * width;
          for (int col = 0; col < width; col++) {
            int from = row + (flipped ? width - 1 - col : col);
            x[base + row + col] = t[src[from] & 0xFF];
          }
        }
      }
    }
    return manager.create(x, new Shape(positions.length, channels, height, width));
  }

  /**
   * The objects of an image as they appear after the flip, if any.
   *
   * @param position an image position, negative ({@code −1 − i}) for a flipped image
   * @return its annotations, boxes mirrored when flipped
   */
  public List<CocoAnnotation> objects(int position) {
    if (position >= 0) {
      return objects.get(position);
    }
    List<CocoAnnotation> mirrored = new ArrayList<>();
    for (CocoAnnotation a : objects.get(-1 - position)) {
      mirrored.add(new CocoAnnotation(a.id(), a.imageId(), a.categoryId(), flip(a.bbox(), width), a.area(),
          a.crowd()));
    }
    return mirrored;
  }

  /** A box mirrored left–right in an image of the given width. */
  static Box flip(Box b, int imageWidth) {
    return new Box(imageWidth - b.x() - b.width(), b.y(), b.width(), b.height());
  }

  /**
   * The training inputs of a batch: {@code [images, heatmap, index, mask, size, offset]} (see
   * {@link CenterNetLoss#batch}).
   *
   * @param manager where to create the arrays
   * @param positions the batch, as {@link #epoch} gives it
   * @param stride the detector's grid stride
   * @param normalization the detector's input normalisation
   * @return the arrays
   */
  public NDList batch(NDManager manager, int[] positions, int stride, Normalization normalization) {
    List<CenterNetTargets> targets = new ArrayList<>();
    for (int p : positions) {
      targets.add(CenterNetTargets.encode(width, height, stride, channelOf, objects(p)));
    }
    NDList out = new NDList(images(manager, positions, normalization));
    out.addAll(CenterNetLoss.batch(manager, targets));
    return out;
  }

  /** The image at a position (never flipped). */
  public CocoImage image(int position) {
    return images.get(position);
  }
}

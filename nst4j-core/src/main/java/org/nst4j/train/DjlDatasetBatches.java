package org.nst4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Record;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import org.nst4j.data.BatchSource;
import org.nst4j.data.ImageBatch;

/**
 * nst4j's batches cut from a DJL {@link RandomAccessDataset}, so that {@link TrainingLoop} trains on a Java
 * user's own DJL data with the guarantees of nst4j's own data sets ({@link BatchSource}).
 *
 * <p>Which DJL datasets work: any {@link RandomAccessDataset} (an {@code ArrayDataset}, DJL's basic datasets,
 * a user's subclass) whose {@link RandomAccessDataset#get(NDManager, long) get(manager, index)} returns a
 * {@link Record} with
 * <ul>
 *   <li>{@code getData().get(0)}: the image, a float32 array of shape (C, H, W), already normalised as the model
 *       expects (nothing is scaled here), the same shape for every item;
 *   <li>{@code getLabels().get(0)}: the class, one number (shape () or (1)) of any integer type, or a float32
 *       or float64 holding a whole number, in [0, classes).
 * </ul>
 * Only {@code get} is called: DJL's own sampler, batchifier and the pipelines that {@code getData} applies are
 * not used. The order is nst4j's ({@link BatchSource#shuffledOrder}: a pure function of (seed, epoch)), not the
 * dataset's random sampler, so a run resumed mid-epoch sees the batches an uninterrupted run would have seen,
 * and an {@code ArrayDataset} holding the items of an {@code ImageDataset}, normalised, gives the same batches
 * as {@link org.nst4j.data.BatchLoader} for the same seed. Each batch carries its items' dataset indices (CRD).
 * Augmentation is left to the user's data (nst4j's pad-crop-flip works on 8-bit images).
 *
 * <p>Each batch's records are read in their own sub-manager of {@code manager}, copied into the batch's float
 * and int arrays (labels are converted there, once) and freed with it, so nothing of the dataset's reads
 * accumulates across a run. Not thread-safe (DJL datasets are read on the training thread); immutable itself.
 */
public final class DjlDatasetBatches implements BatchSource {
  private final RandomAccessDataset dataset;
  private final NDManager manager;
  private final int size;
  private final int batchSize;
  private final boolean shuffle;
  private final boolean dropLast;
  private final long seed;
  private final int classes;
  private final Shape imageShape;
  private final int batchesPerEpoch;

  /**
   * Creates the batches; reads the first item to learn the images' shape.
   *
   * @param dataset the DJL dataset, of 1 to {@link Integer#MAX_VALUE} items, as described above
   * @param manager the manager the items are read with (a sub-manager per batch)
   * @param batchSize items per batch, ≥ 1
   * @param shuffle whether each epoch visits the items in its own seeded order (else in dataset order)
   * @param dropLast whether the last, smaller batch of an epoch is dropped
   * @param seed the seed of the order
   * @param classes the classes of the model trained, ≥ 1: a label outside [0, classes) is refused
   * @throws IllegalArgumentException if an argument is invalid, the dataset is empty or too large, its first item
   *     is not an image and a label as described above, or an epoch would have no batch
   */
  public DjlDatasetBatches(RandomAccessDataset dataset, NDManager manager, int batchSize, boolean shuffle,
      boolean dropLast, long seed, int classes) {
    Objects.requireNonNull(dataset, "dataset");
    Objects.requireNonNull(manager, "manager");
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be ≥ 1, got " + batchSize);
    }
    if (classes < 1) {
      throw new IllegalArgumentException("classes must be ≥ 1, got " + classes);
    }
    long n = dataset.size();
    if (n < 1 || n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("the DJL dataset has " + n + " items; nst4j's loop takes 1 to "
          + Integer.MAX_VALUE);
    }
    this.dataset = dataset;
    this.manager = manager;
    this.size = (int) n;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.seed = seed;
    this.classes = classes;
    this.batchesPerEpoch = BatchSource.batchesPerEpoch(size, batchSize, dropLast);
    if (batchesPerEpoch < 1) {
      throw new IllegalArgumentException("the DJL dataset of " + size + " items gives no full batch of " + batchSize);
    }
    try (NDManager scope = manager.newSubManager()) {
      NDArray first = image(read(scope, 0), 0);
      if (first.getShape().dimension() != 3) {
        throw new IllegalArgumentException("item 0 of the DJL dataset: the image has shape " + first.getShape()
            + "; nst4j's loop takes one image of shape (C, H, W) per item");
      }
      this.imageShape = first.getShape();
    }
  }

  /**
   * The training batches of a recipe: shuffled with its seed, its batch size and last-batch policy.
   *
   * @param dataset the DJL dataset
   * @param manager the manager the items are read with
   * @param recipe the recipe; its augmentation must be off
   * @param classes the classes of the model trained
   * @return the batches
   * @throws IllegalArgumentException as the constructor, or if the recipe augments
   */
  public static DjlDatasetBatches forTraining(RandomAccessDataset dataset, NDManager manager, TrainingRecipe recipe,
      int classes) {
    if (!recipe.augmentation().isNone()) {
      throw new IllegalArgumentException("a DJL dataset is trained on as it is: build the recipe with"
          + " optAugment(false) (nst4j's augmentation, " + recipe.augmentation() + ", works on 8-bit images)");
    }
    return new DjlDatasetBatches(dataset, manager, recipe.batchSize(), true, recipe.dropLast(), recipe.seed(),
        classes);
  }

  /**
   * Evaluation batches: dataset order, the last partial batch kept.
   *
   * @param dataset the DJL dataset
   * @param manager the manager the items are read with
   * @param batchSize items per batch, ≥ 1
   * @param classes the classes of the model evaluated
   * @return the batches
   * @throws IllegalArgumentException as the constructor
   */
  public static DjlDatasetBatches forEvaluation(RandomAccessDataset dataset, NDManager manager, int batchSize,
      int classes) {
    return new DjlDatasetBatches(dataset, manager, batchSize, false, false, 0, classes);
  }

  /** The dataset the batches are read from. */
  public RandomAccessDataset dataset() {
    return dataset;
  }

  /** The shape (C, H, W) of every image, read from the first item. */
  public Shape imageShape() {
    return imageShape;
  }

  /** Channels of the images. */
  public int channels() {
    return (int) imageShape.get(0);
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public int batchSize() {
    return batchSize;
  }

  @Override
  public int batchesPerEpoch() {
    return batchesPerEpoch;
  }

  public boolean shuffle() {
    return shuffle;
  }

  public boolean dropLast() {
    return dropLast;
  }

  public long seed() {
    return seed;
  }

  /**
   * The order in which epoch {@code epoch} visits the dataset.
   *
   * @param epoch the epoch, ≥ 0
   * @return a permutation of 0..N−1 (the identity when not shuffling)
   */
  public int[] order(int epoch) {
    checkEpoch(epoch);
    if (shuffle) {
      return BatchSource.shuffledOrder(size, seed, epoch);
    }
    int[] order = new int[size];
    for (int i = 0; i < size; i++) {
      order[i] = i;
    }
    return order;
  }

  @Override
  public ImageBatch batch(int epoch, int index) {
    checkEpoch(epoch);
    if (index < 0 || index >= batchesPerEpoch) {
      throw new IllegalArgumentException("batch index must be in [0, " + batchesPerEpoch + "), got " + index);
    }
    return build(order(epoch), index);
  }

  @Override
  public Iterator<ImageBatch> epoch(int epoch, int startBatch) {
    checkEpoch(epoch);
    if (startBatch < 0 || startBatch > batchesPerEpoch) {
      throw new IllegalArgumentException("start batch must be in [0, " + batchesPerEpoch + "], got " + startBatch);
    }
    int[] order = order(epoch);
    return new Iterator<>() {
      private int next = startBatch;

      @Override
      public boolean hasNext() {
        return next < batchesPerEpoch;
      }

      @Override
      public ImageBatch next() {
        if (!hasNext()) {
          throw new NoSuchElementException("epoch " + epoch + " has no batch after " + (batchesPerEpoch - 1));
        }
        return build(order, next++);
      }
    };
  }

  /** Reads batch {@code index} of an epoch whose order is {@code order}, in a sub-manager freed at once. */
  private ImageBatch build(int[] order, int index) {
    int start = index * batchSize;
    int count = Math.min(batchSize, size - start);
    int imageSize = (int) imageShape.size();
    float[] images = new float[count * imageSize];
    int[] labels = new int[count];
    long[] indices = new long[count];
    try (NDManager scope = manager.newSubManager()) {
      for (int k = 0; k < count; k++) {
        int i = order[start + k];
        Record r = read(scope, i);
        NDArray x = image(r, i);
        if (!x.getShape().equals(imageShape)) {
          throw new IllegalArgumentException("item " + i + " of the DJL dataset: image of shape " + x.getShape()
              + ", item 0's is " + imageShape + " (every image must have the same shape)");
        }
        System.arraycopy(x.toFloatArray(), 0, images, k * imageSize, imageSize);
        labels[k] = label(r, i);
        indices[k] = i;
      }
    }
    return new ImageBatch(images, labels, count, (int) imageShape.get(0), (int) imageShape.get(1),
        (int) imageShape.get(2), indices);
  }

  private Record read(NDManager scope, int i) {
    try {
      Record r = dataset.get(scope, i);
      if (r == null || r.getData() == null || r.getData().isEmpty()) {
        throw new IllegalArgumentException("item " + i + " of the DJL dataset has no data (an image is expected)");
      }
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException("item " + i + " of the DJL dataset cannot be read: " + e.getMessage(), e);
    }
  }

  private static NDArray image(Record r, int i) {
    NDArray x = r.getData().get(0);
    if (x.getDataType() != DataType.FLOAT32) {
      throw new IllegalArgumentException("item " + i + " of the DJL dataset: the image is " + x.getDataType()
          + "; nst4j's loop takes float32 images (C, H, W), normalised (convert them when building the dataset)");
    }
    return x;
  }

  /** The item's label as a class index; DJL datasets often hold float32 labels (ArrayDataset's default). */
  private int label(Record r, int i) {
    NDList ls = r.getLabels();
    if (ls == null || ls.isEmpty() || ls.get(0).size() != 1) {
      throw new IllegalArgumentException("item " + i + " of the DJL dataset: "
          + (ls == null || ls.isEmpty() ? "no label" : "label of shape " + ls.get(0).getShape())
          + "; nst4j's loop takes one class index per item");
    }
    NDArray l = ls.get(0);
    double v;
    switch (l.getDataType()) {
      case FLOAT32, FLOAT64, FLOAT16, INT8, UINT8, INT32, INT64 -> v = l.toType(DataType.FLOAT64, false)
          .toDoubleArray()[0];
      default -> throw new IllegalArgumentException("item " + i + " of the DJL dataset: label of type "
          + l.getDataType() + "; nst4j's loop takes an integer or a float holding a whole number");
    }
    if (!(v >= 0 && v < classes && v == Math.rint(v))) {
      throw new IllegalArgumentException("item " + i + " of the DJL dataset: label " + v + " is not a class index"
          + " in [0, " + classes + ")");
    }
    return (int) v;
  }

  private static void checkEpoch(int epoch) {
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must be ≥ 0, got " + epoch);
    }
  }

  @Override
  public String toString() {
    return "DjlDatasetBatches[" + dataset.getClass().getSimpleName() + " of " + size + ", batch " + batchSize
        + (shuffle ? ", shuffled" : "") + (dropLast ? ", drop last" : "") + ", seed " + seed + "]";
  }
}

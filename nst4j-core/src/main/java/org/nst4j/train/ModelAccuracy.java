package org.nst4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.nio.FloatBuffer;
import java.util.Iterator;
import org.nst4j.data.ImageBatch;
import org.nst4j.data.BatchLoader;
import org.nst4j.data.BatchSource;
import org.nst4j.data.ImageDataset;
import org.nst4j.data.Normalization;
import org.nst4j.model.TappedModel;

/** Test-set accuracy of a model in inference mode (BatchNorm running statistics, no augmentation). */
public final class ModelAccuracy {
  private ModelAccuracy() {}

  /**
   * Classifies every image of {@code data} and returns the fraction classified correctly.
   *
   * @param model the model (initialised)
   * @param manager a manager for the temporaries (a sub-manager per batch is opened and closed)
   * @param data the images
   * @param normalization the normalisation used in training
   * @param batchSize images per forward pass
   * @return accuracy in [0, 1]
   */
  public static double accuracy(
      TappedModel model, NDManager manager, ImageDataset data, Normalization normalization, int batchSize) {
    return accuracy(model, manager, BatchLoader.forEvaluation(data, batchSize, normalization));
  }

  /**
   * Classifies every image of one epoch of {@code batches} (epoch 0, from its first batch) and returns the
   * fraction classified correctly.
   *
   * @param model the model (initialised)
   * @param manager a manager for the temporaries (a sub-manager per batch is opened and closed)
   * @param batches evaluation batches: in data-set order, the last partial batch kept (e.g.
   *     {@link BatchLoader#forEvaluation}), so that every image counts once
   * @return accuracy in [0, 1]
   */
  public static double accuracy(TappedModel model, NDManager manager, BatchSource batches) {
    ParameterStore store = new ParameterStore(manager, false);
    long correct = 0;
    long seen = 0;
    for (Iterator<ImageBatch> it = batches.epoch(0, 0); it.hasNext(); ) {
      ImageBatch batch = it.next();
      try (NDManager scope = manager.newSubManager()) {
        NDArray x = toImages(scope, batch);
        NDArray y = toLabels(scope, batch);
        NDList out = model.forward(store, new NDList(x), false);
        correct += out.get(0).argMax(1).eq(y).sum().getLong();
      }
      seen += batch.size();
    }
    return seen == 0 ? Double.NaN : (double) correct / seen;
  }

  /**
   * The batch's images as a B×C×H×W float32 array owned by {@code manager}, laid out channels-last in memory
   * (strides of B×H×W×C).
   *
   * <p>Why: libtorch's oneDNN convolutions take channels-last input without reordering it to a blocked format
   * and back on every call, and the layout propagates through BatchNorm, ReLU, additions and the following
   * convolutions. On the FMNIST-10k ResNet-8 this cut the forward pass at 2 threads from 21.9 to 14.6 ms per
   * batch (docs/bench/java-vs-pytorch.md); it is PyTorch's own advice for CPU training
   * ({@code model.to(memory_format=torch.channels_last)}). The logical shape and every result are unchanged.
   */
  public static NDArray toImages(NDManager manager, ImageBatch batch) {
    int b = batch.size();
    int c = batch.channels();
    int h = batch.height();
    int w = batch.width();
    float[] chw = batch.images();
    FloatBuffer hwc;
    if (c == 1) {
      hwc = FloatBuffer.wrap(chw, 0, b * h * w); // one channel: both layouts are the same bytes
    } else {
      float[] interleaved = new float[b * c * h * w];
      int plane = h * w;
      for (int i = 0; i < b; i++) {
        int base = i * c * plane;
        for (int ch = 0; ch < c; ch++) {
          for (int p = 0; p < plane; p++) {
            interleaved[base + p * c + ch] = chw[base + ch * plane + p];
          }
        }
      }
      hwc = FloatBuffer.wrap(interleaved);
    }
    // A permuted view, not a copy: the strides are what tells libtorch the memory format.
    return manager.create(hwc, new Shape(b, h, w, c)).transpose(0, 3, 1, 2);
  }

  /** The batch's labels as an int64 vector owned by {@code manager}. */
  public static NDArray toLabels(NDManager manager, ImageBatch batch) {
    int[] labels = batch.labels();
    long[] wide = new long[batch.size()];
    for (int i = 0; i < wide.length; i++) {
      wide[i] = labels[i];
    }
    return manager.create(wide);
  }
}

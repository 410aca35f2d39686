package org.nst4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.nio.FloatBuffer;
import java.util.Iterator;
import org.nst4j.data.Augmentation;
import org.nst4j.data.Batch;
import org.nst4j.data.BatchLoader;
import org.nst4j.data.ImageDataset;
import org.nst4j.data.Normalization;
import org.nst4j.model.TappedModel;

/** Test-set accuracy of a model in inference mode (BatchNorm running statistics, no augmentation). */
public final class Evaluator {
  private Evaluator() {}

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
    BatchLoader loader = new BatchLoader(data, batchSize, false, false, Augmentation.none(), normalization, 0);
    ParameterStore store = new ParameterStore(manager, false);
    long correct = 0;
    for (Iterator<Batch> it = loader.epoch(0); it.hasNext(); ) {
      Batch batch = it.next();
      try (NDManager scope = manager.newSubManager()) {
        NDArray x = toImages(scope, batch);
        NDArray y = toLabels(scope, batch);
        NDList out = model.forward(store, new NDList(x), false);
        correct += out.get(0).argMax(1).eq(y).sum().getLong();
      }
    }
    return data.size() == 0 ? Double.NaN : (double) correct / data.size();
  }

  /** The batch's images as a B×C×H×W float32 array owned by {@code manager}. */
  public static NDArray toImages(NDManager manager, Batch batch) {
    return manager.create(FloatBuffer.wrap(batch.images(), 0, batch.size() * batch.channels() * batch.height() * batch.width()),
        new Shape(batch.size(), batch.channels(), batch.height(), batch.width()));
  }

  /** The batch's labels as an int64 vector owned by {@code manager}. */
  public static NDArray toLabels(NDManager manager, Batch batch) {
    int[] labels = batch.labels();
    long[] wide = new long[batch.size()];
    for (int i = 0; i < wide.length; i++) {
      wide[i] = labels[i];
    }
    return manager.create(wide);
  }
}

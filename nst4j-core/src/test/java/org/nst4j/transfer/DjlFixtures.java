package org.nst4j.transfer;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.dataset.ArrayDataset;
import org.nst4j.data.BatchLoader;
import org.nst4j.data.DataSources;
import org.nst4j.data.DataSplits;
import org.nst4j.data.ImageBatch;
import org.nst4j.data.ImageDataset;
import org.nst4j.model.Layers;
import org.nst4j.model.TappedBlock;

/** What a DJL user brings to the Java API in tests: a plain {@code SequentialBlock} and an {@code ArrayDataset}. */
public final class DjlFixtures {
  private DjlFixtures() {}

  /**
   * A small CNN as a plain DJL block, wrapped: conv(8)-BN-ReLU-pool (tap {@code conv1}, 8×14×14 for 28×28),
   * conv(16)-BN-ReLU-pool (tap {@code conv2}, 16×7×7), global average pool, linear(10).
   *
   * @param architecture the wrapper's name
   * @param channels input channels
   * @param classes classes
   * @return the uninitialised wrapper
   */
  public static TappedBlock tinyCnn(String architecture, int channels, int classes) {
    SequentialBlock cnn = new SequentialBlock()
        .add(Layers.conv(8, 3, 1)).add(Layers.batchNorm()).add(Activation.reluBlock())
        .add(Pool.maxPool2dBlock(new Shape(2, 2)))
        .add(Layers.conv(16, 3, 1)).add(Layers.batchNorm()).add(Activation.reluBlock())
        .add(Pool.maxPool2dBlock(new Shape(2, 2)))
        .add(Pool.globalAvgPool2dBlock()).add(Layers.linear(classes));
    return TappedBlock.wrap(architecture, cnn, channels, classes, "conv1=04LambdaBlock", "conv2=08LambdaBlock");
  }

  /**
   * The first {@code perClass} training images of each class of the embedded sample, normalised, with float32
   * labels (what DJL's users have).
   *
   * @param manager owner of the arrays
   * @param perClass images per class
   * @param batch batch size (shuffled)
   * @return the data set
   */
  public static ArrayDataset sample(NDManager manager, int perClass, int batch) {
    DataSplits sample = DataSources.sample();
    ImageDataset ds = sample.train().firstPerClass(perClass);
    ImageBatch all = BatchLoader.forEvaluation(ds, ds.size(), sample.normalization()).batch(0, 0);
    float[] labels = new float[all.size()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = all.labels()[i];
    }
    return new ArrayDataset.Builder()
        .setData(manager.create(all.images(), new Shape(all.size(), 1, 28, 28)))
        .optLabels(manager.create(labels))
        .setSampling(batch, true)
        .build();
  }
}

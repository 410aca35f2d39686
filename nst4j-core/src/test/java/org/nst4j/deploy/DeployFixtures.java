package org.nst4j.deploy;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.nst4j.data.ImageBatch;
import org.nst4j.data.BatchLoader;
import org.nst4j.data.DataSources;
import org.nst4j.data.DataSplits;
import org.nst4j.data.ImageDataset;
import org.nst4j.model.TappedModel;
import org.nst4j.store.ModelCard;
import org.nst4j.store.ModelStore;
import org.nst4j.train.ModelAccuracy;
import org.nst4j.train.RunSpec;
import org.nst4j.train.TrainingRecipe;
import org.nst4j.train.TrainingRun;

/** A small trained student and test images of the embedded sample, shared by the deploy tests. */
public final class DeployFixtures {
  private DeployFixtures() {}

  /** The embedded sample's splits. */
  public static DataSplits sample() {
    return DataSources.resolve("sample", null);
  }

  /** Trains cnn-small for one epoch on 30 images per class of the sample into {@code out}. */
  public static Path trainStudent(Path out) throws IOException {
    DataSplits s = sample();
    DataSplits small = new DataSplits(s.name(), s.train(), s.test().firstPerClass(5), s.normalization());
    TrainingRun.execute(RunSpec.builder().setArch("cnn-small").setData(small).optPerClass(30)
        .setConfig(TrainingRecipe.builder().setEpochs(1).setBatchSize(30).setLearningRate(0.05).build())
        .setOut(out).optProgress(false).optCommand("test").build());
    return out;
  }

  /** {@code n} images spread evenly over {@code ds} (so that every class appears in the sample's test split). */
  public static ImageDataset spread(ImageDataset ds, int n) {
    int[] idx = new int[n];
    for (int i = 0; i < n; i++) {
      idx[i] = (int) ((long) i * ds.size() / n);
    }
    return ds.subset(idx, ds.name() + " spread " + n);
  }

  /** Image {@code i} of a one-channel data set as an 8-bit gray image. */
  public static BufferedImage gray(ImageDataset ds, int i) {
    BufferedImage img = new BufferedImage(ds.width(), ds.height(), BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < ds.height(); y++) {
      for (int x = 0; x < ds.width(); x++) {
        img.getRaster().setSample(x, y, 0, ds.pixel(i, 0, y, x));
      }
    }
    return img;
  }

  /** Writes the images of {@code ds} as PNG files {@code 00.png, 01.png, ...}. */
  public static List<Path> writePngs(ImageDataset ds, Path dir) throws IOException {
    Files.createDirectories(dir);
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < ds.size(); i++) {
      Path f = dir.resolve(String.format("%02d.png", i));
      ImageIO.write(gray(ds, i), "png", f.toFile());
      files.add(f);
    }
    return files;
  }

  /**
   * The saved model's predicted class of each image of {@code ds}, computed as
   * {@code nst4j eval} computes them: the data pipeline's normalised batch, a forward pass in inference mode,
   * the argmax of the logits.
   */
  public static int[] argmaxByForward(Path model, ImageDataset ds) {
    int n = ds.size();
    ModelCard card = ModelStore.readCard(model);
    org.nst4j.data.Normalization norm =
        new org.nst4j.data.Normalization(card.normalizationMean(), card.normalizationStd());
    try (Model m = ModelStore.load(model, Device.cpu());
        NDManager scope = m.getNDManager().newSubManager()) {
      ImageBatch batch = BatchLoader.forEvaluation(ds, n, norm).epoch(0).next();
      NDArray x = ModelAccuracy.toImages(scope, batch);
      NDList out = ((TappedModel) m.getBlock()).forward(new ParameterStore(scope, false), new NDList(x), false);
      long[] best = out.get(0).argMax(1).toLongArray();
      int[] r = new int[n];
      for (int i = 0; i < n; i++) {
        r[i] = (int) best[i];
      }
      return r;
    }
  }
}

package org.nst4j.deploy;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.inference.Predictor;
import ai.djl.modality.Classifications;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.nst4j.store.ModelCard;
import org.nst4j.store.ModelStore;

/**
 * An nst4j classifier ready to use: {@code Classifier.load(dir).classify(image)}.
 *
 * <p>Loads an exported model folder ({@link ModelExport}) — or any nst4j run or model folder — through
 * DJL's {@code Criteria} with {@link ModelBlockFactory} and {@link ImageClassifierTranslatorFactory}, so it
 * behaves exactly as a DJL user's own {@code Criteria} would. Images are prepared as in training (see
 * {@link ImageClassifierTranslator}). Not thread-safe (one DJL predictor per kind of input); close it.
 */
public final class Classifier implements AutoCloseable {
  private final ModelCard card;
  private final ZooModel<BufferedImage, Classifications> model;
  private final Predictor<BufferedImage, Classifications> images;
  private final Predictor<Path, Classifications> files;

  private Classifier(ModelCard card, ZooModel<BufferedImage, Classifications> model) {
    this.card = card;
    this.model = model;
    this.images = model.newPredictor();
    this.files = model.newPredictor(ImageClassifierTranslator.forFiles(card));
  }

  /**
   * Loads a classifier.
   *
   * @param dir an exported model folder, or a run or model folder written by nst4j train/distill
   * @return the classifier; close it
   * @throws IllegalArgumentException if the folder holds no nst4j model card or its parameters do not fit
   * @throws IOException if reading fails
   */
  public static Classifier load(Path dir) throws IOException {
    return load(dir, Device.cpu());
  }

  /**
   * Loads a classifier onto a device.
   *
   * @param dir an exported model folder, or a run or model folder written by nst4j train/distill
   * @param device where to run it
   * @return the classifier; close it
   * @throws IllegalArgumentException if the folder holds no nst4j model card or its parameters do not fit
   * @throws IOException if reading fails
   */
  public static Classifier load(Path dir, Device device) throws IOException {
    Path modelDir = ModelStore.modelDir(dir);
    ModelCard card = ModelStore.readCard(modelDir);
    Criteria<BufferedImage, Classifications> criteria = Criteria.builder()
        .setTypes(BufferedImage.class, Classifications.class)
        .optModelPath(modelDir)
        .optEngine("PyTorch")
        .optDevice(device)
        .optModelName(ModelStore.MODEL_NAME)
        .optArgument("blockFactory", new ModelBlockFactory())
        .optTranslatorFactory(new ImageClassifierTranslatorFactory())
        .build();
    try {
      return new Classifier(card, criteria.loadModel());
    } catch (ModelNotFoundException | MalformedModelException e) {
      throw new IllegalArgumentException(modelDir + ": cannot be loaded as an nst4j classifier ("
          + e.getMessage() + ")", e);
    }
  }

  /** The model's card: architecture, input size, classes, normalisation. */
  public ModelCard card() {
    return card;
  }

  /**
   * Classifies one image.
   *
   * @param image the image (any size and colour model; converted and resized as in training)
   * @return probabilities of every class, best first via {@link Classifications#best()}
   * @throws TranslateException if the prediction fails
   */
  public Classifications classify(BufferedImage image) throws TranslateException {
    return images.predict(image);
  }

  /**
   * Classifies images in one batch.
   *
   * @param batch the images
   * @return one result per image, in order
   * @throws TranslateException if the prediction fails
   */
  public List<Classifications> classify(List<BufferedImage> batch) throws TranslateException {
    return images.batchPredict(batch);
  }

  /**
   * Classifies image files (PNG, JPEG) in one batch.
   *
   * @param batch the files
   * @return one result per file, in order
   * @throws TranslateException if a file cannot be decoded or the prediction fails (the cause is an
   *     {@link org.nst4j.data.DataFormatException} naming the file)
   */
  public List<Classifications> classifyFiles(List<Path> batch) throws TranslateException {
    return files.batchPredict(batch);
  }

  @Override
  public void close() {
    images.close();
    files.close();
    model.close();
  }
}

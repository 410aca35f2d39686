package org.nst4j.deploy;

import ai.djl.Device;
import ai.djl.Model;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import org.nst4j.store.ModelCard;
import org.nst4j.store.ModelStore;

/**
 * Writes a trained nst4j model as a self-describing DJL model folder:
 *
 * <ul>
 *   <li>{@code model-0000.params}: the parameters (DJL format);
 *   <li>{@code model.json}: the model card — architecture, input channels and size, class names, the
 *       normalisation of training, accuracy and provenance;
 *   <li>{@code serving.properties}: what DJL needs to load it with {@code Criteria} and nothing else: engine
 *       PyTorch, model name, {@link ModelBlockFactory} and {@link ImageClassifierTranslatorFactory}.
 * </ul>
 *
 * <p>The folder is loaded by {@link Classifier#load}, by {@code nst4j predict}, or by plain DJL:
 * {@code Criteria.builder().setTypes(BufferedImage.class, Classifications.class).optModelPath(dir)
 * .optTranslatorFactory(new ImageClassifierTranslatorFactory()).build()} with the nst4j jar on the class
 * path.
 */
public final class ModelExport {
  /** DJL's file of loading arguments in a model folder. */
  public static final String SERVING_PROPERTIES = "serving.properties";

  private ModelExport() {}

  /**
   * Exports a model.
   *
   * @param source a run folder or model folder written by nst4j train/distill
   * @param target the folder to create (must not exist, or be empty)
   * @return the model's card
   * @throws IllegalArgumentException if the source is not a loadable nst4j model, or the target exists and
   *     is not an empty folder
   * @throws IOException if writing fails
   */
  public static ModelCard export(Path source, Path target) throws IOException {
    Path dir = ModelStore.modelDir(source);
    ModelCard card = ModelStore.readCard(dir);
    try (Model check = ModelStore.load(dir, Device.cpu())) {
      // Loading rebuilds the architecture and reads every parameter: a broken model is refused here,
      // before anything is written.
    }
    if (Files.exists(target)) {
      if (!Files.isDirectory(target)) {
        throw new IllegalArgumentException(target + " exists and is not a folder");
      }
      try (Stream<Path> s = Files.list(target)) {
        if (s.findAny().isPresent()) {
          throw new IllegalArgumentException(target + " is not empty; export into a new folder");
        }
      }
    }
    if (!card.paramsFile().equals(ModelStore.paramsFileName())) {
      throw new IllegalArgumentException(dir.resolve(ModelStore.CARD_FILE) + ": parameter file '"
          + card.paramsFile() + "' is not the '" + ModelStore.paramsFileName() + "' nst4j writes");
    }
    Files.createDirectories(target);
    Files.copy(dir.resolve(card.paramsFile()), target.resolve(card.paramsFile()),
        StandardCopyOption.REPLACE_EXISTING);
    Files.copy(dir.resolve(ModelStore.CARD_FILE), target.resolve(ModelStore.CARD_FILE),
        StandardCopyOption.REPLACE_EXISTING);
    String props = "# Written by nst4j export. Load with DJL's Criteria and the nst4j jar on the class path:\n"
        + "# Criteria.builder().setTypes(BufferedImage.class, Classifications.class).optModelPath(<this folder>)\n"
        + "#     .optTranslatorFactory(new org.nst4j.deploy.ImageClassifierTranslatorFactory()).build()\n"
        + "engine=PyTorch\n"
        + "option.modelName=" + ModelStore.MODEL_NAME + "\n"
        + "blockFactory=" + ModelBlockFactory.class.getName() + "\n"
        + "translatorFactory=" + ImageClassifierTranslatorFactory.class.getName() + "\n";
    Files.writeString(target.resolve(SERVING_PROPERTIES), props, StandardCharsets.UTF_8);
    return card;
  }
}

package org.nst4j.store;

import java.time.Instant;
import java.util.List;
import org.nst4j.data.Normalization;
import org.nst4j.model.TappedModel;

/**
 * What a saved model is, written next to its parameters as {@code model.json}: enough to rebuild the
 * network, prepare its input exactly as in training, and know how good it is.
 *
 * @param format always {@link #FORMAT}
 * @param architecture zoo name, e.g. {@code resnet20}
 * @param inputChannels C
 * @param inputHeight H of the training images
 * @param inputWidth W of the training images
 * @param numClasses K
 * @param classNames one name per class
 * @param dataset the training data set's name
 * @param normalizationMean per-channel mean in [0,1] pixel units
 * @param normalizationStd per-channel std in [0,1] pixel units
 * @param role {@code teacher} or {@code student}
 * @param method the objective it was trained with
 * @param seed the run's seed
 * @param epochs epochs trained
 * @param testAccuracy final test accuracy, 0..1
 * @param tapNames the model's feature taps
 * @param paramsFile the DJL parameter file's name, beside this card
 * @param command the command line that produced it
 * @param created ISO-8601 time of saving
 * @param paramsSha256 SHA-256 of the parameter file, lower-case hex, filled in by {@link ModelStore#save}
 *     (null in cards written before it existed; loading then skips the check)
 */
public record ModelCard(
    String format,
    String architecture,
    int inputChannels,
    int inputHeight,
    int inputWidth,
    int numClasses,
    List<String> classNames,
    String dataset,
    double[] normalizationMean,
    double[] normalizationStd,
    String role,
    String method,
    long seed,
    int epochs,
    double testAccuracy,
    List<String> tapNames,
    String paramsFile,
    String command,
    String created,
    String paramsSha256) {

  /** The format tag of cards this version writes and reads. */
  public static final String FORMAT = "nst4j-model/1";

  /**
   * The card of a model trained outside nst4j's commands (e.g. a {@code TappedBlock} student distilled in a DJL
   * loop): architecture, counts and taps from the model, role {@code student}, provenance fields empty (method
   * and dataset null, seed and epochs 0, test accuracy 0 for "not measured"). For a custom architecture, {@link
   * ModelStore#load} rebuilds the model through the factory given to {@code ModelZoo.register} under its name.
   *
   * @param model the model (its {@link TappedModel#architecture()} is what loading rebuilds)
   * @param inputHeight H of the images it was trained on
   * @param inputWidth W of the images
   * @param normalization the per-channel normalisation its inputs had (one value per input channel)
   * @param classNames one name per class
   * @return the card, to pass to {@link ModelStore#save}
   * @throws IllegalArgumentException if the normalisation or the class names do not fit the model
   */
  public static ModelCard of(TappedModel model, int inputHeight, int inputWidth, Normalization normalization,
      List<String> classNames) {
    if (normalization.mean().length != model.inputChannels()) {
      throw new IllegalArgumentException("the normalisation has " + normalization.mean().length + " channels, the"
          + " model " + model.inputChannels());
    }
    if (classNames.size() != model.numClasses()) {
      throw new IllegalArgumentException(classNames.size() + " class names for the " + model.numClasses()
          + " classes of " + model.architecture());
    }
    return new ModelCard(FORMAT, model.architecture(), model.inputChannels(), inputHeight, inputWidth,
        model.numClasses(), List.copyOf(classNames), null, normalization.mean().clone(), normalization.std().clone(),
        "student", null, 0, 0, 0, model.tapNames(), ModelStore.paramsFileName(), null, Instant.now().toString(),
        null);
  }

  /** This card with the parameter file's checksum set. */
  public ModelCard withParamsSha256(String sha256) {
    return new ModelCard(format, architecture, inputChannels, inputHeight, inputWidth, numClasses, classNames,
        dataset, normalizationMean, normalizationStd, role, method, seed, epochs, testAccuracy, tapNames,
        paramsFile, command, created, sha256);
  }
}

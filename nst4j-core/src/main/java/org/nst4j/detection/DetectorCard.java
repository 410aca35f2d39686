package org.nst4j.detection;

import java.util.List;
import org.nst4j.data.Normalization;

/**
 * What a saved detector is, written as {@code model/detector.json} beside its parameters: enough to rebuild
 * the block ({@link CenterNetDetector#create}) and to turn its outputs into COCO detections (the category id
 * of each heatmap channel), without the data set it was trained on.
 *
 * @param format the card format, {@value DetectorStore#FORMAT}
 * @param arch the backbone architecture
 * @param tap the backbone tap the heads read
 * @param inputChannels image channels, 1 or 3
 * @param height training image height (any multiple of the stride works at inference)
 * @param width training image width
 * @param categoryIds the COCO category id of each heatmap channel
 * @param categoryNames their names
 * @param seed the initialisation seed (the parameters replace it; recorded for the record)
 * @param data the training data set's folder
 * @param paramsFile the parameter file's name, in the same folder
 * @param command the command line that trained it
 * @param normalization what the pixels were normalised with before the forward pass, {@code (x/255 − mean) /
 *     std} per channel: the backbone card's when the backbone was initialised from a classification run (it must
 *     see the inputs it was trained on), else the identity on [0, 1]; null in cards written before it was
 *     recorded, whose detectors were all trained on [0, 1] pixels ({@link #inputNormalization()})
 */
public record DetectorCard(
    int format,
    String arch,
    String tap,
    int inputChannels,
    int height,
    int width,
    List<Integer> categoryIds,
    List<String> categoryNames,
    long seed,
    String data,
    String paramsFile,
    String command,
    Normalization normalization) {
  /** Copies the lists. */
  public DetectorCard {
    categoryIds = List.copyOf(categoryIds);
    categoryNames = List.copyOf(categoryNames);
  }

  /** The normalisation the detector expects: the recorded one, or the identity on [0, 1] for older cards. */
  public Normalization inputNormalization() {
    return normalization == null ? Normalization.unit(inputChannels) : normalization;
  }
}

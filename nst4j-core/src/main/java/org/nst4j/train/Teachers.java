package org.nst4j.train;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.nst4j.data.ImageDataset;
import org.nst4j.model.TappedModel;
import org.nst4j.model.TorchScriptModel;
import org.nst4j.store.ModelCard;
import org.nst4j.store.ModelStore;

/**
 * Loads the frozen teacher of a distillation run from a path: an nst4j model (a run or model folder with
 * {@code model.json}, see {@link ModelStore}) or a TorchScript module exported from PyTorch (a {@code .pt}
 * file, or a folder holding one and no {@code model.json}; see {@link TorchScriptModel}).
 */
public final class Teachers {
  private Teachers() {}

  /**
   * Whether {@code path} names a TorchScript teacher: a regular file, or a folder without {@code model.json}
   * (itself or in {@code model/}) that holds at least one {@code .pt} file.
   *
   * @param path the teacher path
   * @return true for TorchScript
   */
  public static boolean isTorchScript(Path path) {
    if (Files.isRegularFile(path)) {
      return true;
    }
    if (!Files.isDirectory(path) || Files.isRegularFile(path.resolve(ModelStore.CARD_FILE))
        || Files.isRegularFile(path.resolve("model").resolve(ModelStore.CARD_FILE))) {
      return false;
    }
    return !TorchScriptModel.ptFilesIn(path).isEmpty();
  }

  /**
   * Loads a teacher that can serve {@code train}: same input channels, same number of classes.
   *
   * @param path an nst4j run/model folder, a TorchScript file, or a folder holding one {@code .pt} file
   * @param tapNames for a TorchScript teacher, the names of the maps after its logits (null: tap1..tapN);
   *     must be null or empty for an nst4j model, whose taps are named by its architecture
   * @param train the training data
   * @param device where to load it
   * @return the DJL model, whose block is a {@link TappedModel}; the caller closes it
   * @throws IllegalArgumentException if the teacher does not fit the data or tap names are given for an nst4j
   *     model
   * @throws org.nst4j.data.DataFormatException if a TorchScript file is unusable
   */
  public static Model load(Path path, List<String> tapNames, ImageDataset train, Device device) {
    if (isTorchScript(path)) {
      return TorchScriptModel.load(path, tapNames,
          new Shape(train.channels(), train.height(), train.width()), train.numClasses(), device);
    }
    ModelCard card = ModelStore.readCard(path);
    if (tapNames != null && !tapNames.isEmpty()) {
      throw new IllegalArgumentException("--teacher-taps names the maps of a TorchScript teacher; " + path
          + " is an nst4j model (" + card.architecture() + ") whose taps are " + card.tapNames());
    }
    TrainingRun.checkTeacherFits(card, train);
    return ModelStore.load(path, device);
  }
}

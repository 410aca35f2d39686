package org.nst4j.train;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.nst4j.data.ImageDataset;
import org.nst4j.model.Models;
import org.nst4j.model.TappedBlock;
import org.nst4j.model.TappedModel;
import org.nst4j.model.TorchScriptModel;
import org.nst4j.store.ModelCard;
import org.nst4j.store.ModelStore;

/**
 * Frozen teachers, for the command line and for Java users: from an nst4j run or model folder ({@code model.json},
 * see {@link ModelStore}; zoo models, and custom ones registered with {@code ModelZoo.register}), from a
 * TorchScript module exported from PyTorch (a {@code .pt} file, or a folder holding one and no {@code model.json};
 * see {@link TorchScriptModel}), or from any DJL {@link Model} with the names of its taps.
 *
 * <p>A teacher returned here is initialised and frozen: no parameter requires a gradient, so running it inside a
 * DJL gradient collector records no graph (what {@code org.nst4j.transfer.DistillationBlock} relies on).
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
    // The command line's path: messages name its options.
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

  /**
   * A frozen teacher from an nst4j run folder or model folder (e.g. the shipped {@code models/fmnist-resnet20}).
   *
   * @param path the run folder or its {@code model/} folder
   * @param device where to load it, e.g. {@code Device.cpu()}
   * @return the DJL model, whose block is the frozen {@link TappedModel}; the caller closes it after training
   * @throws IllegalArgumentException if the folder holds no readable model, its architecture is neither a zoo
   *     name nor registered, or its parameters do not fit
   */
  public static Model fromFolder(Path path, Device device) {
    Model model = ModelStore.load(path, device);
    Models.setTrainable((TappedModel) model.getBlock(), false);
    return model;
  }

  /**
   * A frozen teacher from a TorchScript module whose {@code forward} returns {@code (logits, map_1, ...,
   * map_n)} (see {@link TorchScriptModel}).
   *
   * @param file the {@code .pt} file, or a folder holding exactly one
   * @param tapNames the names of the maps after the logits, in order; empty for {@code tap1..tapN}
   * @param inputChw the shape of one input image, C×H×W
   * @param numClasses the number of classes the logits must have
   * @param device where to run it
   * @return the DJL model, whose block is the {@link TappedModel}; the caller closes it
   * @throws IllegalArgumentException if {@code tapNames} does not name every map once
   * @throws org.nst4j.data.DataFormatException naming the file if it is not a usable module
   */
  public static Model fromTorchScript(Path file, List<String> tapNames, Shape inputChw, int numClasses,
      Device device) {
    return TorchScriptModel.load(file, tapNames, inputChw, numClasses, device, "tapNames");
  }

  /**
   * A frozen teacher from a trained DJL model: its block wrapped as a {@link TappedBlock} (a {@code
   * SequentialBlock}: {@code taps} name its children, see {@link TappedBlock#wrap}; any other block: its forward
   * returns {@code [logits, maps...]} and {@code taps} name the maps, see {@link TappedBlock#ofOutputs}), then
   * initialised for the input shape (its parameters are kept) and frozen. The returned wrapper uses the model's
   * parameters: keep the model open while it is used, and close it after.
   *
   * @param model the trained DJL model (initialised)
   * @param inputChw the shape of one input image, C×H×W
   * @param numClasses the width of its logits
   * @param taps the taps (child paths, or map names; see above)
   * @return the frozen teacher, named after the model
   * @throws IllegalArgumentException if the model has no block, the taps do not fit it, or its outputs are not
   *     B×numClasses logits and B×C×H×W maps for this input
   * @throws IllegalStateException if the model's block is not initialised
   */
  public static TappedModel fromModel(Model model, Shape inputChw, int numClasses, String... taps) {
    if (model == null || model.getBlock() == null) {
      throw new IllegalArgumentException("the teacher model must have a block");
    }
    if (inputChw == null || inputChw.dimension() != 3) {
      throw new IllegalArgumentException("inputChw must be C×H×W, got " + inputChw);
    }
    Block block = model.getBlock();
    if (!block.isInitialized()) {
      throw new IllegalStateException("the teacher model " + model.getName() + " is not initialised: train or load"
          + " it first");
    }
    int channels = (int) inputChw.get(0);
    TappedBlock teacher = block instanceof SequentialBlock
        ? TappedBlock.wrap(model.getName(), block, channels, numClasses, taps)
        : TappedBlock.ofOutputs(model.getName(), block, channels, numClasses, taps);
    teacher.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1).addAll(inputChw));
    Models.setTrainable(teacher, false);
    return teacher;
  }
}

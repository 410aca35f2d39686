package org.nst4j.cli;

import ai.djl.Model;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.nst4j.data.DataSplits;
import org.nst4j.data.ImageDataset;
import org.nst4j.data.Normalization;
import org.nst4j.model.TappedModel;
import org.nst4j.store.ModelCard;
import org.nst4j.store.ModelStore;
import org.nst4j.train.ModelAccuracy;
import org.nst4j.train.Teachers;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code nst4j eval}: test accuracy of a saved model. */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Print the test accuracy of a saved model.")
final class EvalCommand implements Callable<Integer> {
  @Mixin DataOptions data = new DataOptions();
  @Mixin RuntimeOptions runtime = new RuntimeOptions();
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "PATH",
      description = "Run folder or model folder, or a TorchScript file (fed the data's own normalisation).")
  Path model;

  @Option(names = "--batch", defaultValue = "500", paramLabel = "B", description = "Evaluation batch size.")
  int batch;

  @Override
  public Integer call() {
    if (batch < 1) {
      throw new IllegalArgumentException("--batch must be ≥ 1, got " + batch);
    }
    var device = runtime.device();
    if (Teachers.isTorchScript(model)) {
      return evalTorchScript(device);
    }
    ModelCard card = ModelStore.readCard(model);
    runtime.applyThreads();
    DataSplits splits = data.load();
    ImageDataset test = splits.test();
    if (test.channels() != card.inputChannels() || test.numClasses() != card.numClasses()) {
      throw new IllegalArgumentException("the model (" + card.architecture() + ", " + card.inputChannels()
          + " channels, " + card.numClasses() + " classes) does not fit " + test.name() + " (" + test.channels()
          + " channels, " + test.numClasses() + " classes)");
    }
    try (Model m = ModelStore.load(model, device)) {
      // The model's own normalisation, from its card: the one it was trained with.
      Normalization normalization = new Normalization(card.normalizationMean(), card.normalizationStd());
      double accuracy;
      try {
        accuracy = ModelAccuracy.accuracy((TappedModel) m.getBlock(), m.getNDManager(), test, normalization, batch);
      } catch (ai.djl.engine.EngineException e) {
        // Channels and classes were checked above; what is left is an image size the network cannot take.
        throw new IllegalArgumentException("the model (" + card.architecture() + ", trained on "
            + card.inputHeight() + "×" + card.inputWidth() + " images) cannot process the " + test.height() + "×"
            + test.width() + " images of " + test.name() + ": " + Errors.firstLine(e.getMessage()));
      }
      spec.commandLine().getOut().printf(Locale.ROOT, "test accuracy %.4f (%d images of %s)%n", accuracy,
          test.size(), test.name());
      spec.commandLine().getOut().flush();
    }
    return 0;
  }

  /**
   * A TorchScript model (e.g. a PyTorch teacher, see {@code distill --teacher}) has no card: it is fed the
   * data's own normalisation, exactly as distillation feeds it, so its accuracy here checks that it was
   * trained on the same preprocessing.
   */
  private Integer evalTorchScript(ai.djl.Device device) {
    runtime.applyThreads();
    DataSplits splits = data.load();
    ImageDataset test = splits.test();
    try (Model m = Teachers.load(model, null, test, device)) {
      double accuracy = ModelAccuracy.accuracy((TappedModel) m.getBlock(), m.getNDManager(), test,
          splits.normalization(), batch);
      spec.commandLine().getOut().printf(Locale.ROOT, "test accuracy %.4f (%d images of %s, TorchScript %s)%n",
          accuracy, test.size(), test.name(), model.getFileName());
      spec.commandLine().getOut().flush();
    }
    return 0;
  }
}

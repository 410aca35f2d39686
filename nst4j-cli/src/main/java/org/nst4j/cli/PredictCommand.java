package org.nst4j.cli;

import ai.djl.modality.Classifications;
import ai.djl.translate.TranslateException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import org.nst4j.data.DataFormatException;
import org.nst4j.deploy.Classifier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nst4j predict}: classifies image files with a saved or exported model. */
@Command(name = "predict", mixinStandardHelpOptions = true,
    description = "Print the top classes of PNG/JPEG images, one line per image: IMAGE: class p, class p, ..."
        + " Images are converted to the model's channels and resized to its input as in training.")
final class PredictCommand implements Callable<Integer> {
  /** Images per forward pass. */
  private static final int BATCH = 64;

  @Mixin RuntimeOptions runtime = new RuntimeOptions();
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "DIR",
      description = "Exported model folder (nst4j export), or a run or model folder.")
  Path model;

  @Option(names = "--top", defaultValue = "1", paramLabel = "K", description = "Classes per image (default 1).")
  int top;

  @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Image files.")
  List<Path> images;

  @Override
  public Integer call() throws Exception {
    if (top < 1) {
      throw new IllegalArgumentException("--top must be ≥ 1, got " + top);
    }
    var device = runtime.device();
    runtime.applyThreads();
    PrintWriter out = spec.commandLine().getOut();
    try (Classifier classifier = Classifier.load(model, device)) {
      int k = Math.min(top, classifier.card().numClasses());
      for (int from = 0; from < images.size(); from += BATCH) {
        List<Path> batch = images.subList(from, Math.min(images.size(), from + BATCH));
        List<Classifications> results;
        try {
          results = classifier.classifyFiles(batch);
        } catch (TranslateException e) {
          throw unwrap(e);
        }
        for (int i = 0; i < batch.size(); i++) {
          StringJoiner line = new StringJoiner(", ", batch.get(i) + ": ", "");
          for (Classifications.Classification c : results.get(i).topK(k)) {
            line.add(String.format(Locale.ROOT, "%s %.4f", c.getClassName(), c.getProbability()));
          }
          out.println(line);
        }
      }
      out.flush();
    }
    return 0;
  }

  /** A file that cannot be decoded surfaces as the DataFormatException naming it. */
  private static Exception unwrap(TranslateException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof DataFormatException) {
        return (DataFormatException) t;
      }
    }
    return e;
  }
}

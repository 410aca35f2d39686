package org.nst4j.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.nst4j.deploy.ModelExport;
import org.nst4j.deploy.onnx.OnnxExport;
import org.nst4j.store.ModelCard;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nst4j export}: writes a trained model as a DJL model folder or an ONNX file. */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = "Write a trained model as a DJL model folder (parameters, model.json card, serving.properties)"
        + " that DJL's Criteria, nst4j predict and org.nst4j.deploy.Classifier load, or with --format onnx as an"
        + " ONNX file (opset 17, BatchNorm folded, input 'images' N×C×H×W normalised as in training, output"
        + " 'logits') that ONNX Runtime runs.")
final class ExportCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** The output formats. */
  enum Format { djl, onnx }

  @Option(names = "--model", required = true, paramLabel = "PATH",
      description = "Run folder or model folder written by nst4j train or distill.")
  Path model;

  @Option(names = "--to", required = true, paramLabel = "PATH",
      description = "djl: the folder to create (new or empty); onnx: the .onnx file to write (new).")
  Path to;

  @Option(names = "--format", defaultValue = "djl", paramLabel = "F",
      description = "djl (default) or onnx.")
  Format format;

  @Option(names = "--onnx-taps",
      description = "onnx: also output the model's taps (stage1, ...), after the logits.")
  boolean onnxTaps;

  @Override
  public Integer call() throws Exception {
    if (onnxTaps && format != Format.onnx) {
      throw new IllegalArgumentException("--onnx-taps needs --format onnx");
    }
    ModelCard card = format == Format.onnx ? OnnxExport.export(model, to, onnxTaps) : ModelExport.export(model, to);
    spec.commandLine().getOut().printf(Locale.ROOT,
        "exported %s (%s, %d×%d×%d input, %d classes, test accuracy %.2f%%) to %s%n", card.architecture(),
        card.role(), card.inputChannels(), card.inputHeight(), card.inputWidth(), card.numClasses(),
        100 * card.testAccuracy(), to);
    spec.commandLine().getOut().flush();
    return 0;
  }
}

package org.nst4j.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.nst4j.deploy.ModelExport;
import org.nst4j.store.ModelCard;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nst4j export}: writes a trained model as a DJL model folder. */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = "Write a trained model as a DJL model folder (parameters, model.json card, serving.properties)"
        + " that DJL's Criteria, nst4j predict and org.nst4j.deploy.Classifier load.")
final class ExportCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "PATH",
      description = "Run folder or model folder written by nst4j train or distill.")
  Path model;

  @Option(names = "--to", required = true, paramLabel = "DIR", description = "Folder to create (new or empty).")
  Path to;

  @Override
  public Integer call() throws Exception {
    ModelCard card = ModelExport.export(model, to);
    spec.commandLine().getOut().printf(Locale.ROOT,
        "exported %s (%s, %d×%d×%d input, %d classes, test accuracy %.2f%%) to %s%n", card.architecture(),
        card.role(), card.inputChannels(), card.inputHeight(), card.inputWidth(), card.numClasses(),
        100 * card.testAccuracy(), to);
    spec.commandLine().getOut().flush();
    return 0;
  }
}

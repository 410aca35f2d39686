package org.nst4j.cli;

import java.util.concurrent.Callable;
import org.nst4j.train.RunSpec;
import org.nst4j.train.TrainingRecipe;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code nst4j train}: trains a model (a teacher) with cross-entropy. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train a model with cross-entropy (e.g. a teacher). Defaults: the FMNIST-10k teacher recipe.")
final class TrainCommand implements Callable<Integer> {
  @Mixin DataOptions data = new DataOptions();
  @Mixin TrainingOptions training = new TrainingOptions();
  @Mixin OutputOptions output = new OutputOptions();
  @Mixin RuntimeOptions runtime = new RuntimeOptions();
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--arch", required = true, paramLabel = "A",
      description = "Architecture: resnet8|14|20|32|56|110, wrn-D-K, cnn-small.")
  String arch;

  @Override
  public Integer call() throws Exception {
    TrainingRecipe config = training.toConfig(TrainingRecipe.teacherRecipe());
    return Commands.runAndReport(spec, RunSpec.builder().setArch(arch), data, config, training, output, runtime,
        "teacher-" + arch + "-s" + config.seed());
  }
}

package org.nst4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.nst4j.data.DataSources;
import org.nst4j.data.DataSplits;
import org.nst4j.train.RunSpec;
import org.nst4j.train.RunSummary;
import org.nst4j.train.TrainingRecipe;
import org.nst4j.train.TrainingRun;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code nst4j demo}: the whole method in a few minutes on the embedded Fashion-MNIST sample — a ResNet-20
 * teacher, then ResNet-8 students with {@code ce} and with {@code nst-poly}, and a comparison table.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "On the embedded Fashion-MNIST sample: train a small teacher, distill a student with ce and"
        + " with nst-poly, print a comparison. Finished runs in --out are reused.")
final class DemoCommand implements Callable<Integer> {
  @Mixin RuntimeOptions runtime = new RuntimeOptions();
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--out", defaultValue = "runs/demo", paramLabel = "DIR", description = "Folder of the demo's runs.")
  Path out;

  @Option(names = "--teacher-arch", defaultValue = "resnet20", paramLabel = "A", description = "Teacher architecture.")
  String teacherArch;

  @Option(names = "--student-arch", defaultValue = "resnet8", paramLabel = "A", description = "Student architecture.")
  String studentArch;

  @Option(names = "--teacher-epochs", defaultValue = "8", paramLabel = "E", description = "Teacher epochs.")
  int teacherEpochs;

  @Option(names = "--student-epochs", defaultValue = "10", paramLabel = "E", description = "Student epochs.")
  int studentEpochs;

  @Option(names = "--methods", defaultValue = "ce,nst-poly", split = ",", paramLabel = "M1,M2",
      description = "Student methods to compare (default: ${DEFAULT-VALUE}).")
  List<String> methods;

  @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Seed.")
  long seed;

  @Option(names = "--quiet", description = "No progress display.")
  boolean quiet;

  @Override
  public Integer call() throws Exception {
    var device = runtime.device();
    // The demo's teacher is trained with the student recipe too (batch 64, lr 0.05): on the small sample the
    // teacher recipe's batch 128 would leave too few steps for its few epochs.
    TrainingRecipe teacherConfig = TrainingRecipe.studentRecipe().setEpochs(teacherEpochs).optSeed(seed).build();
    TrainingRecipe studentConfig = TrainingRecipe.studentRecipe().setEpochs(studentEpochs).optSeed(seed).build();
    // Every name is checked before the teacher trains for minutes: a typo in the last method must not
    // surface only after the first run.
    for (String arch : List.of(teacherArch, studentArch)) {
      org.nst4j.model.ModelZoo.create(arch, 1, 10, 0);
    }
    if (methods == null || methods.isEmpty()) {
      throw new IllegalArgumentException("--methods: give at least one method");
    }
    for (String method : methods) {
      org.nst4j.transfer.TransferMethods.parse(method);
    }
    runtime.applyThreads();
    DataSplits sample = DataSources.resolve("sample", null);
    PrintWriter stdout = spec.commandLine().getOut();
    stdout.printf(Locale.ROOT, "nst4j demo on %s: %d training and %d test images%n", sample.name(),
        sample.train().size(), sample.test().size());
    stdout.flush();
    String command = Commands.commandLine(spec);
    Path teacherDir = out.resolve("teacher-" + teacherArch);
    RunSummary teacher = TrainingRun.execute(RunSpec.builder().setArch(teacherArch).setData(sample)
        .setConfig(teacherConfig).setOut(teacherDir).optResume(true).optDevice(device).optProgress(!quiet)
        .optLabel("teacher " + teacherArch).optCommand(command).build());
    List<RunSummary> rows = new ArrayList<>();
    rows.add(teacher);
    for (String method : methods) {
      rows.add(TrainingRun.execute(RunSpec.builder().setArch(studentArch).optMethod(method).optTeacher(teacherDir)
          .setData(sample).setConfig(studentConfig).setOut(out.resolve("student-" + studentArch + "-" + method))
          .optResume(true).optDevice(device).optProgress(!quiet).optLabel("student " + studentArch + " " + method)
          .optCommand(command).build()));
    }
    stdout.println();
    stdout.printf(Locale.ROOT, "%-8s %-10s %-12s %10s %10s %10s%n", "role", "arch", "method", "final acc",
        "best acc", "s/epoch");
    for (RunSummary r : rows) {
      double perEpoch = r.secondsPerEpoch().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
      stdout.printf(Locale.ROOT, "%-8s %-10s %-12s %9.2f%% %9.2f%% %10.1f%n", r.role(), r.arch(), r.method(),
          100 * r.testAccuracy(), 100 * r.bestTestAccuracy(), perEpoch);
    }
    stdout.printf(Locale.ROOT, "runs in %s (summary.json, epochs.jsonl, model/ in each)%n", out);
    stdout.flush();
    return 0;
  }
}

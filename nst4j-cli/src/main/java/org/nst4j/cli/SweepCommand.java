package org.nst4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.nst4j.experiment.Experiment;
import org.nst4j.experiment.Sweep;
import org.nst4j.experiment.SweepSpec;
import org.nst4j.train.TrainingRecipe;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code nst4j sweep}: tries NST weights and taps on a validation split carved from the training data. */
@Command(name = "sweep", mixinStandardHelpOptions = true,
    description = {"Train a student for every λ × taps setting (and seed) on the training subset minus a"
        + " validation split (the last K images of each class of the subset), evaluate on that validation split"
        + " (never on the test set), write <out>/sweep.md and sweep.csv, and print the best setting.",
        "Runs go to <out>/runs/<setting>/seed-<s>/; finished ones are skipped, an interrupted one resumes.",
        "--executor slurm submits the cells to a Slurm cluster instead (as for experiment); --status shows them."})
final class SweepCommand implements Callable<Integer>, LossOptionsMixin.TakesMethodOptions {
  @Mixin DataOptions data = new DataOptions();
  @Mixin RuntimeOptions runtime = new RuntimeOptions();
  @Mixin GridExecutorOptions grid = new GridExecutorOptions();
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--val-per-class", paramLabel = "K",
      description = "Validation images per class, the last K of each class of the --per-class subset (default:"
          + " a tenth of --per-class; required without --per-class).")
  Integer valPerClass;

  @Option(names = "--student", required = true, paramLabel = "A", description = "Student architecture.")
  String student;

  @Option(names = "--teacher", required = true, paramLabel = "PATH",
      description = "The teacher: a run or model folder written by nst4j, or a TorchScript file whose forward"
          + " returns (logits, map_1, ..., map_n).")
  Path teacher;

  @Option(names = "--teacher-taps", split = ",", paramLabel = "A,B",
      description = "Names of a TorchScript teacher's maps, in order (default tap1..tapN).")
  List<String> teacherTaps;

  @Option(names = "--method", defaultValue = "nst-poly", paramLabel = "M",
      completionCandidates = LossOptionsMixin.MethodNames.class,
      description = "The method: ${COMPLETION-CANDIDATES}, or a sum such as kd+nst-poly; its options are the"
          + " ones of distill (default: ${DEFAULT-VALUE}).")
  String method;

  @Option(names = "--lambdas", split = ",", paramLabel = "λ1,λ2",
      description = "NST weights λ to try (the method needs an NST term), e.g. 5,10,25,50,100.")
  List<Double> lambdas;

  @Option(names = "--taps", paramLabel = "T1[,T2]",
      description = "A tap setting to try: comma-separated taps compared together; repeat for several settings,"
          + " e.g. --taps stage3 --taps stage2,stage3 (default: the method's default taps).")
  List<String> taps;

  @Option(names = "--epochs", paramLabel = "E", description = "Epochs (default " + TrainingRecipe.STUDENT_EPOCHS
      + ", the student recipe).")
  Integer epochs;

  @Option(names = "--batch", paramLabel = "B", description = "Batch size (default " + TrainingRecipe.STUDENT_BATCH + ").")
  Integer batch;

  @Option(names = "--lr", paramLabel = "LR", description = "Initial learning rate (default "
      + TrainingRecipe.STUDENT_LR + ", cosine).")
  Double lr;

  @Option(names = "--seeds", split = ",", paramLabel = "S1,S2", description = "Seeds of every setting (default 0).")
  List<Long> seeds;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
  Path out;

  @Option(names = "--quiet", description = "No per-epoch progress (the one line per run with the ETA stays).")
  boolean quiet;

  @Option(names = "--report-only", description = "Rebuild the report from the run folders without training.")
  boolean reportOnly;

  @Override
  public Integer call() throws Exception {
    grid.check(reportOnly);
    if (data.perClass != null && data.perClass < 1) {
      throw new IllegalArgumentException("--per-class must be ≥ 1, got " + data.perClass);
    }
    int k;
    if (valPerClass != null) {
      k = valPerClass;
    } else if (data.perClass != null) {
      k = Math.max(1, data.perClass / 10);
    } else {
      throw new IllegalArgumentException("--val-per-class is required when --per-class is not given");
    }
    TrainingRecipe.Builder b = TrainingRecipe.studentRecipe();
    if (epochs != null) {
      b.setEpochs(epochs);
    }
    if (batch != null) {
      b.setBatchSize(batch);
    }
    if (lr != null) {
      b.setLearningRate(lr);
    }
    List<List<String>> tapSettings = new ArrayList<>();
    if (taps != null) {
      for (String t : taps) {
        List<String> names = new ArrayList<>();
        for (String n : t.split(",", -1)) {
          names.add(n.trim());
        }
        tapSettings.add(names);
      }
    }
    SweepSpec sweep = new SweepSpec(data.data, data.dataDir, data.perClass, k, student, teacher, teacherTaps, method,
        LossOptionsMixin.methodOptions(spec).build(),
        lambdas, tapSettings, b.build(), seeds, out);
    String name = "sweep-" + sweep.method();
    if (grid.status) {
      return grid.printStatus(spec, Sweep.cells(sweep, runtime.device()), sweep.config().epochs(), sweep.out());
    }
    if (grid.executor == GridExecutorOptions.Executor.slurm) {
      return grid.submit(spec, name, Sweep.cells(sweep, runtime.device()), sweep.out());
    }
    Experiment.Options options = new Experiment.Options(reportOnly, !quiet, runtime.device(),
        Commands.commandLine(spec), spec.commandLine().getErr(), runtime::applyThreads);
    if (!reportOnly) {
      org.nst4j.train.StopSignal.process().installHandlers();
    }
    if (grid.cell != null) {
      var cell = org.nst4j.experiment.GridRunner.cell(Sweep.cells(sweep, runtime.device()), grid.cell);
      var outcome = Sweep.runCell(sweep, grid.cell, options, data::load);
      spec.commandLine().getOut().printf(Locale.ROOT, "%s: cell %d (%s seed %d) %s%n", name, grid.cell,
          cell.label(), cell.seed(), outcome.trained() > 0 ? "trained" : "was already finished");
      spec.commandLine().getOut().flush();
      return 0;
    }
    Sweep.Result result = Sweep.run(sweep, options, data::load);
    PrintWriter w = spec.commandLine().getOut();
    if (reportOnly) {
      w.printf(Locale.ROOT, "sweep of %s: report rebuilt from %d finished of %d runs (nothing trained)%n",
          sweep.method(), result.groups().stream().mapToInt(g -> g.runs().size()).sum(),
          sweep.settings().size() * sweep.seeds().size());
    } else {
      w.printf(Locale.ROOT, "sweep of %s: %d settings × %d seeds, %d trained now, %d already complete%n",
          sweep.method(), sweep.settings().size(), sweep.seeds().size(), result.outcome().trained(),
          result.outcome().skipped());
    }
    ExperimentCommand.printTable(w, result.groups(), "val");
    w.printf(Locale.ROOT, "best: %s%n", Sweep.describeBest(result.best()));
    w.printf(Locale.ROOT, "report: %s (and %s beside it)%n", result.sweepMd(), Sweep.SWEEP_CSV);
    w.flush();
    return 0;
  }
}

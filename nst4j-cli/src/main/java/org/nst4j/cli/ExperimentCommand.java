package org.nst4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.nst4j.experiment.Experiment;
import org.nst4j.experiment.ExperimentFile;
import org.nst4j.experiment.ExperimentSpec;
import org.nst4j.experiment.ResultGroup;
import org.nst4j.experiment.Stats;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code nst4j experiment}: runs the (method, seed) grid of a YAML file and writes its report. */
@Command(name = "experiment", mixinStandardHelpOptions = true,
    description = {"Run every (method, seed) of an experiment file, each in <out>/runs/<method>/seed-<s>/, then"
        + " write <out>/results.md, results.csv, accuracy-per-epoch.png and final-accuracy.png.",
        "Once every run of a student grid has finished, the student's and the teacher's inference speed (images/s"
        + " at batch 1 and 64) is measured once into <out>/inference-speed.json and shown in the report.",
        "Finished runs are skipped and an interrupted one continues from its checkpoint, so the same command"
        + " resumes a grid; on a finished grid it trains nothing and rewrites the same report.",
        "A file with 'role: teacher' is a teacher recipe: it trains that one model into its out folder.",
        "Experiment files over 1 MiB are refused before parsing (NST4J_JAVA_OPTS=-Dnst4j.experiment.maxBytes=N"
        + " raises the limit).",
        "--executor slurm submits the grid to a Slurm cluster instead (one array task per unfinished cell, then a"
        + " report job); --status shows where each cell is. See docs/scaling.md.",
        "SIGTERM or Ctrl-C stops training after the current step with a checkpoint; exit codes: 0 done, 2 bad input,"
        + " 75 stopped by a signal (the same command continues), 1 a bug."})
final class ExperimentCommand implements Callable<Integer> {
  @Mixin RuntimeOptions runtime = new RuntimeOptions();
  @Mixin GridExecutorOptions grid = new GridExecutorOptions();
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE.yaml", description = "The experiment file, e.g."
      + " experiments/fmnist-10k.yaml.")
  Path file;

  @Option(names = "--methods", split = ",", paramLabel = "M1,M2",
      description = "Run only these methods of the file (their labels), in the file's order.")
  List<String> methods;

  @Option(names = "--seeds", split = ",", paramLabel = "S1,S2", description = "Seeds replacing the file's.")
  List<Long> seeds;

  @Option(names = "--epochs", paramLabel = "E", description = "Epochs replacing the file's (use another --out:"
      + " a folder holding runs of another configuration is refused).")
  Integer epochs;

  @Option(names = "--out", paramLabel = "DIR", description = "Output folder replacing the file's.")
  Path out;

  @Option(names = "--teacher", paramLabel = "PATH", description = "Teacher replacing the file's.")
  Path teacher;

  @Option(names = "--teacher-taps", split = ",", paramLabel = "A,B",
      description = "Names of a TorchScript teacher's maps replacing the file's teacher_taps.")
  List<String> teacherTaps;

  @Option(names = "--teacher-runtime", paramLabel = "R",
      description = "Where the teacher's forward runs, replacing the file's teacher_runtime: onnxruntime or"
          + " libtorch (default: onnxruntime on the CPU for a teacher of the zoo's architectures, libtorch for a"
          + " TorchScript teacher, a custom block or on a GPU). Part of each run's identity.")
  String teacherRuntime;

  @Option(names = "--quiet", description = "No per-epoch progress (the one line per run with the ETA stays).")
  boolean quiet;

  @Option(names = "--report-only", description = "Rebuild the report from the run folders without training.")
  boolean reportOnly;

  @Option(names = "--shared-teacher", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Train the unfinished runs of one seed side by side in this process: one teacher forward per"
      + " batch for all of them, each run with its own folder, checkpoints and summary, results bit-identical to"
      + " runs trained one after the other (default: on; --no-shared-teacher trains them one after the other)."
      + " Memory grows with the number of students of a seed. Local execution only (a Slurm task trains one"
      + " cell).")
  boolean sharedTeacher = true;

  @Option(names = "--no-speed", description = "Do not measure inference speed (a kept inference-speed.json is"
      + " still shown).")
  boolean noSpeed;

  @Override
  public Integer call() throws Exception {
    grid.check(reportOnly);
    ExperimentSpec experiment = ExperimentFile.read(file).withOverrides(methods, seeds, epochs, out, teacher,
        teacherTaps).withTeacherRuntime(teacherRuntime == null ? null
            : org.nst4j.train.TeacherRuntime.of(teacherRuntime));
    if (grid.status) {
      return grid.printStatus(spec, Experiment.cells(experiment, runtime.device()), experiment.config().epochs(), experiment.out());
    }
    if (grid.executor == GridExecutorOptions.Executor.slurm) {
      return grid.submit(spec, experiment.name(), Experiment.cells(experiment, runtime.device()), experiment.out());
    }
    Experiment.Options options = new Experiment.Options(reportOnly, !quiet, runtime.device(),
        Commands.commandLine(spec), spec.commandLine().getErr(), runtime::applyThreads, !noSpeed, sharedTeacher);
    if (!reportOnly) {
      org.nst4j.train.StopSignal.process().installHandlers();
    }
    if (grid.cell != null) {
      var cell = org.nst4j.experiment.GridRunner.cell(Experiment.cells(experiment, runtime.device()), grid.cell);
      var outcome = Experiment.runCell(experiment, grid.cell, options);
      spec.commandLine().getOut().printf(Locale.ROOT, "%s: cell %d (%s seed %d) %s%n", experiment.name(), grid.cell,
          cell.label(), cell.seed(), outcome.trained() > 0 ? "trained" : "was already finished");
      spec.commandLine().getOut().flush();
      return 0;
    }
    Experiment.Result result = Experiment.run(experiment, options);
    PrintWriter w = spec.commandLine().getOut();
    int runs = experiment.methods().size() * experiment.seeds().size();
    if (reportOnly) {
      w.printf(Locale.ROOT, "%s: report rebuilt from %d finished of %d runs (nothing trained)%n", experiment.name(),
          result.groups().stream().mapToInt(g -> g.runs().size()).sum(), runs);
    } else {
      w.printf(Locale.ROOT, "%s: %d run%s, %d trained now, %d already complete%n", experiment.name(), runs,
          runs == 1 ? "" : "s", result.outcome().trained(), result.outcome().skipped());
    }
    printTable(w, result.groups(), "test");
    w.printf(Locale.ROOT, "report: %s (and %s, %s, %s beside it)%n", result.resultsMd(), Experiment.RESULTS_CSV,
        Experiment.ACCURACY_PNG, Experiment.FINAL_PNG);
    w.flush();
    return 0;
  }

  /** One line per group: label, n, final and best accuracy (mean ± std, percent). */
  static void printTable(PrintWriter w, List<ResultGroup> groups, String split) {
    int width = groups.stream().mapToInt(g -> g.label().length()).max().orElse(6);
    for (ResultGroup g : groups) {
      w.printf(Locale.ROOT, "  %-" + width + "s  n=%d  final %s %s  best %s%n", g.label(), g.runs().size(), split,
          pct(g.finalAccuracy()), pct(g.bestAccuracy()));
    }
  }

  private static String pct(Stats s) {
    if (s.n() == 0) {
      return "—";
    }
    return Double.isNaN(s.std()) ? String.format(Locale.ROOT, "%.2f %%", 100 * s.mean())
        : String.format(Locale.ROOT, "%.2f ± %.2f %%", 100 * s.mean(), 100 * s.std());
  }
}

package org.nst4j.experiment;

import ai.djl.Device;
import ai.djl.Model;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.nst4j.data.DataSources;
import org.nst4j.data.DataSplits;
import org.nst4j.model.ModelZoo;
import org.nst4j.model.TappedModel;
import org.nst4j.store.Json;
import org.nst4j.store.ModelCard;
import org.nst4j.store.ModelStore;
import org.nst4j.train.RunIdentity;
import org.nst4j.train.RunSpec;
import org.nst4j.train.TeacherRuntime;
import org.nst4j.train.Teachers;
import org.nst4j.train.TrainingRecipe;
import org.nst4j.transfer.TransferMethod;

/**
 * Runs an {@link ExperimentSpec}: every (method, seed) through {@link GridRunner} (finished runs are skipped,
 * interrupted ones resumed), then writes the report into the output folder:
 *
 * <ul>
 *   <li>{@code results.csv}: per method, n seeds, mean ± sample std of the final and of the best-epoch test
 *       accuracy (percent), mean seconds per epoch; rows in the file's method order;
 *   <li>{@code results.md}: the same table, the per-run table, the plots, the machine, date and command
 *       (read from the run folders) and the experiment file;
 *   <li>{@code accuracy-per-epoch.png} and {@code final-accuracy.png};
 *   <li>{@code inference-speed.json} ({@link SpeedReport}), measured once when a student grid is complete and
 *       kept, shown in results.md.
 * </ul>
 *
 * <p>The report is a pure function of the experiment and its run folders: rebuilding it on a finished grid
 * writes the same {@code results.csv} and {@code results.md}, byte for byte.
 */
public final class Experiment {
  /** What a grid checks before it skips or resumes a run folder: everything that makes the run this cell. */
  private static final java.util.Set<RunIdentity.Part> GRID_CHECKS = java.util.EnumSet.of(RunIdentity.Part.ROLE, RunIdentity.Part.ARCH, RunIdentity.Part.METHOD,
      RunIdentity.Part.PER_CLASS, RunIdentity.Part.SCHEDULE, RunIdentity.Part.METHOD_OPTIONS,
      RunIdentity.Part.TEACHER_RUNTIME);

  /** Report file names. */
  public static final String RESULTS_MD = "results.md";
  public static final String RESULTS_CSV = "results.csv";
  public static final String ACCURACY_PNG = "accuracy-per-epoch.png";
  public static final String FINAL_PNG = "final-accuracy.png";

  /**
   * How to run.
   *
   * @param reportOnly rebuild the report from the run folders without training
   * @param progress show each run's per-epoch progress (the grid's one line per run is always shown)
   * @param device where to train
   * @param command the command line, recorded in every run's summary
   * @param log where progress lines go (stderr)
   * @param beforeTraining called once before the first run is trained (e.g. to start the engine with a
   *     thread count); not called when nothing needs training
   * @param measureSpeed once every run of a student grid has finished, measure the student's and the
   *     teacher's inference speed for the report if its output folder holds no {@value SpeedReport#FILE} yet
   * @param sharedTeacher train the pending runs of one seed side by side, one teacher forward per batch for
   *     all of them ({@link GridRunner#run(String, List, Supplier, GridRunner.RunFactory, PrintWriter,
   *     boolean)}; results bit-identical to runs trained one after the other); student grids only
   */
  public record Options(boolean reportOnly, boolean progress, Device device, String command, PrintWriter log,
      Runnable beforeTraining, boolean measureSpeed, boolean sharedTeacher) {
    /** Options that train one run after the other. */
    public Options(boolean reportOnly, boolean progress, Device device, String command, PrintWriter log,
        Runnable beforeTraining, boolean measureSpeed) {
      this(reportOnly, progress, device, command, log, beforeTraining, measureSpeed, false);
    }

    /** Options that never measure inference speed (the report then has no speed section unless one is kept). */
    public Options(boolean reportOnly, boolean progress, Device device, String command, PrintWriter log,
        Runnable beforeTraining) {
      this(reportOnly, progress, device, command, log, beforeTraining, false);
    }

    /**
     * Train with progress on stderr, on the CPU, the runs of a seed side by side with one teacher pass, and
     * measure inference speed once the grid is complete.
     */
    public static Options defaults(String command) {
      return new Options(false, true, Device.cpu(), command, new PrintWriter(System.err, true), () -> {}, true,
          true);
    }

    /** These options with {@code reportOnly} replaced. */
    public Options withReportOnly(boolean r) {
      return new Options(r, progress, device, command, log, beforeTraining, measureSpeed, sharedTeacher);
    }

    /** These options with {@code progress} replaced. */
    public Options withProgress(boolean p) {
      return new Options(reportOnly, p, device, command, log, beforeTraining, measureSpeed, sharedTeacher);
    }

    /** These options with {@code measureSpeed} replaced. */
    public Options withMeasureSpeed(boolean m) {
      return new Options(reportOnly, progress, device, command, log, beforeTraining, m, sharedTeacher);
    }

    /** These options with {@code sharedTeacher} replaced. */
    public Options withSharedTeacher(boolean s) {
      return new Options(reportOnly, progress, device, command, log, beforeTraining, measureSpeed, s);
    }
  }

  /**
   * What a call did.
   *
   * @param outcome runs trained and skipped (both 0 in report-only mode)
   * @param groups the results, one group per method in file order
   * @param resultsMd the Markdown report
   * @param resultsCsv the CSV table
   */
  public record Result(GridRunner.Outcome outcome, List<ResultGroup> groups, Path resultsMd, Path resultsCsv) {}

  private Experiment() {}

  /**
   * Trains what is missing (unless report-only) and writes the report.
   *
   * @param spec the experiment
   * @param options how
   * @return what was done and the results
   * @throws IllegalArgumentException if the teacher is missing (saying how to train it), a run folder holds
   *     another run, or (report-only) no run has finished
   */
  public static Result run(ExperimentSpec spec, Options options) throws IOException {
    List<GridRunner.Cell> cells = cells(spec, options.device());
    GridRunner.Outcome outcome = new GridRunner.Outcome(0, 0);
    if (!options.reportOnly()) {
      outcome = GridRunner.run(spec.name(), cells, prepare(spec, options),
          (cell, data) -> runSpec(spec, cell, data, options), options.log(),
          options.sharedTeacher() && spec.role() == ExperimentSpec.Role.STUDENT);
    } else {
      for (GridRunner.Cell c : cells) {
        GridRunner.checkSameRun(c);
      }
    }
    List<ResultGroup> groups = collect(spec);
    if (groups.stream().allMatch(g -> g.runs().isEmpty())) {
      throw new IllegalArgumentException("no finished run in " + spec.out() + " for " + spec.file()
          + "; train them first (without --report-only)");
    }
    boolean complete = groups.stream().allMatch(g -> g.runs().size() == spec.seeds().size());
    if (options.measureSpeed() && complete && spec.role() == ExperimentSpec.Role.STUDENT
        && SpeedReport.read(spec.out()) == null) {
      options.beforeTraining().run(); // the thread count the runs trained with
      options.log().println("[" + spec.name() + "] measuring inference speed (student and teacher, batch 1 and 64)");
      SpeedReport.measure(cells.get(0).dir(), spec.teacher()).write(spec.out());
    }
    writeReport(spec, groups, options.log());
    return new Result(outcome, groups, spec.out().resolve(RESULTS_MD), spec.out().resolve(RESULTS_CSV));
  }

  /**
   * Trains one cell of the grid (a Slurm array task): resumes it if interrupted, does nothing if it is
   * finished; writes no report (the report job does).
   *
   * @param spec the experiment
   * @param index the cell's position in {@link #cells}, from 0
   * @param options how
   * @return 1 trained or 1 skipped
   * @throws IllegalArgumentException if the index is outside the grid, or as {@link #run}
   */
  public static GridRunner.Outcome runCell(ExperimentSpec spec, int index, Options options) throws IOException {
    List<GridRunner.Cell> cells = cells(spec, options.device());
    GridRunner.Cell cell = GridRunner.cell(cells, index);
    return GridRunner.run(spec.name(), List.of(cell), prepare(spec, options),
        (c, data) -> runSpec(spec, c, data, options), options.log());
  }

  /** The grid's runs on the CPU: see {@link #cells(ExperimentSpec, Device)}. */
  public static List<GridRunner.Cell> cells(ExperimentSpec spec) {
    return cells(spec, Device.cpu());
  }

  /**
   * The grid's runs: methods in file order, seeds in file order within each method.
   *
   * @param spec the experiment
   * @param device where the runs train (it decides the default teacher runtime, part of each run's identity)
   * @return the cells
   */
  public static List<GridRunner.Cell> cells(ExperimentSpec spec, Device device) {
    List<GridRunner.Cell> cells = new ArrayList<>();
    for (MethodSpec m : spec.methods()) {
      for (long seed : spec.seeds()) {
        RunIdentity expected = RunIdentity.of(spec.role() == ExperimentSpec.Role.TEACHER ? "teacher" : "student",
            spec.arch(), m.method(), null, spec.perClass(), spec.config().toBuilder().optSeed(seed).build(),
            m.options(), spec.teacherRuntimeOn(device));
        cells.add(new GridRunner.Cell(m.label(), seed, spec.runDir(m, seed), expected, GRID_CHECKS));
      }
    }
    return cells;
  }

  /** Reads the finished runs of every method (pure: depends on the run folders only). */
  public static List<ResultGroup> collect(ExperimentSpec spec) throws IOException {
    List<ResultGroup> groups = new ArrayList<>();
    for (MethodSpec m : spec.methods()) {
      List<RunResult> runs = new ArrayList<>();
      for (long seed : spec.seeds()) {
        RunResult r = RunResult.read(seed, spec.runDir(m, seed));
        if (r != null) {
          runs.add(r);
        }
      }
      groups.add(new ResultGroup(m.label(), m.method(), m.describe(), Map.of(), spec.seeds(), runs));
    }
    return groups;
  }

  /**
   * Writes results.csv, results.md and the two plots into the experiment's output folder.
   *
   * @param spec the experiment
   * @param groups its results ({@link #collect})
   * @param log where a warning goes if the plots cannot be drawn (no fonts); the tables are written anyway
   */
  public static void writeReport(ExperimentSpec spec, List<ResultGroup> groups, PrintWriter log)
      throws IOException {
    Path out = spec.out();
    Json.writeAtomically(out.resolve(RESULTS_CSV),
        ReportText.csvTable(groups, List.of(), "test").getBytes(StandardCharsets.UTF_8));
    Optional<ReportCharts> charts = ReportCharts.installed();
    if (charts.isPresent()) {
      ReportCharts.drawOrWarn(log, out.resolve(ACCURACY_PNG), () -> charts.get().accuracyPerEpoch(groups,
          spec.name() + ": test accuracy per epoch", "test accuracy (%)", out.resolve(ACCURACY_PNG)));
      ReportCharts.drawOrWarn(log, out.resolve(FINAL_PNG), () -> charts.get().finalAccuracy(groups,
          spec.name() + ": final test accuracy", "test accuracy (%)", out.resolve(FINAL_PNG)));
    }
    Json.writeAtomically(out.resolve(RESULTS_MD),
        markdown(spec, groups, charts.isPresent()).getBytes(StandardCharsets.UTF_8));
  }

  /** The Markdown report. */
  static String markdown(ExperimentSpec spec, List<ResultGroup> groups, boolean plots) throws IOException {
    StringBuilder sb = new StringBuilder();
    boolean teacher = spec.role() == ExperimentSpec.Role.TEACHER;
    sb.append("# ").append(spec.name()).append(teacher ? ": teacher" : ": results").append("\n\n");
    if (spec.description() != null && !spec.description().isBlank()) {
      sb.append(spec.description().strip()).append("\n\n");
    }
    if (spec.protocol() != null) {
      sb.append("Protocol: ").append(spec.protocol().strip()).append(", encoded in `").append(spec.file())
          .append("` (quoted at the end).\n");
    } else {
      sb.append("Experiment file: `").append(spec.file()).append("` (quoted at the end).\n");
    }
    sb.append(teacher ? "Teacher " : "Student ").append(spec.arch()).append(" on ").append(spec.data())
        .append(spec.perClass() == null ? " (all training images)" : " (first " + spec.perClass() + " images per class)")
        .append(teacher ? "" : ", distilled from `" + spec.teacher() + "`")
        .append(spec.teacherTaps() == null ? "" : " (TorchScript; its maps: " + String.join(", ", spec.teacherTaps())
            + ")")
        .append(spec.seeds().size() == 1 ? "; seed " : "; seeds ")
        .append(String.join(", ", spec.seeds().stream().map(String::valueOf).toList())).append(".\n\n");

    sb.append("| method | options | n | final test acc. (%) | best-epoch test acc. (%) | s / epoch"
        + " | wall / run (min) |\n");
    sb.append("|---|---|--:|--:|--:|--:|--:|\n");
    for (ResultGroup g : groups) {
      sb.append("| ").append(ReportText.cell(g.label())).append(" | ").append(ReportText.cell(g.options()))
          .append(" | ").append(g.runs().size()).append(" | ").append(ReportText.pctStats(g.finalAccuracy()))
          .append(" | ").append(ReportText.pctStats(g.bestAccuracy())).append(" | ")
          .append(ReportText.seconds(g.secondsPerEpoch().mean())).append(" | ")
          .append(ReportText.seconds(g.wallSeconds().mean() / 60)).append(" |\n");
    }
    sb.append("\nFinal: accuracy on the whole test split after the last epoch, mean ± sample standard deviation"
        + " (n − 1) over the seeds. Best-epoch: the best of the per-epoch test evaluations, reported beside the"
        + " final accuracy, never in its place. s / epoch: training time per epoch, evaluation excluded."
        + " Wall / run: a run's whole time (loading, training, evaluations), mean over the seeds.\n\n");
    if (plots) {
      sb.append("![Mean test accuracy per epoch](").append(ACCURACY_PNG).append(")\n\n");
      sb.append("![Final test accuracy, mean ± std](").append(FINAL_PNG).append(")\n\n");
    } else {
      sb.append(ReportCharts.NOT_INSTALLED).append("\n\n");
    }
    SpeedReport speed = SpeedReport.read(spec.out());
    if (speed != null) {
      sb.append(speed.markdown()).append('\n');
    }
    // Only when some run did not finish (a Slurm grid whose report job ran after failed cells): which, and why.
    sb.append(GridStatus.unfinishedSection(GridStatus.of(cells(spec), spec.config().epochs(),
        spec.out().resolve("slurm").resolve("logs"), Map.of())));
    sb.append("## Runs\n\n");
    ReportText.runsTable(sb, groups, spec.out(), "test");
    sb.append("\n## Provenance\n\n");
    ReportText.provenance(sb, groups);
    sb.append("\n## Experiment file `").append(spec.file()).append("`\n\n```yaml\n").append(spec.yaml().strip())
        .append("\n```\n");
    return sb.toString();
  }

  /** Checks the teacher and loads the data, once, when the first run has to be trained. */
  private static Supplier<DataSplits> prepare(ExperimentSpec spec, Options options) {
    return () -> {
      if (spec.role() == ExperimentSpec.Role.STUDENT) {
        checkTeacher(spec);
      }
      options.beforeTraining().run();
      DataSplits data = DataSources.resolve(spec.data(), spec.dataDir());
      if (spec.role() == ExperimentSpec.Role.STUDENT) {
        List<String> studentTaps = ModelZoo.create(spec.arch(), data.train().channels(), data.numClasses(), 0)
            .tapNames();
        List<String> teacherTaps = teacherTapNames(spec.teacher(), spec.teacherTaps(), data, options.device(),
            spec.file() + ": teacher_taps");
        for (MethodSpec m : spec.methods()) {
          checkTaps(spec.file() + ": method " + m.label(), m, studentTaps, teacherTaps);
        }
      }
      return data;
    };
  }

  /**
   * The teacher's tap names, checked before the first run trains: an nst4j model's are its architecture's (and
   * then {@code names} must be null); a TorchScript teacher is loaded once on the data's image shape (which
   * checks that its forward returns {@code (logits, maps...)} with the data's classes) and its maps are
   * {@code names}, whose number must be the module's, or {@code tap1..tapN}.
   *
   * @param teacher the teacher path
   * @param names the names of a TorchScript teacher's maps, or null
   * @param data the data the runs train on
   * @param device where to load a TorchScript teacher for the check
   * @param what names the setting in messages, e.g. {@code x.yaml: teacher_taps} or {@code --teacher-taps}
   * @return the tap names methods may use on the teacher's side
   * @throws IllegalArgumentException if names are given for an nst4j model or their number is not the module's
   * @throws org.nst4j.data.DataFormatException if the TorchScript file is unusable
   */
  static List<String> teacherTapNames(Path teacher, List<String> names, DataSplits data, Device device,
      String what) {
    if (!Teachers.isTorchScript(teacher)) {
      ModelCard card = ModelStore.readCard(teacher);
      if (names != null) {
        throw new IllegalArgumentException(what + ": names the maps of a TorchScript teacher (a .pt file), but "
            + teacher + " is a model saved by nst4j (" + card.architecture() + "), whose taps are "
            + card.tapNames());
      }
      return card.tapNames();
    }
    List<String> found;
    try (Model m = Teachers.load(teacher, null, data.train(), device)) {
      found = ((TappedModel) m.getBlock()).tapNames();
    }
    if (names == null) {
      return found;
    }
    if (names.size() != found.size()) {
      throw new IllegalArgumentException(what + ": names " + names.size() + " map" + (names.size() == 1 ? "" : "s")
          + " " + names + ", but the forward of " + teacher + " returns " + found.size() + " after its logits");
    }
    return names;
  }

  /**
   * Refuses taps the models do not have before the first run trains (rather than when the grid reaches the
   * method, hours later). An entry is a tap of both models, or {@code student:teacher}.
   *
   * @param what names the method in the message
   * @param method the method and its options (methods without feature terms use no taps)
   * @param studentTaps the student's taps
   * @param teacherTaps the teacher's taps
   */
  static void checkTaps(String what, MethodSpec method, List<String> studentTaps, List<String> teacherTaps) {
    List<String> taps = method.options().taps();
    boolean usesTaps = method.methods().stream().anyMatch(TransferMethod::readsTaps);
    if (taps == null || !usesTaps) {
      return;
    }
    for (String t : taps) {
      int colon = t.indexOf(':');
      String s = colon < 0 ? t : t.substring(0, colon).trim();
      String u = colon < 0 ? t : t.substring(colon + 1).trim();
      if (!studentTaps.contains(s)) {
        throw new IllegalArgumentException(what + ": unknown tap '" + s + "' for the student; its taps are "
            + studentTaps);
      }
      if (!teacherTaps.contains(u)) {
        throw new IllegalArgumentException(what + ": unknown tap '" + u + "' for the teacher; its taps are "
            + teacherTaps);
      }
    }
  }

  /**
   * Refuses a missing teacher with a message saying how to train it.
   *
   * @throws IllegalArgumentException if {@code spec.teacher()} holds no saved model
   */
  static void checkTeacher(ExperimentSpec spec) {
    if (Teachers.isTorchScript(spec.teacher())) {
      return; // loaded and checked with the data (teacherTapNames)
    }
    try {
      ModelStore.modelDir(spec.teacher());
    } catch (IllegalArgumentException e) {
      String how = spec.teacherRecipe() != null
          ? "train it with `./nst4j experiment " + spec.teacherRecipe() + "`"
          : String.format(Locale.ROOT, "train one with `./nst4j train --data %s --arch resnet20 --out %s`",
              spec.data(), spec.teacher());
      throw new IllegalArgumentException(spec.file() + ": the teacher " + spec.teacher() + " is missing ("
          + e.getMessage() + "); " + how + ", or point 'teacher:' in the file (or --teacher) at another saved"
          + " model");
    }
  }

  private static RunSpec runSpec(ExperimentSpec spec, GridRunner.Cell cell, DataSplits data, Options options) {
    MethodSpec m = spec.methods().stream().filter(x -> x.label().equals(cell.label())).findFirst().orElseThrow();
    return cellRun(cell, spec.arch(), m, spec.role() == ExperimentSpec.Role.TEACHER ? null : spec.teacher(),
        spec.teacherTaps(), spec.teacherRuntime(), data, spec.config(), options)
        .optPerClass(spec.perClass())
        .optLabel(spec.name() + " " + m.label() + " seed " + cell.seed())
        .build();
  }

  /**
   * What every grid run has in common, experiments and sweeps alike: the cell's folder and seed, resumed if
   * interrupted, with the options' device, progress and command.
   *
   * @param cell the run's place in the grid
   * @param arch the architecture to train
   * @param method the objective and its options
   * @param teacher the teacher, or null
   * @param teacherTaps the names of a TorchScript teacher's maps, or null
   * @param data the splits to train and evaluate on
   * @param config the schedule (its seed is replaced by the cell's)
   * @param options how the grid runs
   * @return a builder to complete (per-class subset, label) and build
   */
  static RunSpec.Builder cellRun(GridRunner.Cell cell, String arch, MethodSpec method, Path teacher,
      List<String> teacherTaps, TeacherRuntime teacherRuntime, DataSplits data, TrainingRecipe config,
      Options options) {
    return RunSpec.builder()
        .setArch(arch)
        .optMethod(method.method())
        .optLossOptions(method.options())
        .optTeacher(teacher)
        .optTeacherTaps(teacherTaps)
        .optTeacherRuntime(teacherRuntime)
        .setData(data)
        .setConfig(config.toBuilder().optSeed(cell.seed()).build())
        .setOut(cell.dir())
        .optResume(true)
        .optDevice(options.device())
        .optProgress(options.progress())
        .optCommand(options.command());
  }
}

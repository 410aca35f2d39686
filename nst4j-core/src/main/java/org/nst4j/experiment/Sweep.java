package org.nst4j.experiment;

import ai.djl.Device;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.nst4j.data.DataSources;
import org.nst4j.data.DataSplits;
import org.nst4j.data.ImageDataset;
import org.nst4j.model.ModelZoo;
import org.nst4j.store.Json;
import org.nst4j.store.ModelStore;
import org.nst4j.train.RunIdentity;
import org.nst4j.train.TeacherRuntime;
import org.nst4j.transfer.NstMethod;
import org.nst4j.train.Teachers;

/**
 * Runs a {@link SweepSpec}: carves a validation split from the training subset ({@link #carve}), trains every
 * (setting, seed) on the rest through {@link GridRunner} (same skip and resume as an experiment), evaluates on
 * the validation split, and writes {@code sweep.md}, {@code sweep.csv} and {@code sweep-accuracy.png}. The
 * test split is never read: hyper-parameters chosen on it would make the final test accuracy optimistic.
 */
public final class Sweep {
  /** What a grid checks before it skips or resumes a run folder: everything that makes the run this cell. */
  private static final java.util.Set<RunIdentity.Part> CHECKS = java.util.EnumSet.of(RunIdentity.Part.ROLE, RunIdentity.Part.ARCH, RunIdentity.Part.METHOD,
      RunIdentity.Part.DATASET, RunIdentity.Part.PER_CLASS, RunIdentity.Part.SCHEDULE, RunIdentity.Part.METHOD_OPTIONS,
      RunIdentity.Part.TEACHER_RUNTIME);

  /** Report file names. */
  public static final String SWEEP_MD = "sweep.md";
  public static final String SWEEP_CSV = "sweep.csv";
  public static final String SWEEP_PNG = "sweep-accuracy.png";

  /**
   * A training set split in two.
   *
   * @param train what the runs train on
   * @param validation what they are evaluated on
   */
  public record Carved(ImageDataset train, ImageDataset validation) {}

  /**
   * What a sweep did.
   *
   * @param outcome runs trained and skipped
   * @param groups one group per setting, in order
   * @param best the setting with the highest mean final validation accuracy (the first of equals)
   * @param sweepMd the Markdown report
   * @param sweepCsv the CSV table
   */
  public record Result(GridRunner.Outcome outcome, List<ResultGroup> groups, ResultGroup best, Path sweepMd,
      Path sweepCsv) {}

  private Sweep() {}

  /**
   * Keeps the first {@code perClass} images of each class (file order), then moves the last {@code valPerClass}
   * of each class of that subset into the validation split. Both keep file order.
   *
   * @param train the full training split
   * @param perClass images per class to keep first, or null for all
   * @param valPerClass validation images per class
   * @return the two parts; they are disjoint and together make the subset
   * @throws IllegalArgumentException if a class would keep no training image
   */
  public static Carved carve(ImageDataset train, Integer perClass, int valPerClass) {
    if (valPerClass < 1) {
      throw new IllegalArgumentException("--val-per-class must be ≥ 1, got " + valPerClass);
    }
    ImageDataset subset = perClass == null ? train : train.firstPerClass(perClass);
    int[] counts = subset.classCounts();
    for (int k = 0; k < counts.length; k++) {
      if (counts[k] > 0 && counts[k] <= valPerClass) {
        throw new IllegalArgumentException("--val-per-class " + valPerClass + " leaves no training image of class '"
            + subset.classNames().get(k) + "' (it has " + counts[k] + ")");
      }
    }
    int[] seen = new int[counts.length];
    int[] keep = new int[subset.size()];
    int[] val = new int[subset.size()];
    int nk = 0;
    int nv = 0;
    for (int i = 0; i < subset.size(); i++) {
      int label = subset.label(i);
      if (seen[label]++ < counts[label] - valPerClass) {
        keep[nk++] = i;
      } else {
        val[nv++] = i;
      }
    }
    return new Carved(subset.subset(Arrays.copyOf(keep, nk), subset.name() + " minus validation"),
        subset.subset(Arrays.copyOf(val, nv), subset.name() + " validation (last " + valPerClass + " per class)"));
  }

  /**
   * The splits a sweep trains and evaluates on: the carved training part as "train" and the validation part
   * as "test". Built from {@code data.train()} alone; {@code data.test()} is not read.
   */
  public static DataSplits validationSplits(DataSplits data, SweepSpec spec) {
    Carved c = carve(data.train(), spec.perClass(), spec.valPerClass());
    return new DataSplits(spec.splitsName(), c.train(), c.validation(), data.normalization());
  }

  /** Runs the sweep on the data set {@code spec.data()} (see {@link #run(SweepSpec, Experiment.Options, Supplier)}). */
  public static Result run(SweepSpec spec, Experiment.Options options) throws IOException {
    return run(spec, options, () -> DataSources.resolve(spec.data(), spec.dataDir()));
  }

  /**
   * Trains what is missing (unless report-only) and writes the report.
   *
   * @param spec the sweep
   * @param options how (as for an experiment)
   * @param load loads the data set; only its training split is used
   * @return what was done, the results and the best setting
   * @throws IllegalArgumentException if the teacher is missing, a folder holds another run, or (report-only)
   *     nothing has finished
   */
  public static Result run(SweepSpec spec, Experiment.Options options, Supplier<DataSplits> load) throws IOException {
    List<GridRunner.Cell> cells = cells(spec, options.device());
    GridRunner.Outcome outcome = new GridRunner.Outcome(0, 0);
    if (!options.reportOnly()) {
      outcome = train(spec, options, load, cells);
    } else {
      for (GridRunner.Cell c : cells) {
        GridRunner.checkSameRun(c);
      }
    }
    List<ResultGroup> groups = collect(spec);
    ResultGroup best = best(groups);
    if (best == null) {
      throw new IllegalArgumentException("no finished run in " + spec.out() + "; train them first (without"
          + " --report-only)");
    }
    writeReport(spec, groups, best, options.log());
    return new Result(outcome, groups, best, spec.out().resolve(SWEEP_MD), spec.out().resolve(SWEEP_CSV));
  }

  /** The sweep's runs: settings in order, seeds in order within each setting (the Slurm array's order). */
  public static List<GridRunner.Cell> cells(SweepSpec spec) {
    return cells(spec, Device.cpu());
  }

  /**
   * The sweep's runs on {@code device} (which decides the default teacher runtime, part of each run's identity).
   *
   * @param spec the sweep
   * @param device where the runs train
   * @return the cells, in the Slurm array's order
   */
  public static List<GridRunner.Cell> cells(SweepSpec spec, Device device) {
    List<GridRunner.Cell> cells = new ArrayList<>();
    for (SweepSpec.Setting s : spec.settings()) {
      for (long seed : spec.seeds()) {
        RunIdentity expected = RunIdentity.of("student", spec.arch(), spec.method(), spec.splitsName(), null,
            spec.config().toBuilder().optSeed(seed).build(), s.options(),
            TeacherRuntime.defaultFor(spec.teacher(), device));
        cells.add(new GridRunner.Cell(s.label(), seed, runDir(spec, s, seed), expected, CHECKS));
      }
    }
    return cells;
  }

  /**
   * Trains one cell of the sweep (a Slurm array task), resuming it, or nothing if it is finished; no report.
   *
   * @param spec the sweep
   * @param index the cell's position in {@link #cells}, from 0
   * @param options how
   * @param load loads the data set
   * @return 1 trained or 1 skipped
   * @throws IllegalArgumentException if the index is outside the sweep, or as {@link #run}
   */
  public static GridRunner.Outcome runCell(SweepSpec spec, int index, Experiment.Options options,
      Supplier<DataSplits> load) throws IOException {
    return train(spec, options, load, List.of(GridRunner.cell(cells(spec, options.device()), index)));
  }

  private static GridRunner.Outcome train(SweepSpec spec, Experiment.Options options, Supplier<DataSplits> load,
      List<GridRunner.Cell> cells) throws IOException {
    List<SweepSpec.Setting> settings = spec.settings();
    {
      Supplier<DataSplits> prepare = () -> {
        if (!Teachers.isTorchScript(spec.teacher())) {
          try {
            ModelStore.modelDir(spec.teacher());
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--teacher: " + e.getMessage());
          }
        }
        options.beforeTraining().run();
        DataSplits data = validationSplits(load.get(), spec);
        List<String> studentTaps = ModelZoo.create(spec.arch(), data.train().channels(), data.numClasses(), 0)
            .tapNames();
        List<String> teacherTaps = Experiment.teacherTapNames(spec.teacher(), spec.teacherTaps(), data,
            options.device(), "--teacher-taps");
        for (SweepSpec.Setting s : settings) {
          Experiment.checkTaps("--taps", MethodSpec.of(spec.method(), s.options()), studentTaps, teacherTaps);
        }
        return data;
      };
      return GridRunner.run("sweep " + spec.method(), cells, prepare, (cell, data) -> {
        SweepSpec.Setting s = settings.stream().filter(x -> x.label().equals(cell.label())).findFirst().orElseThrow();
        return Experiment.cellRun(cell, spec.arch(), MethodSpec.of(spec.method(), s.options()), spec.teacher(),
            spec.teacherTaps(), null, data, spec.config(), options)
            .optLabel("sweep " + s.label() + " seed " + cell.seed())
            .build();
      }, options.log());
    }
  }

  /** The run folder of one (setting, seed). */
  static Path runDir(SweepSpec spec, SweepSpec.Setting s, long seed) {
    return spec.out().resolve("runs").resolve(s.label()).resolve("seed-" + seed);
  }

  /** Reads the finished runs of every setting. */
  static List<ResultGroup> collect(SweepSpec spec) throws IOException {
    List<ResultGroup> groups = new ArrayList<>();
    for (SweepSpec.Setting s : spec.settings()) {
      List<RunResult> runs = new ArrayList<>();
      for (long seed : spec.seeds()) {
        RunResult r = RunResult.read(seed, runDir(spec, s, seed));
        if (r != null) {
          runs.add(r);
        }
      }
      Map<String, String> extra = new LinkedHashMap<>();
      extra.put("lambda", s.lambda() == null ? MethodSpec.num(s.options().get(NstMethod.LAMBDA)) : MethodSpec.num(s.lambda()));
      extra.put("taps", s.taps() == null ? "default" : String.join(",", s.taps()));
      groups.add(new ResultGroup(s.label(), spec.method(), MethodSpec.of(spec.method(), s.options()).describe(), extra,
          spec.seeds(), runs));
    }
    return groups;
  }

  /** The group with the highest mean final validation accuracy; the first of equals; null if none finished. */
  static ResultGroup best(List<ResultGroup> groups) {
    ResultGroup best = null;
    for (ResultGroup g : groups) {
      if (!g.runs().isEmpty() && (best == null || g.finalAccuracy().mean() > best.finalAccuracy().mean())) {
        best = g;
      }
    }
    return best;
  }

  static void writeReport(SweepSpec spec, List<ResultGroup> groups, ResultGroup best, java.io.PrintWriter log)
      throws IOException {
    Path out = spec.out();
    Json.writeAtomically(out.resolve(SWEEP_CSV),
        ReportText.csvTable(groups, List.of("lambda", "taps"), "val").getBytes(StandardCharsets.UTF_8));
    java.util.Optional<ReportCharts> charts = ReportCharts.installed();
    if (charts.isPresent()) {
      ReportCharts.drawOrWarn(log, out.resolve(SWEEP_PNG), () -> charts.get().finalAccuracy(groups, "sweep of "
          + spec.method() + ": final validation accuracy", "validation accuracy (%)", out.resolve(SWEEP_PNG)));
    }
    Json.writeAtomically(out.resolve(SWEEP_MD),
        markdown(spec, groups, best, charts.isPresent()).getBytes(StandardCharsets.UTF_8));
  }

  static String markdown(SweepSpec spec, List<ResultGroup> groups, ResultGroup best, boolean plots)
      throws IOException {
    StringBuilder sb = new StringBuilder();
    sb.append("# Sweep of ").append(spec.method()).append(" (").append(spec.arch()).append(" student)\n\n");
    sb.append("Data: ").append(spec.splitsName()).append(". The runs train on the rest and are evaluated on that")
        .append(" validation split; the test split is never used, so the chosen setting can then be measured on")
        .append(" it without bias. Teacher `").append(spec.teacher()).append(spec.seeds().size() == 1 ? "`; seed " : "`; seeds ")
        .append(String.join(", ", spec.seeds().stream().map(String::valueOf).toList())).append(".\n\n");
    sb.append("| setting | λ | taps | n | final val. acc. (%) | best-epoch val. acc. (%) | s / epoch |\n");
    sb.append("|---|--:|---|--:|--:|--:|--:|\n");
    for (ResultGroup g : groups) {
      sb.append("| ").append(g == best ? "**" + ReportText.cell(g.label()) + "**" : ReportText.cell(g.label()))
          .append(" | ").append(g.extra().get("lambda")).append(" | ").append(ReportText.cell(g.extra().get("taps")))
          .append(" | ").append(g.runs().size()).append(" | ").append(ReportText.pctStats(g.finalAccuracy()))
          .append(" | ").append(ReportText.pctStats(g.bestAccuracy())).append(" | ")
          .append(ReportText.seconds(g.secondsPerEpoch().mean())).append(" |\n");
    }
    sb.append("\nBest: **").append(describeBest(best)).append("** (highest mean final validation accuracy).\n\n");
    sb.append(plots ? "![Final validation accuracy](" + SWEEP_PNG + ")" : ReportCharts.NOT_INSTALLED)
        .append("\n\n");
    // Only when some run did not finish (a Slurm sweep whose report job ran after failed cells).
    sb.append(GridStatus.unfinishedSection(GridStatus.of(cells(spec), spec.config().epochs(),
        spec.out().resolve("slurm").resolve("logs"), Map.of())));
    sb.append("## Runs\n\n");
    ReportText.runsTable(sb, groups, spec.out(), "val.");
    sb.append("\n## Provenance\n\n");
    ReportText.provenance(sb, groups);
    return sb.toString();
  }

  /** One line naming the best setting and its validation accuracy. */
  public static String describeBest(ResultGroup best) {
    return String.format(Locale.ROOT, "%s (λ %s, taps %s): validation accuracy %s %% (n=%d)", best.label(),
        best.extra().get("lambda"), best.extra().get("taps"), ReportText.pctStats(best.finalAccuracy()),
        best.runs().size());
  }
}

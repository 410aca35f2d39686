package org.nst4j.experiment;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.nst4j.bench.MachineInfo;
import org.nst4j.data.DataSources;
import org.nst4j.detection.CocoAnnotation;
import org.nst4j.detection.CocoCategory;
import org.nst4j.detection.CocoDataset;
import org.nst4j.detection.CocoImage;
import org.nst4j.detection.CocoMetrics;
import org.nst4j.detection.CocoReader;
import org.nst4j.detection.CocoResults;
import org.nst4j.detection.Detection;
import org.nst4j.detection.DetectionDrawing;
import org.nst4j.detection.DetectionSummary;
import org.nst4j.detection.DetectorStore;
import org.nst4j.detection.DetectorTraining;
import org.nst4j.detection.EvaluationReport;
import org.nst4j.detection.FmnistDet;
import org.nst4j.store.Json;
import org.nst4j.store.ModelStore;
import org.nst4j.train.ConsoleProgress;
import org.nst4j.train.RunFolder;
import org.nst4j.train.RunIdentity;
import org.nst4j.train.StopSignal;
import org.nst4j.transfer.TransferMethods;

/**
 * Runs a {@link DetectionExperimentSpec}: generates its FMNIST-Det folder if absent, trains its teacher detectors,
 * then every (row, seed) detector, skipping finished runs and resuming interrupted ones (a folder holding a run of
 * another configuration is refused before anything trains, as {@link GridRunner} does for classification), and
 * writes the report into the spec's report folder:
 *
 * <ul>
 *   <li>{@code results.csv}: per row, n seeds, mean and sample std of COCO AP, AP50, AP75 and VOC07 mAP, mean
 *       seconds per epoch;
 *   <li>{@code results.md}: that table in mean ± std, the per-class COCO AP (mean over seeds), every run, the
 *       teachers, the picture and the experiment file;
 *   <li>{@code predictions.png}: the first test scenes with their ground truth and each row's detections (first
 *       seed, score ≥ {@value #DRAW_MIN_SCORE}), drawn from the runs' {@code detections.json}.
 * </ul>
 *
 * <p>Every figure is recomputed from the run folders' {@code detections.json} against their {@code
 * ground-truth.json} ({@link EvaluationReport}), so the report is a pure function of the experiment and its run
 * folders: rebuilt on a finished experiment, it is the same byte for byte.
 */
public final class DetectionExperiment {
  /** Report file names. */
  public static final String RESULTS_MD = "results.md";
  public static final String RESULTS_CSV = "results.csv";
  public static final String PREDICTIONS_PNG = "predictions.png";
  /** Test scenes drawn in {@value #PREDICTIONS_PNG}. */
  public static final int DRAWN_SCENES = 4;
  /** Detections drawn score at least this. */
  public static final double DRAW_MIN_SCORE = 0.3;

  private static final EnumSet<RunIdentity.Part> ALL_PARTS = EnumSet.allOf(RunIdentity.Part.class);

  private DetectionExperiment() {}

  /**
   * How to run.
   *
   * @param reportOnly rebuild the report from the run folders without training
   * @param progress show each run's per-epoch progress
   * @param command the command line, recorded in every run
   * @param log where progress lines and warnings go
   */
  public record Options(boolean reportOnly, boolean progress, String command, PrintWriter log) {}

  /**
   * One detector to train.
   *
   * @param label the row (or {@code teacher:NAME})
   * @param seed its seed
   * @param spec its training spec (resume set)
   */
  public record Cell(String label, long seed, DetectorTraining.Spec spec) {}

  /**
   * What a call did.
   *
   * @param trained runs trained in this call
   * @param skipped runs already complete
   * @param resultsMd the Markdown report
   */
  public record Result(int trained, int skipped, Path resultsMd) {}

  /**
   * Trains what is missing (unless report-only) and writes the report.
   *
   * @param spec the experiment
   * @param options how
   * @return what was done
   * @throws IllegalArgumentException if a backbone or teacher run is missing, a run folder holds another run, or
   *     (report-only) no row has a finished run
   */
  public static Result run(DetectionExperimentSpec spec, Options options) throws IOException {
    List<Cell> teachers = teacherCells(spec, options);
    List<Cell> rows = rowCells(spec, options);
    List<Cell> all = new ArrayList<>(teachers);
    all.addAll(rows);
    int trained = 0;
    int skipped = 0;
    if (!options.reportOnly()) {
      for (Cell c : all) {
        checkSameRun(c);
      }
      List<Cell> pending = new ArrayList<>();
      for (Cell c : all) {
        if (!new RunFolder(c.spec().out()).isComplete()) {
          pending.add(c);
        }
      }
      skipped = all.size() - pending.size();
      checkInputs(spec, rows, teachers);
      if (!pending.isEmpty()) {
        ensureData(spec, options.log());
      }
      long start = System.nanoTime();
      for (Cell c : pending) {
        if (StopSignal.process().requested() != null) {
          throw new StopSignal.Stopped(StopSignal.process().requested() + ": stopped before " + c.label() + " seed "
              + c.seed() + "; the same command continues the experiment");
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        options.log().printf(Locale.ROOT, "[%s] run %d/%d: %s seed %d (%d of %d to train; %s)%n", spec.name(),
            all.indexOf(c) + 1, all.size(), c.label(), c.seed(), trained + 1, pending.size(), trained == 0
                ? "ETA after the first run"
                : "ETA " + ConsoleProgress.duration(elapsed / trained * (pending.size() - trained)));
        options.log().flush();
        DetectorTraining.execute(c.spec());
        MachineInfo.current().writeTo(c.spec().out());
        trained++;
      }
    }
    Path md = report(spec, rows, options);
    return new Result(trained, skipped, md);
  }

  /** The teacher detectors, in file order. */
  static List<Cell> teacherCells(DetectionExperimentSpec spec, Options options) {
    List<Cell> cells = new ArrayList<>();
    DetectionExperimentSpec.Schedule s = spec.schedule();
    for (DetectionExperimentSpec.Teacher t : spec.teachers()) {
      DetectorTraining.Spec run = new DetectorTraining.Spec(spec.data().folder(), t.arch(), s.tap(),
          t.backbone() == null ? null : Path.of(t.backbone()), t.epochs() == null ? s.epochs() : t.epochs(), s.batch(),
          s.lr(), s.momentum(), s.weightDecay(), s.flip(), t.seed(), spec.teacherDir(t.name()), true, false,
          options.command(), listeners(options, "teacher " + t.name()), warnings(options));
      cells.add(new Cell("teacher " + t.name(), t.seed(), run));
    }
    return cells;
  }

  /** The rows' runs: rows in file order, seeds in file order within each row. */
  static List<Cell> rowCells(DetectionExperimentSpec spec, Options options) {
    List<Cell> cells = new ArrayList<>();
    DetectionExperimentSpec.Schedule s = spec.schedule();
    for (DetectionExperimentSpec.Row row : spec.rows()) {
      for (long seed : spec.seeds()) {
        DetectorTraining.Spec run = new DetectorTraining.Spec(spec.data().folder(), row.arch(), s.tap(),
            row.backboneFor(seed), s.epochs(), s.batch(), s.lr(), s.momentum(), s.weightDecay(), s.flip(), seed,
            spec.runDir(row, seed), true, false, options.command(), listeners(options, row.label() + " s" + seed),
            warnings(options), spec.teacherOf(row), row.method(), row.options());
        cells.add(new Cell(row.label(), seed, run));
      }
    }
    return cells;
  }

  private static List<org.nst4j.train.LoopListener> listeners(Options options, String label) {
    return options.progress() ? List.of(ConsoleProgress.forStderr(label)) : List.of();
  }

  private static java.util.function.Consumer<String> warnings(Options options) {
    return w -> {
      options.log().println("warning: " + w);
      options.log().flush();
    };
  }

  /**
   * Refuses a folder whose {@code config.json} describes another detector run: skipping or resuming it would mix
   * configurations in one table.
   */
  static void checkSameRun(Cell c) {
    RunFolder f = new RunFolder(c.spec().out());
    if (!Files.isRegularFile(f.config())) {
      if (f.isComplete()) {
        throw new IllegalArgumentException(c.spec().out() + " holds a finished run without config.json; cannot check"
            + " it belongs to this experiment (move it away or choose another out)");
      }
      return;
    }
    List<String> differences = DetectorTraining.identity(c.spec())
        .differences(DetectorTraining.readIdentity(f.config()), ALL_PARTS);
    if (!differences.isEmpty()) {
      throw new IllegalArgumentException(c.spec().out() + " holds another run: its " + String.join(", ", differences)
          + " (choose another out, or delete that run to retrain it)");
    }
  }

  /**
   * Refuses, before anything trains, a row whose backbone run does not exist (saying which grid to train) and a row
   * whose teacher is neither one of the file's nor a finished detector run.
   */
  private static void checkInputs(DetectionExperimentSpec spec, List<Cell> rows, List<Cell> teachers) {
    for (Cell c : rows) {
      Path backbone = c.spec().backbone();
      if (backbone != null && !new RunFolder(c.spec().out()).isComplete()) {
        try {
          ModelStore.modelDir(backbone);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(spec.file() + ": row " + c.label() + ", seed " + c.seed() + ": backbone "
              + backbone + " is not a saved classification model (" + e.getMessage() + "); train that grid first,"
              + " e.g. ./nst4j experiment experiments/fmnist-10k.yaml");
        }
      }
      Path teacher = c.spec().teacher();
      boolean ours = teachers.stream().anyMatch(t -> t.spec().out().equals(teacher));
      if (teacher != null && !ours && !new RunFolder(c.spec().out()).isComplete()) {
        DetectorStore.modelDir(teacher);
      }
    }
  }

  /**
   * Generates the experiment's FMNIST-Det folder when it is absent; an existing one must hold the scene counts the
   * file asks for (a folder of other counts is refused: its results would not be this experiment's).
   */
  static void ensureData(DetectionExperimentSpec spec, PrintWriter log) throws IOException {
    DetectionExperimentSpec.Data d = spec.data();
    Path trainJson = d.folder().resolve("train").resolve(CocoReader.INSTANCES);
    if (Files.isRegularFile(trainJson)) {
      int train = CocoReader.readAnnotations(trainJson).images().size();
      int test = CocoReader.readAnnotations(d.folder().resolve("test").resolve(CocoReader.INSTANCES)).images().size();
      if (train != d.train() || test != d.test()) {
        throw new IllegalArgumentException(spec.file() + ": data.folder " + d.folder() + " holds " + train + " training"
            + " and " + test + " test scenes, the file asks for " + d.train() + " and " + d.test() + "; name another"
            + " folder (or delete it to regenerate)");
      }
      return;
    }
    FmnistDet.checkFreshFolder(d.folder());
    log.printf(Locale.ROOT, "[%s] generating FMNIST-Det (seed %d, %d training and %d test scenes from %s) in %s%n",
        spec.name(), d.seed(), d.train(), d.test(), d.source(), d.folder());
    log.flush();
    FmnistDet.generate(DataSources.resolve(d.source(), d.dataDir()), d.seed(), d.train(), d.test(), d.folder());
  }

  /** A finished run, evaluated again from its files. */
  record Finished(long seed, Path dir, DetectionSummary summary, EvaluationReport report) {}

  /** Reads a cell's run if it has finished; null otherwise. */
  static Finished finished(Cell c) throws IOException {
    RunFolder f = new RunFolder(c.spec().out());
    if (!f.isComplete()) {
      return null;
    }
    DetectionSummary s = Json.PRETTY.readValue(f.summary().toFile(), DetectionSummary.class);
    CocoDataset gt = CocoReader.readAnnotations(f.groundTruth());
    List<Detection> found = CocoResults.read(f.detections(), gt);
    return new Finished(c.seed(), c.spec().out(), s, EvaluationReport.evaluate(gt, found));
  }

  /** Writes results.csv, results.md and predictions.png; returns results.md. */
  private static Path report(DetectionExperimentSpec spec, List<Cell> cells, Options options) throws IOException {
    Map<DetectionExperimentSpec.Row, List<Finished>> byRow = new LinkedHashMap<>();
    int total = 0;
    for (DetectionExperimentSpec.Row row : spec.rows()) {
      List<Finished> runs = new ArrayList<>();
      for (Cell c : cells) {
        if (c.label().equals(row.label())) {
          Finished f = finished(c);
          if (f != null) {
            runs.add(f);
          }
        }
      }
      total += runs.size();
      byRow.put(row, runs);
    }
    if (total == 0) {
      throw new IllegalArgumentException(spec.name() + ": no run has finished yet under " + spec.out()
          + "; run without --report-only to train them");
    }
    Files.createDirectories(spec.report());
    Json.writeAtomically(spec.report().resolve(RESULTS_CSV), csv(byRow).getBytes(StandardCharsets.UTF_8));
    Path png = spec.report().resolve(PREDICTIONS_PNG);
    ReportCharts.drawOrWarn(options.log(), png, () -> predictions(byRow, png));
    Path md = spec.report().resolve(RESULTS_MD);
    Json.writeAtomically(md, markdown(spec, byRow).getBytes(StandardCharsets.UTF_8));
    return md;
  }

  private static Stats stats(List<Finished> runs, java.util.function.ToDoubleFunction<Finished> f) {
    List<Double> v = new ArrayList<>();
    for (Finished r : runs) {
      v.add(f.applyAsDouble(r));
    }
    return Stats.of(v);
  }

  private static String csv(Map<DetectionExperimentSpec.Row, List<Finished>> byRow) {
    StringBuilder sb = new StringBuilder("row,arch,backbone,teacher,method,n,ap_mean,ap_std,ap50_mean,ap50_std,"
        + "ap75_mean,ap75_std,voc07_map_mean,voc07_map_std,seconds_per_epoch\n");
    for (Map.Entry<DetectionExperimentSpec.Row, List<Finished>> e : byRow.entrySet()) {
      DetectionExperimentSpec.Row row = e.getKey();
      List<Finished> runs = e.getValue();
      sb.append(ReportText.csv(row.label())).append(',').append(row.arch()).append(',')
          .append(ReportText.csv(row.backbone() == null ? "scratch" : row.backbone())).append(',')
          .append(ReportText.csv(row.teacher() == null ? "" : row.teacher())).append(',')
          .append(ReportText.csv(row.method())).append(',').append(runs.size());
      for (Stats s : List.of(stats(runs, r -> r.report().coco().ap()), stats(runs, r -> r.report().coco().ap50()),
          stats(runs, r -> r.report().coco().ap75()), stats(runs, r -> r.report().voc07().map()))) {
        sb.append(',').append(ReportText.csvPct(s.mean())).append(',').append(ReportText.csvPct(s.std()));
      }
      sb.append(',').append(ReportText.csvSeconds(stats(runs, DetectionExperiment::secondsPerEpoch).mean()))
          .append('\n');
    }
    return sb.toString();
  }

  private static double secondsPerEpoch(Finished r) {
    return r.summary().secondsPerEpoch().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }

  private static String markdown(DetectionExperimentSpec spec, Map<DetectionExperimentSpec.Row, List<Finished>> byRow)
      throws IOException {
    StringBuilder sb = new StringBuilder();
    sb.append("# ").append(spec.name()).append("\n\n");
    if (spec.description() != null) {
      sb.append(spec.description().trim()).append("\n\n");
    }
    DetectionExperimentSpec.Data d = spec.data();
    DetectionExperimentSpec.Schedule s = spec.schedule();
    sb.append(String.format(Locale.ROOT, "Data: FMNIST-Det `%s` (seed %d, %,d training and %,d test scenes of 96×96,"
        + " items from %s). Detectors: CenterNet heads on the `%s` tap, %d epoch(s), batch %d, lr %s cosine per step,"
        + " momentum %s, weight decay %s, flips %s. Seeds: %s. COCO AP (IoU .50:.05:.95), AP50, AP75 and VOC07 11-point"
        + " mAP@0.5 in percent, mean ± sample std over the seeds, recomputed from each run's `detections.json`"
        + " against its `ground-truth.json`.%n%n", d.folder(), d.seed(), d.train(), d.test(), d.source(), s.tap(),
        s.epochs(), s.batch(), MethodSpec.num(s.lr()), MethodSpec.num(s.momentum()), MethodSpec.num(s.weightDecay()),
        s.flip() ? "on" : "off", spec.seeds()));
    sb.append("| row | backbone | teacher · method | n | COCO AP | AP50 | AP75 | VOC07 mAP | s / epoch |\n");
    sb.append("|---|---|---|---|---|---|---|---|---|\n");
    for (Map.Entry<DetectionExperimentSpec.Row, List<Finished>> e : byRow.entrySet()) {
      DetectionExperimentSpec.Row row = e.getKey();
      List<Finished> runs = e.getValue();
      String distill = row.teacher() == null ? "—" : row.teacher() + " · " + row.method()
          + describe(row);
      sb.append("| ").append(ReportText.cell(row.label())).append(" | ")
          .append(ReportText.cell(row.arch() + ", " + (row.backbone() == null ? "scratch" : row.backbone())))
          .append(" | ").append(ReportText.cell(distill)).append(" | ").append(runs.size()).append(" | ")
          .append(ReportText.pctStats(stats(runs, r -> r.report().coco().ap()))).append(" | ")
          .append(ReportText.pctStats(stats(runs, r -> r.report().coco().ap50()))).append(" | ")
          .append(ReportText.pctStats(stats(runs, r -> r.report().coco().ap75()))).append(" | ")
          .append(ReportText.pctStats(stats(runs, r -> r.report().voc07().map()))).append(" | ")
          .append(ReportText.seconds(stats(runs, DetectionExperiment::secondsPerEpoch).mean())).append(" |\n");
    }

    // Per-class COCO AP: the categories of the first finished run's ground truth.
    List<CocoMetrics.ClassAp> classes = null;
    for (List<Finished> runs : byRow.values()) {
      if (!runs.isEmpty()) {
        classes = runs.get(0).report().coco().perClass();
        break;
      }
    }
    sb.append("\n## Per-class COCO AP (%, mean over seeds)\n\n| row |");
    for (CocoMetrics.ClassAp c : classes) {
      sb.append(' ').append(ReportText.cell(c.name())).append(" |");
    }
    sb.append("\n|---|").append("---|".repeat(classes.size())).append('\n');
    for (Map.Entry<DetectionExperimentSpec.Row, List<Finished>> e : byRow.entrySet()) {
      sb.append("| ").append(ReportText.cell(e.getKey().label())).append(" |");
      for (int k = 0; k < classes.size(); k++) {
        int kk = k;
        List<Finished> defined = new ArrayList<>();
        for (Finished r : e.getValue()) {
          if (r.report().coco().perClass().get(kk).ap() >= 0) {
            defined.add(r);
          }
        }
        sb.append(' ').append(ReportText.pct(stats(defined, r -> r.report().coco().perClass().get(kk).ap()).mean()))
            .append(" |");
      }
      sb.append('\n');
    }

    sb.append("\n## Every run\n\nPeak RSS is the process's up to the end of the run (runs of one command share a"
        + " process).\n\n| row | seed | AP | AP50 | AP75 | VOC07 mAP | epochs | wall | peak RSS | folder |\n");
    sb.append("|---|---|---|---|---|---|---|---|---|---|\n");
    for (Map.Entry<DetectionExperimentSpec.Row, List<Finished>> e : byRow.entrySet()) {
      for (Finished r : e.getValue()) {
        CocoMetrics m = r.report().coco();
        sb.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %d | %s | %.0f MiB | %s |%n",
            ReportText.cell(e.getKey().label()), r.seed(), ReportText.pct(m.ap()), ReportText.pct(m.ap50()),
            ReportText.pct(m.ap75()), ReportText.pct(r.report().voc07().map()), r.summary().epochs(),
            ConsoleProgress.duration(r.summary().wallSeconds()), r.summary().peakRssMb(),
            ReportText.relative(spec.report(), r.dir())));
      }
    }
    if (!spec.teachers().isEmpty()) {
      sb.append("\n## Teachers\n\n| teacher | arch | backbone | seed | AP | VOC07 mAP | folder |\n");
      sb.append("|---|---|---|---|---|---|---|\n");
      for (DetectionExperimentSpec.Teacher t : spec.teachers()) {
        Path dir = spec.teacherDir(t.name());
        DetectionSummary ts = readSummary(dir);
        sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %s | %s | %s |%n", ReportText.cell(t.name()),
            t.arch(), ReportText.cell(t.backbone() == null ? "scratch" : t.backbone()), t.seed(),
            ts == null ? "—" : ReportText.pct(ts.ap()), ts == null ? "—" : ReportText.pct(ts.voc07Map()),
            ReportText.relative(spec.report(), dir)));
      }
    }
    sb.append("\n## Predictions\n\n![predictions](").append(PREDICTIONS_PNG).append(")\n\n")
        .append(String.format(Locale.ROOT, "The first %d test scenes: ground truth, then each row's detections"
            + " (first seed, score ≥ %.1f).%n", DRAWN_SCENES, DRAW_MIN_SCORE));
    sb.append("\n## Reproduce\n\n```\n./nst4j detect experiment ").append(spec.file()).append("\n```\n\n")
        .append("The experiment file:\n\n```yaml\n").append(spec.yaml().strip()).append("\n```\n");
    return sb.toString();
  }

  private static String describe(DetectionExperimentSpec.Row row) {
    String d = TransferMethods.describe(TransferMethods.parse(row.method()), row.options());
    return d.isEmpty() ? "" : " (" + d + ")";
  }

  private static DetectionSummary readSummary(Path dir) throws IOException {
    RunFolder f = new RunFolder(dir);
    return f.isComplete() ? Json.PRETTY.readValue(f.summary().toFile(), DetectionSummary.class) : null;
  }

  /**
   * Tiles the first test scenes: a column of ground truth, then one column per row with a finished run (its first
   * seed's detections), a caption above each column.
   */
  private static void predictions(Map<DetectionExperimentSpec.Row, List<Finished>> byRow, Path png) throws IOException {
    List<String> captions = new ArrayList<>(List.of("ground truth"));
    List<Finished> columns = new ArrayList<>();
    for (Map.Entry<DetectionExperimentSpec.Row, List<Finished>> e : byRow.entrySet()) {
      if (!e.getValue().isEmpty()) {
        captions.add(e.getKey().label());
        columns.add(e.getValue().get(0));
      }
    }
    RunFolder first = new RunFolder(columns.get(0).dir());
    CocoDataset gt = CocoReader.readAnnotations(first.groundTruth());
    Map<Integer, String> names = new LinkedHashMap<>();
    for (CocoCategory c : gt.categories()) {
      names.put(c.id(), c.name());
    }
    Path dataFolder = Path.of(columns.get(0).summary().data());
    CocoDataset split = CocoReader.read(DetectorTraining.testSplit(dataFolder));
    List<CocoImage> scenes = split.images().subList(0, Math.min(DRAWN_SCENES, split.images().size()));
    int side = 288;
    int caption = 24;
    BufferedImage sheet = new BufferedImage(side * captions.size(), caption + side * scenes.size(),
        BufferedImage.TYPE_INT_RGB);
    Graphics2D g = sheet.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
      g.setColor(Color.BLACK);
      for (int col = 0; col < captions.size(); col++) {
        g.drawString(captions.get(col), col * side + 6, 17);
      }
      Map<Long, List<CocoAnnotation>> truth = split.annotationsByImage();
      List<Map<Long, List<Detection>>> found = new ArrayList<>();
      for (Finished f : columns) {
        Map<Long, List<Detection>> byImage = new LinkedHashMap<>();
        RunFolder rf = new RunFolder(f.dir());
        for (Detection det : CocoResults.read(rf.detections(), CocoReader.readAnnotations(rf.groundTruth()))) {
          if (det.score() >= DRAW_MIN_SCORE) {
            byImage.computeIfAbsent(det.imageId(), k -> new ArrayList<>()).add(det);
          }
        }
        found.add(byImage);
      }
      for (int r = 0; r < scenes.size(); r++) {
        CocoImage scene = scenes.get(r);
        BufferedImage image = ImageIO.read(split.imageFile(scene).toFile());
        List<Detection> gtBoxes = new ArrayList<>();
        for (CocoAnnotation a : truth.getOrDefault(scene.id(), List.of())) {
          gtBoxes.add(new Detection(scene.id(), a.categoryId(), a.bbox(), 1.0));
        }
        List<List<Detection>> perColumn = new ArrayList<>(List.of(gtBoxes));
        for (Map<Long, List<Detection>> m : found) {
          perColumn.add(m.getOrDefault(scene.id(), List.of()));
        }
        for (int col = 0; col < perColumn.size(); col++) {
          BufferedImage tile = DetectionDrawing.render(image, perColumn.get(col), names, side);
          g.drawImage(tile, col * side, caption + r * side, side, side, null);
        }
      }
    } finally {
      g.dispose();
    }
    Files.createDirectories(png.toAbsolutePath().getParent());
    if (!ImageIO.write(sheet, "png", png.toFile())) {
      throw new IOException(png + ": no PNG writer");
    }
  }
}

package org.nst4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.nst4j.data.DataSources;
import org.nst4j.data.DataSplits;
import org.nst4j.detection.CocoDataset;
import org.nst4j.detection.CocoReader;
import org.nst4j.detection.CocoResults;
import org.nst4j.detection.CocoWriter;
import org.nst4j.detection.DetectionDrawing;
import org.nst4j.detection.DetectionSummary;
import org.nst4j.detection.DetectorInference;
import org.nst4j.detection.DetectorStore;
import org.nst4j.detection.DetectorTraining;
import org.nst4j.detection.Detection;
import org.nst4j.detection.EvaluationReport;
import org.nst4j.detection.FmnistDet;
import org.nst4j.experiment.DetectionExperiment;
import org.nst4j.experiment.DetectionExperimentFile;
import org.nst4j.experiment.DetectionExperimentSpec;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import org.nst4j.train.ConsoleProgress;

/**
 * The detection commands: {@code nst4j detection-data} (writes detection data sets) and {@code nst4j detect}
 * (evaluates detections). Kept in one file, registered together in {@link Main}.
 */
final class DetectionCommands {
  private DetectionCommands() {}

  /** {@code nst4j detection-data}: writes detection data sets. */
  @Command(name = "detection-data", mixinStandardHelpOptions = true,
      description = "Write detection data sets in the COCO layout: fmnist-det (Fashion-MNIST composites with"
          + " boxes known by construction).",
      subcommands = {FmnistDetData.class})
  static final class Data implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      spec.commandLine().usage(spec.commandLine().getOut());
    }
  }

  /** {@code nst4j detection-data fmnist-det}. */
  @Command(name = "fmnist-det", mixinStandardHelpOptions = true,
      description = "Write FMNIST-Det: 96×96 scenes of 1-5 real Fashion-MNIST items (20-56 px, box IoU ≤ 0.3),"
          + " as DIR/train and DIR/test, each instances.json + images/*.png. Deterministic from --seed.")
  static final class FmnistDetData implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to create (new or empty).")
    Path out;

    @Option(names = "--seed", defaultValue = "" + FmnistDet.DEFAULT_SEED, paramLabel = "N",
        description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--train", defaultValue = "" + FmnistDet.DEFAULT_TRAIN, paramLabel = "N",
        description = "Training scenes (default: ${DEFAULT-VALUE}).")
    int train;

    @Option(names = "--test", defaultValue = "" + FmnistDet.DEFAULT_TEST, paramLabel = "N",
        description = "Test scenes (default: ${DEFAULT-VALUE}).")
    int test;

    @Option(names = "--data", defaultValue = DataSources.FASHION_MNIST, paramLabel = "NAME|PATH",
        description = "Source of the items: fashion-mnist (default), sample (the embedded slice) or a folder of"
            + " IDX files.")
    String data;

    @Option(names = "--data-dir", paramLabel = "DIR",
        description = "Where named data sets are looked for first (then $NST4J_DATA, then /usr/share/datasets).")
    Path dataDir;

    @Option(names = "--debug", description = "Print stack traces of errors.")
    boolean debug;

    @Override
    public Integer call() throws Exception {
      if (train < 1 || test < 1) {
        throw new IllegalArgumentException("--train and --test must be ≥ 1, got " + train + " and " + test);
      }
      if (dataDir != null && !Files.isDirectory(dataDir)) {
        throw new IllegalArgumentException("--data-dir " + dataDir + ": no such folder");
      }
      FmnistDet.checkFreshFolder(out); // before the (slow) read of the source
      DataSplits source = DataSources.resolve(data, dataDir);
      long start = System.nanoTime();
      FmnistDet.Result r = FmnistDet.generate(source, seed, train, test, out);
      double seconds = (System.nanoTime() - start) / 1e9;
      PrintWriter o = spec.commandLine().getOut();
      o.printf(Locale.ROOT, "wrote FMNIST-Det (seed %d, from %s) to %s in %.1f s:%n", seed, source.name(), r.out(),
          seconds);
      o.printf(Locale.ROOT, "  train: %d scenes, %d objects (%d items drawn from %d images, %d left out for lack of"
          + " room)%n", r.train().images().size(), r.train().annotations().size(), r.trainDrawn(),
          source.train().size(), r.trainDrawn() - r.train().annotations().size());
      o.printf(Locale.ROOT, "  test:  %d scenes, %d objects (%d items drawn from %d images, %d left out for lack of"
          + " room)%n", r.test().images().size(), r.test().annotations().size(), r.testDrawn(), source.test().size(),
          r.testDrawn() - r.test().annotations().size());
      o.flush();
      return 0;
    }
  }

  /** {@code nst4j detect}: detection commands. */
  @Command(name = "detect", mixinStandardHelpOptions = true,
      description = "Object detection: train (a CenterNet-style detector on a COCO-style data set), eval (COCO AP"
          + " and VOC07 mAP of a trained detector or a COCO results file), predict (boxes on images), experiment"
          + " (a table of detectors from an experiment file).",
      subcommands = {Train.class, Eval.class, Predict.class, Experiment.class})
  static final class Detect implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      spec.commandLine().usage(spec.commandLine().getOut());
    }
  }

  /** {@code nst4j detect eval}. */
  @Command(name = "eval", mixinStandardHelpOptions = true,
      description = "Evaluate a COCO results file ([{image_id, category_id, bbox, score}]) against a COCO ground"
          + " truth: COCO AP, AP50, AP75, AP small/medium/large, AR, VOC07 11-point mAP@0.5, per-class AP.")
  static final class Eval implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--gt", required = true, paramLabel = "PATH",
        description = "Ground truth: a split folder holding instances.json (e.g. DIR/test), or the JSON file.")
    Path gt;

    @Option(names = "--detections", paramLabel = "FILE", description = "COCO results file (or give --model).")
    Path detections;

    @Option(names = "--model", paramLabel = "RUN", description = "A trained detector (a `detect train` run folder or"
        + " its model/ folder): its detections on the --gt images are evaluated (or give --detections).")
    Path model;

    @Option(names = "--save-detections", paramLabel = "FILE",
        description = "With --model: also write the detections as a COCO results file (must not exist).")
    Path saveDetections;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the metrics to FILE (must not exist).")
    Path json;

    @Option(names = "--debug", description = "Print stack traces of errors.")
    boolean debug;

    @Override
    public Integer call() throws Exception {
      if (json != null && Files.exists(json)) {
        throw new IllegalArgumentException("--json " + json + ": exists already; give a new file (nothing is"
            + " overwritten)");
      }
      if ((detections == null) == (model == null)) {
        throw new IllegalArgumentException("give exactly one of --detections FILE and --model RUN");
      }
      if (saveDetections != null && (model == null || Files.exists(saveDetections))) {
        throw new IllegalArgumentException("--save-detections " + saveDetections + (model == null
            ? ": only with --model" : ": exists already; give a new file (nothing is overwritten)"));
      }
      CocoDataset truth;
      List<Detection> found;
      String source;
      if (model != null) {
        try (DetectorStore.Loaded loaded = DetectorStore.load(model)) {
          truth = CocoReader.read(gt);
          long start = System.nanoTime();
          found = DetectorInference.detect(loaded, truth);
          source = String.format(Locale.ROOT, "%s (%s, %.1f s)", model, loaded.card().arch(),
              (System.nanoTime() - start) / 1e9);
        }
        if (saveDetections != null) {
          CocoWriter.writeResults(saveDetections, found);
        }
      } else {
        truth = CocoReader.readAnnotations(gt);
        found = CocoResults.read(detections, truth);
        source = detections.toString();
      }
      EvaluationReport report = EvaluationReport.evaluate(truth, found);
      PrintWriter o = spec.commandLine().getOut();
      o.printf(Locale.ROOT, "%s: %d images, %d objects, %d categories; %d detections from %s%n", gt,
          report.images(), report.objects(), truth.categories().size(), report.detections(), source);
      report.lines().forEach(o::println);
      o.flush();
      if (json != null) {
        ObjectMapper mapper = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);
        Path parent = json.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Files.write(json, mapper.writeValueAsBytes(report), java.nio.file.StandardOpenOption.CREATE_NEW);
      }
      return 0;
    }
  }

  /** {@code nst4j detect train}. */
  @Command(name = "train", mixinStandardHelpOptions = true,
      description = "Train a CenterNet-style detector on a COCO-style data set (DIR/train, DIR/test), evaluate it on"
          + " the test split, and write a run folder: config.json, epochs.jsonl, a checkpoint per epoch, model/,"
          + " detections.json beside ground-truth.json, and summary.json (COCO AP, AP50, AP75, APs/m/l, VOC07 mAP)."
          + " With --teacher and --method, the detector is distilled from a trained detector on the backbones' taps"
          + " (the registry's tap-only methods and their options; docs/detection.md).")
  static final class Train implements Callable<Integer>, LossOptionsMixin.TakesMethodOptions {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin LossOptionsMixin loss = new LossOptionsMixin();

    @Option(names = "--teacher", paramLabel = "RUN",
        description = "Distill from a trained detector (a detect train run folder or its model/): the transfer"
            + " terms of --method compare the two backbones' taps; the teacher is frozen.")
    Path teacher;

    @Option(names = "--method", defaultValue = "ce", paramLabel = "M",
        description = "Transfer method(s) on the backbone taps with --teacher: methods that read only feature maps"
            + " (nst-poly, nst-linear, nst-gauss, at, fitnet, rkd, pkt, sp, kdsvd, vid, ofd, reviewkd) or a sum such"
            + " as at+nst-poly; ce (default) adds none. kd, dkd and crd read what only classifiers have and are"
            + " refused.")
    String method;

    @Option(names = "--data", required = true, paramLabel = "DIR",
        description = "Data set folder with train/ and test/ (or val/) COCO splits, e.g. from detection-data fmnist-det.")
    Path data;

    @Option(names = "--backbone-arch", required = true, paramLabel = "A",
        description = "Backbone architecture: resnet8|14|20|32|56|110, ...")
    String arch;

    @Option(names = "--backbone", paramLabel = "RUN",
        description = "Initialise the backbone from a classification run folder (or model folder) of the same"
            + " architecture and channels.")
    Path backbone;

    @Option(names = "--tap", defaultValue = "stage3", paramLabel = "NAME",
        description = "Backbone tap the heads read (default: ${DEFAULT-VALUE}, stride 4 on CIFAR-style ResNets).")
    String tap;

    @Option(names = "--epochs", defaultValue = "10", paramLabel = "E", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", defaultValue = "16", paramLabel = "B", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "0.02", paramLabel = "LR",
        description = "Base learning rate, cosine-annealed per step to 0 (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--momentum", defaultValue = "0.9", paramLabel = "M", description = "Nesterov momentum (default: ${DEFAULT-VALUE}).")
    double momentum;

    @Option(names = "--weight-decay", defaultValue = "1e-4", paramLabel = "WD", description = "Weight decay (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--no-flip", description = "No random horizontal flips.")
    boolean noFlip;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "RUN", description = "Run folder: new, empty, or a detector run.")
    Path out;

    @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint.")
    boolean resume;

    @Option(names = "--overwrite", description = "Replace the run in --out once the new run has finished.")
    boolean overwrite;

    @Option(names = "--quiet", description = "No progress display.")
    boolean quiet;

    @Option(names = "--debug", description = "Print stack traces of errors.")
    boolean debug;

    @Override
    public Integer call() throws Exception {
      PrintWriter err = spec.commandLine().getErr();
      if (out.toString().isEmpty()) {
        throw new IllegalArgumentException("--out is empty (an unset shell variable?); give the run folder's path");
      }
      Path absOut = out.toAbsolutePath().normalize();
      if (absOut.startsWith(data.toAbsolutePath().normalize())) {
        throw new IllegalArgumentException("--out " + out + " is inside --data " + data + "; write runs elsewhere");
      }
      DetectorTraining.Spec run = new DetectorTraining.Spec(data, arch, tap, backbone, epochs, batch, lr, momentum,
          weightDecay, !noFlip, seed, out, resume, overwrite, Commands.commandLine(spec),
          quiet ? List.of() : List.of(ConsoleProgress.forStderr("detect " + arch)), w -> {
            err.println("warning: " + w);
            err.flush();
          }, teacher, method, loss.toOptions());
      DetectionSummary s = DetectorTraining.execute(run);
      PrintWriter o = spec.commandLine().getOut();
      o.printf(Locale.ROOT, "detector %s (%s) on %s: %d epochs, %d training scenes, loss %.4f%s%n", s.arch(), s.tap(),
          s.data(), s.epochs(), s.trainImages(), s.finalLoss(), s.teacher() == null ? ""
              : ", distilled from " + s.teacher() + " with " + s.method());
      o.printf(Locale.ROOT, "test (%d scenes, %d objects, %d detections): AP %.3f  AP50 %.3f  AP75 %.3f  APs %.3f"
          + "  APm %.3f  APl %.3f  VOC07 mAP %.3f%n", s.testImages(), s.testObjects(), s.detections(), s.ap(), s.ap50(),
          s.ap75(), s.apSmall(), s.apMedium(), s.apLarge(), s.voc07Map());
      o.printf(Locale.ROOT, "run folder: %s (%.1f s)%n", out, s.wallSeconds());
      o.flush();
      return 0;
    }
  }

  /** {@code nst4j detect predict}. */
  @Command(name = "predict", mixinStandardHelpOptions = true,
      description = "Detect objects on images with a trained detector: one line per detection on stdout (image,"
          + " category id and name, score, box x y w h); --draw writes the image with boxes, labels and scores.")
  static final class Predict implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "RUN", description = "A detect train run folder or its model/.")
    Path model;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Image files (sides multiples of the detector's stride).")
    List<Path> images;

    @Option(names = "--draw", paramLabel = "OUT.png",
        description = "Write the (single) image with its detections drawn (replaced if it exists).")
    Path draw;

    @Option(names = "--min-score", defaultValue = "0.3", paramLabel = "S",
        description = "Report detections scoring at least S (default: ${DEFAULT-VALUE}).")
    double minScore;

    @Option(names = "--debug", description = "Print stack traces of errors.")
    boolean debug;

    @Override
    public Integer call() throws Exception {
      if (draw != null && images.size() != 1) {
        throw new IllegalArgumentException("--draw takes one image, got " + images.size());
      }
      if (!(minScore >= 0 && minScore <= 1)) {
        throw new IllegalArgumentException("--min-score must be in [0, 1], got " + minScore);
      }
      for (Path image : images) {
        DetectorInference.readImage(image); // every image is checked before the model is loaded
      }
      PrintWriter o = spec.commandLine().getOut();
      try (DetectorStore.Loaded loaded = DetectorStore.load(model)) {
        java.util.Map<Integer, String> names = new java.util.HashMap<>();
        for (int i = 0; i < loaded.card().categoryIds().size(); i++) {
          names.put(loaded.card().categoryIds().get(i), loaded.card().categoryNames().get(i));
        }
        for (int i = 0; i < images.size(); i++) {
          List<Detection> found = new java.util.ArrayList<>();
          for (Detection d : DetectorInference.detectFile(loaded, images.get(i), i)) {
            if (d.score() >= minScore) {
              found.add(d);
            }
          }
          for (Detection d : found) {
            o.printf(Locale.ROOT, "%s\t%d\t%s\t%.3f\t%.1f %.1f %.1f %.1f%n", images.get(i), d.categoryId(),
                names.get(d.categoryId()), d.score(), d.bbox().x(), d.bbox().y(), d.bbox().width(), d.bbox().height());
          }
          if (draw != null) {
            DetectionDrawing.draw(DetectorInference.readImage(images.get(i)), found, names, draw);
          }
        }
      }
      o.flush();
      return 0;
    }
  }

  /** {@code nst4j detect experiment}. */
  @Command(name = "experiment", mixinStandardHelpOptions = true,
      description = "Run a detection experiment file (e.g. experiments/fmnist-det.yaml): generate its FMNIST-Det"
          + " folder if absent, train its teacher detectors and every (row, seed) detector — finished runs are skipped,"
          + " an interrupted one resumes — and write results.md, results.csv (COCO AP, AP50, AP75, VOC07 mAP, mean ±"
          + " std; per-class AP) and predictions.png.")
  static final class Experiment implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The experiment file (YAML).")
    Path file;

    @Option(names = "--report-only", description = "Rebuild the report from the finished runs; train nothing.")
    boolean reportOnly;

    @Option(names = "--quiet", description = "No per-epoch progress (one line per run is still printed).")
    boolean quiet;

    @Option(names = "--debug", description = "Print stack traces of errors.")
    boolean debug;

    @Override
    public Integer call() throws Exception {
      DetectionExperimentSpec e = DetectionExperimentFile.read(file);
      PrintWriter err = spec.commandLine().getErr();
      DetectionExperiment.Result r = DetectionExperiment.run(e,
          new DetectionExperiment.Options(reportOnly, !quiet, Commands.commandLine(spec), err));
      PrintWriter o = spec.commandLine().getOut();
      o.printf(Locale.ROOT, "%s: %d runs trained, %d already complete; report %s%n", e.name(), r.trained(),
          r.skipped(), r.resultsMd());
      o.flush();
      return 0;
    }
  }
}

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
import org.nst4j.detection.Detection;
import org.nst4j.detection.EvaluationReport;
import org.nst4j.detection.FmnistDet;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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
      description = "Object detection: eval (COCO AP and VOC07 mAP of a COCO results file).",
      subcommands = {Eval.class})
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

    @Option(names = "--detections", required = true, paramLabel = "FILE", description = "COCO results file.")
    Path detections;

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
      CocoDataset truth = CocoReader.readAnnotations(gt);
      List<Detection> found = CocoResults.read(detections, truth);
      EvaluationReport report = EvaluationReport.evaluate(truth, found);
      PrintWriter o = spec.commandLine().getOut();
      o.printf(Locale.ROOT, "%s: %d images, %d objects, %d categories; %d detections from %s%n", gt,
          report.images(), report.objects(), truth.categories().size(), report.detections(), detections);
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
}

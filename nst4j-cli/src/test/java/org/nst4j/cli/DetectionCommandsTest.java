package org.nst4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.detection.Box;
import org.nst4j.detection.CocoAnnotation;
import org.nst4j.detection.CocoReader;
import org.nst4j.detection.CocoWriter;
import org.nst4j.detection.Detection;

/** {@code nst4j detection-data fmnist-det} and {@code nst4j detect eval}: outputs, and the bad-input contract. */
class DetectionCommandsTest {
  @TempDir static Path shared;
  @TempDir Path dir;
  private static Path data;

  @BeforeAll
  static void smallDataSet() {
    data = shared.resolve("fd");
    Cli.Result r = Cli.run("detection-data", "fmnist-det", "--out", data.toString(), "--train", "12", "--test", "6",
        "--data", "sample", "--seed", "3");
    assertEquals(0, r.code(), r.toString());
  }

  @Test
  void fmnistDetIsWrittenAndSummarised() {
    Cli.Result r = Cli.run("detection-data", "fmnist-det", "--out", dir.resolve("x").toString(), "--train", "12",
        "--test", "6", "--data", "sample", "--seed", "3");
    assertEquals(0, r.code(), r.toString());
    assertEquals("", r.err());
    assertTrue(r.out().startsWith("wrote FMNIST-Det (seed 3, from fashion-mnist-sample) to "), r.out());
    assertTrue(r.out().contains("train: 12 scenes,") && r.out().contains("test:  6 scenes,"), r.out());
    assertTrue(r.out().contains("items drawn from 3000 images") && r.out().contains("from 1000 images"), r.out());
    // Same seed, same files: the shared set was made with the same command.
    assertEquals(Cli.snapshot(data), Cli.snapshot(dir.resolve("x")));
  }

  @Test
  void badGenerationOptionsAreOneErrorLineAndWriteNothing() throws IOException {
    Path full = Files.createDirectories(dir.resolve("full"));
    Files.writeString(full.resolve("mine.txt"), "keep");
    TreeMap<String, String> before = Cli.snapshot(full);
    Cli.assertBadInput(Cli.run("detection-data", "fmnist-det", "--out", full.toString(), "--data", "sample"),
        "not empty");
    assertEquals(before, Cli.snapshot(full));
    Path out = dir.resolve("new");
    Cli.assertBadInput(Cli.run("detection-data", "fmnist-det", "--out", out.toString(), "--train", "0", "--data",
        "sample"), "--train");
    Cli.assertBadInput(Cli.run("detection-data", "fmnist-det", "--out", out.toString(), "--data", "nowhere-set"),
        "unknown data set");
    Cli.assertBadInput(Cli.run("detection-data", "fmnist-det", "--out", out.toString(), "--data",
        dir.resolve("missing").toString()), "no such file");
    Cli.assertBadInput(Cli.run("detection-data", "fmnist-det", "--out", out.toString(), "--seed", "x"), "--seed");
    Cli.assertBadInput(Cli.run("detection-data", "fmnist-det"), "--out");
    assertFalse(Files.exists(out));
  }

  @Test
  void perfectDetectionsEvaluateToOne() throws IOException {
    Path test = data.resolve("test");
    List<Detection> perfect = new ArrayList<>();
    for (CocoAnnotation a : CocoReader.readAnnotations(test).annotations()) {
      perfect.add(new Detection(a.imageId(), a.categoryId(), a.bbox(), 1.0));
    }
    Path file = dir.resolve("detections.json");
    CocoWriter.writeResults(file, perfect);
    Path json = dir.resolve("metrics.json");
    Cli.Result r = Cli.run("detect", "eval", "--gt", test.toString(), "--detections", file.toString(), "--json",
        json.toString());
    assertEquals(0, r.code(), r.toString());
    assertEquals("", r.err());
    assertTrue(r.out().contains(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 1.000"),
        r.out());
    assertTrue(r.out().contains(" VOC07 11-point mAP @[ IoU=0.50 ] = 1.000"), r.out());
    assertTrue(r.out().contains("T-shirt/top"), r.out());
    assertTrue(r.out().startsWith(test + ": 6 images, " + perfect.size() + " objects, 10 categories; "
        + perfect.size() + " detections"), r.out());
    String metrics = Files.readString(json);
    assertTrue(metrics.contains("\"ap\" : 1.0") && metrics.contains("\"voc07\""), metrics);
    // The metrics file is never overwritten.
    Cli.assertBadInput(Cli.run("detect", "eval", "--gt", test.toString(), "--detections", file.toString(), "--json",
        json.toString()), "exists already");
    assertEquals(metrics, Files.readString(json));
  }

  @Test
  void shiftedDetectionsScoreBelowOne() throws IOException {
    Path test = data.resolve("test");
    List<Detection> shifted = new ArrayList<>();
    for (CocoAnnotation a : CocoReader.readAnnotations(test).annotations()) {
      Box b = a.bbox();
      // A quarter of the width to the right: IoU 0.6 — counted at .50 to .60 only.
      shifted.add(new Detection(a.imageId(), a.categoryId(), new Box(b.x() + b.width() / 4, b.y(), b.width(),
          b.height()), 1.0));
    }
    Path file = dir.resolve("shifted.json");
    CocoWriter.writeResults(file, shifted);
    Cli.Result r = Cli.run("detect", "eval", "--gt", test.resolve("instances.json").toString(), "--detections",
        file.toString());
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.300"), r.out());
    assertTrue(r.out().contains("IoU=0.50      | area=   all | maxDets=100 ] = 1.000"), r.out());
    assertTrue(r.out().contains("IoU=0.75      | area=   all | maxDets=100 ] = 0.000"), r.out());
  }

  @Test
  void badGroundTruthOrDetectionsAreOneErrorLine() throws IOException {
    Path test = data.resolve("test");
    Path d = dir.resolve("d.json");
    Files.writeString(d, "[{\"image_id\": 1, \"category_id\": 11, \"bbox\": [0, 0, 5, 5], \"score\": 0.5}]");
    Cli.assertBadInput(Cli.run("detect", "eval", "--gt", test.toString(), "--detections", d.toString()),
        "detection 0", "unknown category id 11");
    Files.writeString(d, "[{\"image_id\": 999, \"category_id\": 1, \"bbox\": [0, 0, 5, 5], \"score\": 0.5}]");
    Cli.assertBadInput(Cli.run("detect", "eval", "--gt", test.toString(), "--detections", d.toString()),
        "unknown image id 999");
    Files.writeString(d, "[{\"image_id\": 1, ");
    Cli.assertBadInput(Cli.run("detect", "eval", "--gt", test.toString(), "--detections", d.toString()),
        "not valid JSON");
    Cli.assertBadInput(Cli.run("detect", "eval", "--gt", dir.resolve("none").toString(), "--detections",
        d.toString()), "no such file");
    Path broken = Cli.copyTree(test, dir.resolve("broken"));
    String json = Files.readString(broken.resolve("instances.json"));
    Files.writeString(broken.resolve("instances.json"), json.replaceFirst("\"bbox\":\\[\\d+,", "\"bbox\":[90,"));
    Cli.assertBadInput(Cli.run("detect", "eval", "--gt", broken.toString(), "--detections", d.toString()),
        "outside its image");
    Files.writeString(broken.resolve("instances.json"), json.replaceFirst("\"category_id\":\\d+", "\"category_id\":12"));
    Cli.assertBadInput(Cli.run("detect", "eval", "--gt", broken.toString(), "--detections", d.toString()),
        "unknown category id 12");
    Cli.assertBadInput(Cli.run("detect", "eval", "--gt", test.toString()), "--detections");
  }

  /** A detector trained for one epoch on the shared set (12 scenes, batches of 6), made once. */
  private static Path trainedRun;

  private static synchronized Path trainedRun() {
    if (trainedRun == null) {
      Path run = shared.resolve("run");
      Cli.Result r = Cli.run("detect", "train", "--data", data.toString(), "--backbone-arch", "resnet8", "--epochs",
          "1", "--batch", "6", "--seed", "2", "--out", run.toString(), "--quiet");
      assertEquals(0, r.code(), r.toString());
      assertTrue(r.out().contains("detector resnet8 (stage3)") && r.out().contains("VOC07 mAP"), r.out());
      trainedRun = run;
    }
    return trainedRun;
  }

  @Test
  void detectTrainWritesARunThatEvalAndPredictRead() throws IOException {
    Path run = trainedRun();
    for (String f : List.of("config.json", "epochs.jsonl", "summary.json", "detections.json", "ground-truth.json",
        "model/detector.json", "model/detector.params")) {
      assertTrue(Files.isRegularFile(run.resolve(f)), f + " missing");
    }
    // eval --model detects again and finds what the training run reported.
    Cli.Result eval = Cli.run("detect", "eval", "--model", run.toString(), "--gt", data.resolve("test").toString(),
        "--save-detections", dir.resolve("again.json").toString());
    assertEquals(0, eval.code(), eval.toString());
    var summary = org.nst4j.store.Json.PRETTY.readTree(run.resolve("summary.json").toFile());
    String apLine = String.format(java.util.Locale.ROOT,
        "Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = %.3f", summary.get("ap").asDouble());
    assertTrue(eval.out().contains(apLine), apLine + " in\n" + eval.out());
    assertEquals(Files.readString(run.resolve("detections.json")), Files.readString(dir.resolve("again.json")));

    Path image = data.resolve("test").resolve("images").resolve("000001.png");
    Path png = dir.resolve("drawn.png");
    Cli.Result predict = Cli.run("detect", "predict", "--model", run.toString(), image.toString(), "--draw",
        png.toString(), "--min-score", "0");
    assertEquals(0, predict.code(), predict.toString());
    String[] lines = predict.out().split("\n");
    assertEquals(100, lines.length, "the 100 best peaks at --min-score 0");
    for (String l : lines) {
      String[] f = l.split("\t");
      assertEquals(5, f.length, l);
      assertEquals(image.toString(), f[0]);
      assertEquals(4, f[4].split(" ").length, l);
    }
    java.awt.image.BufferedImage drawn = javax.imageio.ImageIO.read(png.toFile());
    assertEquals(480, drawn.getWidth()); // 96 px enlarged 5×
    Cli.Result strict = Cli.run("detect", "predict", "--model", run.toString(), image.toString(), "--min-score", "1");
    assertEquals(0, strict.code(), strict.toString());
    assertEquals("", strict.out());
  }

  @Test
  void badDetectorInputsAreOneErrorLine() throws IOException {
    Path run = trainedRun();
    Path out = dir.resolve("never");
    Cli.assertBadInput(Cli.run("detect", "train", "--data", dir.resolve("nowhere").toString(), "--backbone-arch",
        "resnet8", "--out", out.toString()), "nowhere");
    Cli.assertBadInput(Cli.run("detect", "train", "--data", data.toString(), "--backbone-arch", "resnet7", "--out",
        out.toString()), "resnet7");
    Cli.assertBadInput(Cli.run("detect", "train", "--data", data.toString(), "--backbone-arch", "resnet8",
        "--epochs", "0", "--out", out.toString()), "--epochs");
    Cli.assertBadInput(Cli.run("detect", "train", "--data", data.toString(), "--backbone-arch", "resnet8",
        "--backbone", dir.resolve("no-run").toString(), "--out", out.toString()), "no-run");
    assertFalse(Files.exists(out));
    TreeMap<String, String> before = Cli.snapshot(run);
    Cli.assertBadInput(Cli.run("detect", "train", "--data", data.toString(), "--backbone-arch", "resnet8", "--out",
        run.toString(), "--quiet"), "--resume");
    assertEquals(before, Cli.snapshot(run));
    Cli.assertBadInput(Cli.run("detect", "eval", "--gt", data.resolve("test").toString()), "--model");
    Cli.assertBadInput(Cli.run("detect", "eval", "--gt", data.resolve("test").toString(), "--model",
        dir.resolve("no-run").toString()), "no-run");
    Path notImage = Files.writeString(dir.resolve("x.png"), "not a png");
    Cli.assertBadInput(Cli.run("detect", "predict", "--model", run.toString(), notImage.toString()), "x.png");
    Path image = data.resolve("test").resolve("images").resolve("000001.png");
    Cli.assertBadInput(Cli.run("detect", "predict", "--model", run.toString(), image.toString(), image.toString(),
        "--draw", dir.resolve("d.png").toString()), "--draw");
    Cli.assertBadInput(Cli.run("detect", "predict", "--model", data.toString(), image.toString()), "detector.json");
  }
}

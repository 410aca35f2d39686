package org.nst4j.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.data.ImageDataset;
import org.nst4j.detection.DetectorStore;
import org.nst4j.model.ModelZoo;
import org.nst4j.model.TappedModel;
import org.nst4j.store.Json;
import org.nst4j.store.ModelCard;
import org.nst4j.store.ModelStore;

/**
 * The detection experiment end to end on a tiny configuration (FMNIST-Det of 8 training and 4 test scenes from
 * the embedded sample, resnet8, 1 epoch, 2 seeds): the data is generated, a teacher detector and three rows —
 * scratch, a backbone from a classification grid (seed substituted), distillation from the teacher — are trained,
 * the report is written; run again, everything is skipped and the report is the same byte for byte; a changed
 * schedule is refused; a bad row is refused naming its field.
 */
class DetectionExperimentTest {
  @TempDir Path dir;

  private String yaml(int epochs) {
    return String.join("\n",
        "name: tiny-det",
        "description: a test",
        "data:",
        "  folder: " + dir.resolve("fd"),
        "  source: sample",
        "  seed: 5",
        "  train: 8",
        "  test: 4",
        "detector:",
        "  arch: resnet8",
        "  epochs: " + epochs,
        "  batch: 4",
        "backbone_grid: " + dir.resolve("grid"),
        "teachers:",
        "  - name: t8",
        "    arch: resnet8",
        "rows:",
        "  - name: scratch",
        "  - name: from-ce",
        "    grid_method: ce",
        "  - name: distill-nst",
        "    teacher: t8",
        "    method: nst-poly",
        "    lambda: 25",
        "seeds: [0, 1]",
        "out: " + dir.resolve("out"),
        "report: " + dir.resolve("report"),
        "");
  }

  /** A classification run's model folder as a grid keeps it: GRID/runs/ce/seed-S/model, normalisation 0.5/0.25. */
  private void classifier(long seed) throws IOException {
    Path run = dir.resolve("grid").resolve("runs").resolve("ce").resolve("seed-" + seed);
    try (Model model = Model.newInstance(ModelStore.MODEL_NAME)) {
      TappedModel block = ModelZoo.create("resnet8", 1, 10, seed);
      model.setBlock(block);
      block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 1, 28, 28));
      ModelCard card = new ModelCard(ModelCard.FORMAT, "resnet8", 1, 28, 28, 10, ImageDataset.numberedClasses(10),
          "test", new double[] {0.5}, new double[] {0.25}, "student", "ce", seed, 1, 0.0, block.tapNames(),
          ModelStore.paramsFileName(), "test", "now", null);
      ModelStore.save(run.resolve("model"), model, card);
    }
  }

  private DetectionExperiment.Result run(Path file, boolean reportOnly) throws IOException {
    DetectionExperimentSpec spec = DetectionExperimentFile.read(file);
    return DetectionExperiment.run(spec, new DetectionExperiment.Options(reportOnly, false, "test",
        new PrintWriter(new StringWriter())));
  }

  @Test
  void theTinyExperimentRunsEndToEndAndResumesBySkipping() throws IOException {
    classifier(0);
    classifier(1);
    Path file = Files.writeString(dir.resolve("tiny.yaml"), yaml(1));
    DetectionExperiment.Result first = run(file, false);
    assertEquals(7, first.trained(), "a teacher and 3 rows × 2 seeds");
    assertEquals(0, first.skipped());
    assertTrue(Files.isRegularFile(dir.resolve("fd").resolve("train").resolve("instances.json")), "data generated");

    Path report = dir.resolve("report");
    String md = Files.readString(report.resolve(DetectionExperiment.RESULTS_MD));
    for (String s : List.of("| scratch |", "| from-ce |", "| distill-nst |", "Per-class COCO AP", "## Teachers",
        "predictions.png", "lambda: 25")) {
      assertTrue(md.contains(s), s + " missing from results.md:\n" + md);
    }
    List<String> csv = Files.readAllLines(report.resolve(DetectionExperiment.RESULTS_CSV));
    assertEquals(4, csv.size());
    assertTrue(csv.get(1).startsWith("scratch,resnet8,scratch,,ce,2,"), csv.get(1));
    assertTrue(csv.get(3).startsWith("distill-nst,resnet8,scratch,t8,nst-poly,2,"), csv.get(3));
    var png = javax.imageio.ImageIO.read(report.resolve(DetectionExperiment.PREDICTIONS_PNG).toFile());
    assertNotNull(png);
    assertEquals(4 * 288, png.getWidth(), "ground truth + 3 rows");

    // The backbone came from the grid run of the same seed, and the detector saw its normalisation.
    Path fromCe1 = dir.resolve("out").resolve("runs").resolve("from-ce").resolve("seed-1");
    JsonNode config = Json.PRETTY.readTree(fromCe1.resolve("config.json").toFile());
    assertEquals(dir.resolve("grid").resolve("runs").resolve("ce").resolve("seed-1").toAbsolutePath().normalize()
        .toString(), config.get("schedule").get("backbone").asText());
    try (DetectorStore.Loaded d = DetectorStore.load(fromCe1)) {
      assertEquals(org.nst4j.data.Normalization.of(0.5, 0.25), d.card().inputNormalization());
    }
    JsonNode distilled = Json.PRETTY.readTree(dir.resolve("out").resolve("runs").resolve("distill-nst")
        .resolve("seed-0").resolve("config.json").toFile());
    assertEquals(25.0, distilled.get("method_options").get("lambda").asDouble());
    assertTrue(distilled.get("schedule").get("teacher").asText().endsWith("teachers/t8"));

    byte[] mdBytes = Files.readAllBytes(report.resolve(DetectionExperiment.RESULTS_MD));
    byte[] csvBytes = Files.readAllBytes(report.resolve(DetectionExperiment.RESULTS_CSV));
    DetectionExperiment.Result again = run(file, false);
    assertEquals(0, again.trained());
    assertEquals(7, again.skipped());
    assertArrayEquals(mdBytes, Files.readAllBytes(report.resolve(DetectionExperiment.RESULTS_MD)));
    assertArrayEquals(csvBytes, Files.readAllBytes(report.resolve(DetectionExperiment.RESULTS_CSV)));

    // Another schedule in the same folders is another experiment: refused before anything trains.
    Path changed = Files.writeString(dir.resolve("changed.yaml"), yaml(2));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(changed, false));
    assertTrue(e.getMessage().contains("holds another run") && e.getMessage().contains("epochs 1 (now 2)"),
        e.getMessage());
  }

  @Test
  void badRowsAreRefusedNamingTheField() throws IOException {
    String base = yaml(1);
    Path kd = Files.writeString(dir.resolve("kd.yaml"), base.replace("method: nst-poly", "method: kd"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DetectionExperimentFile.read(kd));
    assertTrue(e.getMessage().contains("rows[2].method") && e.getMessage().contains("cannot distill a detector"),
        e.getMessage());
    Path noTeacher = Files.writeString(dir.resolve("nt.yaml"), base.replace("teacher: t8", "teacher: t20"));
    e = assertThrows(IllegalArgumentException.class, () -> DetectionExperimentFile.read(noTeacher));
    assertTrue(e.getMessage().contains("rows[2].teacher") && e.getMessage().contains("t20"), e.getMessage());
    Path noGrid = Files.writeString(dir.resolve("ng.yaml"), base.replace("backbone_grid:", "# backbone_grid:"));
    e = assertThrows(IllegalArgumentException.class, () -> DetectionExperimentFile.read(noGrid));
    assertTrue(e.getMessage().contains("rows[1].grid_method"), e.getMessage());
    // A missing backbone run is refused before anything trains, naming the row and seed.
    Path file = Files.writeString(dir.resolve("missing.yaml"), base);
    e = assertThrows(IllegalArgumentException.class, () -> run(file, false));
    assertTrue(e.getMessage().contains("row from-ce, seed 0"), e.getMessage());
    assertTrue(!Files.exists(dir.resolve("out").resolve("runs")), "nothing trained");
  }

  @Test
  void theShippedExperimentFileReads() {
    DetectionExperimentSpec spec = DetectionExperimentFile.read(Path.of("experiments", "fmnist-det.yaml"));
    assertEquals("fmnist-det", spec.name());
    assertTrue(spec.rows().size() >= 5, "scratch and four backbones at least");
    assertEquals(List.of(0L, 1L), spec.seeds());
  }
}

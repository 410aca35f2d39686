package org.nst4j.detection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.data.DataSources;
import org.nst4j.store.Json;
import org.nst4j.train.EpochRecord;
import org.nst4j.train.LoopListener;
import org.nst4j.train.RunFolder;

/**
 * Detector training on a tiny FMNIST-Det (8 training scenes, batches of 4, 2 epochs, resnet8): the run
 * folder is complete, a run interrupted after its first epoch and resumed ends with the same weights as the
 * uninterrupted one, and a folder holding a run is never written over without --resume or --overwrite.
 */
class DetectorTrainingTest {
  @TempDir static Path dir;
  private static Path data;
  private static RunFolder whole;
  private static DetectionSummary summary;

  @BeforeAll
  static void trainOnce() throws Exception {
    data = dir.resolve("fd");
    FmnistDet.generate(DataSources.resolve("sample", null), 5, 8, 4, data);
    whole = new RunFolder(dir.resolve("whole"));
    summary = DetectorTraining.execute(spec(whole.dir(), false, false, 1, List.of()));
  }

  static DetectorTraining.Spec spec(Path out, boolean resume, boolean overwrite, long seed,
      List<LoopListener> listeners) {
    return new DetectorTraining.Spec(data, "resnet8", "stage3", null, 2, 4, 0.02, 0.9, 1e-4, true, seed, out,
        resume, overwrite, "test", listeners, w -> { });
  }

  @Test
  void theRunFolderIsComplete() throws IOException {
    for (Path p : List.of(whole.config(), whole.epochLog(), whole.summary(), whole.detections(), whole.groundTruth(),
        whole.model().resolve(DetectorStore.CARD_FILE), whole.model().resolve(DetectorStore.PARAMS_FILE))) {
      assertTrue(Files.isRegularFile(p), p + " missing");
    }
    assertFalse(Files.exists(whole.checkpoint()), "the checkpoint of a finished run is removed");
    List<EpochRecord> epochs = whole.readEpochLog();
    assertEquals(2, epochs.size());
    for (EpochRecord r : epochs) {
      assertEquals(r.loss(), r.terms().values().stream().mapToDouble(Double::doubleValue).sum(), 1e-9);
      assertEquals(List.of("heat", "size", "offset"), new ArrayList<>(r.terms().keySet()));
      assertTrue(r.seconds() > 0);
    }
    // The ground truth beside the detections is the test split's file, byte for byte.
    assertArrayEquals(Files.readAllBytes(data.resolve("test").resolve(CocoReader.INSTANCES)),
        Files.readAllBytes(whole.groundTruth()));
    // The summary's figures are those of detections.json against ground-truth.json.
    CocoDataset gt = CocoReader.readAnnotations(whole.groundTruth());
    EvaluationReport again = EvaluationReport.evaluate(gt, CocoResults.read(whole.detections(), gt));
    assertEquals(again.coco().ap(), summary.ap());
    assertEquals(again.coco().ap50(), summary.ap50());
    assertEquals(again.voc07().map(), summary.voc07Map());
    assertEquals(4, summary.testImages());
    assertEquals(8, summary.trainImages());
    assertTrue(summary.detections() > 0);
    JsonNode config = Json.PRETTY.readTree(whole.config().toFile());
    assertEquals("detector", config.get("role").asText());
    assertEquals("resnet8", config.get("arch").asText());
  }

  @Test
  void aResumedRunEndsWithTheWeightsOfAnUninterruptedOne() throws IOException {
    Path out = dir.resolve("interrupted");
    LoopListener killer = new LoopListener() {
      @Override
      public void onEpoch(EpochRecord r) {
        if (r.epoch() == 2) {
          throw new IllegalStateException("killed");
        }
      }
    };
    assertThrows(IllegalStateException.class, () -> DetectorTraining.execute(spec(out, false, false, 1,
        List.of(killer))));
    RunFolder folder = new RunFolder(out);
    assertTrue(Files.isRegularFile(folder.checkpoint()), "the checkpoint of epoch 1 is kept");
    assertFalse(folder.isComplete());
    DetectorTraining.execute(spec(out, true, false, 1, List.of()));
    assertArrayEquals(Files.readAllBytes(whole.model().resolve(DetectorStore.PARAMS_FILE)),
        Files.readAllBytes(folder.model().resolve(DetectorStore.PARAMS_FILE)));
    assertArrayEquals(Files.readAllBytes(whole.detections()), Files.readAllBytes(folder.detections()));
    assertEquals(2, folder.readEpochLog().size());
  }

  @Test
  void aFolderHoldingARunIsNotWrittenWithoutResumeOrOverwrite() throws IOException {
    byte[] before = Files.readAllBytes(whole.summary());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DetectorTraining.execute(spec(whole.dir(), false, false, 1, List.of())));
    assertTrue(e.getMessage().contains("--resume"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> DetectorTraining.execute(spec(whole.dir(), true, false, 2, List.of())));
    assertTrue(e.getMessage().contains("seed"), e.getMessage());
    // Resuming a finished run of the same configuration only reports it.
    assertEquals(summary, DetectorTraining.execute(spec(whole.dir(), true, false, 1, List.of())));
    assertArrayEquals(before, Files.readAllBytes(whole.summary()));
  }

  @Test
  void anOverwriteReplacesTheRunWhenFinished() throws IOException {
    Path out = dir.resolve("replaced");
    try (var files = Files.walk(whole.dir())) {
      for (Path p : files.toList()) {
        Path to = out.resolve(whole.dir().relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
    }
    Path stray = Files.writeString(out.resolve("notes.txt"), "mine");
    DetectionSummary second = DetectorTraining.execute(spec(out, false, true, 3, List.of()));
    RunFolder folder = new RunFolder(out);
    assertEquals(3, second.seed());
    assertEquals(3, Json.PRETTY.readTree(folder.config().toFile()).get("schedule").get("seed").asLong());
    assertEquals(second, Json.PRETTY.readValue(folder.summary().toFile(), DetectionSummary.class));
    assertFalse(java.util.Arrays.equals(Files.readAllBytes(whole.model().resolve(DetectorStore.PARAMS_FILE)),
        Files.readAllBytes(folder.model().resolve(DetectorStore.PARAMS_FILE))), "another seed, other weights");
    assertFalse(Files.exists(folder.staging()) || Files.exists(folder.stash()));
    assertTrue(Files.isRegularFile(folder.detections()) && Files.isRegularFile(folder.groundTruth()));
    assertEquals("mine", Files.readString(stray), "files that are not the run's are left alone");
  }

  @Test
  void badSettingsAreRefusedBeforeAnythingIsWritten() {
    Path out = dir.resolve("never");
    assertThrows(IllegalArgumentException.class, () -> new DetectorTraining.Spec(data, "resnet7", "stage3", null, 2, 4,
        0.02, 0.9, 1e-4, true, 1, out, false, false, "t", List.of(), null));
    assertThrows(IllegalArgumentException.class, () -> new DetectorTraining.Spec(data, "resnet8", "stage3", null, 0, 4,
        0.02, 0.9, 1e-4, true, 1, out, false, false, "t", List.of(), null));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DetectorTraining.execute(
        new DetectorTraining.Spec(data, "resnet8", "stage9", null, 2, 4, 0.02, 0.9, 1e-4, true, 1, out, false, false,
            "t", List.of(), null)));
    assertTrue(e.getMessage().contains("stage9"), e.getMessage());
    assertFalse(Files.exists(out));
  }

  /** Saves a seeded classifier as a classification run's model folder. */
  private static Path classifier(String arch, int classes, long seed) throws IOException {
    Path run = dir.resolve("cls-" + arch + "-" + classes);
    try (ai.djl.Model model = ai.djl.Model.newInstance(org.nst4j.store.ModelStore.MODEL_NAME)) {
      org.nst4j.model.TappedModel block = org.nst4j.model.ModelZoo.create(arch, 1, classes, seed);
      model.setBlock(block);
      block.initialize(model.getNDManager(), ai.djl.ndarray.types.DataType.FLOAT32,
          new ai.djl.ndarray.types.Shape(1, 1, 28, 28));
      org.nst4j.store.ModelCard card = new org.nst4j.store.ModelCard(org.nst4j.store.ModelCard.FORMAT, arch, 1, 28,
          28, classes, org.nst4j.data.ImageDataset.numberedClasses(classes), "test", new double[] {0.5},
          new double[] {0.25}, "teacher", "ce", seed, 1, 0.0, block.tapNames(),
          org.nst4j.store.ModelStore.paramsFileName(), "test", "now", null);
      org.nst4j.store.ModelStore.save(run.resolve("model"), model, card);
    }
    return run;
  }

  @Test
  void aFineTunedDetectorSeesItsInputsNormalisedAsItsBackboneWas() throws IOException {
    // The classification run's card says mean 0.5, std 0.25 (1 channel): the detector must feed its backbone
    // (x/255 − 0.5)/0.25, not x/255, and record it so that eval and predict do the same.
    Path run = classifier("resnet8", 10, 5);
    org.nst4j.data.Normalization expected = org.nst4j.data.Normalization.of(0.5, 0.25);
    assertEquals(expected, DetectorTraining.inputNormalization(run, 1));
    assertEquals(org.nst4j.data.Normalization.unit(1), DetectorTraining.inputNormalization(null, 1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DetectorTraining.inputNormalization(run, 3));
    assertTrue(e.getMessage().contains("normalisation"), e.getMessage());
    Path out = dir.resolve("fine-tuned");
    DetectorTraining.execute(new DetectorTraining.Spec(data, "resnet8", "stage3", run, 1, 4, 0.02, 0.9, 1e-4, true, 1,
        out, false, false, "test", List.of(), null));
    try (DetectorStore.Loaded loaded = DetectorStore.load(out)) {
      assertEquals(expected, loaded.card().inputNormalization());
      // What inference feeds the detector: the card's normalisation, pixel by pixel.
      CocoDataset split = CocoReader.readSplits(data).test();
      java.util.Map<Integer, Integer> channelOf = new java.util.LinkedHashMap<>();
      for (int id : loaded.card().categoryIds()) {
        channelOf.put(id, channelOf.size());
      }
      DetectionBatches test = DetectionBatches.load(split, 1, channelOf);
      byte[] raw = CocoReader.loadImage(split, split.images().get(0), 1);
      try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
        float[] x = test.images(m, new int[] {0}, loaded.card().inputNormalization()).toFloatArray();
        for (int i = 0; i < raw.length; i += 97) {
          assertEquals(((raw[i] & 0xFF) / 255.0 - 0.5) / 0.25, x[i], 1e-5);
        }
      }
    }
    JsonNode config = Json.PRETTY.readTree(new RunFolder(out).config().toFile());
    assertEquals(0.25, config.get("normalization").get("std").get(0).asDouble());
    // The detector trained from scratch records the identity: pixels in [0, 1], as before.
    try (DetectorStore.Loaded scratch = DetectorStore.load(whole.dir())) {
      assertEquals(org.nst4j.data.Normalization.unit(1), scratch.card().inputNormalization());
    }
  }

  @Test
  void aConfigOfTheFirstLayoutIsReadAsAnUndistilledRun() throws IOException {
    // What detect train wrote before runs had an identity: flat keys, no format, no method.
    Path old = Files.writeString(dir.resolve("old-config.json"), "{\"role\": \"detector\", \"arch\": \"resnet8\","
        + " \"tap\": \"stage3\", \"backbone\": null, \"data\": \"" + data.toAbsolutePath().normalize() + "\","
        + " \"seed\": 1, \"epochs\": 2, \"batch_size\": 4, \"learning_rate\": 0.02, \"momentum\": 0.9,"
        + " \"weight_decay\": 1.0E-4, \"flip\": true, \"schedule\": \"cosine per step to 0\", \"command\": \"t\"}");
    org.nst4j.train.RunIdentity saved = DetectorTraining.readIdentity(old);
    assertEquals("ce", saved.method());
    assertEquals(List.of(), DetectorTraining.identity(spec(dir.resolve("x"), true, false, 1, List.of()))
        .differences(saved, java.util.EnumSet.allOf(org.nst4j.train.RunIdentity.Part.class)));
    assertEquals(List.of("seed 1 (now 2)"), DetectorTraining.identity(spec(dir.resolve("x"), true, false, 2, List.of()))
        .differences(saved, java.util.EnumSet.allOf(org.nst4j.train.RunIdentity.Part.class)));
  }

  @Test
  void theBackboneStartsFromAClassificationRun() throws IOException {
    Path run = classifier("resnet8", 4, 99); // 4 classes: the classifier's shape differs, the rest is copied
    try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager();
        ai.djl.Model source = org.nst4j.store.ModelStore.load(run, ai.djl.Device.cpu())) {
      CenterNetDetector d = CenterNetDetector.create("resnet8", 1, 10, "stage3", 1);
      d.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32, new ai.djl.ndarray.types.Shape(1, 1, 96, 96));
      int copied = DetectorTraining.initialiseBackbone(d, run, m);
      for (int round = 0; round < 10; round++) {
        System.gc(); // the copied values must not live in Java buffers the GC may free
      }
      var from = source.getBlock().getParameters();
      int same = 0;
      int kept = 0;
      for (var pair : d.backbone().getParameters()) {
        ai.djl.nn.Parameter src = from.get(pair.getKey());
        boolean equal = java.util.Arrays.equals(src.getArray().toFloatArray(), pair.getValue().getArray().toFloatArray());
        if (src.getArray().getShape().equals(pair.getValue().getArray().getShape())) {
          assertTrue(equal, pair.getKey() + " not copied");
          assertEquals(pair.getValue().requiresGradient(), pair.getValue().getArray().hasGradient(),
              pair.getKey() + ": a copied parameter keeps training");
          same++;
        } else {
          kept++;
        }
      }
      assertEquals(same, copied);
      assertTrue(copied > 10 && kept >= 1, copied + " copied, " + kept + " kept");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> DetectorTraining.initialiseBackbone(d, classifier("resnet14", 10, 1), m));
      assertTrue(e.getMessage().contains("resnet14"), e.getMessage());
    }
  }
}

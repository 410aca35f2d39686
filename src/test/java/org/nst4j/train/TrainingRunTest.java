package org.nst4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.data.DataSources;
import org.nst4j.data.DataSplits;
import org.nst4j.data.ImageDataset;
import org.nst4j.model.TappedModel;
import org.nst4j.store.ModelCard;
import org.nst4j.store.ModelStore;

/** End-to-end runs on a slice of the embedded Fashion-MNIST sample, small enough for the test suite. */
class TrainingRunTest {
  private static DataSplits small;

  @BeforeAll
  static void loadSample() {
    DataSplits sample = DataSources.resolve("sample", null);
    ImageDataset test = sample.test().firstPerClass(30);
    small = new DataSplits(sample.name(), sample.train(), test, sample.normalization());
  }

  private static TrainingConfig config(int epochs, long seed) {
    return TrainingConfig.builder().setEpochs(epochs).setBatchSize(32).setLearningRate(0.05).optSeed(seed).build();
  }

  private static RunSpec.Builder spec(Path out, String arch, int perClass, int epochs, long seed) {
    return RunSpec.builder().setArch(arch).setData(small).optPerClass(perClass).setConfig(config(epochs, seed))
        .setOut(out).optProgress(false).optCommand("test");
  }

  @Test
  void shortTrainingBeatsChanceClearlyAndWritesTheRunFolder(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("run");
    RunSummary s = TrainingRun.execute(spec(out, "resnet8", 100, 3, 0).build());
    // 10 classes: chance is 10 %. Three epochs on 1,000 images reach well above it.
    assertTrue(s.testAccuracy() > 0.45, "test accuracy " + s.testAccuracy());
    assertEquals("teacher", s.role());
    assertEquals(3, s.secondsPerEpoch().size());
    assertEquals(1000, s.trainImages());
    RunFolder folder = new RunFolder(out);
    assertTrue(folder.isComplete());
    List<EpochRecord> log = folder.readEpochLog();
    assertEquals(3, log.size());
    assertEquals(s.testAccuracy(), log.get(2).testAccuracy(), 0);
    assertFalse(Files.exists(folder.checkpoint()), "checkpoint is removed once the run is complete");

    ModelCard card = ModelStore.readCard(out);
    assertEquals("resnet8", card.architecture());
    try (Model m = ModelStore.load(out, Device.cpu())) {
      double reloaded = Evaluator.accuracy((TappedModel) m.getBlock(), m.getNDManager(), small.test(),
          small.normalization(), 100);
      assertEquals(s.testAccuracy(), reloaded, 1e-9, "a saved model evaluates as it did at the end of training");
    }
  }

  @Test
  void sameSeedGivesTheSameLossTrajectory(@TempDir Path dir) throws Exception {
    RunSummary a = TrainingRun.execute(spec(dir.resolve("a"), "cnn-small", 20, 2, 7).build());
    RunSummary b = TrainingRun.execute(spec(dir.resolve("b"), "cnn-small", 20, 2, 7).build());
    List<EpochRecord> la = new RunFolder(dir.resolve("a")).readEpochLog();
    List<EpochRecord> lb = new RunFolder(dir.resolve("b")).readEpochLog();
    for (int i = 0; i < la.size(); i++) {
      assertEquals(la.get(i).loss(), lb.get(i).loss(), 0, "epoch " + (i + 1));
      assertEquals(la.get(i).trainAccuracy(), lb.get(i).trainAccuracy(), 0);
    }
    assertEquals(a.testAccuracy(), b.testAccuracy(), 0);
    RunSummary c = TrainingRun.execute(spec(dir.resolve("c"), "cnn-small", 20, 2, 8).build());
    assertTrue(c.testAccuracy() != a.testAccuracy()
        || new RunFolder(dir.resolve("c")).readEpochLog().get(0).loss() != la.get(0).loss(),
        "another seed gives another run");
  }

  @Test
  void distillsAStudentWithNstPolyAgainstASavedTeacher(@TempDir Path dir) throws Exception {
    Path teacher = dir.resolve("teacher");
    TrainingRun.execute(spec(teacher, "cnn-small", 30, 1, 0).build());
    RunSummary s = TrainingRun.execute(spec(dir.resolve("student"), "resnet8", 30, 1, 0)
        .optMethod("nst-poly").optTeacher(teacher).build());
    assertEquals("student", s.role());
    assertEquals("nst-poly", s.method());
    EpochRecord e = new RunFolder(dir.resolve("student")).readEpochLog().get(0);
    assertTrue(e.terms().containsKey("ce") && e.terms().containsKey("nst-poly"), "terms " + e.terms());
    assertEquals(e.loss(), e.terms().values().stream().mapToDouble(Double::doubleValue).sum(), 1e-9);
  }

  @Test
  void refusesAFolderHoldingAnotherRunAndLeavesItUntouched(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("run");
    TrainingRun.execute(spec(out, "cnn-small", 10, 1, 0).build());
    byte[] before = Files.readAllBytes(out.resolve("summary.json"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TrainingRun.execute(spec(out, "cnn-small", 10, 1, 1).build()));
    assertTrue(e.getMessage().contains("holds another run"), e.getMessage());
    assertEquals(new String(before), new String(Files.readAllBytes(out.resolve("summary.json"))));
    // --resume of a finished run returns its summary without training.
    RunSummary again = TrainingRun.execute(spec(out, "cnn-small", 10, 1, 1).optResume(true).build());
    assertEquals(0, again.seed());
  }

  @Test
  void refusesATeacherForOtherData(@TempDir Path dir) throws Exception {
    Path teacher = dir.resolve("teacher");
    TrainingRun.execute(spec(teacher, "cnn-small", 10, 1, 0).build());
    ImageDataset rgb = ImageDataset.of("rgb", new byte[10 * 3 * 28 * 28], new int[10], 3, 28, 28,
        ImageDataset.numberedClasses(10));
    DataSplits other = new DataSplits("rgb", rgb, rgb, org.nst4j.data.Normalization.unit(3));
    Path out = dir.resolve("student");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainingRun.execute(
        RunSpec.builder().setArch("resnet8").setData(other).setConfig(config(1, 0)).setOut(out)
            .optMethod("nst-poly").optTeacher(teacher).optProgress(false).build()));
    assertTrue(e.getMessage().contains("input channels"), e.getMessage());
    assertFalse(Files.exists(out), "nothing is written on bad input");
  }
}

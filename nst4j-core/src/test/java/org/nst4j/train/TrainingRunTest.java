package org.nst4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.nst4j.store.Json;
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

  private static TrainingRecipe config(int epochs, long seed) {
    return TrainingRecipe.builder().setEpochs(epochs).setBatchSize(32).setLearningRate(0.05).optSeed(seed).build();
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
      double reloaded = ModelAccuracy.accuracy((TappedModel) m.getBlock(), m.getNDManager(), small.test(),
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
    // --resume of a finished run returns its summary without training, if it is the run asked for.
    RunSummary again = TrainingRun.execute(spec(out, "cnn-small", 10, 1, 0).optResume(true).build());
    assertEquals(0, again.seed());
    assertEquals(new String(before), new String(Files.readAllBytes(out.resolve("summary.json"))));
  }

  @Test
  void resumingAFinishedRunChecksItIsTheRunAskedFor(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("run");
    TrainingRun.execute(spec(out, "cnn-small", 10, 1, 0).build());
    Map<String, String> before = checksums(out);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TrainingRun.execute(spec(out, "cnn-small", 10, 1, 1).optResume(true).build()));
    assertTrue(e.getMessage().contains("finished run with seed 0 (now 1)"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> TrainingRun.execute(spec(out, "cnn-small", 10, 3, 0).optResume(true).build()));
    assertTrue(e.getMessage().contains("epochs 1 (now 3)"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> TrainingRun.execute(spec(out, "resnet8", 10, 1, 0).optResume(true).build()));
    assertTrue(e.getMessage().contains("arch cnn-small (now resnet8)"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> TrainingRun.execute(spec(out, "cnn-small", 20, 1, 0).optResume(true).build()));
    assertTrue(e.getMessage().contains("per_class 10 (now 20)"), e.getMessage());
    assertEquals(before, checksums(out), "refusals write nothing");
  }

  /** Relative path → SHA-256 of every file under {@code dir}. */
  private static Map<String, String> checksums(Path dir) throws Exception {
    Map<String, String> m = new TreeMap<>();
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        m.put(dir.relativize(p).toString(), java.util.HexFormat.of().formatHex(
            java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
      }
    }
    return m;
  }

  /** A listener that fails the run as {@code failure} does, at {@code epoch}'s record. */
  private static LoopListener failingAt(int epoch, RuntimeException failure) {
    return new LoopListener() {
      @Override
      public void onEpoch(EpochRecord record) {
        if (record.epoch() == epoch) {
          throw failure;
        }
      }
    };
  }

  @Test
  void aFailedOverwriteLeavesTheFinishedRunByteIdenticalEvenTwice(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("run");
    TrainingRun.execute(spec(out, "cnn-small", 10, 1, 0).build());
    Map<String, String> before = checksums(out);
    assertTrue(before.containsKey("summary.json") && before.containsKey("model/model-0000.params"), "" + before);

    // The device fills up after the new run's second epoch (its checkpoint of epoch 1 already written).
    IOException full = assertThrows(IOException.class, () -> TrainingRun.execute(spec(out, "cnn-small", 10, 3, 5)
        .optOverwrite(true).addListener(failingAt(2, new java.io.UncheckedIOException(
            new IOException("No space left on device")))).build()));
    assertTrue(full.getMessage().contains("No space left on device; the run in " + out + " is unchanged"),
        full.getMessage());
    assertEquals(before, checksums(out), "after the first failed --overwrite");

    // A second attempt fails otherwise (something throws in the first epoch): still the same run, and the
    // first attempt's set-aside state did not cost it anything.
    IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> TrainingRun.execute(
        spec(out, "cnn-small", 10, 2, 5).optOverwrite(true)
            .addListener(failingAt(1, new IllegalArgumentException("the teacher failed"))).build()));
    assertTrue(thrown.getMessage().startsWith("the teacher failed; the run in " + out + " is unchanged"),
        thrown.getMessage());
    assertEquals(before, checksums(out), "after the second failed --overwrite");

    // A diverging replacement too.
    NonFiniteLossException nan = assertThrows(NonFiniteLossException.class, () -> TrainingRun.execute(
        spec(out, "cnn-small", 10, 1, 5).setConfig(TrainingRecipe.builder().setEpochs(1).setBatchSize(32)
            .setLearningRate(1e30).build()).optOverwrite(true).build()));
    assertTrue(nan.getMessage().contains("is unchanged"), nan.getMessage());
    assertEquals(before, checksums(out), "after a diverging --overwrite");

    RunSummary replaced = TrainingRun.execute(spec(out, "cnn-small", 10, 1, 5).optOverwrite(true).build());
    assertEquals(5, replaced.seed());
    Map<String, String> after = checksums(out);
    assertEquals(before.keySet(), after.keySet(), "the new run's files and nothing else");
    assertNotEquals(before.get("model/model-0000.params"), after.get("model/model-0000.params"));
  }

  @Test
  void aNewRunThatFailsKeepsItsCheckpointOnlyIfItHasOne(@TempDir Path dir) throws Exception {
    Path first = dir.resolve("deep/er/first");
    assertThrows(IllegalArgumentException.class, () -> TrainingRun.execute(spec(first, "cnn-small", 10, 2, 0)
        .addListener(failingAt(1, new IllegalArgumentException("boom"))).build()));
    assertFalse(Files.exists(dir.resolve("deep")), "the folders the run created are gone");

    Path second = dir.resolve("second");
    IOException e = assertThrows(IOException.class, () -> TrainingRun.execute(spec(second, "cnn-small", 10, 2, 0)
        .addListener(failingAt(2, new java.io.UncheckedIOException(new IOException("No space left on device"))))
        .build()));
    assertTrue(e.getMessage().contains("the checkpoint of epoch 1 in " + second + " is kept (continue with"
        + " --resume)"), e.getMessage());
    RunSummary resumed = TrainingRun.execute(spec(second, "cnn-small", 10, 2, 0).optResume(true).build());
    assertEquals(2, resumed.epochs());
    assertEquals(2, new RunFolder(second).readEpochLog().size());
  }

  @Test
  void aSecondWriterIsRefusedAndTheFolderIsNotTouched(@TempDir Path dir) throws Exception {
    Path out = Files.createDirectories(dir.resolve("run"));
    try (RunLock held = RunLock.acquire(out, "another run", w -> { })) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> TrainingRun.execute(spec(out, "cnn-small", 10, 1, 0).build()));
      assertTrue(e.getMessage().contains("is in use by process " + ProcessHandle.current().pid()), e.getMessage());
      try (var files = Files.list(out)) {
        assertEquals(List.of(out.resolve(RunLock.FILE)), files.toList());
      }
    }
  }

  @Test
  void aRunKilledWhileReplacingAnotherIsRepairedOnTheNextStart(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("run");
    TrainingRun.execute(spec(out, "cnn-small", 10, 1, 0).build());
    Map<String, String> before = checksums(out);
    // What a SIGKILL during the swap leaves (the state an older nst4j left after any failed --overwrite):
    // the finished run set aside, the unfinished new one in its place, and a stale lock.
    RunFolder f = new RunFolder(out);
    Files.createDirectories(f.stash());
    for (Path p : List.of(f.summary(), f.epochLog(), f.config(), f.model())) {
      Files.move(p, f.stash().resolve(p.getFileName().toString()));
    }
    Files.writeString(f.epochLog(), "{\"epoch\":1}\n");
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Files.write(out.resolve(RunLock.FILE), Json.PRETTY.writeValueAsBytes(new RunLock.Owner(RunLock.hostName(),
        gone.pid(), null, "2020-01-01T00:00:00Z", "killed")));
    List<String> warnings = new java.util.ArrayList<>();
    // A --resume of the same run puts the finished run back and reports it.
    RunSummary s = TrainingRun.execute(spec(out, "cnn-small", 10, 1, 0).optResume(true)
        .optWarnings(warnings::add).build());
    assertEquals(0, s.seed());
    assertEquals(before, checksums(out), "the finished run is back, byte for byte");
    assertEquals(2, warnings.size(), "" + warnings);
    assertTrue(warnings.get(0).contains("no longer running"), warnings.get(0));
    assertTrue(warnings.get(1).contains("put back the finished run"), warnings.get(1));
  }

  @Test
  void aFinitelyDivergingLossStopsTheRunLikeANan(@TempDir Path dir) throws Exception {
    // At --lr 30 the loss of cnn-small climbs to ~1e8 and stays finite; without the guard the run ends at
    // chance accuracy with exit 0.
    TrainingRecipe wild = TrainingRecipe.builder().setEpochs(1).setBatchSize(20).setLearningRate(30).build();
    Path out = dir.resolve("run");
    NonFiniteLossException e = assertThrows(NonFiniteLossException.class, () -> TrainingRun.execute(
        spec(out, "cnn-small", 30, 1, 0).setConfig(wild).build()));
    assertTrue(e.getMessage().startsWith("the loss diverged: ") && e.getMessage().contains("over 1000 times the"
        + " running mean") && e.getMessage().contains("nothing was kept"), e.getMessage());
    assertFalse(Files.exists(out));
    // The threshold is the user's: 0 turns the guard off, and the same run finishes.
    RunSummary s = TrainingRun.execute(spec(out, "cnn-small", 30, 1, 0).setConfig(wild).optDivergenceFactor(0)
        .build());
    assertTrue(new RunFolder(out).readEpochLog().get(0).loss() > 1000, "the loss it would have stopped");
    assertTrue(s.testAccuracy() < 0.3, "" + s.testAccuracy());
  }

  @Test
  void degenerateClassesAreRefusedBeforeAnythingIsWritten(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("run");
    ImageDataset oneClass = ImageDataset.of("one", new byte[40 * 28 * 28], new int[40], 1, 28, 28, List.of("cat"));
    DataSplits one = new DataSplits("one", oneClass, oneClass, org.nst4j.data.Normalization.unit(1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainingRun.execute(
        RunSpec.builder().setArch("cnn-small").setData(one).setConfig(config(1, 0)).setOut(out).optProgress(false)
            .build()));
    assertTrue(e.getMessage().contains("1 class [cat]; a classifier needs at least 2"), e.getMessage());

    // Every image of one class of two.
    ImageDataset single = ImageDataset.of("single", new byte[40 * 28 * 28], new int[40], 1, 28, 28,
        List.of("cat", "dog"));
    e = assertThrows(IllegalArgumentException.class, () -> TrainingRun.execute(RunSpec.builder().setArch("cnn-small")
        .setData(new DataSplits("single", single, single, org.nst4j.data.Normalization.unit(1)))
        .setConfig(config(1, 0)).setOut(out).optProgress(false).build()));
    assertTrue(e.getMessage().contains("every training image is of one class"), e.getMessage());
    assertFalse(Files.exists(out));

    // Named classes (a subset of CIFAR, say): the model's outputs are right; the empty ones are a warning.
    List<String> names = new java.util.ArrayList<>(List.of("cat", "dog", "bird"));
    int[] twoOfThree = new int[40];
    for (int i = 0; i < 40; i++) {
      twoOfThree[i] = i % 2;
    }
    ImageDataset named = ImageDataset.of("named", new byte[40 * 28 * 28], twoOfThree, 1, 28, 28, names);
    List<String> warnings = new java.util.ArrayList<>();
    TrainingRun.execute(RunSpec.builder().setArch("cnn-small").setConfig(config(1, 0)).setOut(dir.resolve("named"))
        .setData(new DataSplits("named", named, named, org.nst4j.data.Normalization.unit(1))).optProgress(false)
        .optWarnings(warnings::add).build());
    assertEquals(List.of("named: 1 of 3 classes have no training image: 2 (bird) (they are trained as never seen)"),
        warnings);
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

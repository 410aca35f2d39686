package org.nst4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.data.DataSources;
import org.nst4j.data.DataSplits;
import org.nst4j.data.ImageDataset;
import org.nst4j.store.ModelStore;

/**
 * Issue 17, item 4: runs trained side by side with one teacher forward per batch
 * ({@link TrainingRun#executeTogether}) end exactly as the same runs trained alone: the same losses, terms and
 * accuracies epoch by epoch, the same final and best accuracy, the same saved parameters byte for byte. The
 * methods cover a sum with NST (kd+nst-poly), a term with trained modules (FitNet's regressor), one reading
 * the teacher's pre-ReLU taps (OFD, with its trained connector: the teacher's one forward serves the union of
 * taps) and one without a teacher (ce). Then per-student resume: a finished run skipped, one stopped
 * mid-epoch alone resumed while a new one starts from scratch, and a stop request inside a group.
 */
class SharedTeacherTest {
  private static final List<String> METHODS = List.of("kd+nst-poly", "fitnet", "ofd", "ce");
  private static final int EPOCHS = 2;
  private static final long SEED = 3;

  @TempDir static Path root;
  private static DataSplits small;
  private static Path teacher;
  /** Each method's run trained alone: the reference. */
  private static final Map<String, Path> alone = new LinkedHashMap<>();

  @BeforeAll
  static void trainTeacherAndReferences() throws IOException {
    DataSplits sample = DataSources.resolve("sample", null);
    ImageDataset test = sample.test().firstPerClass(20);
    small = new DataSplits(sample.name(), sample.train(), test, sample.normalization());
    teacher = root.resolve("teacher");
    TrainingRun.execute(RunSpec.builder().setArch("resnet8").setData(small).optPerClass(20)
        .setConfig(recipe(1, 0)).setOut(teacher).optProgress(false).optCommand("test").build());
    for (String m : METHODS) {
      Path out = root.resolve("alone").resolve(m);
      TrainingRun.execute(spec(out, m).build());
      alone.put(m, out);
    }
  }

  @AfterEach
  void clearStop() {
    StopSignal.process().clear();
  }

  private static TrainingRecipe recipe(int epochs, long seed) {
    return TrainingRecipe.builder().setEpochs(epochs).setBatchSize(32).setLearningRate(0.05).optSeed(seed).build();
  }

  /** A student run as a grid makes it: resumed if interrupted. */
  private static RunSpec.Builder spec(Path out, String method) {
    return RunSpec.builder().setArch("resnet8").setData(small).optPerClass(20).setConfig(recipe(EPOCHS, SEED))
        .optMethod(method).optTeacher(teacher).setOut(out).optResume(true).optProgress(false).optCommand("test");
  }

  /** Asserts that the run in {@code actual} ended exactly as the reference run of {@code method}. */
  private static void assertSameRun(String method, Path actual) throws IOException {
    RunFolder ref = new RunFolder(alone.get(method));
    RunFolder got = new RunFolder(actual);
    assertTrue(got.isComplete(), method + ": finished");
    RunSummary a = ref.readSummary();
    RunSummary b = got.readSummary();
    assertEquals(a.testAccuracy(), b.testAccuracy(), 0, method + ": final test accuracy");
    assertEquals(a.bestTestAccuracy(), b.bestTestAccuracy(), 0, method + ": best test accuracy");
    assertEquals(a.bestEpoch(), b.bestEpoch(), method + ": best epoch");
    List<EpochRecord> la = ref.readEpochLog();
    List<EpochRecord> lb = got.readEpochLog();
    assertEquals(EPOCHS, lb.size(), method + ": one record per epoch");
    for (int i = 0; i < la.size(); i++) {
      String at = method + " epoch " + (i + 1);
      assertEquals(la.get(i).loss(), lb.get(i).loss(), 0, at + ": loss");
      assertEquals(la.get(i).terms(), lb.get(i).terms(), at + ": every term");
      assertEquals(la.get(i).trainAccuracy(), lb.get(i).trainAccuracy(), 0, at + ": train accuracy");
      assertEquals(la.get(i).testAccuracy(), lb.get(i).testAccuracy(), 0, at + ": test accuracy");
      assertEquals(la.get(i).learningRate(), lb.get(i).learningRate(), 0, at + ": rate");
    }
    assertArrayEquals(Files.readAllBytes(ref.model().resolve(ModelStore.paramsFileName())),
        Files.readAllBytes(got.model().resolve(ModelStore.paramsFileName())),
        method + ": the saved parameters, byte for byte");
    assertFalse(Files.exists(got.checkpoint()), method + ": the checkpoint is removed once finished");
  }

  @Test
  void runsTrainedSideBySideEndExactlyAsRunsTrainedAlone() throws IOException {
    Path dir = root.resolve("together");
    List<RunSpec> specs = new ArrayList<>();
    for (String m : METHODS) {
      specs.add(spec(dir.resolve(m), m).build());
    }
    List<TrainingRun.Outcome> outcomes = TrainingRun.executeTogether(specs);
    assertEquals(METHODS.size(), outcomes.size());
    for (int i = 0; i < METHODS.size(); i++) {
      assertNull(outcomes.get(i).failure(), METHODS.get(i) + ": " + outcomes.get(i).failure());
      assertSameRun(METHODS.get(i), dir.resolve(METHODS.get(i)));
      assertTrue(Files.isRegularFile(dir.resolve(METHODS.get(i)).resolve("config.json")), "its own config.json");
    }
    // The report reads the epoch logs; a teacher tap of each kind was read (OFD's pre-ReLU ones, FitNet's main
    // ones), by one teacher forward.
    assertTrue(new RunFolder(dir.resolve("ofd")).readEpochLog().get(0).terms().containsKey("ofd"));
  }

  @Test
  void theLibtorchTeacherSharesAsExactlyAndTheRuntimesAgreeToRounding() throws IOException {
    // The references above ran the default runtime (ONNX Runtime: a zoo teacher on the CPU).
    assertEquals("onnxruntime", RunIdentity.read(alone.get("ofd").resolve("config.json")).teacherRuntime());
    Path dir = root.resolve("libtorch");
    List<String> methods = List.of("kd+nst-poly", "ofd");
    Map<String, Path> torchAlone = new LinkedHashMap<>();
    List<RunSpec> together = new ArrayList<>();
    for (String m : methods) {
      torchAlone.put(m, dir.resolve("alone").resolve(m));
      TrainingRun.execute(spec(torchAlone.get(m), m).optTeacherRuntime(TeacherRuntime.LIBTORCH).build());
      together.add(spec(dir.resolve("together").resolve(m), m).optTeacherRuntime(TeacherRuntime.LIBTORCH).build());
    }
    TrainingRun.executeTogether(together);
    for (String m : methods) {
      RunFolder a = new RunFolder(torchAlone.get(m));
      RunFolder b = new RunFolder(dir.resolve("together").resolve(m));
      assertArrayEquals(Files.readAllBytes(a.model().resolve(ModelStore.paramsFileName())),
          Files.readAllBytes(b.model().resolve(ModelStore.paramsFileName())), m + ": libtorch, shared = alone");
      // The two runtimes: the same run up to float rounding of the teacher (first epoch's loss within 1e-3).
      double torchLoss = a.readEpochLog().get(0).loss();
      double ortLoss = new RunFolder(alone.get(m)).readEpochLog().get(0).loss();
      assertEquals(torchLoss, ortLoss, 1e-3 * Math.abs(torchLoss), m + ": first epoch's loss, libtorch vs ORT");
    }
    // Runs of two runtimes cannot share one teacher pass.
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainingRun.executeTogether(
        List.of(spec(dir.resolve("x"), "kd").build(), spec(dir.resolve("y"), "kd").optTeacherRuntime(
            TeacherRuntime.LIBTORCH).build())));
    assertTrue(e.getMessage().contains("teacher runtime"), e.getMessage());
    // A finished libtorch run is not the result of an ONNX Runtime one.
    e = assertThrows(IllegalArgumentException.class, () -> TrainingRun.execute(spec(torchAlone.get("ofd"), "ofd")
        .optResume(true).build()));
    assertTrue(e.getMessage().contains("teacher_runtime libtorch (now onnxruntime)"), e.getMessage());
  }

  @Test
  void eachStudentResumesFromItsOwnPositionAndAFinishedOneIsLeftAsItIs() throws IOException {
    Path dir = root.resolve("resume");
    // kd+nst-poly finished; fitnet stopped alone in the middle of epoch 2; ofd not started.
    TrainingRun.execute(spec(dir.resolve("kd+nst-poly"), "kd+nst-poly").build());
    RunSummary finished = new RunFolder(dir.resolve("kd+nst-poly")).readSummary();
    byte[] finishedSummary = Files.readAllBytes(new RunFolder(dir.resolve("kd+nst-poly")).summary());
    StopSignal.Stopped alone = assertThrows(StopSignal.Stopped.class,
        () -> TrainingRun.execute(spec(dir.resolve("fitnet"), "fitnet").addListener(StopAt.batch(2, 2)).build()));
    StopSignal.process().clear();
    assertTrue(alone.getMessage().contains("stopped after batch 2/"), "mid-epoch: " + alone.getMessage());
    assertEquals(1, Checkpoint.inspect(new RunFolder(dir.resolve("fitnet")).checkpoint()).epochsDone());

    List<TrainingRun.Outcome> outcomes = TrainingRun.executeTogether(List.of(
        spec(dir.resolve("kd+nst-poly"), "kd+nst-poly").build(), spec(dir.resolve("fitnet"), "fitnet").build(),
        spec(dir.resolve("ofd"), "ofd").build()));
    for (TrainingRun.Outcome o : outcomes) {
      assertNull(o.failure(), o.spec().out() + ": " + o.failure());
    }
    assertEquals(finished, outcomes.get(0).summary(), "the finished run is reported as it is");
    assertArrayEquals(finishedSummary, Files.readAllBytes(new RunFolder(dir.resolve("kd+nst-poly")).summary()),
        "and not rewritten");
    assertSameRun("fitnet", dir.resolve("fitnet"));
    assertSameRun("ofd", dir.resolve("ofd"));
  }

  @Test
  void aStopRequestCheckpointsEveryStudentOfTheGroupAndTheGroupResumesExactly() throws IOException {
    Path dir = root.resolve("stop");
    List<TrainingRun.Outcome> stopped = TrainingRun.executeTogether(List.of(
        spec(dir.resolve("fitnet"), "fitnet").build(),
        spec(dir.resolve("kd+nst-poly"), "kd+nst-poly").addListener(StopAt.batch(1, 4)).build()));
    StopSignal.process().clear();
    for (TrainingRun.Outcome o : stopped) {
      assertTrue(o.failure() instanceof StopSignal.Stopped, o.spec().out() + ": " + o.failure());
      assertTrue(o.failure().getMessage().contains("stopped after batch 4/"), o.failure().getMessage());
      Checkpoint cp = Checkpoint.inspect(new RunFolder(o.spec().out()).checkpoint());
      assertEquals(0, cp.epochsDone());
      assertEquals(4, cp.step(), "every student checkpointed at the same step");
    }
    assertSame(stopped.get(0).failure(), stopped.get(1).failure(), "one stop for the group");
    StopSignal.Stopped thrown = assertThrows(StopSignal.Stopped.class, () -> stopped.get(0).get());
    assertNotNull(thrown.getMessage());

    List<TrainingRun.Outcome> resumed = TrainingRun.executeTogether(List.of(
        spec(dir.resolve("fitnet"), "fitnet").build(), spec(dir.resolve("kd+nst-poly"), "kd+nst-poly").build()));
    for (TrainingRun.Outcome o : resumed) {
      assertNull(o.failure(), o.spec().out() + ": " + o.failure());
    }
    assertSameRun("fitnet", dir.resolve("fitnet"));
    assertSameRun("kd+nst-poly", dir.resolve("kd+nst-poly"));
  }

  @Test
  void runsOfAnotherBatchStreamAreRefusedBeforeAnythingIsWritten() {
    Path dir = root.resolve("refused");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainingRun.executeTogether(
        List.of(spec(dir.resolve("a"), "kd").build(),
            spec(dir.resolve("b"), "kd").setConfig(recipe(EPOCHS, SEED + 1)).build())));
    assertTrue(e.getMessage().contains("seed differ"), e.getMessage());
    assertFalse(Files.exists(dir), "nothing written");
  }
}

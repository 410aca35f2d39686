package org.nst4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.store.Json;
import org.nst4j.transfer.AtMethod;
import org.nst4j.transfer.KdMethod;
import org.nst4j.transfer.LossOptions;
import org.nst4j.transfer.NstMethod;

class RunIdentityTest {
  private static final EnumSet<RunIdentity.Part> ALL = EnumSet.allOf(RunIdentity.Part.class);
  private static final String LEGACY_OPTIONS = "LossOptions{lambda=50.0, nstScale=half, keepTeacherTerm=true,"
      + " nstDegree=2, nstC=0.0, nstSigma2=auto, kdTemperature=4.0, kdAlpha=0.9, fitnetBeta=100.0, atBeta=1000.0,"
      + " atP=2.0, taps=%s, spatial=pool}";

  @TempDir Path dir;

  private static TrainingRecipe config(long seed) {
    return TrainingRecipe.builder().optSeed(seed).build();
  }

  private Path legacy(String method, String config, String taps) throws IOException {
    Path f = dir.resolve(method.replace('+', '_') + ".json");
    Files.writeString(f, "{\"role\":\"student\",\"arch\":\"resnet8\",\"method\":\"" + method + "\",\"teacher\":\"t\","
        + "\"dataset\":\"fashion-mnist\",\"per_class\":1000,\"config\":\"" + config + "\",\"loss_options\":\""
        + String.format(LEGACY_OPTIONS, taps) + "\",\"command\":\"nst4j ...\"}");
    return f;
  }

  @Test
  void aFirstLayoutFolderIsTheSameRunAsTodaysSpecOfIt() throws IOException {
    Path f = legacy("kd+nst-poly", "epochs=15 batch=64 lr=0.05 cosine momentum=0.9 nesterov wd=5.0E-4 seed=1"
        + " augment", "[stage3]");
    RunIdentity saved = RunIdentity.read(f);
    RunIdentity now = RunIdentity.of("student", "resnet8", "kd+nst-poly", "fashion-mnist", 1000, config(1),
        LossOptions.builder().optTaps(List.of("stage3")).build(), TeacherRuntime.LIBTORCH);
    assertEquals(List.of(), now.differences(saved, ALL));
    assertEquals(List.of("stage3"), saved.taps());
    assertEquals(4.0, saved.methodOptions().get("kd_temperature"));
    assertTrue(!saved.methodOptions().containsKey("at_beta"), "only the run's methods: " + saved.methodOptions());
  }

  @Test
  void aFirstLayoutFolderDiffersWhereTheRunDiffers() throws IOException {
    RunIdentity saved = RunIdentity.read(legacy("kd", "epochs=15 batch=64 lr=0.05 cosine momentum=0.9 nesterov"
        + " wd=5.0E-4 seed=0 augment", "default"));
    RunIdentity now = RunIdentity.of("student", "resnet8", "kd", "fashion-mnist", 1000,
        config(0).toBuilder().setEpochs(20).build(), LossOptions.builder().set(KdMethod.ALPHA, 0.5).build(),
        TeacherRuntime.LIBTORCH);
    assertEquals(List.of("epochs 15 (now 20)", "kd_alpha 0.9 (now 0.5)"), now.differences(saved, ALL));
    assertEquals(List.of(), now.differences(saved, RunIdentity.WHAT_RESUME_CHECKS), "resume allows new weights");
  }

  @Test
  void anOptionOfAnotherMethodChangesNothing() throws IOException {
    RunIdentity saved = RunIdentity.read(legacy("kd", "epochs=15 batch=64 lr=0.05 cosine momentum=0.9 nesterov"
        + " wd=5.0E-4 seed=0 augment", "default"));
    RunIdentity now = RunIdentity.of("student", "resnet8", "kd", "fashion-mnist", 1000, config(0),
        LossOptions.builder().set(AtMethod.BETA, 3.0).set(NstMethod.LAMBDA, 7.0).build(), TeacherRuntime.LIBTORCH);
    assertEquals(List.of(), now.differences(saved, ALL));
  }

  @Test
  void legacyMultistepScheduleAndPadAreRead() {
    Map<String, Object> m = RunIdentity.legacySchedule(
        "epochs=300 batch=128 lr=0.1 multistep[150, 225] momentum=0.9 nesterov wd=1.0E-4 seed=2 augment pad=4");
    assertEquals("multistep", m.get("lr_schedule"));
    assertEquals(List.of(150, 225), m.get("milestones"));
    assertEquals(4, m.get("pad"));
    assertEquals(2L, m.get("seed"));
    TrainingRecipe c = TrainingRecipe.builder().setEpochs(300).setBatchSize(128).setLearningRate(0.1)
        .optSchedule(TrainingRecipe.Schedule.MULTISTEP).optMilestones(150, 225).optWeightDecay(1e-4).optSeed(2)
        .optPad(4).build();
    RunIdentity a = RunIdentity.of("teacher", "x", "ce", null, null, c, LossOptions.defaults());
    RunIdentity b = new RunIdentity("teacher", "x", "ce", null, null, m, Map.of(), null, "pool", null);
    assertEquals(List.of(), a.differences(b, ALL));
    assertEquals(false, RunIdentity.legacySchedule("epochs=1 batch=2 lr=0.1 constant momentum=0 wd=0 seed=0")
        .get("nesterov"));
  }

  @Test
  void theCurrentLayoutRoundTripsThroughJson() throws IOException {
    RunIdentity id = RunIdentity.of("student", "resnet8", "ce+at", "fashion-mnist", null, config(3),
        LossOptions.builder().set(AtMethod.BETA, 10.0).optTaps(List.of("stage1", "stage2")).build());
    assertEquals("at", id.method());
    Path f = dir.resolve("config.json");
    Json.writeAtomically(f, id.toJson());
    RunIdentity back = RunIdentity.read(f);
    assertEquals(List.of(), id.differences(back, ALL));
    assertEquals(Map.of("at_beta", 10.0, "at_p", 2.0), back.methodOptions());
    assertNull(back.perClass());
    RunIdentity other = RunIdentity.of("student", "resnet8", "at", "fashion-mnist", null, config(3),
        LossOptions.builder().set(AtMethod.BETA, 10.0).optTaps(List.of("stage3")).build());
    assertEquals(List.of("taps [stage1, stage2] (now [stage3])"), other.differences(back, ALL));
  }

  @Test
  void aFolderWrittenBeforeTheTeacherRuntimeRanLibtorchAndTheRuntimeIsCompared() throws IOException {
    // A layout-2 folder (the committed FMNIST-10k grid's): no teacher_runtime; its teachers ran in libtorch.
    RunIdentity ort = RunIdentity.of("student", "resnet8", "kd", "fashion-mnist", 1000, config(0),
        LossOptions.defaults(), TeacherRuntime.ONNX_RUNTIME);
    Map<String, Object> json = new java.util.LinkedHashMap<>(ort.toJson());
    assertEquals("onnxruntime", json.get("teacher_runtime"));
    json.put("format", 2);
    json.remove("teacher_runtime");
    Path f = dir.resolve("format2.json");
    Json.writeAtomically(f, json);
    RunIdentity saved = RunIdentity.read(f);
    assertEquals("libtorch", saved.teacherRuntime());
    assertEquals(List.of("teacher_runtime libtorch (now onnxruntime)"), ort.differences(saved, ALL));
    assertEquals(List.of(), ort.differences(saved, RunIdentity.WHAT_RESUME_CHECKS), "resume: like a rate");
    RunIdentity torch = RunIdentity.of("student", "resnet8", "kd", "fashion-mnist", 1000, config(0),
        LossOptions.defaults(), TeacherRuntime.LIBTORCH);
    assertEquals(List.of(), torch.differences(saved, ALL));
    // Today's layout round-trips the runtime; a ce student's result does not depend on it, so none is recorded.
    Path g = dir.resolve("format3.json");
    Json.writeAtomically(g, ort.toJson());
    assertEquals("onnxruntime", RunIdentity.read(g).teacherRuntime());
    RunIdentity ce = RunIdentity.of("student", "resnet8", "ce", "fashion-mnist", 1000, config(0),
        LossOptions.defaults(), TeacherRuntime.ONNX_RUNTIME);
    assertNull(ce.teacherRuntime());
    assertTrue(!ce.toJson().containsKey("teacher_runtime"));
    json.put("method", "ce");
    Json.writeAtomically(f, json);
    assertNull(RunIdentity.read(f).teacherRuntime(), "a ce student of layout 2 had no teacher to run");
  }

  @Test
  void numbersCompareByValue() {
    assertTrue(RunIdentity.sameValue(50, 50.0));
    assertTrue(RunIdentity.sameValue(List.of(1, 2), List.of(1L, 2.0)));
    assertTrue(!RunIdentity.sameValue(List.of(1), List.of(1, 2)));
    assertTrue(!RunIdentity.sameValue("a", null));
  }

  @Test
  void unreadableFilesAreClearErrors() throws IOException {
    Path f = dir.resolve("bad.json");
    Files.writeString(f, "{not json");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunIdentity.read(f));
    assertTrue(e.getMessage().startsWith(f + ": not readable JSON"), e.getMessage());
    Files.writeString(f, "{\"method\": \"nst-cubic\"}");
    e = assertThrows(IllegalArgumentException.class, () -> RunIdentity.read(f));
    assertTrue(e.getMessage().contains("unknown method 'nst-cubic'"), e.getMessage());
  }
}

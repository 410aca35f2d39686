package org.nst4j.detection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.data.DataSources;
import org.nst4j.data.Normalization;
import org.nst4j.model.ModelOutput;
import org.nst4j.store.Json;
import org.nst4j.train.EpochRecord;
import org.nst4j.train.LoopListener;
import org.nst4j.train.NesterovSgd;
import org.nst4j.train.RunFolder;
import org.nst4j.train.RunIdentity;
import org.nst4j.transfer.FitNetMethod;
import org.nst4j.transfer.LossOptions;

/**
 * Distilling a detector on its backbone's taps, on a tiny FMNIST-Det (8 training scenes, resnet8): the transfer
 * term falls under SGD, NST between identical backbones is zero, methods a detector cannot use are refused, the
 * run records its teacher and method options and resumes to the weights of an uninterrupted run, and the saved
 * detector holds no trained module of the terms.
 */
class DetectorDistillationTest {
  @TempDir static Path dir;
  private static Path data;
  private static Path teacher;

  @BeforeAll
  static void trainTeacher() throws Exception {
    data = dir.resolve("fd");
    FmnistDet.generate(DataSources.resolve("sample", null), 5, 8, 4, data);
    teacher = dir.resolve("teacher");
    DetectorTraining.execute(new DetectorTraining.Spec(data, "resnet8", "stage3", null, 1, 4, 0.02, 0.9, 1e-4, true,
        1, teacher, false, false, "test", List.of(), null));
  }

  private static DetectorTraining.Spec student(Path out, boolean resume, String method, LossOptions options,
      List<LoopListener> listeners) {
    return new DetectorTraining.Spec(data, "resnet8", "stage3", null, 2, 4, 0.02, 0.9, 1e-4, true, 7, out, resume,
        false, "test", listeners, null, teacher, method, options);
  }

  /** The first training images, as the detector of {@code loaded} sees them. */
  private static NDArray images(NDManager m, DetectionBatches train, Normalization n) {
    return train.images(m, new int[] {0, 1, 2, 3}, n);
  }

  private static DetectionBatches trainSplit(DetectorStore.Loaded loaded) {
    CocoDataset split = CocoReader.readSplits(data).train();
    Map<Integer, Integer> channelOf = new LinkedHashMap<>();
    for (int id : loaded.card().categoryIds()) {
      channelOf.put(id, channelOf.size());
    }
    return DetectionBatches.load(split, 1, channelOf);
  }

  @Test
  void nstBetweenIdenticalBackbonesIsZeroAndNotBetweenDifferentOnes() {
    try (DetectorStore.Loaded t = DetectorStore.load(teacher); DetectorStore.Loaded same = DetectorStore.load(teacher);
        NDManager m = NDManager.newBaseManager()) {
      DetectionBatches train = trainSplit(t);
      try (BackboneDistillation d = BackboneDistillation.create("nst-poly", LossOptions.defaults(), t, train.size())) {
        ModelOutput teacherOut = d.teacherOutput(images(m, train, d.teacherNormalization()));
        NDList out = same.detector().forward(new ParameterStore(same.manager(), false),
            new NDList(images(m, train, same.card().inputNormalization())), false);
        ModelOutput identical = same.detector().backboneOutput(out);
        d.initialize(m, identical, teacherOut, 0, "resnet8");
        double zero = d.compute(identical, teacherOut, false).get("nst-poly").getFloat();
        assertTrue(Math.abs(zero) < 1e-4, "identical backbones: " + zero);

        CenterNetDetector other = CenterNetDetector.create("resnet8", 1, 10, "stage3", 42);
        other.initialize(m, DataType.FLOAT32, new Shape(1, 1, 96, 96));
        ModelOutput different = other.backboneOutput(other.forward(new ParameterStore(m, false),
            new NDList(images(m, train, Normalization.unit(1))), false));
        double apart = d.compute(different, teacherOut, false).get("nst-poly").getFloat();
        assertTrue(apart > 100 * Math.max(Math.abs(zero), 1e-6), "a seeded backbone: " + apart + " vs " + zero);
      }
    }
  }

  @Test
  void sgdStepsOnTheTransferTermLowerIt() {
    for (String method : List.of("nst-poly", "at", "fitnet")) {
      try (DetectorStore.Loaded t = DetectorStore.load(teacher); NDManager m = NDManager.newBaseManager()) {
        DetectionBatches train = trainSplit(t);
        CenterNetDetector student = CenterNetDetector.create("resnet8", 1, 10, "stage3", 3);
        student.initialize(m, DataType.FLOAT32, new Shape(1, 1, 96, 96));
        try (BackboneDistillation d = BackboneDistillation.create(method, LossOptions.defaults(), t, train.size())) {
          NDArray x = images(m, train, Normalization.unit(1));
          ModelOutput teacherOut = d.teacherOutput(images(m, train, d.teacherNormalization()));
          d.initialize(m, student.backboneOutput(student.forward(new ParameterStore(m, false), new NDList(x), false)),
              teacherOut, 0, "resnet8");
          assertEquals(method.equals("fitnet"), !d.parameters().isEmpty(), "fitnet trains a regressor");
          List<Parameter> params = new ArrayList<>();
          student.backbone().getParameters().forEach(p -> params.add(p.getValue()));
          params.addAll(d.parameters());
          ParameterStore ps = new ParameterStore(m, false);
          double first = Double.NaN;
          double last = Double.NaN;
          try (NesterovSgd sgd = new NesterovSgd(NesterovSgd.trainable(params), 0.9, 0, true)) {
            for (int step = 0; step <= 5; step++) {
              try (NDManager scope = m.newSubManager()) {
                x.tempAttach(scope);
                double value;
                try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
                  ModelOutput s = student.backboneOutput(student.forward(ps, new NDList(x), true));
                  NDArray term = d.compute(s, teacherOut, true).get(method);
                  value = term.getFloat();
                  c.backward(term);
                }
                sgd.step(0.01);
                if (step == 0) {
                  first = value;
                }
                last = value;
              }
            }
          }
          assertTrue(last < first, method + ": " + first + " -> " + last);
        }
      }
    }
  }

  @Test
  void everyTapOnlyMethodComparesADetectorsBackboneWithItsTeachers() {
    // The claim of BackboneDistillation's Javadoc and docs/detection.md: each accepted method builds its term (OFD
    // from the teacher's pre-ReLU BatchNorms, ReviewKD on pre-ReLU taps, VID and FitNet with trained modules) and
    // gives a finite value on a detector's backbone output.
    try (DetectorStore.Loaded t = DetectorStore.load(teacher); NDManager m = NDManager.newBaseManager()) {
      DetectionBatches train = trainSplit(t);
      CenterNetDetector student = CenterNetDetector.create("resnet8", 1, 10, "stage3", 3);
      student.initialize(m, DataType.FLOAT32, new Shape(1, 1, 96, 96));
      for (String method : BackboneDistillation.tapOnlyMethods()) {
        try (NDManager scope = m.newSubManager();
            BackboneDistillation d = BackboneDistillation.create(method, LossOptions.defaults(), t, train.size())) {
          ModelOutput s = student.backboneOutput(student.forward(new ParameterStore(scope, false),
              new NDList(images(scope, train, Normalization.unit(1))), false));
          ModelOutput teacherOut = d.teacherOutput(images(scope, train, d.teacherNormalization()));
          d.initialize(scope, s, teacherOut, 0, "resnet8");
          float v = d.compute(s, teacherOut, true).get(method).getFloat();
          assertTrue(Float.isFinite(v) && v >= 0, method + ": " + v);
        }
      }
    }
  }

  @Test
  void methodsThatReadLogitsLabelsOrIndicesAreRefused() {
    for (String bad : List.of("kd", "dkd", "crd", "kd+nst-poly")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> student(dir.resolve("never"), false, bad, null, List.of()));
      String name = bad.startsWith("kd+") ? "kd" : bad;
      assertTrue(e.getMessage().startsWith("--method " + name + " cannot distill a detector"), e.getMessage());
      assertTrue(e.getMessage().contains("nst-poly") && e.getMessage().contains("fitnet"), e.getMessage());
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> student(dir.resolve("never"), false, "ce", null, List.of()));
    assertTrue(e.getMessage().contains("unused"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new DetectorTraining.Spec(data, "resnet8", "stage3", null,
        1, 4, 0.02, 0.9, 1e-4, true, 1, dir.resolve("never"), false, false, "t", List.of(), null, null, "at", null));
    assertTrue(e.getMessage().contains("--teacher"), e.getMessage());
    assertEquals(List.of("fitnet", "at", "nst-linear", "nst-poly", "nst-gauss", "rkd", "pkt", "sp", "kdsvd", "vid",
        "ofd", "reviewkd"), BackboneDistillation.tapOnlyMethods());
    // A tap the backbones do not have is refused before anything is written.
    e = assertThrows(IllegalArgumentException.class, () -> DetectorTraining.execute(student(dir.resolve("never"),
        false, "nst-poly", LossOptions.builder().optTaps(List.of("stage9")).build(), List.of())));
    assertTrue(e.getMessage().contains("stage9"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("never")));
  }

  @Test
  void aDistilledRunRecordsItsTeacherResumesAndSavesTheDetectorAlone() throws IOException {
    LossOptions options = LossOptions.builder().set(FitNetMethod.BETA, 10.0).build();
    Path whole = dir.resolve("whole");
    DetectionSummary s = DetectorTraining.execute(student(whole, false, "fitnet", options, List.of()));
    assertEquals("fitnet", s.method());
    assertEquals(teacher.toAbsolutePath().normalize().toString(), s.teacher());
    RunFolder folder = new RunFolder(whole);
    JsonNode config = Json.PRETTY.readTree(folder.config().toFile());
    assertEquals("fitnet", config.get("method").asText());
    assertEquals(10.0, config.get("method_options").get("fitnet_beta").asDouble());
    assertEquals(s.teacher(), config.get("schedule").get("teacher").asText());
    for (EpochRecord r : folder.readEpochLog()) {
      assertEquals(List.of("heat", "size", "offset", "fitnet"), new ArrayList<>(r.terms().keySet()));
      assertTrue(r.terms().get("fitnet") > 0);
    }
    // The saved detector is a plain detector: the regressor is not in it.
    try (DetectorStore.Loaded plain = DetectorStore.load(teacher); DetectorStore.Loaded d = DetectorStore.load(whole)) {
      assertEquals(Files.size(teacher.resolve("model").resolve(DetectorStore.PARAMS_FILE)),
          Files.size(whole.resolve("model").resolve(DetectorStore.PARAMS_FILE)));
      assertEquals(plain.detector().getParameters().size(), d.detector().getParameters().size());
      assertEquals(Normalization.unit(1), d.card().inputNormalization(), "no --backbone: pixels in [0, 1]");
    }

    // Interrupted after epoch 1, resumed: the regressor comes back from the checkpoint, the weights are the same.
    Path cut = dir.resolve("cut");
    LoopListener killer = new LoopListener() {
      @Override
      public void onEpoch(EpochRecord r) {
        if (r.epoch() == 2) {
          throw new IllegalStateException("killed");
        }
      }
    };
    assertThrows(IllegalStateException.class, () -> DetectorTraining.execute(student(cut, false, "fitnet", options,
        List.of(killer))));
    // Another method is another run: refused.
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DetectorTraining.execute(student(cut, true, "nst-poly", null, List.of())));
    assertTrue(e.getMessage().contains("method fitnet (now nst-poly)"), e.getMessage());
    DetectorTraining.execute(student(cut, true, "fitnet", options, List.of()));
    assertArrayEquals(Files.readAllBytes(whole.resolve("model").resolve(DetectorStore.PARAMS_FILE)),
        Files.readAllBytes(cut.resolve("model").resolve(DetectorStore.PARAMS_FILE)));
    // A finished run of other method options is not reported as this one's.
    e = assertThrows(IllegalArgumentException.class, () -> DetectorTraining.execute(student(cut, true, "fitnet",
        LossOptions.defaults(), List.of())));
    assertTrue(e.getMessage().contains("fitnet_beta"), e.getMessage());
    RunIdentity id = DetectorTraining.readIdentity(folder.config());
    assertEquals(List.of(), DetectorTraining.identity(student(whole, true, "fitnet", options, List.of()))
        .differences(id, java.util.EnumSet.allOf(RunIdentity.Part.class)));
  }
}

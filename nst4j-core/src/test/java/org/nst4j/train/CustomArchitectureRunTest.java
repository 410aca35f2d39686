package org.nst4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.data.DataSources;
import org.nst4j.data.DataSplits;
import org.nst4j.model.ModelZoo;
import org.nst4j.store.ModelStore;
import org.nst4j.transfer.DjlFixtures;

/**
 * A registered {@code TappedBlock} architecture in nst4j's own runs: distilled from the shipped teacher by
 * {@link TrainingRun} (the loop of the {@code distill} command), then the teacher of another run.
 */
class CustomArchitectureRunTest {

  @AfterEach
  void forget() {
    ModelZoo.unregister("my-cnn");
  }

  @Test
  void aRegisteredWrappedBlockIsAStudentAndThenATeacherOfNst4jsRuns(@TempDir Path dir) throws Exception {
    ModelZoo.register("my-cnn", (channels, classes, seed) -> DjlFixtures.tinyCnn("my-cnn", channels, classes));
    DataSplits sample = DataSources.sample();
    DataSplits small = new DataSplits(sample.name(), sample.train(), sample.test().firstPerClass(10),
        sample.normalization());
    TrainingRecipe recipe = TrainingRecipe.builder().setEpochs(1).setBatchSize(50).setLearningRate(0.05).build();
    RunSummary student = TrainingRun.execute(RunSpec.builder().setArch("my-cnn").setData(small).optPerClass(30)
        .setConfig(recipe).optMethod("kd+nst-poly").optTeacher(Path.of("models/fmnist-resnet20"))
        .setOut(dir.resolve("student")).optProgress(false).optCommand("test").build());
    assertEquals("student", student.role());
    assertEquals("my-cnn", ModelStore.readCard(dir.resolve("student")).architecture());
    assertTrue(student.testAccuracy() >= 0 && student.testAccuracy() <= 1, "accuracy " + student.testAccuracy());

    RunSummary next = TrainingRun.execute(RunSpec.builder().setArch("cnn-small").setData(small).optPerClass(30)
        .setConfig(recipe).optMethod("kd+nst-poly").optTeacher(dir.resolve("student"))
        .setOut(dir.resolve("next")).optProgress(false).optCommand("test").build());
    assertEquals("student", next.role());
    // The default teacher runtime: ONNX Runtime for the shipped zoo teacher, libtorch for the wrapped block (no
    // graph description to export).
    assertEquals("onnxruntime", RunIdentity.read(dir.resolve("student").resolve("config.json")).teacherRuntime());
    assertEquals("libtorch", RunIdentity.read(dir.resolve("next").resolve("config.json")).teacherRuntime());
  }
}

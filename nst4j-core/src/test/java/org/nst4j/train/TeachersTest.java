package org.nst4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.data.DataFormatException;
import org.nst4j.data.DataSources;
import org.nst4j.data.DataSplits;
import org.nst4j.data.ImageDataset;
import org.nst4j.store.Json;
import org.nst4j.store.ModelCard;
import org.nst4j.store.ModelStore;
import org.nst4j.transfer.LossOptions;

/**
 * Students distilled from the tiny TorchScript teacher of src/test/resources/org/nst4j/model/torchscript
 * (made by make_teacher.py there: a 2-conv Fashion-MNIST CNN returning (logits, map1 8×14×14, map2 16×7×7)).
 */
class TeachersTest {
  private static DataSplits small;

  @BeforeAll
  static void loadSample() {
    DataSplits sample = DataSources.resolve("sample", null);
    ImageDataset test = sample.test().firstPerClass(20);
    small = new DataSplits(sample.name(), sample.train(), test, sample.normalization());
  }

  static Path torchScript(String name) {
    try {
      return Path.of(TeachersTest.class.getResource("/org/nst4j/model/torchscript/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static RunSpec.Builder distill(Path out, String method, LossOptions options) {
    return RunSpec.builder().setArch("resnet8").setData(small).optPerClass(40)
        .setConfig(TrainingRecipe.builder().setEpochs(1).setBatchSize(50).setLearningRate(0.05).build())
        .optMethod(method).optLossOptions(options).optTeacher(torchScript("teacher.pt"))
        .optTeacherTaps(List.of("map1", "map2")).setOut(out).optProgress(false).optCommand("test");
  }

  /** Runs one short epoch and returns the mean of the transfer term named {@code term}. */
  private static double transferTerm(Path out, String method, LossOptions options, String term) throws Exception {
    RunSummary s = TrainingRun.execute(distill(out, method, options).build());
    assertEquals("student", s.role());
    assertTrue(s.testAccuracy() >= 0 && s.testAccuracy() <= 1);
    Map<String, Double> terms = new RunFolder(out).readEpochLog().get(0).terms();
    assertTrue(terms.containsKey(term), "terms " + terms);
    JsonNode config = Json.PRETTY.readTree(new RunFolder(out).config().toFile());
    assertEquals("[\"map1\",\"map2\"]", config.get("teacher_taps").toString());
    return terms.get(term);
  }

  @Test
  void kdAtAndNstDistillFromATorchScriptTeacher(@TempDir Path dir) throws Exception {
    double kd = transferTerm(dir.resolve("kd"), "kd", LossOptions.defaults(), "kd");
    assertTrue(kd > 0 && Double.isFinite(kd), "kd " + kd);
    // AT pairs taps by name or position; the student has three, the teacher two: name the pairs.
    double at = transferTerm(dir.resolve("at"), "at",
        LossOptions.builder().optTaps(List.of("stage2:map1", "stage3:map2")).build(), "at");
    assertTrue(at > 0 && Double.isFinite(at), "at " + at);
    // NST compares the last taps, stage3 (64×7×7) and map2 (16×7×7).
    double nst = transferTerm(dir.resolve("nst"), "nst-poly", LossOptions.defaults(), "nst-poly");
    assertTrue(nst > 0 && Double.isFinite(nst), "nst " + nst);
  }

  @Test
  void aTeacherOfAnotherClassCountIsRefusedBeforeAnythingIsWritten(@TempDir Path dir) {
    Path out = dir.resolve("run");
    RunSpec spec = distill(out, "kd", LossOptions.defaults()).optTeacher(torchScript("five-classes.pt"))
        .optTeacherTaps(null).build();
    DataFormatException e = assertThrows(DataFormatException.class, () -> TrainingRun.execute(spec));
    assertTrue(e.getMessage().contains("the data's 10 classes"), e.getMessage());
    assertFalse(Files.exists(out));
  }

  @Test
  void recognisesTheKindOfTeacher(@TempDir Path dir) throws Exception {
    assertTrue(Teachers.isTorchScript(torchScript("teacher.pt")));
    assertTrue(Teachers.isTorchScript(torchScript("teacher.pt").getParent())); // a folder of .pt files
    Path model = Files.createDirectories(dir.resolve("run").resolve("model"));
    ModelCard card = new ModelCard(ModelCard.FORMAT, "resnet20", 1, 28, 28, 10, small.train().classNames(),
        "x", new double[] {0.5}, new double[] {0.5}, "teacher", "ce", 0, 1, 0.5, List.of("stage1", "stage2",
        "stage3"), ModelStore.paramsFileName(), "test", "now", null);
    Json.writeAtomically(model.resolve(ModelStore.CARD_FILE), card);
    Files.copy(torchScript("teacher.pt"), model.resolve("stray.pt"));
    assertFalse(Teachers.isTorchScript(dir.resolve("run")), "a card wins over .pt files");
    assertFalse(Teachers.isTorchScript(model));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Teachers.load(dir.resolve("run"), List.of("a"), small.train(), Device.cpu()));
    assertTrue(e.getMessage().contains("whose taps are [stage1, stage2, stage3]"), e.getMessage());
  }
}

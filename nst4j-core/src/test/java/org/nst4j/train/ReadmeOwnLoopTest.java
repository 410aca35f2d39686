package org.nst4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.ArrayDataset;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nst4j.testing.ReadmeBlocks;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.data.DataSources;
import org.nst4j.data.DataSplits;
import org.nst4j.model.TappedBlock;
import org.nst4j.model.TappedModel;
import org.nst4j.transfer.DjlFixtures;
import org.nst4j.transfer.LossOptions;
import org.nst4j.transfer.Objective;
import org.nst4j.transfer.Objectives;
import org.nst4j.transfer.TermContext;

/**
 * The snippet of README.md's "nst4j's own loop with a DJL dataset", compiled and run as written: a DJL
 * {@code ArrayDataset} of the embedded sample, a {@link TappedBlock} student, {@code kd+nst-poly} from the shipped
 * teacher, resumable through its run folder.
 *
 * <p>KEEP IN SYNC WITH README.md: the code between {@code SNIPPET-BEGIN} and {@code SNIPPET-END} is the README's
 * block, character for character after removing this method's indentation; {@link #theReadmeShowsThisSnippet}
 * fails when the two differ, so edit both together.
 */
class ReadmeOwnLoopTest {
  private static final Path SOURCE = Path.of("nst4j-core/src/test/java/org/nst4j/train/ReadmeOwnLoopTest.java");
  private static final String SECTION = "### nst4j's own loop with a DJL dataset";

  /** The README's snippet; its free names ({@code student}, {@code model}, ...) are this method's parameters. */
  static void readmeSnippet(TappedModel student, Model model, ArrayDataset train, ArrayDataset test,
      Path runFolder) {
    // SNIPPET-BEGIN
    TrainingRecipe recipe = TrainingRecipe.builder().setEpochs(3).setBatchSize(64).setLearningRate(0.05)
        .optAugment(false).build();                  // a DJL dataset is fed as it is: no nst4j augmentation
    try (Model teacher = Teachers.fromFolder(Path.of("models/fmnist-resnet20"), Device.cpu());
        Objective objective = Objectives.create("kd+nst-poly", LossOptions.defaults(),
            TermContext.of((int) train.size(), (TappedModel) teacher.getBlock()))) {
      List<EpochRecord> epochs = TrainingLoop.builder()
          .setStudent(student, model.getNDManager()) // a TappedModel, initialised (e.g. TappedBlock.wrap)
          .optTeacher((TappedModel) teacher.getBlock())
          .setObjective(objective)
          .setData(train, test)                      // any RandomAccessDataset: float32 (C, H, W), labels
          .setConfig(recipe)
          .optCheckpointFolder(runFolder)            // checkpoint.bin and epochs.jsonl
          .optResume(true)                           // continue from its checkpoint if a run stopped there
          .build()
          .run();
      epochs.forEach(e -> System.out.printf("epoch %d: loss %.4f, test accuracy %.4f%n",
          e.epoch(), e.loss(), e.testAccuracy()));
    }
    // SNIPPET-END
  }

  /** What the snippet prints, run on a fresh student on the sample's first 30 images per class. */
  private static List<String> runSnippet(Path runFolder) {
    DataSplits sample = DataSources.sample();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream saved = System.out;
    try (Model model = Model.newInstance("student")) {
      TappedBlock student = DjlFixtures.tinyCnn("mine", 1, 10);
      model.setBlock(student);
      student.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 1, 28, 28));
      ArrayDataset train = DjlDatasetLoopTest.arrayDataset(model.getNDManager(), sample.train().firstPerClass(30),
          DjlDatasetLoopTest.Labels.FLOAT32);
      ArrayDataset test = DjlDatasetLoopTest.arrayDataset(model.getNDManager(), sample.test().firstPerClass(10),
          DjlDatasetLoopTest.Labels.FLOAT32);
      System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
      readmeSnippet(student, model, train, test, runFolder);
    } finally {
      System.setOut(saved);
    }
    return bytes.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("epoch ")).toList();
  }

  @Test
  void theSnippetTrainsThreeEpochsAndResumesAFinishedRunWithoutTrainingAgain(@TempDir Path dir) throws Exception {
    Path run = dir.resolve("runs/my-cnn");
    List<String> printed = runSnippet(run);
    assertEquals(3, printed.size(), String.join("\n", printed));
    for (int e = 1; e <= 3; e++) {
      assertTrue(printed.get(e - 1).matches("epoch " + e + ": loss \\d+\\.\\d{4}, test accuracy [01]\\.\\d{4}"),
          printed.get(e - 1));
    }
    assertTrue(Files.isRegularFile(run.resolve("checkpoint.bin")));
    assertEquals(3, new RunFolder(run).readEpochLog().size());
    assertEquals(printed, runSnippet(run), "run again: the finished run is resumed, its records read back");
  }

  @Test
  void theReadmeShowsThisSnippet() throws Exception {
    List<String> shown = ReadmeBlocks.firstJavaBlock(SECTION).lines().toList();
    assertTrue(shown.size() <= 20, "the README's snippet has " + shown.size() + " lines");
    String source = Files.readString(SOURCE);
    String region = source.substring(source.indexOf("// SNIPPET-BEGIN\n") + "// SNIPPET-BEGIN\n".length(),
        source.indexOf("    // SNIPPET-END"));
    List<String> here = region.lines().map(l -> l.length() >= 4 ? l.substring(4) : l.strip()).toList();
    assertEquals(String.join("\n", here), String.join("\n", shown),
        "README.md's snippet and ReadmeOwnLoopTest.readmeSnippet differ: edit both together");
  }
}

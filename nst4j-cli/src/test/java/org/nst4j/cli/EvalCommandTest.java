package org.nst4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.data.DataSources;
import org.nst4j.data.ImageDataset;

/** {@code nst4j eval}: a good model evaluates; models and data that do not fit are one error line, exit 2. */
class EvalCommandTest {
  @TempDir static Path shared;
  @TempDir Path dir;
  private static Path tiny;
  private static Path model;

  @BeforeAll
  static void fixtures() {
    tiny = Cli.tinyFashion(shared, 2, 3);
    model = Cli.savedModel(shared.resolve("model"), "cnn-small", 1, 10, 28);
  }

  @Test
  void aSavedModelIsEvaluatedAndNothingIsWritten() {
    TreeMap<String, String> before = Cli.snapshot(model);
    Cli.Result r = Cli.run("eval", "--data", tiny.toString(), "--model", model.toString());
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().startsWith("test accuracy ") && r.out().contains("30 images"), r.out());
    assertEquals("", r.err());
    assertEquals(before, Cli.snapshot(model));
  }

  @Test
  void aModelForOtherChannelsOrClassesIsRefused() {
    Path rgb = Cli.savedModel(dir.resolve("rgb"), "cnn-small", 3, 10, 32);
    Cli.assertBadInput(Cli.run("eval", "--data", tiny.toString(), "--model", rgb.toString()), "3 channels",
        "1 channels");
    // A 1-channel model on 3-channel CIFAR-format images: refused before libtorch sees a tensor.
    Path cifar = Cli.cifarLike(dir.resolve("cifar"), 10, 3);
    Cli.assertBadInput(Cli.run("eval", "--data", cifar.toString(), "--model", model.toString()), "1 channels",
        "3 channels");
    Path five = Cli.savedModel(dir.resolve("five"), "cnn-small", 1, 5, 28);
    Cli.assertBadInput(Cli.run("eval", "--data", tiny.toString(), "--model", five.toString()), "5 classes");
  }

  @Test
  void imagesTheNetworkCannotTakeAreRefused() {
    ImageDataset small = ImageDataset.of("small", new byte[10 * 4], new int[10], 1, 2, 2,
        DataSources.FASHION_MNIST_CLASSES);
    Path data = Cli.idxFolder(dir.resolve("small-fashion"), small, small);
    Cli.assertBadInput(Cli.run("eval", "--data", data.toString(), "--model", model.toString()), "cannot process",
        "2×2");
  }

  @Test
  void badModelsAndOptionsAreRefused() throws IOException {
    Cli.assertBadInput(Cli.run("eval", "--data", tiny.toString(), "--model", dir.resolve("none").toString()),
        "no such file");
    Cli.assertBadInput(Cli.run("eval", "--data", tiny.toString(), "--model", model.toString(), "--batch", "0"),
        "--batch");
    Path copy = Cli.copyTree(model, dir.resolve("copy"));
    byte[] params = Files.readAllBytes(copy.resolve("model-0000.params"));
    Files.write(copy.resolve("model-0000.params"), Arrays.copyOf(params, params.length / 3));
    Cli.assertBadInput(Cli.run("eval", "--data", tiny.toString(), "--model", copy.toString()), "damaged");
    Cli.editCard(copy, "normalization_std", new double[] {0});
    Cli.assertBadInput(Cli.run("eval", "--data", tiny.toString(), "--model", copy.toString()), "normalization");
    Cli.editCard(copy, "normalization_std", new double[] {0.3, 0.3});
    Cli.assertBadInput(Cli.run("eval", "--data", tiny.toString(), "--model", copy.toString()), "normalization");
    Cli.editCard(copy, "normalization_std", new double[] {0.3});
    Cli.editCard(copy, "input_height", 100000);
    Cli.assertBadInput(Cli.run("eval", "--data", tiny.toString(), "--model", copy.toString()), "input size");
    Cli.editCard(copy, "format", "other/2");
    Cli.assertBadInput(Cli.run("eval", "--data", tiny.toString(), "--model", copy.toString()), "unknown model format");
  }
}

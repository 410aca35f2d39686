package org.nst4j.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.data.ImageDataset;
import org.nst4j.model.ModelZoo;
import org.nst4j.model.TappedModel;

class ModelStoreTest {
  @TempDir Path dir;

  private static ModelCard card(String arch, int channels, int classes) {
    double[] mean = new double[channels];
    double[] std = new double[channels];
    Arrays.fill(mean, 0.5);
    Arrays.fill(std, 0.25);
    return new ModelCard(ModelCard.FORMAT, arch, channels, 28, 28, classes, ImageDataset.numberedClasses(classes),
        "test", mean, std, "teacher", "ce", 4, 1, 0.5, List.of(), ModelStore.paramsFileName(), "test", "now", null);
  }

  /** Saves a seeded model into {@code run/model} and returns {@code run}. */
  private Path saved(String arch, long seed) throws Exception {
    Path run = dir.resolve(arch + "-" + seed);
    TappedModel block = ModelZoo.create(arch, 1, 10, seed);
    try (Model model = Model.newInstance(ModelStore.MODEL_NAME)) {
      model.setBlock(block);
      block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 1, 28, 28));
      ModelStore.save(run.resolve("model"), model, card(arch, 1, 10));
    }
    return run;
  }

  private static float[] logits(Model m, NDArray x) {
    TappedModel block = (TappedModel) m.getBlock();
    NDList out = block.forward(new ParameterStore(m.getNDManager(), false), new NDList(x), false);
    return out.get(0).toFloatArray();
  }

  @Test
  void aSavedModelLoadsWithIdenticalOutputs() throws Exception {
    Path run = dir.resolve("run");
    TappedModel block = ModelZoo.create("resnet8", 1, 10, 7);
    try (Model model = Model.newInstance(ModelStore.MODEL_NAME);
        NDManager inputs = NDManager.newBaseManager()) {
      model.setBlock(block);
      block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 1, 28, 28));
      NDArray x = inputs.randomUniform(0, 1, new Shape(3, 1, 28, 28));
      float[] before = logits(model, x);
      ModelStore.save(run.resolve("model"), model, card("resnet8", 1, 10));
      // Both the run folder and the model folder are accepted.
      for (Path p : List.of(run, run.resolve("model"))) {
        try (Model loaded = ModelStore.load(p, Device.cpu())) {
          assertArrayEquals(before, logits(loaded, x), p.toString());
        }
      }
    }
    ModelCard read = ModelStore.readCard(run);
    assertEquals("resnet8", read.architecture());
    assertEquals(ModelStore.sha256(run.resolve("model").resolve(ModelStore.paramsFileName())), read.paramsSha256());
    try (var left = Files.list(run)) {
      assertEquals(List.of(run.resolve("model")), left.toList(), "no staging folder left behind");
    }
  }

  private static String refused(Path p) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
      try (Model m = ModelStore.load(p, Device.cpu())) {
        return;
      }
    });
    return e.getMessage();
  }

  private static void edit(Path run, String field, Object value) throws Exception {
    Path file = run.resolve("model").resolve(ModelStore.CARD_FILE);
    ObjectNode node = (ObjectNode) Json.PRETTY.readTree(file.toFile());
    if (value == null) {
      node.remove(field);
    } else {
      node.set(field, Json.PRETTY.valueToTree(value));
    }
    Json.PRETTY.writeValue(file.toFile(), node);
  }

  @Test
  void aCardWithAnotherArchitectureIsRefused() throws Exception {
    Path run = saved("cnn-small", 1);
    edit(run, "architecture", "resnet8");
    String m = refused(run);
    assertTrue(m.contains("do not fit architecture resnet8") && m.contains("cnn-small"), m);
    edit(run, "architecture", "wrn-16-1");
    assertTrue(refused(run).contains("do not fit architecture wrn-16-1"));
    edit(run, "architecture", "cnn-small");
    edit(run, "input_channels", 3);
    assertTrue(refused(run).contains("normalization"), "one mean per channel is checked first");
    edit(run, "normalization_mean", new double[] {0, 0, 0});
    edit(run, "normalization_std", new double[] {1, 1, 1});
    assertTrue(refused(run).contains("do not fit architecture cnn-small (3 input channels"), refused(run));
  }

  @Test
  void truncatedParametersAreRefused() throws Exception {
    Path run = saved("cnn-small", 2);
    Path params = run.resolve("model").resolve(ModelStore.paramsFileName());
    byte[] good = Files.readAllBytes(params);
    Files.write(params, Arrays.copyOf(good, good.length / 2));
    assertTrue(refused(run).contains("damaged or replaced"), refused(run));
    edit(run, "params_sha256", null);
    String m = refused(run);
    assertTrue(m.startsWith(params.toString()) && m.contains("cnn-small"), m);
    Files.write(params, new byte[0]);
    assertTrue(refused(run).startsWith(params.toString()), refused(run));
    Files.write(params, good);
    try (Model m2 = ModelStore.load(run, Device.cpu())) {
      assertEquals("cnn-small", ((TappedModel) m2.getBlock()).architecture());
    }
  }

  @Test
  void aMissingOrUnreadableCardIsRefused() throws Exception {
    assertTrue(refused(dir.resolve("nothing")).contains("no such file"));
    Files.createDirectories(dir.resolve("empty"));
    assertTrue(refused(dir.resolve("empty")).contains("no model.json"));
    Path run = saved("cnn-small", 3);
    Path card = run.resolve("model").resolve(ModelStore.CARD_FILE);
    Files.writeString(card, "{\"format\": \"nst4j-model/1\", \"architecture\": ");
    assertTrue(refused(run).contains("not a readable model card"), refused(run));
    Files.writeString(card, "[1, 2]");
    assertTrue(refused(run).contains("not a readable model card"), refused(run));
    Files.writeString(card, "null");
    assertTrue(refused(run).contains("model.json"), refused(run));
  }
}

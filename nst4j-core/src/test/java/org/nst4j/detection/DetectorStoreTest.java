package org.nst4j.detection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Saving and loading a detector: the same outputs after the round trip; damaged or missing files refused. */
class DetectorStoreTest {
  @TempDir Path dir;

  static DetectorCard card() {
    return new DetectorCard(DetectorStore.FORMAT, "resnet8", "stage3", 1, 32, 32, List.of(3, 7), List.of("a", "b"), 4,
        "data", DetectorStore.PARAMS_FILE, "test", null);
  }

  @Test
  void aSavedDetectorLoadsWithTheSameOutputs() throws Exception {
    Path run = dir.resolve("run");
    try (NDManager m = NDManager.newBaseManager()) {
      // Another seed than the card's: the loaded parameters, not the card's seed, must decide the outputs.
      CenterNetDetector d = CenterNetDetector.create("resnet8", 1, 2, "stage3", 11);
      d.initialize(m, DataType.FLOAT32, new Shape(1, 1, 32, 32));
      DetectorStore.save(run.resolve("model"), d, card());
      NDArray x = m.randomUniform(0, 1, new Shape(2, 1, 32, 32));
      float[] before = d.forward(new ParameterStore(m, false), new NDList(x), false).get(0).toFloatArray();
      try (DetectorStore.Loaded loaded = DetectorStore.load(run)) {
        assertEquals(card(), loaded.card());
        NDArray y = loaded.manager().create(x.toFloatArray(), x.getShape());
        float[] after = loaded.detector().forward(new ParameterStore(loaded.manager(), false), new NDList(y), false)
            .get(0).toFloatArray();
        assertArrayEquals(before, after);
      }
    }
  }

  @Test
  void missingOrDamagedFilesAreRefused() throws Exception {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DetectorStore.load(dir));
    assertTrue(e.getMessage().contains(DetectorStore.CARD_FILE), e.getMessage());
    Path model = dir.resolve("model");
    try (NDManager m = NDManager.newBaseManager()) {
      CenterNetDetector d = CenterNetDetector.create("resnet8", 1, 2, "stage3", 11);
      d.initialize(m, DataType.FLOAT32, new Shape(1, 1, 32, 32));
      DetectorStore.save(model, d, card());
    }
    byte[] params = Files.readAllBytes(model.resolve(DetectorStore.PARAMS_FILE));
    Files.write(model.resolve(DetectorStore.PARAMS_FILE), java.util.Arrays.copyOf(params, params.length / 2));
    e = assertThrows(IllegalArgumentException.class, () -> DetectorStore.load(dir));
    assertTrue(e.getMessage().contains(DetectorStore.PARAMS_FILE), e.getMessage());
    Files.writeString(model.resolve(DetectorStore.CARD_FILE), "{\"format\": 1, \"arch\": \"resnet8\"");
    e = assertThrows(IllegalArgumentException.class, () -> DetectorStore.load(model));
    assertTrue(e.getMessage().contains("unreadable detector card"), e.getMessage());
  }
}

package org.nst4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nst4j.model.ModelZoo;
import org.nst4j.model.TappedModel;

class InferenceSpeedTest {
  private static final Shape MNIST = new Shape(1, 28, 28);

  @Test
  void measuresThroughputAndTabulatesSpeedUps() {
    List<InferenceSpeed.Result> results = new ArrayList<>();
    try (NDManager manager = NDManager.newBaseManager()) {
      for (String arch : new String[] {"resnet20", "resnet8"}) {
        TappedModel m = ModelZoo.create(arch, 1, 10, 0);
        m.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 28, 28));
        for (int batch : new int[] {1, 8}) {
          long before = System.nanoTime();
          InferenceSpeed.Result r = InferenceSpeed.measure(m, manager, MNIST, batch, 1, 0.05, 3);
          double wall = (System.nanoTime() - before) / 1e9;
          assertEquals(arch, r.architecture());
          assertEquals(batch, r.batchSize());
          assertTrue(r.batches() >= 3);
          assertTrue(r.seconds() >= 0.05 && r.seconds() <= wall, r.toString());
          assertEquals(batch * r.batches() / r.seconds(), r.imagesPerSecond(), 1e-9);
          assertEquals(1000 * r.seconds() / r.batches(), r.millisPerBatch(), 1e-9);
          results.add(r);
        }
      }
    }
    assertEquals(272_186, results.get(0).parameters());
    String table = InferenceSpeed.markdownTable(results);
    String[] lines = table.split("\n");
    assertEquals(2 + 4, lines.length, table);
    assertTrue(lines[2].startsWith("| resnet20 | 272,186 | 1 |") && lines[2].endsWith("| 1.00× |"), table);
    assertTrue(lines[4].startsWith("| resnet8 | 77,754 | 1 |"), table);
  }

  @Test
  void measuresATorchScriptTeacher() throws URISyntaxException {
    Path teacher = Path.of(getClass().getResource("/org/nst4j/model/torchscript/teacher.pt").toURI());
    List<InferenceSpeed.Result> r = InferenceSpeed.measureTorchScript(teacher, MNIST, 10, 2);
    assertEquals(1, r.size());
    assertEquals("torchscript:teacher.pt", r.get(0).architecture());
    assertEquals(1442, r.get(0).parameters());
    assertTrue(r.get(0).imagesPerSecond() > 0);
  }

  @Test
  void refusesBadArguments() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TappedModel m = ModelZoo.create("cnn-small", 1, 10, 0);
      assertThrows(IllegalArgumentException.class, () -> InferenceSpeed.measure(m, manager, MNIST, 0, 1, 0, 1));
      assertThrows(IllegalArgumentException.class,
          () -> InferenceSpeed.measure(m, manager, new Shape(28, 28), 1, 1, 0, 1));
      assertThrows(IllegalArgumentException.class, () -> InferenceSpeed.measure(m, manager, MNIST, 1, 1, 0, 0));
    }
  }
}

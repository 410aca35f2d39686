package org.nst4j.deploy.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.OrtSession;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nst4j.bench.InferenceSpeed;
import org.nst4j.model.ModelZoo;
import org.nst4j.model.TappedModel;

/** {@code InferenceSpeed.compareEngines}: libtorch against ONNX Runtime on the exported student. */
class InferenceEnginesTest {
  private static final Shape MNIST = new Shape(1, 28, 28);

  @Test
  void comparesBothEnginesPerBatchSizeWithTheMedianOfAlternatingRounds() throws Exception {
    try (NDManager manager = NDManager.newBaseManager()) {
      TappedModel model = ModelZoo.create("resnet8", 1, 10, 0);
      model.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 28, 28));
      byte[] onnx = OnnxExport.toOnnx(model, MNIST, false, Map.of()).toByteArray();
      List<InferenceSpeed.EngineResult> results;
      try (OrtSession session = InferenceSpeed.onnxSession(onnx, 1)) {
        results = InferenceSpeed.compareEngines(model, manager, session, 1, MNIST, new int[] {1, 4}, 3, 0.01);
      }
      assertFalse(model.isBatchNormFolded(), "the comparison unfolds what it folded");
      assertEquals(List.of(InferenceSpeed.LIBTORCH, InferenceSpeed.ONNX_RUNTIME, InferenceSpeed.LIBTORCH,
          InferenceSpeed.ONNX_RUNTIME), results.stream().map(InferenceSpeed.EngineResult::engine).toList());
      assertEquals(List.of(1, 1, 4, 4), results.stream().map(e -> e.median().batchSize()).toList());
      for (InferenceSpeed.EngineResult e : results) {
        assertEquals(3, e.imagesPerSecond().size());
        List<Double> sorted = e.imagesPerSecond().stream().sorted().toList();
        assertEquals(sorted.get(1), e.median().imagesPerSecond(), 1e-9, e.toString());
        assertTrue(e.median().batches() >= InferenceSpeed.DEFAULT_MIN_BATCHES);
        assertEquals(77_754, e.median().parameters());
      }
      String[] lines = InferenceSpeed.engineTable(results).split("\n");
      assertEquals(2 + 4, lines.length);
      assertTrue(lines[2].startsWith("| libtorch (DJL) | 1 | 1 | ") && lines[2].contains("| 1.00× |"), lines[2]);
      assertTrue(lines[3].startsWith("| ONNX Runtime | 1 | 1 | "), lines[3]);
    }
  }
}

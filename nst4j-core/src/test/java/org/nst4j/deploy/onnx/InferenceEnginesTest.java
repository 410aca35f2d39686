package org.nst4j.deploy.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.onnxruntime.OrtSession;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.bench.InferenceSpeed;
import org.nst4j.cli.Main;
import org.nst4j.model.ModelZoo;
import org.nst4j.model.TappedModel;

/** {@code nst4j bench inference}: libtorch against ONNX Runtime on the exported student. */
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

  private static String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new String[] {String.valueOf(code), out.toString(), err.toString()};
  }

  @Test
  void theCommandWritesMarkdownAndJson(@TempDir Path dir) throws Exception {
    // libtorch's thread count is global to the test JVM: the command is given the one in force.
    ai.djl.engine.Engine.getEngine("PyTorch"); // loads libtorch, whose thread count is read next
    String threads = String.valueOf(JniUtils.getNumThreads());
    Path md = dir.resolve("bench/inference.md");
    String[] r = run("bench", "inference", "--arch", "cnn-small", "--batches", "1,2", "--reps", "1",
        "--min-seconds", "0", "--threads", threads, "--note", "Contended machine.", "--out", md.toString());
    assertEquals("0", r[0], r[2]);
    String text = Files.readString(md);
    assertTrue(text.startsWith("# Inference speed: libtorch (DJL) vs ONNX Runtime\n\n**Contended machine.**"), text);
    assertTrue(text.contains("ONNX Runtime 1.22.0"), text);
    assertTrue(text.contains("| ONNX Runtime | " + threads + " | 2 | "), text);
    String json = Files.readString(dir.resolve("bench/inference.json"));
    assertTrue(json.contains("\"engine\" : \"ONNX Runtime\""), json);

    r = run("bench", "inference", "--input", "1x28", "--threads", threads, "--out", md.toString());
    assertEquals("2", r[0]);
    assertTrue(r[2].startsWith("error: --input must be CxHxW"), r[2]);
  }
}

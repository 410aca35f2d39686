package org.nst4j.deploy.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.pytorch.jni.JniUtils;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.cli.Main;

/** {@code nst4j bench inference}: the report it writes, and a bad option. */
class BenchInferenceCommandTest {
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

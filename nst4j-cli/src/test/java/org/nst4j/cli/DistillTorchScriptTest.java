package org.nst4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nst4j distill --teacher model.pt --teacher-taps ...} with the tiny TorchScript test teacher. */
class DistillTorchScriptTest {

  private static Path teacher(String name) throws URISyntaxException {
    return Path.of(DistillTorchScriptTest.class.getResource("/org/nst4j/model/torchscript/" + name).toURI());
  }

  private static int run(StringWriter out, StringWriter err, String... args) {
    return Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  @Test
  void distillsFromATorchScriptFileWithNamedTaps(@TempDir Path dir) throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Path runDir = dir.resolve("kd-nst");
    int code = run(out, err, "distill", "--data", "sample", "--per-class", "20", "--epochs", "1", "--batch", "50",
        "--student", "cnn-small", "--teacher", teacher("teacher.pt").toString(), "--teacher-taps", "map1,map2",
        "--method", "kd+nst-poly", "--taps", "block3:map2", "--quiet", "--out", runDir.toString());
    assertEquals(0, code, err.toString());
    assertTrue(out.toString().startsWith("student cnn-small (kd+nst-poly, seed 0): test accuracy"), out.toString());
    String config = Files.readString(runDir.resolve("config.json"));
    assertTrue(config.contains("\"teacher_taps\" : [ \"map1\", \"map2\" ]"), config);    // The default teacher runtime for a TorchScript teacher is libtorch: ONNX Runtime cannot run it.
    assertTrue(config.contains("\"teacher_runtime\" : \"libtorch\""), config);
  }

  @Test
  void theOnnxRuntimeTeacherIsRefusedForATorchScriptModuleAndABadRuntimeIsNamed(@TempDir Path dir) throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = run(out, err, "distill", "--data", "sample", "--per-class", "20", "--epochs", "1", "--student",
        "cnn-small", "--teacher", teacher("teacher.pt").toString(), "--teacher-taps", "map1,map2", "--method", "kd",
        "--teacher-runtime", "onnxruntime", "--out", dir.resolve("a").toString());
    assertEquals(2, code);
    assertTrue(err.toString().startsWith("error: the onnxruntime teacher runtime needs a teacher nst4j can describe"
        + " as a graph") && err.toString().contains("use --teacher-runtime libtorch"), err.toString());
    err = new StringWriter();
    code = run(out, err, "distill", "--data", "sample", "--student", "cnn-small", "--teacher",
        teacher("teacher.pt").toString(), "--teacher-runtime", "tensorrt", "--out", dir.resolve("b").toString());
    assertEquals(2, code);
    assertEquals("error: unknown teacher runtime 'tensorrt'; expected libtorch or onnxruntime", err.toString().strip());
    assertTrue(!Files.exists(dir.resolve("a")) && !Files.exists(dir.resolve("b")), "nothing written");
  }

  @Test
  void evalOfTheTeacherMatchesPyTorch() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = run(out, err, "eval", "--model", teacher("teacher.pt").toString(), "--data", "sample");
    assertEquals(0, code, err.toString());
    // make_teacher.py prints PyTorch's accuracy on the same 1,000 images (the first 100 test images of each
    // class): 0.7660. Equal up to an image whose top two logits are within float rounding.
    String line = out.toString();
    assertTrue(line.startsWith("test accuracy 0.76"), line);
    double accuracy = Double.parseDouble(line.substring("test accuracy ".length(), line.indexOf(' ', 14)));
    assertEquals(0.7660, accuracy, 0.0015, line);
    assertTrue(line.contains("TorchScript teacher.pt"), line);
  }

  @Test
  void unfitTeachersAreClearErrors(@TempDir Path dir) throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = run(out, err, "distill", "--data", "sample", "--student", "cnn-small", "--teacher",
        teacher("bare.pt").toString(), "--method", "kd", "--out", dir.resolve("a").toString());
    assertEquals(2, code);
    assertTrue(err.toString().startsWith("error: " + teacher("bare.pt") + ": forward returns Tensor, expected a"
        + " tuple"), err.toString());
    err = new StringWriter();
    code = run(out, err, "distill", "--data", "sample", "--student", "cnn-small", "--teacher",
        teacher("teacher.pt").toString(), "--teacher-taps", "only-one", "--out", dir.resolve("b").toString());
    assertEquals(2, code);
    assertTrue(err.toString().contains("--teacher-taps names 1 map [only-one], but"), err.toString());
    // OFD reads the teacher's pre-ReLU maps and BatchNorms, which a TorchScript module does not expose.
    err = new StringWriter();
    code = run(out, err, "distill", "--data", "sample", "--per-class", "20", "--student", "cnn-small", "--teacher",
        teacher("teacher.pt").toString(), "--teacher-taps", "map1,map2", "--method", "ofd", "--out",
        dir.resolve("c").toString());
    assertEquals(2, code);
    assertTrue(err.toString().startsWith("error: ofd reads the teacher's pre-ReLU maps")
        && err.toString().contains("TorchScript"), err.toString());
    assertTrue(!Files.exists(dir.resolve("a")) && !Files.exists(dir.resolve("b")) && !Files.exists(dir.resolve("c")));
  }
}

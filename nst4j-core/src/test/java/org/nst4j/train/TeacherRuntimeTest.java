package org.nst4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TeacherRuntimeTest {
  @TempDir Path dir;

  @Test
  void namesParseBothWaysAndABadOneIsNamed() {
    for (TeacherRuntime r : TeacherRuntime.values()) {
      assertEquals(r, TeacherRuntime.of(r.cliName()));
      assertEquals(r, TeacherRuntime.of(r.cliName().toUpperCase(java.util.Locale.ROOT)));
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TeacherRuntime.of("ort"));
    assertEquals("unknown teacher runtime 'ort'; expected libtorch or onnxruntime", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TeacherRuntime.of(null));
  }

  @Test
  void theDefaultIsOnnxRuntimeOnTheCpuForAnNst4jTeacherOnly() throws IOException {
    assertTrue(TeacherRuntime.onnxRuntimeAvailable(), "the test class path has ONNX Runtime");
    assertEquals(TeacherRuntime.ONNX_RUNTIME, TeacherRuntime.defaultFor(true, Device.cpu()));
    assertEquals(TeacherRuntime.LIBTORCH, TeacherRuntime.defaultFor(false, Device.cpu()), "not describable");
    assertEquals(TeacherRuntime.LIBTORCH, TeacherRuntime.defaultFor(true, Device.gpu()), "GPU");
    assertEquals(TeacherRuntime.ONNX_RUNTIME, TeacherRuntime.defaultFor(Path.of("models/fmnist-resnet20"),
        Device.cpu()), "the shipped teacher");
    assertEquals(TeacherRuntime.ONNX_RUNTIME, TeacherRuntime.defaultFor(dir.resolve("not-trained-yet"),
        Device.cpu()));
    Path pt = Files.writeString(dir.resolve("teacher.pt"), "x");
    assertEquals(TeacherRuntime.LIBTORCH, TeacherRuntime.defaultFor(pt, Device.cpu()));
  }
}

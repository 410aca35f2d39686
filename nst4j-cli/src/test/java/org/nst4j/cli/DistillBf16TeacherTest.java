package org.nst4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.model.ChildJvm;

/**
 * {@code nst4j distill} with a TorchScript teacher that returns a bfloat16 map (issue 17, item 3): one
 * {@code error:} line and exit code 2, nothing written. Run in a child JVM: without the guard DJL 0.36 would
 * abort the process (model/TorchScriptBf16GuardTest shows it does).
 */
class DistillBf16TeacherTest {

  @Test
  void aBfloat16TeacherIsOneErrorLineAndExitCode2(@TempDir Path dir) throws Exception {
    Path teacher = Path.of(DistillBf16TeacherTest.class.getResource("/org/nst4j/model/torchscript/bf16-map.pt")
        .toURI());
    ChildJvm.Result r = ChildJvm.run(dir, Main.class.getName(), "distill", "--data", "sample", "--per-class", "5",
        "--epochs", "1", "--student", "cnn-small", "--teacher", teacher.toString(), "--method", "kd", "--quiet",
        "--out", dir.resolve("run").toString());
    assertEquals(2, r.exitCode(), r.out() + r.err());
    String[] lines = r.err().strip().split("\n");
    assertEquals(1, lines.length, r.err());
    assertTrue(lines[0].startsWith("error: " + teacher + ": map 1 (element 1 of the tuple forward returns) is of a"
        + " type DJL 0.36 cannot hold"), lines[0]);
    assertFalse(Files.exists(dir.resolve("run")), "nothing written");
  }
}

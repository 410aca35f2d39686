package org.nst4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nst4j bench teacher-layout}: bad options are one error line, exit 2, and nothing written (the
 * measurement itself is tested in nst4j-core's TeacherLayoutTest; a run is in docs/performance.md).
 */
class BenchTeacherLayoutCommandTest {

  @Test
  void badOptionsAreOneErrorLineAndNothingWritten(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("bench/teacher-layout.md");
    Cli.assertBadInput(Cli.run("bench", "teacher-layout", "--batch", "0", "--out", out.toString()),
        "--batch must be ≥ 1, got 0");
    Cli.assertBadInput(Cli.run("bench", "teacher-layout", "--pairs", "0", "--out", out.toString()),
        "--pairs must be ≥ 1, got 0");
    Cli.assertBadInput(Cli.run("bench", "teacher-layout", "--warmup", "-1", "--out", out.toString()),
        "--warmup must be ≥ 0, got -1");
    Cli.assertBadInput(Cli.run("bench", "teacher-layout", "--teacher", dir.resolve("no-teacher").toString(),
        "--out", out.toString()), "--teacher", "no-teacher: no such file or folder");
    Path empty = Files.createDirectories(dir.resolve("empty-folder"));
    Cli.assertBadInput(Cli.run("bench", "teacher-layout", "--teacher", empty.toString(), "--out", out.toString()),
        "empty-folder");
    assertEquals(Cli.snapshot(dir.resolve("bench")), Cli.snapshot(dir.resolve("absent")));
  }
}

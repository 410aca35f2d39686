package org.nst4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nst4j bench compare}: its options are checked before any process starts (no PyTorch needed: the runs
 * themselves are exercised by the smoke run of docs/performance.md, since CI has no torch).
 */
class BenchCompareCommandTest {

  @Test
  void anUnknownOrRepeatedTeacherSettingIsOneErrorLineAndNothingWritten(@TempDir Path dir) {
    Path out = dir.resolve("bench/compare.md");
    Cli.assertBadInput(Cli.run("bench", "compare", "--teacher-settings", "eager,fp16", "--out", out.toString()),
        "--teacher-settings: unknown teacher setting 'fp16'; expected eager, frozen or bf16");
    Cli.assertBadInput(Cli.run("bench", "compare", "--teacher-settings", "frozen,frozen", "--out", out.toString()),
        "--teacher-settings names frozen twice");
    Cli.assertBadInput(Cli.run("bench", "compare", "--reps", "0", "--out", out.toString()),
        "--reps must be ≥ 1, got 0");
    Cli.assertBadInput(Cli.run("bench", "compare", "--per-class", "6", "--out", out.toString()),
        "--per-class must be ≥ 7 (one batch of 64 images), got 6");
    assertEquals(Cli.snapshot(dir.resolve("bench")), Cli.snapshot(dir.resolve("absent")));
  }

  @Test
  void aMissingInterpreterOrExportScriptIsOneErrorLine(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("compare.md");
    Path script = java.nio.file.Files.writeString(dir.resolve("fmnist_epoch.py"), "");
    Cli.assertBadInput(Cli.run("bench", "compare", "--script", script.toString(), "--methods", "ce", "--python",
        dir.resolve("no-python").toString(), "--out", out.toString()), "no-python: no Python interpreter");
    // The bf16 row needs export_teacher.py beside the script.
    Cli.assertBadInput(Cli.run("bench", "compare", "--script", script.toString(), "--methods", "kd+nst-poly",
        "--out", out.toString()), "export_teacher.py: the teacher export script is missing (needed by the bf16 row)");
  }
}

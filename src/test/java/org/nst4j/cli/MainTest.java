package org.nst4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The entry point: help, version, and the one-line error contract of a real process. */
class MainTest {
  @TempDir Path dir;

  @Test
  void helpAndVersionGoToStdoutWithExitZero() {
    Cli.Result help = Cli.run("--help");
    assertEquals(0, help.code());
    assertTrue(help.out().contains("train") && help.out().contains("distill"), help.out());
    assertEquals("", help.err());
    Cli.Result version = Cli.run("--version");
    assertEquals(0, version.code());
    assertTrue(version.out().startsWith("nst4j "), version.out());
    Cli.Result usage = Cli.run();
    assertEquals(0, usage.code());
    assertTrue(usage.out().contains("Usage: nst4j"), usage.out());
    Cli.assertBadInput(Cli.run("frobnicate"), "frobnicate");
  }

  @Test
  void aRealProcessPrintsOnlyTheErrorLineOnBadInput() throws Exception {
    // The engine starts before the architecture is checked: DJL's start-up log lines must stay off stderr.
    Path out = dir.resolve("out");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
        "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), "org.nst4j.cli.Main", "train",
        "--data", "sample", "--arch", "resnet9", "--out", out.toString())
        .redirectOutput(dir.resolve("stdout").toFile())
        .redirectError(dir.resolve("stderr").toFile())
        .start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished");
    List<String> err = Files.readAllLines(dir.resolve("stderr"), StandardCharsets.UTF_8);
    assertEquals(2, p.exitValue(), String.join("\n", err));
    assertEquals(1, err.size(), "one line: " + err);
    assertTrue(err.get(0).startsWith("error: unknown architecture 'resnet9'"), err.get(0));
    assertEquals("", Files.readString(dir.resolve("stdout")));
    assertFalse(Files.exists(out));
  }
}

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

  @Test
  void outputThatCannotBeWrittenIsAnError() {
    // What > /dev/full gives: every write fails with ENOSPC.
    java.io.OutputStream full = new java.io.OutputStream() {
      @Override
      public void write(int b) throws java.io.IOException {
        throw new java.io.IOException("No space left on device");
      }
    };
    java.io.StringWriter err = new java.io.StringWriter();
    int code = Main.execute(new java.io.PrintWriter(full, true), new java.io.PrintWriter(err, true), "--version");
    assertEquals(2, code, err.toString());
    assertTrue(err.toString().startsWith("error: the standard output could not be written"), err.toString());
    assertEquals(1, err.toString().strip().split("\n").length, err.toString());
  }

  @Test
  void aRealProcessWritingToAFullDeviceExitsWithTwo() throws Exception {
    Path devFull = Path.of("/dev/full");
    assertTrue(Files.exists(devFull), "Linux's /dev/full");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-cp", System.getProperty("java.class.path"), "org.nst4j.cli.Main", "--help")
        .redirectOutput(devFull.toFile())
        .redirectError(dir.resolve("stderr").toFile())
        .start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "finished");
    String err = Files.readString(dir.resolve("stderr"));
    assertEquals(2, p.exitValue(), err);
    assertTrue(err.startsWith("error: the standard output could not be written"), err);
  }
}

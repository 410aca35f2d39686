package org.nst4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code nst4j} in a child JVM on the test's class path, its stdout and stderr in {@code DIR/NAME.out} and
 * {@code .err}: for what needs a process of its own (a kill, a lock held by another process, a file-size limit).
 */
final class ChildCli {
  private ChildCli() {}

  /**
   * Starts {@code nst4j args...}; with {@code fileSizeKib > 0}, under a shell's {@code ulimit -f} (no file of the
   * child may grow past that size: writes fail with "File too large", as on a full disk).
   *
   * @param dir the folder of the output files
   * @param name the child's name (its output files' names)
   * @param fileSizeKib the file size limit, or 0 for none
   * @param args the command line
   * @return the running child
   * @throws IOException if it cannot be started
   */
  static Process start(Path dir, String name, int fileSizeKib, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    if (fileSizeKib > 0) {
      cmd.addAll(List.of("bash", "-c", "ulimit -f " + fileSizeKib + " && exec \"$@\"", "nst4j"));
    }
    cmd.addAll(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g", "-Dai.djl.offline=true",
        "-XX:-UsePerfData", "-cp", System.getProperty("java.class.path"), "org.nst4j.cli.Main"));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd)
        .redirectOutput(dir.resolve(name + ".out").toFile())
        .redirectError(dir.resolve(name + ".err").toFile())
        .start();
  }

  /** The child's stdout and stderr so far, for a failure message. */
  static String log(Path dir, String name) throws IOException {
    return "\n--- " + name + " stdout\n" + Files.readString(dir.resolve(name + ".out")) + "--- stderr\n"
        + Files.readString(dir.resolve(name + ".err"));
  }

  /** Waits for the child to end; fails (and kills it) after {@code seconds}. */
  static void await(Path dir, Process p, String name, int seconds) throws IOException, InterruptedException {
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail(name + " did not finish in " + seconds + " s" + log(dir, name));
    }
  }

  /** {@link #await}, then fails unless the child exited 0. */
  static void awaitSuccess(Path dir, Process p, String name, int seconds) throws IOException, InterruptedException {
    await(dir, p, name, seconds);
    assertEquals(0, p.exitValue(), name + log(dir, name));
  }
}

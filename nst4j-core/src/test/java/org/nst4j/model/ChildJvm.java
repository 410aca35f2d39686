package org.nst4j.model;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class in a child JVM with the test JVM's class path: for what may abort the process (DJL 0.36's
 * JNI on a bfloat16 tensor), which must fail a test, not kill the test JVM.
 */
public final class ChildJvm {
  /** Longest a child may run. */
  private static final long TIMEOUT_SECONDS = 300;

  /**
   * What the child did.
   *
   * @param exitCode its exit code
   * @param out its stdout
   * @param err its stderr
   */
  public record Result(int exitCode, String out, String err) {}

  private ChildJvm() {}

  /**
   * Runs {@code mainClass args} and waits for it.
   *
   * @param dir a folder for the child's stdout and stderr files
   * @param mainClass the class to run
   * @param args its arguments
   * @return its exit code and output
   * @throws IOException if it cannot be started or runs over {@value #TIMEOUT_SECONDS} s
   */
  public static Result run(Path dir, String mainClass, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), mainClass));
    command.addAll(List.of(args));
    File out = dir.resolve("child-out.txt").toFile();
    File err = dir.resolve("child-err.txt").toFile();
    Process p = new ProcessBuilder(command).redirectOutput(out).redirectError(err).start();
    if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(mainClass + " in a child JVM ran over " + TIMEOUT_SECONDS + " s");
    }
    return new Result(p.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8),
        Files.readString(err.toPath(), StandardCharsets.UTF_8));
  }
}

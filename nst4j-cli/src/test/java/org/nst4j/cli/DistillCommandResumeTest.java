package org.nst4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.train.Checkpoint;
import org.nst4j.train.EpochRecord;
import org.nst4j.train.RunFolder;

/**
 * A CRD distillation (memory banks over the training set, kept in the checkpoint with Z and the negatives'
 * sampler) killed with SIGKILL after its first checkpoint and resumed with {@code --resume} ends with exactly
 * the weights and losses of an uninterrupted run of the same seed (CPU, one thread), as {@link
 * TrainCommandResumeTest} checks for plain training.
 */
class DistillCommandResumeTest {
  @TempDir Path dir;

  private String[] run(Path teacher) {
    return new String[] {"distill", "--data", "sample", "--per-class", "20", "--student", "cnn-small", "--teacher",
        teacher.toString(), "--method", "kd+crd", "--crd-negatives", "1024", "--epochs", "3", "--batch", "25",
        "--seed", "5", "--quiet"};
  }

  /** Starts {@code nst4j RUN(teacher)} (one libtorch thread, {@code --out out}, then {@code extra}) in a child JVM. */
  private Process child(String name, Path teacher, Path out, String... extra) throws IOException {
    List<String> args = new ArrayList<>(List.of(run(teacher)));
    args.addAll(List.of("--threads", "1", "--out", out.toString()));
    args.addAll(List.of(extra));
    return ChildCli.start(dir, name, 0, args.toArray(String[]::new));
  }

  private String log(String name) throws IOException {
    return ChildCli.log(dir, name);
  }

  private void awaitSuccess(Process p, String name) throws Exception {
    ChildCli.awaitSuccess(dir, p, name, 200);
  }

  @Test
  void aKilledCrdRunResumesToExactlyTheUninterruptedResult() throws Exception {
    Path teacher = dir.resolve("teacher");
    Cli.Result t = Cli.run("train", "--data", "sample", "--per-class", "20", "--arch", "cnn-small", "--epochs", "1",
        "--batch", "50", "--out", teacher.toString(), "--quiet");
    assertEquals(0, t.code(), t.toString());

    Path whole = dir.resolve("uninterrupted");
    Path killed = dir.resolve("killed");
    Process reference = child("uninterrupted", teacher, whole);
    Process victim = child("killed", teacher, killed);
    Path checkpoint = killed.resolve("checkpoint.bin");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
    while (!Files.exists(checkpoint)) {
      if (!victim.isAlive()) {
        fail("the run ended before its first checkpoint" + log("killed"));
      }
      if (System.nanoTime() > deadline) {
        victim.destroyForcibly();
        fail("no checkpoint after 150 s" + log("killed"));
      }
      Thread.sleep(5);
    }
    victim.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no finally block runs
    victim.waitFor();
    assertFalse(Files.exists(killed.resolve("summary.json")), "killed before the end");
    int done = Checkpoint.inspect(checkpoint).epochsDone();
    assertTrue(done >= 1 && done < 3, "checkpoint after epoch " + done);
    assertEquals(3, Files.readAllBytes(checkpoint)[11], "a checkpoint with term state (version 3)");

    awaitSuccess(reference, "uninterrupted");
    awaitSuccess(child("resumed", teacher, killed, "--resume"), "resumed");

    assertArrayEquals(Files.readAllBytes(whole.resolve("model/model-0000.params")),
        Files.readAllBytes(killed.resolve("model/model-0000.params")), "same final weights, byte for byte");
    List<EpochRecord> la = new RunFolder(whole).readEpochLog();
    List<EpochRecord> lb = new RunFolder(killed).readEpochLog();
    assertEquals(3, la.size());
    assertEquals(3, lb.size(), "the resumed log has every epoch once");
    for (int i = 0; i < 3; i++) {
      assertEquals(la.get(i).loss(), lb.get(i).loss(), 0, "loss of epoch " + (i + 1));
      assertEquals(la.get(i).terms().get("crd"), lb.get(i).terms().get("crd"), 0, "crd of epoch " + (i + 1));
      assertEquals(la.get(i).testAccuracy(), lb.get(i).testAccuracy(), 0);
    }
    // The killed run's lock is taken over with one warning (RunLock); nothing else is said.
    String resumedErr = Files.readString(dir.resolve("resumed.err")).strip();
    assertTrue(resumedErr.isEmpty() || resumedErr.lines().count() == 1
        && resumedErr.startsWith("warning: took over the lock of "), log("resumed"));
  }
}

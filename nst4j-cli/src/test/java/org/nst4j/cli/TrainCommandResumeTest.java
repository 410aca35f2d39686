package org.nst4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.train.Checkpoint;
import org.nst4j.train.EpochRecord;
import org.nst4j.train.RunFolder;
import org.nst4j.train.RunSummary;

/**
 * A real training process killed with SIGKILL after its first checkpoint and resumed with {@code --resume}
 * ends with exactly the weights and metrics of an uninterrupted run of the same seed (CPU, one thread);
 * in between, a resume that diverges keeps the checkpoint intact, and a resume with another architecture is
 * refused without touching the folder. Also with real processes: a second writer of a folder is refused
 * while the first runs, and an {@code --overwrite} whose process runs out of file space (a file-size limit,
 * {@code ulimit -f}) leaves the finished run byte-identical, twice.
 */
class TrainCommandResumeTest {
  private static final String[] RUN = {"train", "--data", "sample", "--per-class", "30", "--arch", "cnn-small",
      "--epochs", "3", "--batch", "32", "--seed", "3", "--quiet"};

  @TempDir Path dir;

  /** Starts {@code nst4j args...} in a child JVM on this test's class path, one libtorch thread. */
  private Process child(String name, Path out, String... extra) throws IOException {
    return child(name, 0, out, extra);
  }

  /** Starts {@code nst4j RUN...} (one libtorch thread, {@code --out out}, then {@code extra}) in a child JVM. */
  private Process child(String name, int fileSizeKib, Path out, String... extra) throws IOException {
    return ChildCli.start(dir, name, fileSizeKib,
        Cli.override(Cli.override(RUN, "--threads", "1", "--out", out.toString()), extra));
  }

  private String log(String name) throws IOException {
    return ChildCli.log(dir, name);
  }

  private void awaitSuccess(Process p, String name) throws Exception {
    ChildCli.awaitSuccess(dir, p, name, 150);
  }

  private void await(Process p, String name) throws Exception {
    ChildCli.await(dir, p, name, 150);
  }

  @Test
  void aSecondWriterIsRefusedWhileTheFirstRuns() throws Exception {
    Path out = dir.resolve("run");
    // Eight epochs: long enough (seconds) to be running while the second writer tries.
    Process first = child("first", out, "--epochs", "8");
    Path lock = out.resolve(".nst4j.lock");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!Files.exists(lock)) {
      if (!first.isAlive() || System.nanoTime() > deadline) {
        first.destroyForcibly();
        fail("the first run never took its lock" + log("first"));
      }
      Thread.sleep(5);
    }
    // Even an --overwrite, which would otherwise replace the run, is refused while a writer holds the folder.
    Cli.Result plain = Cli.run(Cli.override(RUN, "--out", out.toString(), "--seed", "4"));
    Cli.Result overwrite = Cli.run(Cli.override(RUN, "--out", out.toString(), "--overwrite", "--seed", "4"));
    assertTrue(first.isAlive(), "the first run was still writing when the second was refused" + log("first"));
    Cli.assertBadInput(plain, "is in use by process " + first.pid() + " on host", "one writer");
    Cli.assertBadInput(overwrite, "is in use by process " + first.pid() + " on host", "one writer");
    awaitSuccess(first, "first");
    assertFalse(Files.exists(lock), "released at the end");
    RunSummary s = new RunFolder(out).readSummary();
    assertEquals(3, s.seed(), "the first writer's run, not the second's");
    assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8),
        new RunFolder(out).readEpochLog().stream().map(EpochRecord::epoch).toList(),
        "one writer's log, not two interleaved");
  }

  @Test
  void anOverwriteThatRunsOutOfFileSpaceLeavesTheFinishedRunByteIdentical() throws Exception {
    Path out = dir.resolve("finished");
    Cli.Result made = Cli.run(Cli.override(RUN, "--out", out.toString(), "--epochs", "1"));
    assertEquals(0, made.code(), made.toString());
    TreeMap<String, String> before = Cli.snapshot(out);
    // cnn-small's checkpoint (weights and momenta, ~760 KiB) cannot be written under a 500 KiB limit: the
    // new run fails at the end of its first epoch, as on a full device.
    for (String attempt : List.of("full-1", "full-2")) {
      Process p = child(attempt, 500, out, "--epochs", "1", "--overwrite", "--seed", "9");
      await(p, attempt);
      assertEquals(2, p.exitValue(), attempt + log(attempt));
      String err = Files.readString(dir.resolve(attempt + ".err")).strip();
      assertTrue(err.startsWith("error: ") && !err.contains("\n") && err.contains("File too large")
          && err.contains("the run in " + out + " is unchanged"), attempt + log(attempt));
      assertEquals(before, Cli.snapshot(out), "the finished run after " + attempt);
    }
  }

  @Test
  void anOverwriteStoppedBySigtermLeavesTheFinishedRunAndNoLock() throws Exception {
    Path out = dir.resolve("finished");
    Cli.Result made = Cli.run(Cli.override(RUN, "--out", out.toString(), "--epochs", "1"));
    assertEquals(0, made.code(), made.toString());
    TreeMap<String, String> before = Cli.snapshot(out);
    Process p = child("term", out, "--epochs", "8", "--overwrite", "--seed", "9");
    Path staged = out.resolve(".new-run").resolve("checkpoint.bin");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!Files.exists(staged)) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        p.destroyForcibly();
        fail("the overwrite never wrote its first checkpoint" + log("term"));
      }
      Thread.sleep(5);
    }
    p.destroy(); // SIGTERM, as Slurm sends at the time limit: shutdown hooks run, finally blocks do not
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertFalse(Files.exists(out.resolve(".nst4j.lock")), "the lock is released on SIGTERM" + log("term"));
    TreeMap<String, String> after = Cli.snapshot(out);
    after.keySet().removeIf(k -> k.startsWith(".new-run"));
    assertEquals(before, after, "the finished run, byte for byte, beside the unfinished new one");
    // A stop at a step boundary (StopSignal, exit 75) discards the staged run itself; a process ended before
    // it could leaves it for the next command, which removes it with a warning.
    boolean staging = Files.exists(out.resolve(".new-run"));

    // The next command on the folder reports the finished run.
    Cli.Result resumed = Cli.run(Cli.override(RUN, "--out", out.toString(), "--epochs", "1", "--resume"));
    assertEquals(0, resumed.code(), resumed.toString());
    assertTrue(staging ? resumed.err().startsWith("warning: removed the unfinished new run of an interrupted"
        + " --overwrite in " + out) : resumed.err().isBlank(), resumed.toString());
    assertEquals(before, Cli.snapshot(out));
  }

  /** The in-process command of the resumed run, without --threads (global to this JVM). */
  private static String[] inProcess(Path out, String... extra) {
    return Cli.override(Cli.override(RUN, "--out", out.toString(), "--resume"), extra);
  }

  @Test
  void aKilledRunResumesToExactlyTheUninterruptedResult() throws Exception {
    Path whole = dir.resolve("uninterrupted");
    Path killed = dir.resolve("killed");
    // Both start at once: one thread each on the two cores.
    Process reference = child("uninterrupted", whole);
    Process victim = child("killed", killed);
    Path checkpoint = killed.resolve("checkpoint.bin");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!Files.exists(checkpoint)) {
      if (!victim.isAlive()) {
        fail("the run ended before its first checkpoint" + log("killed"));
      }
      if (System.nanoTime() > deadline) {
        victim.destroyForcibly();
        fail("no checkpoint after 120 s" + log("killed"));
      }
      Thread.sleep(5);
    }
    victim.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no finally block runs
    victim.waitFor();
    assertFalse(Files.exists(killed.resolve("summary.json")), "killed before the end");
    int done = Checkpoint.inspect(checkpoint).epochsDone();
    assertTrue(done >= 1 && done < 3, "checkpoint after epoch " + done);

    // A resume that diverges stops in the first resumed epoch and keeps the checkpoint as it was.
    byte[] checkpointBefore = Files.readAllBytes(checkpoint);
    byte[] configBefore = Files.readAllBytes(killed.resolve("config.json"));
    List<EpochRecord> logBefore = new RunFolder(killed).readEpochLog().subList(0, done);
    Cli.Result diverged = Cli.run(inProcess(killed, "--lr", "1e30"));
    // The killed process left its lock: the next writer takes it over and says so, once.
    String warning = diverged.errLines().get(0);
    assertTrue(warning.startsWith("warning: took over the lock of " + killed + " left by process " + victim.pid())
        && warning.endsWith("which is no longer running"), diverged.toString());
    Cli.assertBadInput(new Cli.Result(diverged.code(), diverged.out(),
            diverged.err().substring(diverged.err().indexOf('\n') + 1)), "epoch " + (done + 1),
        "checkpoint of epoch " + done + " is kept", "--resume");
    assertArrayEquals(checkpointBefore, Files.readAllBytes(checkpoint), "the last good checkpoint is intact");
    assertArrayEquals(configBefore, Files.readAllBytes(killed.resolve("config.json")));
    assertEquals(logBefore, new RunFolder(killed).readEpochLog().subList(0, done));
    assertFalse(Files.exists(killed.resolve("summary.json")));

    // Resuming as another run is refused before anything is touched.
    TreeMap<String, String> before = Cli.snapshot(killed);
    Cli.assertBadInput(Cli.run(inProcess(killed, "--arch", "resnet8")), "--resume", "arch cnn-small (now resnet8)");
    Cli.assertBadInput(Cli.run(inProcess(killed, "--per-class", "20")), "--resume", "per_class 30 (now 20)");
    assertEquals(before, Cli.snapshot(killed));

    // A damaged checkpoint is refused, in a copy, before anything is written.
    Path damaged = Cli.copyTree(killed, dir.resolve("damaged"));
    byte[] cp = Files.readAllBytes(damaged.resolve("checkpoint.bin"));
    cp[cp.length / 2] ^= 0x20;
    Files.write(damaged.resolve("checkpoint.bin"), cp);
    TreeMap<String, String> damagedBefore = Cli.snapshot(damaged);
    Cli.assertBadInput(Cli.run(inProcess(damaged)), "checkpoint.bin", "checksum");
    Files.write(damaged.resolve("checkpoint.bin"), java.util.Arrays.copyOf(cp, cp.length / 3));
    damagedBefore = Cli.snapshot(damaged);
    Cli.assertBadInput(Cli.run(inProcess(damaged)), "checkpoint.bin", "truncated");
    assertEquals(damagedBefore, Cli.snapshot(damaged));

    awaitSuccess(reference, "uninterrupted");
    awaitSuccess(child("resumed", killed, "--resume"), "resumed");

    assertArrayEquals(Files.readAllBytes(whole.resolve("model/model-0000.params")),
        Files.readAllBytes(killed.resolve("model/model-0000.params")), "same final weights, byte for byte");
    RunSummary a = new RunFolder(whole).readSummary();
    RunSummary b = new RunFolder(killed).readSummary();
    assertEquals(a.testAccuracy(), b.testAccuracy(), 0);
    assertEquals(a.bestTestAccuracy(), b.bestTestAccuracy(), 0);
    assertEquals(a.bestEpoch(), b.bestEpoch());
    List<EpochRecord> la = new RunFolder(whole).readEpochLog();
    List<EpochRecord> lb = new RunFolder(killed).readEpochLog();
    assertEquals(3, la.size());
    assertEquals(3, lb.size(), "the resumed log has every epoch once");
    for (int i = 0; i < 3; i++) {
      assertEquals(la.get(i).epoch(), lb.get(i).epoch());
      assertEquals(la.get(i).loss(), lb.get(i).loss(), 0, "loss of epoch " + (i + 1));
      assertEquals(la.get(i).trainAccuracy(), lb.get(i).trainAccuracy(), 0);
      assertEquals(la.get(i).testAccuracy(), lb.get(i).testAccuracy(), 0);
      assertEquals(la.get(i).learningRate(), lb.get(i).learningRate(), 0);
    }
    assertFalse(Files.exists(checkpoint), "the checkpoint is removed once the run is complete");
    // The child's stderr holds no log noise and no error.
    assertEquals("", Files.readString(dir.resolve("resumed.err")).strip(), log("resumed"));
    assertTrue(File.separatorChar == '/', "SIGKILL semantics assumed");
  }

  @Test
  void sigtermMidEpochWritesItsCheckpointExits75AndTheResumedRunEndsWithTheSameWeights() throws Exception {
    String[] run = {"train", "--data", "sample", "--per-class", "100", "--arch", "cnn-small", "--epochs", "3",
        "--batch", "32", "--seed", "4", "--threads", "1"};
    Path whole = dir.resolve("whole");
    Path stopped = dir.resolve("stopped");
    Process reference = child("whole", Cli.override(run, "--out", whole.toString(), "--quiet"));
    Process victim = child("stopped", Cli.override(run, "--out", stopped.toString()));
    // Progress goes to a file, so ConsoleProgress prints one line per epoch: wait for epoch 1's, then half an
    // epoch more (its duration is on that line), to land in the middle of epoch 2.
    java.util.regex.Pattern epochLine = java.util.regex.Pattern.compile("epoch 1/3 .* ([0-9.]+) s");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
    java.util.regex.Matcher m;
    while (!(m = epochLine.matcher(Files.readString(dir.resolve("stopped.err")))).find()) {
      if (!victim.isAlive() || System.nanoTime() > deadline) {
        victim.destroyForcibly();
        fail("no end of epoch 1" + log("stopped"));
      }
      Thread.sleep(20);
    }
    Thread.sleep((long) (Double.parseDouble(m.group(1)) * 500));
    victim.destroy(); // SIGTERM on Linux
    if (!victim.waitFor(60, TimeUnit.SECONDS)) {
      victim.destroyForcibly();
      fail("SIGTERM did not stop the run in 60 s" + log("stopped"));
    }
    assertEquals(75, victim.exitValue(), "exit code of a run stopped by a signal" + log("stopped"));
    String err = Files.readString(dir.resolve("stopped.err"));
    assertTrue(err.contains("stopped: SIGTERM: stopped after batch "), err);
    assertFalse(err.contains("error:"), err);
    Checkpoint cp = Checkpoint.inspect(stopped.resolve("checkpoint.bin"));
    assertEquals(1, cp.epochsDone(), "stopped in epoch 2" + log("stopped"));
    assertTrue(cp.step() > 31 && cp.step() < 62, "mid-epoch: step " + cp.step() + " of 31 per epoch");
    assertFalse(Files.exists(stopped.resolve("summary.json")));

    Process resumed = child("resumed2", Cli.override(run, "--out", stopped.toString(), "--quiet", "--resume"));
    awaitSuccess(reference, "whole");
    awaitSuccess(resumed, "resumed2");
    assertArrayEquals(Files.readAllBytes(whole.resolve("model/model-0000.params")),
        Files.readAllBytes(stopped.resolve("model/model-0000.params")), "same final weights, byte for byte");
    List<EpochRecord> la = new RunFolder(whole).readEpochLog();
    List<EpochRecord> lb = new RunFolder(stopped).readEpochLog();
    assertEquals(3, lb.size());
    for (int i = 0; i < 3; i++) {
      assertEquals(la.get(i).loss(), lb.get(i).loss(), 0, "loss of epoch " + (i + 1));
      assertEquals(la.get(i).trainAccuracy(), lb.get(i).trainAccuracy(), 0);
      assertEquals(la.get(i).testAccuracy(), lb.get(i).testAccuracy(), 0);
    }
  }

  /** Starts {@code nst4j args...} in a child JVM on this test's class path. */
  private Process child(String name, String... args) throws IOException {
    return ChildCli.start(dir, name, 0, args);
  }
}

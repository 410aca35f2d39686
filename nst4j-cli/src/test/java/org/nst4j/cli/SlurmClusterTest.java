package org.nst4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.experiment.SlurmExecutor;
import org.nst4j.train.RunFolder;

/**
 * Against a real Slurm cluster (the single-node one {@code .ci/run} starts with {@code .ci/slurm-up.sh} and
 * announces in {@code SLURM_CONF}): a 2-method × 2-seed grid on the embedded sample goes through {@code
 * --executor slurm}, one task is requeued ({@code scontrol requeue}) in the middle of its run, checkpoints on
 * the SIGTERM, runs again and resumes; the report job writes results.md once the array has ended; and the
 * requeued cell's final weights are byte-identical to the same cell trained locally in one go. Skipped, with the
 * reason, where no cluster answers.
 */
class SlurmClusterTest {
  @TempDir Path dir;

  private static String sh(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed: " + out);
    }
    return out;
  }

  private static void log(String line) {
    System.out.println("[slurm-test] " + line);
    System.out.flush();
  }

  @Test
  void aGridRunsAsAJobArrayARequeuedTaskResumesAndEndsWithTheLocalRunsWeights() throws Exception {
    String conf = System.getenv("SLURM_CONF");
    Assumptions.assumeTrue(conf != null && Files.isRegularFile(Path.of(conf)),
        "no Slurm cluster: SLURM_CONF is not set (.ci/run starts one with .ci/slurm-up.sh where Slurm is installed)");
    try {
      Assumptions.assumeTrue(sh("sinfo", "-h", "-o", "%T").matches("(?s)(idle|mixed|allocated).*"),
          "the Slurm node is not up");
    } catch (IOException e) {
      Assumptions.abort("Slurm does not answer: " + e.getMessage());
    }
    long t0 = System.nanoTime();
    Path teacher = dir.resolve("teacher");
    Cli.Result t = Cli.run("train", "--data", "sample", "--per-class", "20", "--arch", "cnn-small", "--epochs", "1",
        "--out", teacher.toString(), "--quiet");
    assertEquals(0, t.code(), t.toString());
    Path yaml = dir.resolve("grid.yaml");
    Files.writeString(yaml, """
        name: slurm-ci
        data: {name: sample, per_class: 100}
        teacher: %s
        student: cnn-small
        schedule: {epochs: 3, batch: 32, lr: 0.05}
        methods: [ce, kd]
        seeds: [0, 1]
        out: %s
        """.formatted(teacher, dir.resolve("out")));
    Path out = dir.resolve("out");
    List<String> jobs = new ArrayList<>();
    try {
      Cli.Result submitted = Cli.run("experiment", yaml.toString(), "--executor", "slurm", "--max-parallel", "2",
          "--cpus-per-task", "1", "--no-speed");
      assertEquals(0, submitted.code(), submitted.toString());
      log(submitted.out().strip());
      SlurmExecutor.Submission s = SlurmExecutor.readJobs(out).submissions().get(0);
      jobs.add(s.arrayJob());
      jobs.add(s.reportJob());
      assertEquals(List.of(0, 1, 2, 3), s.cells());

      // Requeue cell 0 once its first epoch is logged (mid-run).
      Path cell0 = out.resolve("runs/ce/seed-0");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (new RunFolder(cell0).readEpochLog().isEmpty()) {
        if (System.nanoTime() > deadline || new RunFolder(cell0).isComplete()) {
          fail("cell 0 logged no epoch in time\n" + status(yaml) + logs(out, 0));
        }
        Thread.sleep(100);
      }
      log("cell 0 after epoch 1; scontrol requeue " + s.arrayJob() + "_0");
      sh("scontrol", "requeue", s.arrayJob() + "_0");
      log(status(yaml).strip());

      // Wait for the report job: results.md and no job of ours left in the queue.
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(170);
      while (!(Files.exists(out.resolve("results.md"))
          && sh("squeue", "-h", "-j", String.join(",", jobs)).isBlank())) {
        if (System.nanoTime() > deadline) {
          fail("the grid did not finish in time\n" + status(yaml) + logs(out, 0));
        }
        Thread.sleep(500);
      }
      log(status(yaml).strip());
      log(String.format(Locale.ROOT, "grid on Slurm finished in %.1f s (with the requeue)",
          (System.nanoTime() - t0) / 1e9));
      String log0 = Files.readString(out.resolve("slurm/logs/cell-0.err"));
      log("cell 0's log:\n" + log0.strip());
      assertTrue(log0.contains("stopped: SIGTERM: stopped after batch "), "the task checkpointed on the SIGTERM\n"
          + log0);
      assertTrue(log0.contains(" start 1 at "), "and ran again (SLURM_RESTART_COUNT 1)\n" + log0);
      for (String cell : List.of("ce/seed-0", "ce/seed-1", "kd/seed-0", "kd/seed-1")) {
        assertTrue(new RunFolder(out.resolve("runs").resolve(cell)).isComplete(), cell + "\n" + status(yaml));
      }
      String md = Files.readString(out.resolve("results.md"));
      assertTrue(md.contains("| ce |") && md.contains("| kd |") && !md.contains("## Unfinished runs"), md);

      // The same cell, trained here in one go, in a process like the task's (one libtorch thread: the thread
      // count changes float reductions, so both sides use the same).
      Path local = dir.resolve("local");
      long l0 = System.nanoTime();
      Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), "org.nst4j.cli.Main", "experiment",
          yaml.toString(), "--cell", "0", "--out", local.toString(), "--quiet", "--threads", "1")
          .redirectErrorStream(true).redirectOutput(dir.resolve("local.log").toFile()).start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        fail("the local cell did not finish in 120 s");
      }
      assertEquals(0, p.exitValue(), Files.readString(dir.resolve("local.log")));
      log(String.format(Locale.ROOT, "cell 0 trained locally in one go in %.1f s", (System.nanoTime() - l0) / 1e9));
      byte[] a = Files.readAllBytes(local.resolve("runs/ce/seed-0/model/model-0000.params"));
      byte[] b = Files.readAllBytes(cell0.resolve("model/model-0000.params"));
      assertArrayEquals(a, b, "the requeued cell's final weights equal the local run's, byte for byte");
      log("requeued cell 0 vs local run: " + b.length + " bytes of weights, byte-identical");
    } finally {
      if (!jobs.isEmpty()) {
        new ProcessBuilder("scancel", String.join(" ", jobs)).start().waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  private static String status(Path yaml) {
    return Cli.run("experiment", yaml.toString(), "--status").out();
  }

  private static String logs(Path out, int cell) throws IOException {
    Path err = out.resolve("slurm/logs/cell-" + cell + ".err");
    return Files.exists(err) ? "--- cell " + cell + " log\n" + Files.readString(err) : "(no log)";
  }
}

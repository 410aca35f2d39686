package org.nst4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The batch scripts a grid submits, and the --array value. */
class SlurmScriptTest {
  @Test
  void theArraySpecCompressesRunsSortsAndAddsTheConcurrencyLimit() {
    assertEquals("0-3", SlurmScript.arraySpec(List.of(0, 1, 2, 3), null));
    assertEquals("0-2,5,7-8%2", SlurmScript.arraySpec(List.of(8, 0, 1, 2, 5, 7), 2));
    assertEquals("4", SlurmScript.arraySpec(List.of(4), null));
    assertEquals("0-999%50", SlurmScript.arraySpec(java.util.stream.IntStream.range(0, 1000).boxed().toList(), 50));
    assertThrows(IllegalArgumentException.class, () -> SlurmScript.arraySpec(List.of(), null));
  }

  @Test
  void theArrayScriptAsksForRequeueAndTheWarningSignalAndForwardsItToTheTask() {
    SlurmOptions o = new SlurmOptions("gpu", "1:00:00", 4, 1, "8G", List.of("--account=lab"), 3, 90);
    String s = SlurmScript.array("nst4j-my grid", "0-3%3", Path.of("/shared/out/slurm/logs"), Path.of("/shared"), o,
        List.of("/opt/nst4j/nst4j", "experiment", "my grid.yaml", "--quiet"));
    assertTrue(s.startsWith("#!/bin/bash\n"));
    for (String line : List.of("#SBATCH --job-name=nst4j-my_grid", "#SBATCH --array=0-3%3", "#SBATCH --requeue",
        "#SBATCH --signal=B:TERM@90", "#SBATCH --partition=gpu", "#SBATCH --time=1:00:00",
        "#SBATCH --cpus-per-task=4", "#SBATCH --gpus-per-task=1", "#SBATCH --mem=8G", "#SBATCH --chdir=/shared",
        "#SBATCH --output=/shared/out/slurm/logs/cell-%a.out", "#SBATCH --error=/shared/out/slurm/logs/cell-%a.err",
        "#SBATCH --open-mode=append")) {
      assertTrue(s.contains(line + "\n"), line + " in\n" + s);
    }
    assertTrue(s.contains("/opt/nst4j/nst4j experiment 'my grid.yaml' --quiet --cell \"$cell\" &\n"), s);
    assertTrue(s.contains("trap 'kill -TERM \"$pid\" 2>/dev/null' TERM INT"), "the shell passes SIGTERM on");
    assertTrue(s.contains("if [ \"$rc\" -eq 75 ]"), "requeues only a task stopped with its checkpoint");
    assertTrue(s.contains("[ \"$state\" = JobState=RUNNING ]"), "and only if Slurm left it running");
    assertTrue(s.contains(SlurmScript.START_MARK + "$cell"), "marks each start in the log");
    assertTrue(s.contains("export NST4J_NO_BUILD=1\n"), "tasks run the jar built at submission");
  }

  @Test
  void theReportScriptRunsTheReportCommandWithoutTheTasksResources() {
    SlurmOptions o = new SlurmOptions("cpu", "2:00:00", 8, 2, "64G", List.of(), 10, 120);
    String s = SlurmScript.report("nst4j-report-g", Path.of("/o/slurm/logs/report-1.out"), Path.of("/w"), o,
        List.of("/n/nst4j", "experiment", "g.yaml", "--report-only"));
    assertTrue(s.contains("#SBATCH --partition=cpu\n"));
    assertTrue(s.contains("#SBATCH --output=/o/slurm/logs/report-1.out\n"));
    assertTrue(s.endsWith("exec /n/nst4j experiment g.yaml --report-only\n"), s);
    assertFalse(s.contains("--cpus-per-task") || s.contains("--gpus-per-task") || s.contains("--mem")
        || s.contains("--array"), s);
  }

  @Test
  void shellJoinQuotesWhatTheShellWouldSplitOrExpand() {
    assertEquals("a b=c 'd e' 'it'\\''s' '$HOME'", SlurmScript.shellJoin(List.of("a", "b=c", "d e", "it's", "$HOME")));
  }

  @Test
  void slurmOptionsRefuseCountsBelowOne() {
    assertThrows(IllegalArgumentException.class, () -> new SlurmOptions(null, null, 0, null, null, null, null, 60));
    assertThrows(IllegalArgumentException.class, () -> new SlurmOptions(null, null, null, null, null, null, 0, 60));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new SlurmOptions(null, null, null, null, null, null, null, 0));
    assertTrue(e.getMessage().startsWith("--signal-seconds"));
    assertEquals(List.of(), SlurmOptions.defaults().extraArgs());
  }
}

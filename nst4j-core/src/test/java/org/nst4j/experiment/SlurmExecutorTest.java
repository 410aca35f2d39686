package org.nst4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.store.Json;
import org.nst4j.train.RunFolder;

/** Submitting a grid to fake Slurm commands: what is submitted, what is recorded, what is left out. */
class SlurmExecutorTest {
  @TempDir Path dir;

  private SlurmExecutor.Grid grid(Path out, int n) {
    return new SlurmExecutor.Grid("tiny", GridCells.cells(out, n), out, dir, List.of("/x/nst4j", "experiment",
        "g.yaml", "--quiet"), List.of("/x/nst4j", "experiment", "g.yaml", "--report-only"));
  }

  @Test
  void submitsTheUnfinishedCellsThenAReportJobAfterAnyAndRecordsBoth() throws Exception {
    FakeSlurm fake = new FakeSlurm(dir.resolve("bin"));
    Path out = dir.resolve("out");
    SlurmExecutor.Grid g = grid(out, 5);
    GridCells.finish(g.cells().get(1), 0.5);
    GridCells.start(g.cells().get(3));
    SlurmOptions o = new SlurmOptions(null, null, null, null, null, List.of("--account=lab"), 2, 60);

    SlurmExecutor.Outcome first = SlurmExecutor.submit(g, o, fake.slurm());
    assertEquals(1, first.finished());
    assertEquals(List.of(0, 2, 3, 4), first.submission().cells(), "the finished cell is left out");
    assertEquals("0,2-4%2", first.submission().arraySpec());
    assertEquals("100", first.submission().arrayJob());
    assertEquals("101", first.submission().reportJob());
    Path array = out.resolve("slurm/array-1.sh");
    assertEquals(List.of("--parsable --account=lab " + array,
        "--parsable --account=lab --dependency=afterany:100 " + out.resolve("slurm/report-1.sh")), fake.calls("sbatch"));
    assertTrue(Files.readString(array).contains("#SBATCH --array=0,2-4%2\n"));
    assertTrue(Files.isExecutable(array));
    assertTrue(Files.isDirectory(out.resolve("slurm/logs")));
    assertEquals(List.of(first.submission()), SlurmExecutor.readJobs(out).submissions(), "jobs.json round-trips");
    assertTrue(Files.readString(out.resolve("slurm/jobs.json")).contains("\"array_job\" : \"100\""));

    // Cell 0 still runs, cell 2 is pending, cell 3 failed, cell 4 finished meanwhile: only 3 is submitted again.
    GridCells.finish(g.cells().get(4), 0.6);
    fake.queue("100_0|100|0|RUNNING|None\n100_2|100|2|PENDING|JobArrayTaskLimit\n100_3|100|3|FAILED|NonZeroExitCode\n");
    SlurmExecutor.Outcome second = SlurmExecutor.submit(g, o, fake.slurm());
    assertEquals(List.of(3), second.submission().cells());
    assertEquals(2, second.finished());
    assertEquals(2, second.queued());
    assertEquals("3%2", second.submission().arraySpec());
    assertEquals(2, SlurmExecutor.readJobs(out).submissions().size());
    assertTrue(Files.exists(out.resolve("slurm/array-2.sh")));

    // All finished or queued: nothing is submitted and nothing written.
    GridCells.finish(g.cells().get(3), 0.7);
    byte[] jobs = Files.readAllBytes(out.resolve("slurm/jobs.json"));
    SlurmExecutor.Outcome third = SlurmExecutor.submit(g, o, fake.slurm());
    assertNull(third.submission());
    assertEquals(4, fake.calls("sbatch").size(), "no new sbatch call");
    assertEquals(new String(jobs), Files.readString(out.resolve("slurm/jobs.json")));
  }

  @Test
  void aRefusedReportJobCancelsTheArrayAndRecordsNothing() throws Exception {
    FakeSlurm fake = new FakeSlurm(dir.resolve("bin"));
    fake.failSbatchAfter(1);
    Path out = dir.resolve("out");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SlurmExecutor.submit(grid(out, 2), SlurmOptions.defaults(), fake.slurm()));
    assertTrue(e.getMessage().startsWith("the report job was refused, so the array 100 was cancelled: sbatch failed"),
        e.getMessage());
    assertEquals(List.of("100"), fake.calls("scancel"));
    assertFalse(Files.exists(out.resolve("slurm/jobs.json")));
  }

  @Test
  void anArrayTooLargeForTheClusterIsExplained() throws Exception {
    FakeSlurm fake = new FakeSlurm(dir.resolve("bin"));
    java.nio.file.Files.writeString(fake.bin.resolve("sbatch"), """
        #!/bin/sh
        echo "sbatch: error: ImageBatch job submission failed: Invalid job array specification" >&2; exit 1
        """);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SlurmExecutor.submit(grid(dir.resolve("out"), 3), SlurmOptions.defaults(), fake.slurm()));
    assertTrue(e.getMessage().endsWith("Invalid job array specification (the highest array index is 2; it must be"
        + " below the cluster's MaxArraySize, see `scontrol show config`: split the grid with --methods or --seeds"
        + " and another --out)"), e.getMessage());
  }

  @Test
  void aFolderHoldingAnotherRunIsRefusedBeforeAnythingIsSubmitted() throws Exception {
    FakeSlurm fake = new FakeSlurm(dir.resolve("bin"));
    Path out = dir.resolve("out");
    SlurmExecutor.Grid g = grid(out, 2);
    GridRunner.Cell other = GridCells.cells(dir.resolve("elsewhere"), 2).get(1);
    // seed 0's folder holds the identity of seed 1 (another schedule seed): another run.
    Json.writeAtomically(new RunFolder(g.cells().get(0).dir()).config(), other.expected().toJson());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SlurmExecutor.submit(g, SlurmOptions.defaults(), fake.slurm()));
    assertTrue(e.getMessage().contains("holds another run"), e.getMessage());
    assertEquals(List.of(), fake.calls("sbatch"));
  }

  @Test
  void queuedTasksTakeTheNewestSubmissionOfEachCell() throws Exception {
    FakeSlurm fake = new FakeSlurm(dir.resolve("bin"));
    Path out = dir.resolve("out");
    Json.writeAtomically(out.resolve("slurm/jobs.json"), new SlurmExecutor.Jobs(List.of(
        new SlurmExecutor.Submission("100", "101", List.of(0, 1), "0-1", "a", "t"),
        new SlurmExecutor.Submission("102", "103", List.of(1), "1", "b", "t"))));
    fake.queue("100_0|100|0|RUNNING|None\n100_1|100|1|FAILED|NonZeroExitCode\n102_1|102|1|PENDING|BeginTime\n");
    var q = SlurmExecutor.queuedTasks(out, fake.slurm());
    assertEquals("100_0", q.get(0).jobId());
    assertEquals("102_1", q.get(1).jobId(), "the resubmitted task, not the failed one");
    assertTrue(fake.calls("squeue").get(0).contains("-j 100,102"), "one squeue call for all arrays");
  }
}

package org.nst4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each cell's state from its folder, its log and the queue. */
class GridStatusTest {
  @TempDir Path dir;

  @Test
  void readsDoneRunningPendingFailedStoppedAndNotStarted() throws Exception {
    List<GridRunner.Cell> cells = GridCells.cells(dir.resolve("out"), 7);
    Path logs = Files.createDirectories(dir.resolve("out/slurm/logs"));
    GridCells.finish(cells.get(0), 0.8125);
    GridCells.start(cells.get(1)); // running, after epoch 1
    GridCells.start(cells.get(2)); // requeued, waiting
    Files.writeString(logs.resolve("cell-3.err"), SlurmScript.START_MARK + "3 job 9 start 0\nerror: --teacher: no model\n");
    GridCells.start(cells.get(4)); // stopped, nothing queued
    // cell 5: an earlier attempt failed, the last one started afresh and is gone without an error: stopped
    Files.writeString(logs.resolve("cell-5.err"), SlurmScript.START_MARK + "5\nerror: old\n" + SlurmScript.START_MARK
        + "5\n");
    GridCells.start(cells.get(5));
    Map<Integer, Slurm.QueueEntry> queue = Map.of(
        1, new Slurm.QueueEntry("9_1", "9", 1, "RUNNING", "None"),
        2, new Slurm.QueueEntry("9_2", "9", 2, "PENDING", "BeginTime"));
    List<GridStatus.Row> rows = GridStatus.of(cells, 2, logs, queue);
    assertEquals(List.of(GridStatus.State.DONE, GridStatus.State.RUNNING, GridStatus.State.PENDING,
        GridStatus.State.FAILED, GridStatus.State.STOPPED, GridStatus.State.STOPPED, GridStatus.State.NOT_STARTED),
        rows.stream().map(GridStatus.Row::state).toList());
    assertEquals("2 epochs, final accuracy 81.25 %", rows.get(0).detail());
    assertEquals("epoch 2/2, job 9_1", rows.get(1).detail());
    assertEquals("job 9_2 pending (BeginTime), resumes after epoch 1", rows.get(2).detail());
    assertEquals("error: --teacher: no model", rows.get(3).detail());
    String table = GridStatus.table(rows);
    assertTrue(table.contains("   3  ce  seed 3     failed       error: --teacher: no model\n"), table);
    assertTrue(table.endsWith("7 cells: 1 done, 1 running, 1 pending, 1 failed, 2 stopped, 1 not started\n"), table);
  }

  @Test
  void aTaskSlurmEndedWithoutAnErrorLineIsFailedWithSlurmsState() throws Exception {
    List<GridRunner.Cell> cells = GridCells.cells(dir.resolve("out"), 1);
    var rows = GridStatus.of(cells, 2, dir.resolve("none"), Map.of(0,
        new Slurm.QueueEntry("9_0", "9", 0, "TIMEOUT", "None")));
    assertEquals(GridStatus.State.FAILED, rows.get(0).state());
    assertEquals("Slurm ended job 9_0: TIMEOUT", rows.get(0).detail());
  }

  @Test
  void aCancelledTaskIsNotAFailure() throws Exception {
    List<GridRunner.Cell> cells = GridCells.cells(dir.resolve("out"), 2);
    GridCells.start(cells.get(1));
    var rows = GridStatus.of(cells, 2, dir.resolve("none"), Map.of(
        0, new Slurm.QueueEntry("9_0", "9", 0, "CANCELLED", "None"),
        1, new Slurm.QueueEntry("9_1", "9", 1, "CANCELLED", "None")));
    assertEquals(GridStatus.State.NOT_STARTED, rows.get(0).state());
    assertEquals("job 9_0 cancelled", rows.get(0).detail());
    assertEquals(GridStatus.State.STOPPED, rows.get(1).state());
    assertEquals("job 9_1 cancelled after epoch 1/2", rows.get(1).detail());
  }

  @Test
  void theReportSectionListsOnlyUnfinishedCellsAndIsEmptyWhenAllFinished() throws Exception {
    List<GridRunner.Cell> cells = GridCells.cells(dir.resolve("out"), 2);
    GridCells.finish(cells.get(0), 0.5);
    Path logs = Files.createDirectories(dir.resolve("out/slurm/logs"));
    Files.writeString(logs.resolve("cell-1.err"), "error: diverged | at epoch 2\n");
    String section = GridStatus.unfinishedSection(GridStatus.of(cells, 2, logs, Map.of()));
    assertTrue(section.startsWith("## Unfinished runs\n\n1 of 2 runs did not finish"), section);
    assertTrue(section.contains("| 1 | ce | 1 | failed | error: diverged \\| at epoch 2 |\n"), section);
    GridCells.finish(cells.get(1), 0.5);
    assertEquals("", GridStatus.unfinishedSection(GridStatus.of(cells, 2, logs, Map.of())));
  }

  @Test
  void lastErrorIgnoresErrorsOfEarlierStarts() throws Exception {
    Path log = Files.writeString(dir.resolve("c.err"), "error: a\n" + SlurmScript.START_MARK + "0\nerror: b\nerror: c\n");
    assertEquals("error: c", GridStatus.lastError(log));
    assertNull(GridStatus.lastError(dir.resolve("missing.err")));
  }
}

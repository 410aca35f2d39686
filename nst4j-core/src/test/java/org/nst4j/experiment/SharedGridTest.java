package org.nst4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.store.ModelStore;
import org.nst4j.train.EpochRecord;
import org.nst4j.train.RunFolder;
import org.nst4j.train.RunSummary;

/**
 * {@code experiment --shared-teacher}: a grid whose runs of one seed train side by side gives the same runs
 * as the grid trained one run after the other (same accuracies, losses and parameters), and a rerun skips it.
 */
class SharedGridTest {
  @TempDir static Path dir;

  @BeforeAll
  static void threads() {
    Fixtures.oneThread();
  }

  @AfterAll
  static void restore() {
    Fixtures.restoreThreads();
  }

  private static Experiment.Options options(ByteArrayOutputStream log, boolean shared) {
    return new Experiment.Options(false, false, ai.djl.Device.cpu(), "nst4j experiment grid.yaml",
        new PrintWriter(new java.io.OutputStreamWriter(log, StandardCharsets.UTF_8), true), () -> {}, false,
        shared);
  }

  private static ExperimentSpec grid(Path out) throws Exception {
    Path yaml = dir.resolve(out.getFileName() + ".yaml");
    Files.writeString(yaml, """
        name: tiny-shared
        data: {name: %s, per_class: 10}
        teacher: %s
        student: cnn-small
        schedule: {epochs: 2, batch: 20, lr: 0.05}
        methods:
          - ce
          - kd+nst-poly
          - fitnet
        seeds: [0, 1]
        out: %s
        """.formatted(Fixtures.data(), Fixtures.teacher(), out));
    return ExperimentFile.read(yaml);
  }

  @Test
  void aSharedGridEqualsTheGridTrainedRunByRunAndARerunSkipsIt() throws Exception {
    ExperimentSpec alone = grid(dir.resolve("alone"));
    ExperimentSpec shared = grid(dir.resolve("shared"));
    ByteArrayOutputStream aloneLog = new ByteArrayOutputStream();
    assertEquals(new GridRunner.Outcome(6, 0), Experiment.run(alone, options(aloneLog, false)).outcome());
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    assertEquals(new GridRunner.Outcome(6, 0), Experiment.run(shared, options(log, true)).outcome());
    String text = log.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("[tiny-shared] runs 1,3,5/6 side by side, one teacher pass: ce, kd+nst-poly, fitnet"
        + " seed 0 (1-3 of 6 to train; ETA after the first run)"), text);
    assertTrue(text.contains("runs 2,4,6/6 side by side, one teacher pass: ce, kd+nst-poly, fitnet seed 1 (4-6 of 6"),
        text);
    assertFalse(aloneLog.toString(StandardCharsets.UTF_8).contains("side by side"));

    for (GridRunner.Cell c : Experiment.cells(shared)) {
      Path ref = alone.out().resolve(shared.out().relativize(c.dir()));
      RunSummary a = new RunFolder(ref).readSummary();
      RunSummary b = new RunFolder(c.dir()).readSummary();
      String what = c.label() + " seed " + c.seed();
      assertEquals(a.testAccuracy(), b.testAccuracy(), 0, what);
      assertEquals(a.bestTestAccuracy(), b.bestTestAccuracy(), 0, what);
      List<EpochRecord> la = new RunFolder(ref).readEpochLog();
      List<EpochRecord> lb = new RunFolder(c.dir()).readEpochLog();
      for (int i = 0; i < la.size(); i++) {
        assertEquals(la.get(i).loss(), lb.get(i).loss(), 0, what + " epoch " + (i + 1));
        assertEquals(la.get(i).terms(), lb.get(i).terms(), what + " epoch " + (i + 1));
      }
      assertEquals(ModelStore.readCard(ref).paramsSha256(), ModelStore.readCard(c.dir()).paramsSha256(),
          what + ": the same parameters");
      assertTrue(Files.isRegularFile(c.dir().resolve(org.nst4j.bench.MachineInfo.FILE)), what);
    }

    ByteArrayOutputStream again = new ByteArrayOutputStream();
    assertEquals(new GridRunner.Outcome(0, 6), Experiment.run(shared, options(again, true)).outcome());
  }

  @Test
  void groupsAreTheSeedsInOrderOfTheirFirstCell() {
    Path d = dir.resolve("g");
    List<GridRunner.Cell> cells = List.of(cell("a", 0, d), cell("a", 1, d), cell("b", 0, d), cell("b", 1, d),
        cell("c", 1, d));
    List<List<GridRunner.Cell>> groups = GridRunner.groups(cells, true);
    assertEquals(2, groups.size());
    assertEquals(List.of(cells.get(0), cells.get(2)), groups.get(0));
    assertEquals(List.of(cells.get(1), cells.get(3), cells.get(4)), groups.get(1));
    assertEquals(5, GridRunner.groups(cells, false).size(), "not shared: one run at a time");
  }

  private static GridRunner.Cell cell(String label, long seed, Path d) {
    return new GridRunner.Cell(label, seed, d.resolve(label + seed), null, java.util.Set.of());
  }
}

package org.nst4j.experiment;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.nst4j.store.Json;
import org.nst4j.train.EpochRecord;
import org.nst4j.train.RunFolder;
import org.nst4j.train.RunIdentity;
import org.nst4j.train.RunSummary;
import org.nst4j.train.TrainingRecipe;
import org.nst4j.transfer.LossOptions;

/** Grids of cells without training: folders made to look finished, started or untouched. */
final class GridCells {
  private GridCells() {}

  /** {@code n} ce cells of cnn-small, seeds 0..n-1, in {@code out/runs/ce/seed-<s>}; 2 epochs. */
  static List<GridRunner.Cell> cells(Path out, int n) {
    List<GridRunner.Cell> cells = new ArrayList<>();
    for (int s = 0; s < n; s++) {
      TrainingRecipe c = TrainingRecipe.builder().setEpochs(2).optSeed(s).build();
      RunIdentity id = RunIdentity.of("student", "cnn-small", "ce", null, null, c, LossOptions.defaults());
      cells.add(new GridRunner.Cell("ce", s, out.resolve("runs/ce/seed-" + s), id,
          EnumSet.of(RunIdentity.Part.ARCH, RunIdentity.Part.METHOD, RunIdentity.Part.SCHEDULE)));
    }
    return cells;
  }

  /** Writes the cell's config.json and a summary: a finished run with the given accuracy. */
  static void finish(GridRunner.Cell c, double accuracy) throws IOException {
    RunFolder f = new RunFolder(c.dir());
    Json.writeAtomically(f.config(), c.expected().toJson());
    Json.writeAtomically(f.summary(), new RunSummary("student", "cnn-small", "ce", null, "sample", c.seed(), 2, null,
        100, accuracy, accuracy, 2, 3.0, List.of(1.0, 1.0), 500, "config", "test"));
  }

  /** Writes the cell's config.json and one epoch record: a run interrupted after epoch 1. */
  static void start(GridRunner.Cell c) throws IOException {
    RunFolder f = new RunFolder(c.dir());
    Json.writeAtomically(f.config(), c.expected().toJson());
    Json.appendLine(f.epochLog(), new EpochRecord(1, 1.0, java.util.Map.of(), 0.5, 0.4, 0.05, 1.0, 0.1, 500));
  }
}

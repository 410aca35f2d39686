package org.nst4j.experiment;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.nst4j.bench.MachineInfo;
import org.nst4j.store.ModelStore;
import org.nst4j.train.EpochRecord;
import org.nst4j.train.RunFolder;
import org.nst4j.train.RunSummary;

/**
 * A finished run as the reports see it: read from its folder only.
 *
 * @param seed the run's seed
 * @param dir its folder
 * @param summary its {@code summary.json}
 * @param epochs its {@code epochs.jsonl}
 * @param machine its {@code machine.json}, or null (a run not trained by an experiment)
 * @param created when its model was saved (the model card's {@code created}), or null
 */
public record RunResult(long seed, Path dir, RunSummary summary, List<EpochRecord> epochs, MachineInfo machine,
    String created) {

  /** Copies the list. */
  public RunResult {
    epochs = List.copyOf(epochs);
  }

  /**
   * Reads a run folder.
   *
   * @param seed the seed the grid gave it
   * @param dir the folder
   * @return the run, or null if it is not complete (no {@code summary.json})
   */
  static RunResult read(long seed, Path dir) throws IOException {
    RunFolder f = new RunFolder(dir);
    if (!f.isComplete()) {
      return null;
    }
    String created = null;
    try {
      created = ModelStore.readCard(dir).created();
    } catch (IllegalArgumentException e) {
      // No model card (deleted model): the report's date falls back to the other runs.
    }
    return new RunResult(seed, dir, f.readSummary(), f.readEpochLog(), MachineInfo.readFrom(dir), created);
  }

  /** Mean training seconds per epoch (evaluation excluded). */
  public double secondsPerEpoch() {
    return summary.secondsPerEpoch().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }
}

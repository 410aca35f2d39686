package org.nst4j.train;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.nst4j.store.Json;

/** Appends each epoch's record to {@code epochs.jsonl}, after trimming it to the resumed epochs. */
final class EpochLogWriter implements LoopListener {
  private final RunFolder folder;
  private final List<EpochRecord> previous;

  EpochLogWriter(RunFolder folder, List<EpochRecord> previous) {
    this.folder = folder;
    this.previous = previous;
  }

  @Override
  public void onStart(int epochs, int batchesPerEpoch, int firstEpoch) {
    List<EpochRecord> kept = new ArrayList<>();
    for (EpochRecord r : previous) {
      if (r.epoch() < firstEpoch) {
        kept.add(r);
      }
    }
    try {
      folder.rewriteEpochLog(kept);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  public void onEpoch(EpochRecord record) {
    try {
      Json.appendLine(folder.epochLog(), record);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}

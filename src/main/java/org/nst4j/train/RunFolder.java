package org.nst4j.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.nst4j.store.Json;

/**
 * The files of one run: {@code summary.json}, {@code epochs.jsonl}, {@code checkpoint.bin},
 * {@code config.json} and the saved model in {@code model/}.
 *
 * <p>A folder holding another run is never written into unless the user resumes it or asks to overwrite it.
 */
public final class RunFolder {
  private final Path dir;

  /** Wraps a run folder (which may not exist yet). */
  public RunFolder(Path dir) {
    this.dir = dir;
  }

  public Path dir() {
    return dir;
  }

  public Path summary() {
    return dir.resolve("summary.json");
  }

  public Path epochLog() {
    return dir.resolve("epochs.jsonl");
  }

  public Path checkpoint() {
    return dir.resolve("checkpoint.bin");
  }

  public Path config() {
    return dir.resolve("config.json");
  }

  public Path model() {
    return dir.resolve("model");
  }

  /** Whether any file of a run is present. */
  public boolean holdsRun() {
    return Files.exists(summary()) || Files.exists(epochLog()) || Files.exists(checkpoint())
        || Files.exists(model());
  }

  /** Whether the run finished (its summary exists). */
  public boolean isComplete() {
    return Files.isRegularFile(summary());
  }

  /** Reads the summary of a finished run. */
  public RunSummary readSummary() throws IOException {
    try {
      RunSummary s = Json.PRETTY.readValue(summary().toFile(), RunSummary.class);
      if (s == null) {
        throw new IllegalArgumentException(summary() + ": empty run summary");
      }
      return s;
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      // Jackson's message names the file only on a later line: say which file, in one line.
      throw new IllegalArgumentException(summary() + ": unreadable run summary (" + e.getOriginalMessage() + ")");
    }
  }

  /** Reads the epoch log (empty if absent); a torn last line (killed mid-write) is ignored. */
  public List<EpochRecord> readEpochLog() throws IOException {
    List<EpochRecord> records = new ArrayList<>();
    if (!Files.isRegularFile(epochLog())) {
      return records;
    }
    for (String line : Files.readAllLines(epochLog())) {
      if (line.isBlank()) {
        continue;
      }
      try {
        records.add(Json.LINE.readValue(line, EpochRecord.class));
      } catch (IOException e) {
        break;
      }
    }
    return records;
  }

  /** Rewrites the epoch log with exactly {@code records} (used when resuming: drops epochs past the checkpoint). */
  public void rewriteEpochLog(List<EpochRecord> records) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (EpochRecord r : records) {
      sb.append(Json.LINE.writeValueAsString(r)).append('\n');
    }
    Json.writeAtomically(epochLog(), sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** Where {@link #stash} keeps a run being overwritten until the new one has something to show. */
  public Path stash() {
    return dir.resolve(".overwritten-run");
  }

  /**
   * Moves the files of the run held here into {@link #stash()} (for {@code --overwrite}): the old run is
   * out of the way but not lost until {@link #dropStash()}, and {@link #restoreStash()} puts it back if the
   * new run fails before it made anything. An older stash is dropped first.
   */
  public void stashRun() throws IOException {
    dropStash();
    Files.createDirectories(stash());
    for (Path p : List.of(summary(), epochLog(), checkpoint(), config(), model())) {
      if (Files.exists(p)) {
        Files.move(p, stash().resolve(p.getFileName().toString()));
      }
    }
  }

  /** Replaces whatever run files are here with the stashed ones (see {@link #stashRun()}). */
  public void restoreStash() throws IOException {
    if (!Files.isDirectory(stash())) {
      return;
    }
    clear();
    try (var files = Files.list(stash())) {
      for (Path p : files.toList()) {
        Files.move(p, dir.resolve(p.getFileName().toString()));
      }
    }
    Files.delete(stash());
  }

  /** Deletes the stash of an overwritten run, if any. */
  public void dropStash() throws IOException {
    deleteTree(stash());
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var walk = Files.walk(root)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** Removes the files of a previous run (for {@code --overwrite}); leaves unrelated files alone. */
  public void clear() throws IOException {
    for (Path p : List.of(summary(), epochLog(), checkpoint(), config())) {
      Files.deleteIfExists(p);
    }
    deleteTree(model());
  }
}

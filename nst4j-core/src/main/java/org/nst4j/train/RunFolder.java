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
 * <p>A folder holding another run is never written into unless the user resumes it or asks to overwrite it;
 * an overwriting run is written into {@link #staging()} and replaces the old one only once it has finished
 * ({@link #replaceWith}). One process writes a folder at a time ({@link RunLock}).
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

  /** A detection run's detections on its test split, in the COCO results format ({@code org.nst4j.detection}). */
  public Path detections() {
    return dir.resolve("detections.json");
  }

  /** A copy of the ground truth a detection run was evaluated against, beside {@link #detections()}. */
  public Path groundTruth() {
    return dir.resolve("ground-truth.json");
  }

  /**
   * Whether any file of a run is present ({@code config.json} included: it is the first file a run writes,
   * and a foreign one must not be overwritten as if the folder were free).
   */
  public boolean holdsRun() {
    return Files.exists(summary()) || Files.exists(epochLog()) || Files.exists(checkpoint())
        || Files.exists(model()) || Files.exists(config());
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

  /** Where {@link #replaceWith} sets the run being replaced aside while the new one moves in. */
  public Path stash() {
    return dir.resolve(".overwritten-run");
  }

  /**
   * Where an {@code --overwrite} run is written until it has finished: the run it replaces stays in place,
   * byte for byte, until {@link #replaceWith} swaps the finished new run in.
   */
  public Path staging() {
    return dir.resolve(".new-run");
  }

  /**
   * Checks that this folder may take a run: it is absent, empty, or holds an nst4j run (other files beside
   * a run are left alone). Files of nst4j's own bookkeeping (the lock, a stash, temporary files) do not count.
   *
   * @throws IllegalArgumentException if the path is a file, or the folder holds files but no nst4j run, or
   *     its {@code config.json} is not an nst4j run configuration
   */
  public void checkUsable() throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(dir + " exists and is not a folder");
    }
    if (Files.isRegularFile(config()) && !isRunConfig(config())) {
      throw new IllegalArgumentException(config() + " is not the configuration of an nst4j run; the output folder"
          + " must be new, empty, or an nst4j run folder (choose another --out)");
    }
    if (holdsRun()) {
      return;
    }
    List<String> foreign = new ArrayList<>();
    try (var entries = Files.list(dir)) {
      for (Path p : entries.sorted().toList()) {
        String name = p.getFileName().toString();
        if (!isBookkeeping(name)) {
          foreign.add(name);
        }
      }
    }
    if (!foreign.isEmpty()) {
      throw new IllegalArgumentException(dir.toAbsolutePath().normalize() + " is not empty and holds no nst4j run ("
          + foreign.size() + (foreign.size() == 1 ? " entry: '" : " entries, e.g. '") + foreign.get(0)
          + "'); the output folder must be new, empty, or an nst4j run folder (choose another --out)");
    }
  }

  /** Names nst4j itself leaves in a run folder besides the run's files. */
  private static boolean isBookkeeping(String name) {
    return name.startsWith(RunLock.FILE) || name.equals(".overwritten-run") || name.equals(".new-run")
        || name.startsWith(".model-staging") || (name.startsWith(".") && name.endsWith(".tmp"));
  }

  /** Whether a {@code config.json} is one that nst4j wrote: a JSON object with a role and an architecture. */
  private static boolean isRunConfig(Path file) {
    try {
      var node = Json.PRETTY.readTree(file.toFile());
      return node != null && node.isObject() && node.hasNonNull("role") && node.hasNonNull("arch");
    } catch (IOException e) {
      return false;
    }
  }

  /** Work done under a run folder's lock. */
  @FunctionalInterface
  public interface LockedWork<T> {
    /**
     * Does the work.
     *
     * @return its result
     * @throws IOException if writing fails
     */
    T run() throws IOException;
  }

  /**
   * Runs {@code work} as this folder's one writer: takes the lock ({@link RunLock}), repairs what a killed
   * writer left ({@link #recover}, each repair a warning), checks the folder again under the lock (another
   * process may have written it in between), runs the work, and releases the lock — also on SIGTERM or SIGINT,
   * which run shutdown hooks but no finally block (a job requeued on another node would otherwise find a lock
   * it cannot prove stale). The folder must exist.
   *
   * @param command the command recorded in the lock
   * @param warnings where repairs and lock take-overs are reported
   * @param work what to do under the lock
   * @param <T> the work's result
   * @return the work's result
   * @throws IOException if the lock cannot be taken or the work fails to write
   * @throws IllegalArgumentException if another writer holds the folder
   */
  public <T> T underLock(String command, java.util.function.Consumer<String> warnings, LockedWork<T> work)
      throws IOException {
    try (RunLock lock = RunLock.acquire(dir, command, warnings)) {
      Thread release = new Thread(() -> {
        try {
          lock.close();
        } catch (IOException e) {
          // exiting anyway; the lock will be recognised as stale on this host
        }
      }, "nst4j-release-lock");
      Runtime.getRuntime().addShutdownHook(release);
      try {
        for (String repair : recover()) {
          warnings.accept(repair);
        }
        checkUsable();
        return work.run();
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(release);
        } catch (IllegalStateException e) {
          // the JVM is already shutting down: the hook releases the lock
        }
      }
    }
  }

  /**
   * Puts the folder back in a consistent state after a writer died mid-way (SIGKILL, power loss), under the
   * lock: a finished run set aside by an interrupted replacement is put back (or, if the replacement had
   * completed but for the clean-up, the set-aside copy is dropped), and the unfinished run of an interrupted
   * {@code --overwrite} is deleted.
   *
   * @return what was done, one line per repair (empty if nothing was needed)
   */
  public List<String> recover() throws IOException {
    List<String> done = new ArrayList<>();
    if (Files.isDirectory(stash())) {
      if (isComplete()) {
        // The old summary is the first file set aside and the new one the last moved in: a complete folder
        // means the swap had moved the new, finished run in and died before the clean-up.
        deleteTree(stash());
        done.add("completed the replacement of the run in " + dir + " by an --overwrite that had finished");
      } else {
        restoreStash();
        done.add("put back the finished run that an interrupted --overwrite had set aside in " + dir);
      }
    }
    if (Files.exists(staging())) {
      deleteTree(staging());
      done.add("removed the unfinished new run of an interrupted --overwrite in " + dir
          + " (the run it was to replace is unchanged)");
    }
    return done;
  }

  /**
   * Replaces the run held here by the finished run in {@code fresh} (this folder's {@link #staging()}): the
   * old files are set aside, the new ones moved in (the summary last, so the folder is never complete with
   * files of both), then the old ones are deleted. A process killed in between leaves a state that
   * {@link #recover()} completes or undoes.
   *
   * @param fresh the finished new run
   * @throws IllegalStateException if a set-aside run from an earlier attempt is still here ({@link #recover}
   *     must run first; a set-aside run is never deleted unread)
   */
  public void replaceWith(RunFolder fresh) throws IOException {
    if (Files.exists(stash())) {
      throw new IllegalStateException(stash() + " exists: recover() the folder before replacing its run");
    }
    Files.createDirectories(stash());
    for (Path p : List.of(summary(), epochLog(), checkpoint(), config(), model(), detections(), groundTruth())) {
      if (Files.exists(p)) {
        Files.move(p, stash().resolve(p.getFileName().toString()));
      }
    }
    for (Path p : List.of(fresh.config(), fresh.epochLog(), fresh.checkpoint(), fresh.model(), fresh.detections(),
        fresh.groundTruth(), fresh.summary())) {
      if (Files.exists(p)) {
        Files.move(p, dir.resolve(p.getFileName().toString()));
      }
    }
    deleteTree(fresh.dir());
    deleteTree(stash());
  }

  /** Replaces whatever run files are here with the set-aside ones (see {@link #replaceWith}). */
  private void restoreStash() throws IOException {
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

  /** Deletes a folder and everything in it, if it exists. */
  static void deleteTree(Path root) throws IOException {
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
    for (Path p : List.of(summary(), epochLog(), checkpoint(), config(), detections(), groundTruth())) {
      Files.deleteIfExists(p);
    }
    deleteTree(model());
  }
}

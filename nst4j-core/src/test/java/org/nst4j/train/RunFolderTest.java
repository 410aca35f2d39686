package org.nst4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.store.Json;

class RunFolderTest {
  @TempDir Path dir;

  private static EpochRecord record(int epoch) {
    return new EpochRecord(epoch, 2.0 / epoch, Map.of("ce", 2.0 / epoch), 0.1 * epoch, 0.09 * epoch, 0.05, 1.5,
        0.2, 600);
  }

  @Test
  void aTornLastLineIsIgnored() throws Exception {
    RunFolder f = new RunFolder(dir);
    Json.appendLine(f.epochLog(), record(1));
    Json.appendLine(f.epochLog(), record(2));
    String third = Json.LINE.writeValueAsString(record(3));
    // A kill in the middle of an append leaves part of a line and no newline.
    Files.writeString(f.epochLog(), third.substring(0, third.length() / 2), StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.APPEND);
    List<EpochRecord> read = f.readEpochLog();
    assertEquals(List.of(record(1), record(2)), read);

    // Resuming rewrites the log with the kept records only; appends then follow cleanly.
    f.rewriteEpochLog(read);
    Json.appendLine(f.epochLog(), record(3));
    assertEquals(List.of(record(1), record(2), record(3)), f.readEpochLog());
    assertEquals(3, Files.readAllLines(f.epochLog()).size());
  }

  @Test
  void blankLinesAreSkippedAndAMissingLogIsEmpty() throws Exception {
    RunFolder f = new RunFolder(dir.resolve("new"));
    assertEquals(List.of(), f.readEpochLog());
    Files.createDirectories(f.dir());
    Files.writeString(f.epochLog(), "\n" + Json.LINE.writeValueAsString(record(1)) + "\n\n");
    assertEquals(List.of(record(1)), f.readEpochLog());
  }

  @Test
  void holdsRunIsCompleteAndClearLeaveOtherFilesAlone() throws Exception {
    RunFolder f = new RunFolder(dir);
    Files.writeString(dir.resolve("notes.txt"), "mine");
    assertFalse(f.holdsRun());
    Json.writeAtomically(f.config(), Map.of("role", "teacher"));
    assertTrue(f.holdsRun(), "config.json is the first file of a run");
    Files.delete(f.config());
    Json.appendLine(f.epochLog(), record(1));
    assertTrue(f.holdsRun());
    assertFalse(f.isComplete());
    Files.createDirectories(f.model());
    Files.writeString(f.model().resolve("model.json"), "{}");
    Json.writeAtomically(f.summary(), Map.of("role", "teacher"));
    assertTrue(f.isComplete());
    f.clear();
    assertFalse(f.holdsRun());
    assertFalse(Files.exists(f.model()));
    assertEquals("mine", Files.readString(dir.resolve("notes.txt")));
  }

  /** A finished run: log, config, model and summary, each with {@code tag} in it. */
  private static RunFolder finishedRun(Path dir, String tag) throws Exception {
    RunFolder f = new RunFolder(Files.createDirectories(dir));
    Json.appendLine(f.epochLog(), record(1));
    Json.writeAtomically(f.config(), Map.of("role", "teacher", "arch", "cnn-small", "tag", tag));
    Files.createDirectories(f.model());
    Files.writeString(f.model().resolve("model.json"), "{\"tag\": \"" + tag + "\"}");
    Json.writeAtomically(f.summary(), Map.of("run", tag));
    return f;
  }

  /** Relative path → content of every file under {@code dir}. */
  private static Map<String, String> contents(Path dir) throws Exception {
    Map<String, String> m = new java.util.TreeMap<>();
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        m.put(dir.relativize(p).toString(), Files.readString(p));
      }
    }
    return m;
  }

  @Test
  void replaceWithSwapsInTheFinishedNewRunAndLeavesNoCopies() throws Exception {
    RunFolder f = finishedRun(dir, "old");
    RunFolder fresh = finishedRun(f.staging(), "new");
    Map<String, String> expected = contents(fresh.dir());
    f.replaceWith(fresh);
    assertEquals(expected, contents(dir), "exactly the new run's files");
    assertFalse(Files.exists(f.staging()));
    assertFalse(Files.exists(f.stash()));
  }

  @Test
  void aSetAsideRunIsNeverDeletedByALaterReplacement() throws Exception {
    RunFolder f = finishedRun(dir, "old");
    Map<String, String> old = contents(dir);
    // A replacement killed mid-swap: the old run set aside, part of the new one moved in.
    Files.createDirectories(f.stash());
    for (Path p : List.of(f.summary(), f.epochLog(), f.config(), f.model())) {
      Files.move(p, f.stash().resolve(p.getFileName().toString()));
    }
    Json.writeAtomically(f.config(), Map.of("role", "teacher", "arch", "cnn-small", "tag", "new"));
    RunFolder fresh = finishedRun(f.staging(), "newer");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> f.replaceWith(fresh));
    assertTrue(e.getMessage().contains("recover"), e.getMessage());
    assertTrue(Files.readString(f.stash().resolve("summary.json")).contains("old"), "the set-aside run is intact");

    List<String> repairs = f.recover();
    assertEquals(2, repairs.size(), "" + repairs);
    assertTrue(repairs.get(0).contains("put back the finished run"), repairs.get(0));
    assertTrue(repairs.get(1).contains("unfinished new run"), repairs.get(1));
    assertEquals(old, contents(dir), "the finished run is back, byte for byte, and nothing else is left");
    assertEquals(List.of(), f.recover(), "a consistent folder needs no repair");
  }

  @Test
  void aSwapKilledAfterTheNewSummaryMovedInIsCompleted() throws Exception {
    RunFolder f = finishedRun(dir, "new");
    Map<String, String> now = contents(dir);
    finishedRun(f.stash(), "old");
    List<String> repairs = f.recover();
    assertEquals(1, repairs.size(), "" + repairs);
    assertTrue(repairs.get(0).contains("completed the replacement"), repairs.get(0));
    assertEquals(now, contents(dir));
  }

  @Test
  void onlyAnAbsentOrEmptyFolderOrAnNst4jRunIsUsable() throws Exception {
    new RunFolder(dir.resolve("absent")).checkUsable();
    Path empty = Files.createDirectories(dir.resolve("empty"));
    new RunFolder(empty).checkUsable();
    Files.writeString(empty.resolve(RunLock.FILE), "{}");
    Files.writeString(empty.resolve(".summary.json123.tmp"), "torn");
    new RunFolder(empty).checkUsable(); // nst4j's own bookkeeping does not count

    Path mine = Files.createDirectories(dir.resolve("mine"));
    Files.writeString(mine.resolve("notes.txt"), "keep");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new RunFolder(mine).checkUsable());
    assertTrue(e.getMessage().contains("is not empty and holds no nst4j run (1 entry: 'notes.txt')"), e.getMessage());

    Path foreign = Files.createDirectories(dir.resolve("foreign"));
    Files.writeString(foreign.resolve("config.json"), "{\"learning_rate\": 3}");
    e = assertThrows(IllegalArgumentException.class, () -> new RunFolder(foreign).checkUsable());
    assertTrue(e.getMessage().contains("config.json is not the configuration of an nst4j run"), e.getMessage());
    Files.writeString(foreign.resolve("config.json"), "not json at all");
    assertThrows(IllegalArgumentException.class, () -> new RunFolder(foreign).checkUsable());

    RunFolder run = finishedRun(dir.resolve("run"), "x");
    Files.writeString(run.dir().resolve("notes.txt"), "beside a run");
    run.checkUsable();

    Path file = Files.writeString(dir.resolve("a-file"), "x");
    e = assertThrows(IllegalArgumentException.class, () -> new RunFolder(file).checkUsable());
    assertTrue(e.getMessage().contains("not a folder"), e.getMessage());
  }

  @Test
  void atomicWritesLeaveNoTemporaryFiles() throws Exception {
    RunFolder f = new RunFolder(dir);
    Json.writeAtomically(f.config(), Map.of("a", 1));
    Json.writeAtomically(f.config(), Map.of("a", 2));
    try (var files = Files.list(dir)) {
      assertEquals(List.of(f.config()), files.toList());
    }
    assertTrue(Files.readString(f.config()).contains("2"));
  }
}

package org.nst4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

  @Test
  void anOverwrittenRunIsStashedAndCanBeRestoredOrDropped() throws Exception {
    RunFolder f = new RunFolder(dir);
    Json.appendLine(f.epochLog(), record(1));
    Json.writeAtomically(f.summary(), Map.of("run", "old"));
    Files.createDirectories(f.model());
    Files.writeString(f.model().resolve("model.json"), "{\"old\": true}");
    f.stashRun();
    assertFalse(f.holdsRun(), "the old run is out of the way");
    Json.appendLine(f.epochLog(), record(7));
    f.restoreStash();
    assertEquals(List.of(record(1)), f.readEpochLog(), "the new run's files are replaced by the old run's");
    assertTrue(Files.readString(f.summary()).contains("old"));
    assertEquals("{\"old\": true}", Files.readString(f.model().resolve("model.json")));
    assertFalse(Files.exists(f.stash()));

    f.stashRun();
    f.dropStash();
    assertFalse(f.holdsRun());
    assertFalse(Files.exists(f.stash()));
    f.restoreStash(); // nothing stashed: a no-op
    assertFalse(f.holdsRun());
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

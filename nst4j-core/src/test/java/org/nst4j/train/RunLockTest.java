package org.nst4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.nst4j.store.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunLockTest {
  @TempDir Path dir;

  private final List<String> warnings = new ArrayList<>();

  private static void writeLock(Path dir, RunLock.Owner owner) throws Exception {
    Files.write(dir.resolve(RunLock.FILE), Json.PRETTY.writeValueAsBytes(owner));
  }

  /** The PID of a process that has exited (so that no process of this host has it, for now). */
  private static long deadPid() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    return p.pid();
  }

  @Test
  void aSecondWriterIsRefusedAndTheFirstReleasesOnlyItsOwnLock() throws Exception {
    RunLock lock = RunLock.acquire(dir, "nst4j train", warnings::add);
    RunLock.Owner me = RunLock.read(dir.resolve(RunLock.FILE));
    assertEquals(ProcessHandle.current().pid(), me.pid());
    assertEquals(RunLock.hostName(), me.host());
    assertEquals(ProcessHandle.current().info().startInstant().orElseThrow().toString(), me.processStart());
    assertEquals("nst4j train", me.command());

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RunLock.acquire(dir, "other", warnings::add));
    assertTrue(e.getMessage().contains("is in use by process " + me.pid() + " on host " + me.host()),
        e.getMessage());
    assertTrue(e.getMessage().contains("one writer"), e.getMessage());
    assertEquals(me, RunLock.read(dir.resolve(RunLock.FILE)), "the refused writer left the lock alone");

    lock.close();
    assertFalse(Files.exists(dir.resolve(RunLock.FILE)));
    RunLock again = RunLock.acquire(dir, "again", warnings::add);
    // A lock that is no longer ours (replaced by hand, say) is not deleted on release.
    RunLock.Owner other = new RunLock.Owner("elsewhere", 1, null, "t", "x");
    writeLock(dir, other);
    again.close();
    assertEquals(other, RunLock.read(dir.resolve(RunLock.FILE)));
    assertEquals(List.of(), warnings);
  }

  @Test
  void aStaleLockOfThisHostIsTakenOverWithAWarning() throws Exception {
    long dead = deadPid();
    writeLock(dir, new RunLock.Owner(RunLock.hostName(), dead, "2020-01-01T00:00:00Z", "2020-01-01T00:00:01Z", "x"));
    try (RunLock lock = RunLock.acquire(dir, "me", warnings::add)) {
      assertEquals(ProcessHandle.current().pid(), RunLock.read(dir.resolve(RunLock.FILE)).pid());
      assertEquals(1, warnings.size(), "" + warnings);
      assertTrue(warnings.get(0).contains("took over the lock of " + dir + " left by process " + dead + " on host "
          + RunLock.hostName()) && warnings.get(0).contains("no longer running"), warnings.get(0));
    }
    try (var left = Files.list(dir)) {
      assertEquals(List.of(), left.toList(), "no stale copy is left behind");
    }
  }

  @Test
  void aReusedPidIsRecognisedByItsStartTime() throws Exception {
    // Our own PID, but recorded with another process start: the process that took the lock is gone.
    writeLock(dir, new RunLock.Owner(RunLock.hostName(), ProcessHandle.current().pid(), "2001-01-01T00:00:00Z",
        "2001-01-01T00:00:01Z", "x"));
    try (RunLock lock = RunLock.acquire(dir, "me", warnings::add)) {
      assertTrue(warnings.get(0).contains("its PID now belongs to a process started at"), warnings.get(0));
    }
  }

  @Test
  void aLockOfAnotherHostIsNeverTakenOver() throws Exception {
    RunLock.Owner remote = new RunLock.Owner("node-17", deadPid(), null, "2020-01-01T00:00:01Z", "x");
    writeLock(dir, remote);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RunLock.acquire(dir, "me", warnings::add));
    assertTrue(e.getMessage().contains("on host node-17") && e.getMessage().contains("delete " + dir.resolve(
        RunLock.FILE)), e.getMessage());
    assertEquals(remote, RunLock.read(dir.resolve(RunLock.FILE)));
    assertEquals(List.of(), warnings);
  }

  @Test
  void aDamagedLockIsRefusedWithItsPath() throws Exception {
    Files.writeString(dir.resolve(RunLock.FILE), "{\"host\": \"a\", \"pi");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RunLock.acquire(dir, "me", warnings::add));
    assertTrue(e.getMessage().startsWith(dir.resolve(RunLock.FILE) + ": unreadable lock"), e.getMessage());
    Files.writeString(dir.resolve(RunLock.FILE), "");
    e = assertThrows(IllegalArgumentException.class, () -> RunLock.acquire(dir, "me", warnings::add));
    assertTrue(e.getMessage().contains("unreadable lock"), e.getMessage());
  }
}

package org.nst4j.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Consumer;
import org.nst4j.store.Json;

/**
 * The one-writer lock of a run folder: a file {@value #FILE} created atomically ({@code O_CREAT|O_EXCL}, which
 * NFS v3+ and Lustre honour, so Slurm array tasks sharing a folder exclude each other too) holding the
 * writer's host, PID and start time.
 *
 * <p>A lock left by a process that died without releasing it (SIGKILL, power loss) is recognised as stale
 * only on the host that took it: the PID is not running there, or runs a process started after the lock was
 * taken (a reused PID). A lock of another host cannot be checked from here and is always refused, with the
 * file to delete if that process is known to be gone.
 */
public final class RunLock implements AutoCloseable {
  /** The lock's file name inside the run folder. */
  public static final String FILE = ".nst4j.lock";

  /**
   * What a lock file holds.
   *
   * @param host the host name of the writer
   * @param pid its process id
   * @param processStart when that process started (ISO-8601; to recognise a reused PID), or null
   * @param lockedAt when the lock was taken (ISO-8601)
   * @param command what the writer runs
   */
  public record Owner(@JsonProperty("host") String host, @JsonProperty("pid") long pid,
      @JsonProperty("process_start") String processStart, @JsonProperty("locked_at") String lockedAt,
      @JsonProperty("command") String command) {
    /** "process 123 on host h (locked at t)". */
    String describe() {
      return "process " + pid + " on host " + host + " (locked at " + lockedAt + ")";
    }
  }

  private final Path file;
  private final Owner owner;
  private volatile boolean released;

  private RunLock(Path file, Owner owner) {
    this.file = file;
    this.owner = owner;
  }

  /**
   * Takes the lock of {@code dir}, which must exist.
   *
   * @param dir the run folder
   * @param command what this process runs (written into the lock for whoever finds it)
   * @param warnings receives one line when a stale lock is taken over
   * @return the lock; {@link #close()} releases it
   * @throws IllegalArgumentException if another live writer holds it, or it cannot be read
   * @throws IOException if the lock file cannot be created
   */
  public static RunLock acquire(Path dir, String command, Consumer<String> warnings) throws IOException {
    Objects.requireNonNull(warnings, "warnings");
    Path file = dir.resolve(FILE);
    Owner me = new Owner(hostName(), ProcessHandle.current().pid(),
        ProcessHandle.current().info().startInstant().map(Instant::toString).orElse(null), Instant.now().toString(),
        command == null ? "" : command);
    byte[] bytes = Json.PRETTY.writeValueAsBytes(me);
    // Two tries: the second after a stale lock was moved out of the way.
    for (int attempt = 0; attempt < 2; attempt++) {
      try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE)) {
        out.write(bytes);
        return new RunLock(file, me);
      } catch (FileAlreadyExistsException e) {
        Owner other = read(file);
        if (other == null) {
          continue; // released between our create and our read: try again
        }
        String why = staleReason(other, me.host());
        if (why == null) {
          throw new IllegalArgumentException(dir + " is in use by " + other.describe() + ": one run folder has one"
              + " writer; wait for it, or use another --out (if that process is gone, delete " + file + ")");
        }
        takeOver(file, other);
        warnings.accept("took over the lock of " + dir + " left by " + other.describe() + ", " + why);
      }
    }
    throw new IllegalArgumentException(dir + " is in use: its lock " + file + " was taken again while a stale one"
        + " was being replaced; try again");
  }

  /** Why a lock is stale, or null if its owner may still be running. */
  static String staleReason(Owner other, String thisHost) {
    if (!thisHost.equals(other.host())) {
      return null;
    }
    var handle = ProcessHandle.of(other.pid());
    if (handle.isEmpty() || !handle.get().isAlive()) {
      return "which is no longer running";
    }
    Instant started = handle.get().info().startInstant().orElse(null);
    if (other.processStart() != null && started != null && !started.toString().equals(other.processStart())) {
      return "which is no longer running (its PID now belongs to a process started at " + started + ")";
    }
    return null;
  }

  /**
   * Moves a stale lock aside and checks that what was moved is the lock judged stale: two processes taking
   * over the same stale lock at once could otherwise move away the lock the first one just created.
   */
  private static void takeOver(Path file, Owner stale) throws IOException {
    Path aside = file.resolveSibling(FILE + ".stale-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    try {
      Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
    } catch (NoSuchFileException e) {
      return; // someone else moved it; the next create decides
    }
    Owner moved = read(aside);
    if (moved != null && !moved.equals(stale)) {
      // We moved a live lock taken a moment ago: put it back (no replace: if a third process got in, it
      // stands and ours fails on the next create).
      try {
        Files.move(aside, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException e) {
        Files.deleteIfExists(aside);
      }
      return;
    }
    Files.deleteIfExists(aside);
  }

  /**
   * Reads a lock file.
   *
   * @return its owner, or null if the file is gone
   * @throws IllegalArgumentException if it cannot be parsed (a writer killed while creating it)
   */
  static Owner read(Path file) throws IOException {
    try {
      Owner o = Json.PRETTY.readValue(file.toFile(), Owner.class);
      if (o == null || o.host() == null) {
        throw new IllegalArgumentException(file + ": unreadable lock (empty or damaged); if no run is writing this"
            + " folder, delete it");
      }
      return o;
    } catch (java.io.FileNotFoundException | NoSuchFileException e) {
      return null;
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new IllegalArgumentException(file + ": unreadable lock (" + e.getOriginalMessage() + "); if no run is"
          + " writing this folder, delete it");
    }
  }

  /** This host's name (kernel host name; the same one Slurm and other nodes see in the lock). */
  static String hostName() {
    try {
      String h = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
      if (!h.isEmpty()) {
        return h;
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: fall through
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown-host";
    }
  }

  /** The owner written into this lock. */
  public Owner owner() {
    return owner;
  }

  /** Releases the lock: deletes the file if it still holds this owner (never someone else's lock). */
  @Override
  public synchronized void close() throws IOException {
    if (released) {
      return;
    }
    released = true;
    Owner now;
    try {
      now = read(file);
    } catch (IllegalArgumentException e) {
      return;
    }
    if (owner.equals(now)) {
      Files.deleteIfExists(file);
    }
  }
}

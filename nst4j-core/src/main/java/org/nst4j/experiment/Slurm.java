package org.nst4j.experiment;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Slurm's client commands ({@code sbatch}, {@code squeue}, {@code scancel}) run as processes: no Slurm library,
 * so nst4j works with whatever Slurm version the cluster runs, and tests put a fake {@code sbatch} on the
 * path. Accounting may be off on small clusters, so states are read from {@code squeue} only.
 */
public final class Slurm {
  /**
   * One array task or job as {@code squeue} shows it.
   *
   * @param jobId the job id ({@code 123_4} for an array task)
   * @param arrayJobId the array's id, or the job id for a plain job
   * @param taskIndex the array index, or -1 for a plain job
   * @param state e.g. {@code PENDING}, {@code RUNNING}, {@code COMPLETING}
   * @param reason why it waits ({@code None} when running)
   */
  public record QueueEntry(String jobId, String arrayJobId, int taskIndex, String state, String reason) {
    /** Whether the task still occupies its cell: waiting, running or being requeued. */
    public boolean active() {
      return !state.equals("COMPLETED") && !state.equals("FAILED") && !state.equals("CANCELLED")
          && !state.equals("TIMEOUT") && !state.equals("OUT_OF_MEMORY") && !state.equals("NODE_FAIL");
    }
  }

  /** The squeue format {@link #parseQueue} reads: job id, array job id, array index, state, reason. */
  static final String QUEUE_FORMAT = "%i|%F|%K|%T|%r";

  private final Path binDir;
  private final Map<String, String> environment;

  /**
   * Commands from {@code binDir}, or found on the {@code PATH} when it is null.
   *
   * @param binDir where {@code sbatch} and {@code squeue} are, or null
   * @param environment variables added to the commands' environment (e.g. {@code SLURM_CONF})
   */
  public Slurm(Path binDir, Map<String, String> environment) {
    this.binDir = binDir;
    this.environment = Map.copyOf(environment);
  }

  /** The commands on the {@code PATH}, in this process's environment. */
  public static Slurm onPath() {
    return new Slurm(null, Map.of());
  }

  /** Whether {@code sbatch} can be found. */
  public boolean available() {
    return executable("sbatch") != null;
  }

  /**
   * Submits a batch script.
   *
   * @param args arguments before the script (e.g. {@code --dependency=afterany:12})
   * @param script the script file
   * @return the job id ({@code sbatch --parsable}; the cluster name after a {@code ;} is dropped)
   * @throws IllegalArgumentException if sbatch is missing or refuses the job, with its message
   */
  public String submit(List<String> args, Path script) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("sbatch", "--parsable"));
    cmd.addAll(args);
    cmd.add(script.toString());
    String out = run(cmd).strip();
    int semi = out.indexOf(';');
    String id = semi < 0 ? out : out.substring(0, semi);
    if (!id.matches("\\d+")) {
      throw new IllegalArgumentException("sbatch printed no job id but '" + out + "'");
    }
    return id;
  }

  /**
   * The queue's entries of the given jobs, one per array task ({@code squeue -r}); finished jobs are absent
   * (or shown as finished for a few minutes, depending on {@code MinJobAge}).
   *
   * @param jobIds the jobs (array ids)
   * @return the entries; empty if there is no job id
   * @throws IllegalArgumentException if squeue is missing or fails
   */
  public List<QueueEntry> queue(List<String> jobIds) throws IOException {
    if (jobIds.isEmpty()) {
      return List.of();
    }
    // --states=all: a finished job the controller still remembers shows its end state rather than vanishing.
    return parseQueue(run(List.of("squeue", "-h", "-r", "--states=all", "-j", String.join(",", jobIds), "-o",
        QUEUE_FORMAT)));
  }

  /**
   * Cancels jobs.
   *
   * @param jobIds the jobs
   */
  public void cancel(List<String> jobIds) throws IOException {
    if (!jobIds.isEmpty()) {
      List<String> cmd = new ArrayList<>(List.of("scancel"));
      cmd.addAll(jobIds);
      run(cmd);
    }
  }

  /**
   * Parses {@code squeue -h -r -o '%i|%F|%K|%T|%r'}; lines of another shape are ignored (a site's squeue may
   * print notices).
   */
  static List<QueueEntry> parseQueue(String text) {
    List<QueueEntry> entries = new ArrayList<>();
    for (String line : text.split("\n")) {
      String[] f = line.strip().split("\\|", -1);
      if (f.length != 5 || f[0].isEmpty()) {
        continue;
      }
      int index;
      try {
        index = f[2].equals("N/A") || f[2].isEmpty() ? -1 : Integer.parseInt(f[2]);
      } catch (NumberFormatException e) {
        continue; // a pending range such as 4-9%2 (without -r): not one task
      }
      entries.add(new QueueEntry(f[0], f[1], index, f[3], f[4]));
    }
    return List.copyOf(entries);
  }

  /** Runs a command and returns its stdout; a failure becomes one line naming the command and its stderr. */
  private String run(List<String> cmd) throws IOException {
    String exe = executable(cmd.get(0));
    if (exe == null) {
      throw new IllegalArgumentException(cmd.get(0) + " not found" + (binDir == null ? " on the PATH" : " in "
          + binDir) + ": --executor slurm needs Slurm's client commands (sbatch, squeue)");
    }
    List<String> full = new ArrayList<>(cmd);
    full.set(0, exe);
    ProcessBuilder pb = new ProcessBuilder(full);
    pb.environment().putAll(environment);
    Path err = Files.createTempFile("nst4j-slurm", ".err");
    try {
      pb.redirectError(err.toFile());
      Process p = pb.start();
      byte[] out = p.getInputStream().readAllBytes();
      try {
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new IllegalArgumentException(cmd.get(0) + " did not answer in 120 s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for " + cmd.get(0), e);
      }
      if (p.exitValue() != 0) {
        String message = Files.readString(err, StandardCharsets.UTF_8).strip().replace('\n', ' ');
        throw new IllegalArgumentException(cmd.get(0) + " failed (exit " + p.exitValue() + ")"
            + (message.isEmpty() ? "" : ": " + message));
      }
      return new String(out, StandardCharsets.UTF_8);
    } finally {
      Files.deleteIfExists(err);
    }
  }

  /** The absolute path of a client command, or null if it cannot be found. */
  private String executable(String name) {
    List<Path> dirs = new ArrayList<>();
    if (binDir != null) {
      dirs.add(binDir);
    } else {
      String path = environment.getOrDefault("PATH", System.getenv("PATH"));
      for (String d : (path == null ? "" : path).split(java.io.File.pathSeparator)) {
        if (!d.isEmpty()) {
          dirs.add(Path.of(d));
        }
      }
    }
    for (Path d : dirs) {
      Path p = d.resolve(name);
      if (Files.isExecutable(p) && !Files.isDirectory(p)) {
        return p.toString();
      }
    }
    return null;
  }

  /** Maps entries by array task index (the last entry of an index wins: the newest submission is listed last). */
  static Map<Integer, QueueEntry> byIndex(List<QueueEntry> entries, String arrayJobId) {
    Map<Integer, QueueEntry> map = new LinkedHashMap<>();
    for (QueueEntry e : entries) {
      if (e.arrayJobId().equals(arrayJobId) && e.taskIndex() >= 0) {
        map.put(e.taskIndex(), e);
      }
    }
    return map;
  }
}

package org.nst4j.experiment;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nst4j.store.Json;
import org.nst4j.train.RunFolder;

/**
 * Runs a grid on a Slurm cluster: one job array with a task per unfinished cell, and a report job that runs
 * when the array has ended, whatever its tasks' outcome ({@code afterany}, so a failed cell cannot leave the
 * report pending for ever). The run folders live on a file system every node shares; each task runs its one
 * cell with the project's own command ({@code ... --cell <index>}), which resumes an interrupted run and exits
 * 0 if the cell is finished, so a requeued task continues where it stopped.
 *
 * <p>Everything it writes goes to {@code <out>/slurm/}: the scripts as submitted ({@code array-<n>.sh},
 * {@code report-<n>.sh}), the job ids ({@value #JOBS}, one entry per submission) and the logs ({@code
 * logs/cell-<index>.out|.err}, appended across requeues and resubmissions; {@code logs/report-<n>.out}).
 * Submitting again submits only the cells that are neither finished nor still queued or running.
 */
public final class SlurmExecutor {
  /** The file listing each submission's job ids, under {@code <out>/slurm/}. */
  public static final String JOBS = "jobs.json";

  /**
   * One submission.
   *
   * @param arrayJob the array's job id
   * @param reportJob the report job's id
   * @param cells the array indices (cell positions) submitted
   * @param arraySpec the {@code --array} value
   * @param script the array's batch script
   * @param submitted when (UTC, ISO-8601)
   */
  public record Submission(@JsonProperty("array_job") String arrayJob, @JsonProperty("report_job") String reportJob,
      @JsonProperty("cells") List<Integer> cells, @JsonProperty("array") String arraySpec,
      @JsonProperty("script") String script, @JsonProperty("submitted") String submitted) {
    /** Copies the list. */
    public Submission {
      cells = List.copyOf(cells);
    }
  }

  /**
   * The content of {@value #JOBS}.
   *
   * @param submissions in submission order
   */
  public record Jobs(@JsonProperty("submissions") List<Submission> submissions) {
    /** Copies the list. */
    public Jobs {
      submissions = submissions == null ? List.of() : List.copyOf(submissions);
    }
  }

  /**
   * What {@link #submit} did.
   *
   * @param submission the new submission, or null if there was nothing to submit
   * @param finished cells already finished
   * @param queued cells still queued or running from an earlier submission (not submitted again)
   */
  public record Outcome(Submission submission, int finished, int queued) {}

  /**
   * What a grid is, for submission: its cells and the commands that run one cell and the report.
   *
   * @param name the grid's name (the job name)
   * @param cells the cells, in array order
   * @param out the grid's output folder
   * @param workDir the folder the commands run in (relative paths of the command line)
   * @param taskCommand the command training one cell; {@code --cell <index>} is appended
   * @param reportCommand the command writing the report from the run folders
   */
  public record Grid(String name, List<GridRunner.Cell> cells, Path out, Path workDir, List<String> taskCommand,
      List<String> reportCommand) {
    /** Copies the lists. */
    public Grid {
      cells = List.copyOf(cells);
      taskCommand = List.copyOf(taskCommand);
      reportCommand = List.copyOf(reportCommand);
    }

    /** {@code <out>/slurm}. */
    public Path slurmDir() {
      return out.resolve("slurm");
    }
  }

  private SlurmExecutor() {}

  /**
   * Submits the grid's unfinished cells, then the report job depending on them.
   *
   * @param grid the grid
   * @param options resources and limits
   * @param slurm the client commands
   * @return the submission and the cells left out
   * @throws IllegalArgumentException if a run folder holds another run (before anything is submitted), or
   *     sbatch refuses a job (the array is then cancelled: nothing half-submitted stays queued)
   */
  public static Outcome submit(Grid grid, SlurmOptions options, Slurm slurm) throws IOException {
    for (GridRunner.Cell c : grid.cells()) {
      GridRunner.checkSameRun(c);
    }
    Jobs jobs = readJobs(grid.out());
    Map<Integer, Slurm.QueueEntry> queued = activeTasks(jobs, slurm);
    List<Integer> todo = new ArrayList<>();
    int finished = 0;
    for (int i = 0; i < grid.cells().size(); i++) {
      if (new RunFolder(grid.cells().get(i).dir()).isComplete()) {
        finished++;
      } else if (!queued.containsKey(i)) {
        todo.add(i);
      }
    }
    if (todo.isEmpty()) {
      return new Outcome(null, finished, queued.size());
    }
    int n = jobs.submissions().size() + 1;
    Path dir = grid.slurmDir();
    Files.createDirectories(dir.resolve("logs"));
    String arraySpec = SlurmScript.arraySpec(todo, options.maxParallel());
    Path arrayScript = dir.resolve("array-" + n + ".sh");
    writeScript(arrayScript, SlurmScript.array("nst4j-" + grid.name(), arraySpec, dir.resolve("logs").toAbsolutePath(),
        grid.workDir(), options, grid.taskCommand()));
    Path reportScript = dir.resolve("report-" + n + ".sh");
    writeScript(reportScript, SlurmScript.report("nst4j-report-" + grid.name(),
        dir.resolve("logs").resolve("report-" + n + ".out").toAbsolutePath(), grid.workDir(), options,
        grid.reportCommand()));
    String arrayJob;
    try {
      arrayJob = slurm.submit(options.extraArgs(), arrayScript);
    } catch (IllegalArgumentException e) {
      if (e.getMessage().contains("array")) { // Slurm's MaxArraySize (default 1001) bounds the highest index
        throw new IllegalArgumentException(e.getMessage() + " (the highest array index is " + todo.get(todo.size() - 1)
            + "; it must be below the cluster's MaxArraySize, see `scontrol show config`: split the grid with"
            + " --methods or --seeds and another --out)");
      }
      throw e;
    }
    String reportJob;
    try {
      List<String> args = new ArrayList<>(options.extraArgs());
      args.add("--dependency=afterany:" + arrayJob);
      reportJob = slurm.submit(args, reportScript);
    } catch (IllegalArgumentException | IOException e) {
      slurm.cancel(List.of(arrayJob));
      throw new IllegalArgumentException("the report job was refused, so the array " + arrayJob + " was cancelled: "
          + e.getMessage());
    }
    Submission s = new Submission(arrayJob, reportJob, todo, arraySpec, arrayScript.toAbsolutePath().toString(),
        Instant.now().toString());
    List<Submission> all = new ArrayList<>(jobs.submissions());
    all.add(s);
    Json.writeAtomically(dir.resolve(JOBS), new Jobs(all));
    return new Outcome(s, finished, queued.size());
  }

  /**
   * The queue's entry of each cell a submission of this grid still shows (the newest submission of a cell
   * wins), read with one {@code squeue} call; empty if nothing was submitted.
   */
  public static Map<Integer, Slurm.QueueEntry> queuedTasks(Path out, Slurm slurm) throws IOException {
    Jobs jobs = readJobs(out);
    Map<Integer, Slurm.QueueEntry> map = new HashMap<>();
    if (jobs.submissions().isEmpty()) {
      return map;
    }
    List<Slurm.QueueEntry> entries = slurm.queue(jobs.submissions().stream().map(Submission::arrayJob).toList());
    for (Submission s : jobs.submissions()) {
      Map<Integer, Slurm.QueueEntry> tasks = Slurm.byIndex(entries, s.arrayJob());
      for (int cell : s.cells()) {
        Slurm.QueueEntry e = tasks.get(cell);
        if (e != null) {
          map.put(cell, e);
        } else {
          map.remove(cell); // a newer submission whose task is gone: the older entry is stale
        }
      }
    }
    return map;
  }

  private static Map<Integer, Slurm.QueueEntry> activeTasks(Jobs jobs, Slurm slurm) throws IOException {
    Map<Integer, Slurm.QueueEntry> active = new HashMap<>();
    if (jobs.submissions().isEmpty()) {
      return active;
    }
    List<Slurm.QueueEntry> entries = slurm.queue(jobs.submissions().stream().map(Submission::arrayJob).toList());
    for (Submission s : jobs.submissions()) {
      Slurm.byIndex(entries, s.arrayJob()).forEach((cell, e) -> {
        if (e.active() && s.cells().contains(cell)) {
          active.put(cell, e);
        }
      });
    }
    return active;
  }

  /** Reads {@code <out>/slurm/jobs.json}; no submission if absent. */
  public static Jobs readJobs(Path out) throws IOException {
    Path file = out.resolve("slurm").resolve(JOBS);
    if (!Files.isRegularFile(file)) {
      return new Jobs(List.of());
    }
    try {
      Jobs jobs = Json.PRETTY.readValue(file.toFile(), Jobs.class);
      return jobs == null ? new Jobs(List.of()) : jobs;
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new IllegalArgumentException(file + ": unreadable list of Slurm jobs (" + e.getOriginalMessage() + ")");
    }
  }

  private static void writeScript(Path file, String text) throws IOException {
    Json.writeAtomically(file, text.getBytes(StandardCharsets.UTF_8));
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: sbatch reads the script, it need not be executable
    }
  }
}

package org.nst4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.nst4j.experiment.GridRunner;
import org.nst4j.experiment.GridStatus;
import org.nst4j.experiment.Slurm;
import org.nst4j.experiment.SlurmExecutor;
import org.nst4j.experiment.SlurmOptions;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Where a grid's cells run ({@code experiment} and {@code sweep}): here, one after the other, or as a Slurm job
 * array; and the two modes the array needs, one cell ({@code --cell}) and the state of every cell ({@code
 * --status}).
 */
final class GridExecutorOptions {
  /** Where cells run. */
  enum Executor {
    local,
    slurm
  }

  @Option(names = "--executor", paramLabel = "E", defaultValue = "local",
      description = "local: train the cells here, one after the other (default); slurm: submit one job array with a"
          + " task per unfinished cell and a report job that runs when the array has ended (afterany). Run folders"
          + " must be on a file system the nodes share. Job ids go to <out>/slurm/jobs.json, logs to"
          + " <out>/slurm/logs/.")
  Executor executor;

  @Option(names = "--cell", paramLabel = "INDEX",
      description = "Train only the cell at this index (from 0, methods × seeds in file order; what an array task"
          + " runs): resumes it if interrupted, exits 0 at once if it is finished; writes no report.")
  Integer cell;

  @Option(names = "--status", description = "Show each cell's state (done, running with its epoch, pending,"
      + " failed with its last error: line, stopped, not started) from the run folders and squeue; trains nothing.")
  boolean status;

  @Option(names = "--partition", paramLabel = "P", description = "Slurm partition of the array and the report job.")
  String partition;

  @Option(names = "--time", paramLabel = "T", description = "Slurm time limit of each task, e.g. 2:00:00; the task"
      + " gets SIGTERM --signal-seconds before it, checkpoints and requeues itself.")
  String time;

  @Option(names = "--cpus-per-task", paramLabel = "N",
      description = "CPUs of each task; the task trains with as many libtorch threads (unless --threads is given).")
  Integer cpusPerTask;

  @Option(names = "--gpus-per-task", paramLabel = "N", description = "GPUs of each task (with --device gpu).")
  Integer gpusPerTask;

  @Option(names = "--mem", paramLabel = "M", description = "Memory of each task, e.g. 8G.")
  String mem;

  @Option(names = "--sbatch-arg", paramLabel = "ARG", description = "An extra sbatch argument, e.g."
      + " --sbatch-arg=--account=lab; repeat for several.")
  List<String> sbatchArgs;

  @Option(names = "--max-parallel", paramLabel = "N",
      description = "At most N cells run at once (the array's %%N).")
  Integer maxParallel;

  @Option(names = "--signal-seconds", paramLabel = "S", defaultValue = "" + SlurmOptions.DEFAULT_SIGNAL_SECONDS,
      description = "Seconds before the time limit Slurm sends SIGTERM (--signal=B:TERM@S; default ${DEFAULT-VALUE}).")
  int signalSeconds;

  /** Options that take a value, removed with it from the command line an array task runs. */
  private static final Set<String> WITH_VALUE = Set.of("--executor", "--cell", "--partition", "--time",
      "--cpus-per-task", "--gpus-per-task", "--mem", "--sbatch-arg", "--max-parallel", "--signal-seconds");

  /**
   * Refuses combinations that make no sense, before anything is read.
   *
   * @param reportOnly whether --report-only was given
   */
  void check(boolean reportOnly) {
    int modes = (cell != null ? 1 : 0) + (status ? 1 : 0) + (reportOnly ? 1 : 0)
        + (executor == Executor.slurm ? 1 : 0);
    if (modes > 1) {
      throw new IllegalArgumentException("--cell, --status, --report-only and --executor slurm exclude each other");
    }
    if (cell != null && cell < 0) {
      throw new IllegalArgumentException("--cell must be ≥ 0, got " + cell);
    }
    if (executor == Executor.local && (partition != null || time != null || cpusPerTask != null
        || gpusPerTask != null || mem != null || sbatchArgs != null || maxParallel != null)) {
      throw new IllegalArgumentException("--partition, --time, --cpus-per-task, --gpus-per-task, --mem,"
          + " --sbatch-arg and --max-parallel need --executor slurm");
    }
  }

  SlurmOptions slurmOptions() {
    return new SlurmOptions(partition, time, cpusPerTask, gpusPerTask, mem, sbatchArgs, maxParallel, signalSeconds);
  }

  /**
   * The command an array task runs: this command line without the executor's options, run by the launcher
   * (its absolute path, from {@code NST4J_LAUNCHER}, which {@code ./nst4j} sets) or else by this JVM's java
   * on this class path; quiet (no progress bars in logs); with as many threads as CPUs per task.
   */
  List<String> taskCommand(CommandLine.Model.CommandSpec spec) {
    List<String> cmd = new ArrayList<>(launcher());
    List<String> args = filteredArgs(spec);
    cmd.addAll(args);
    if (!args.contains("--quiet")) {
      cmd.add("--quiet");
    }
    if (cpusPerTask != null && args.stream().noneMatch(a -> a.equals("--threads") || a.startsWith("--threads="))) {
      cmd.add("--threads");
      cmd.add(String.valueOf(cpusPerTask));
    }
    return cmd;
  }

  /** The command the report job runs. */
  List<String> reportCommand(CommandLine.Model.CommandSpec spec) {
    List<String> cmd = new ArrayList<>(launcher());
    cmd.addAll(filteredArgs(spec));
    cmd.add("--report-only");
    return cmd;
  }

  private static List<String> filteredArgs(CommandLine.Model.CommandSpec spec) {
    CommandLine top = spec.commandLine();
    while (top.getParent() != null) {
      top = top.getParent();
    }
    List<String> original = top.getParseResult().originalArgs();
    List<String> out = new ArrayList<>();
    for (int i = 0; i < original.size(); i++) {
      String a = original.get(i);
      String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
      if (WITH_VALUE.contains(name)) {
        if (!a.contains("=")) {
          i++; // its value
        }
      } else if (!a.equals("--status")) {
        out.add(a);
      }
    }
    return out;
  }

  private static List<String> launcher() {
    String launcher = System.getenv("NST4J_LAUNCHER");
    if (launcher != null && !launcher.isBlank()) {
      return List.of(Path.of(launcher).toAbsolutePath().toString());
    }
    return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Dai.djl.offline=true",
        "-cp", absoluteClassPath(), "org.nst4j.cli.Main");
  }

  private static String absoluteClassPath() {
    List<String> parts = new ArrayList<>();
    for (String p : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      parts.add(p.endsWith("*") ? Path.of(p.substring(0, p.length() - 1)).toAbsolutePath() + "/*"
          : Path.of(p).toAbsolutePath().toString());
    }
    return String.join(java.io.File.pathSeparator, parts);
  }

  /**
   * Submits the grid and prints the job ids.
   *
   * @return the exit code (0)
   */
  int submit(CommandLine.Model.CommandSpec spec, String name, List<GridRunner.Cell> cells, Path out)
      throws java.io.IOException {
    SlurmExecutor.Grid grid = new SlurmExecutor.Grid(name, cells, out, Path.of("").toAbsolutePath(),
        taskCommand(spec), reportCommand(spec));
    SlurmExecutor.Outcome o = SlurmExecutor.submit(grid, slurmOptions(), Slurm.onPath());
    PrintWriter w = spec.commandLine().getOut();
    if (o.submission() == null) {
      w.printf(Locale.ROOT, "%s: nothing to submit: %d of %d cells finished, %d queued or running%s%n", name,
          o.finished(), cells.size(), o.queued(), o.queued() > 0 ? " (see --status)" : "; rebuild the report with"
          + " --report-only");
    } else {
      var s = o.submission();
      w.printf(Locale.ROOT, "%s: submitted %d of %d cells as array job %s (--array=%s), report job %s"
          + " (afterany:%s)%s%n", name, s.cells().size(), cells.size(), s.arrayJob(), s.arraySpec(), s.reportJob(),
          s.arrayJob(), o.finished() + o.queued() > 0 ? "; " + o.finished() + " finished and " + o.queued()
          + " queued cells left out" : "");
      w.printf(Locale.ROOT, "job ids: %s; script %s; logs %s%n", grid.slurmDir().resolve(SlurmExecutor.JOBS),
          s.script(), grid.slurmDir().resolve("logs"));
    }
    w.flush();
    return 0;
  }

  /**
   * Prints each cell's state.
   *
   * @return the exit code (0)
   */
  int printStatus(CommandLine.Model.CommandSpec spec, List<GridRunner.Cell> cells, int epochs, Path out)
      throws java.io.IOException {
    boolean submitted = !SlurmExecutor.readJobs(out).submissions().isEmpty();
    var queue = submitted ? SlurmExecutor.queuedTasks(out, Slurm.onPath()) : java.util.Map.<Integer, Slurm.QueueEntry>of();
    PrintWriter w = spec.commandLine().getOut();
    w.print(GridStatus.table(GridStatus.of(cells, epochs, out.resolve("slurm").resolve("logs"), queue)));
    w.flush();
    return 0;
  }
}

package org.nst4j.experiment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The text of the batch scripts a grid submits: the array (one task per cell) and the report job. Pure text,
 * so that what is submitted can be read, tested and rerun by hand.
 *
 * <p>The array script runs the task command in the background and forwards SIGTERM to it: with {@code
 * --signal=B:TERM@S} Slurm signals only the batch shell, and a shell waiting in the foreground would not pass
 * the signal on. Training then finishes its step, writes its checkpoint and exits with {@value
 * org.nst4j.train.StopSignal#EXIT_CODE}. If the job is still {@code RUNNING} at that point (the time limit's
 * warning, or {@code scancel --signal=TERM --batch}), the script requeues it so that the cell continues from
 * its checkpoint; on preemption, {@code scontrol requeue} or {@code scancel} Slurm has already moved the job
 * on (its state is {@code COMPLETING}) and decides itself whether it runs again.
 */
public final class SlurmScript {
  /** The line each task writes to its log before it starts; {@link GridStatus} reads errors after the last one. */
  public static final String START_MARK = "nst4j-slurm: cell ";

  private SlurmScript() {}

  /**
   * The array's batch script.
   *
   * @param jobName the job name
   * @param indices the cells to run ({@link #arraySpec})
   * @param logs folder of the per-cell logs {@code cell-<index>.out} and {@code .err}, appended to across
   *     requeues
   * @param workDir the folder relative paths of the command are relative to
   * @param options resources and limits
   * @param taskCommand the command running one cell; {@code --cell <index>} is appended
   * @return the script
   */
  public static String array(String jobName, String indices, Path logs, Path workDir, SlurmOptions options,
      List<String> taskCommand) {
    StringBuilder sb = header(jobName, workDir, options);
    sb.append("#SBATCH --array=").append(indices).append('\n');
    sb.append("#SBATCH --output=").append(logs.resolve("cell-%a.out")).append('\n');
    sb.append("#SBATCH --error=").append(logs.resolve("cell-%a.err")).append('\n');
    sb.append("#SBATCH --open-mode=append\n");
    sb.append("#SBATCH --requeue\n");
    sb.append("#SBATCH --signal=B:TERM@").append(options.signalSeconds()).append('\n');
    sb.append("""
        set -u
        # Run the jar built at submission; never build on a node (see the launcher).
        export NST4J_NO_BUILD=1
        cell="$SLURM_ARRAY_TASK_ID"
        echo "%s$cell job ${SLURM_JOB_ID} (array ${SLURM_ARRAY_JOB_ID}) on $(hostname) start ${SLURM_RESTART_COUNT:-0} at $(date -u +%%FT%%TZ)" >&2
        %s --cell "$cell" &
        pid=$!
        trap 'kill -TERM "$pid" 2>/dev/null' TERM INT
        # wait returns early when a trapped signal arrives: wait again until the process is gone.
        while :; do wait "$pid"; rc=$?; kill -0 "$pid" 2>/dev/null || break; done
        wait "$pid" 2>/dev/null; last=$?; [ "$last" -ne 127 ] && rc=$last
        if [ "$rc" -eq %d ]; then
          # Stopped by a signal with its checkpoint written. Requeue only a job Slurm left running (the time
          # limit's warning, scancel --signal=TERM --batch); preemption, requeue and scancel are Slurm's call.
          state=$(scontrol show job "$SLURM_JOB_ID" 2>/dev/null | grep -o 'JobState=[A-Z_]*')
          if [ "$state" = JobState=RUNNING ]; then
            scontrol requeue "$SLURM_JOB_ID" && echo "nst4j-slurm: cell $cell requeued itself" >&2
          fi
        fi
        exit "$rc"
        """.formatted(START_MARK, shellJoin(taskCommand), org.nst4j.train.StopSignal.EXIT_CODE));
    return sb.toString();
  }

  /**
   * The report job's batch script: rebuilds the report from whatever cells finished ({@code afterany}: it runs
   * even when cells failed, and the report lists them).
   *
   * @param jobName the job name
   * @param log the report's log file
   * @param workDir the working folder
   * @param options the partition, time and extra arguments (not the per-task resources)
   * @param reportCommand the command writing the report
   * @return the script
   */
  public static String report(String jobName, Path log, Path workDir, SlurmOptions options,
      List<String> reportCommand) {
    SlurmOptions light = new SlurmOptions(options.partition(), options.time(), null, null, null,
        options.extraArgs(), null, options.signalSeconds());
    StringBuilder sb = header(jobName, workDir, light);
    sb.append("#SBATCH --output=").append(log).append('\n');
    sb.append("#SBATCH --open-mode=append\n");
    sb.append("set -u\nexport NST4J_NO_BUILD=1\n").append("exec ").append(shellJoin(reportCommand)).append('\n');
    return sb.toString();
  }

  private static StringBuilder header(String jobName, Path workDir, SlurmOptions o) {
    StringBuilder sb = new StringBuilder("#!/bin/bash\n");
    sb.append("# Written by nst4j; submitted with sbatch").append(o.extraArgs().isEmpty() ? ""
        : " " + shellJoin(o.extraArgs())).append(".\n");
    sb.append("#SBATCH --job-name=").append(jobName.replaceAll("[^A-Za-z0-9._-]", "_")).append('\n');
    sb.append("#SBATCH --chdir=").append(workDir).append('\n');
    if (o.partition() != null) {
      sb.append("#SBATCH --partition=").append(o.partition()).append('\n');
    }
    if (o.time() != null) {
      sb.append("#SBATCH --time=").append(o.time()).append('\n');
    }
    if (o.cpusPerTask() != null) {
      sb.append("#SBATCH --cpus-per-task=").append(o.cpusPerTask()).append('\n');
    }
    if (o.gpusPerTask() != null) {
      sb.append("#SBATCH --gpus-per-task=").append(o.gpusPerTask()).append('\n');
    }
    if (o.mem() != null) {
      sb.append("#SBATCH --mem=").append(o.mem()).append('\n');
    }
    return sb;
  }

  /**
   * The {@code --array} value: sorted indices with runs compressed ({@code 0-3,7,9-10}) and the concurrency
   * limit ({@code %N}).
   *
   * @param indices the cells, each ≥ 0
   * @param maxParallel at most this many at once, or null
   * @return e.g. {@code 0-999%50}
   * @throws IllegalArgumentException if there is no index
   */
  public static String arraySpec(List<Integer> indices, Integer maxParallel) {
    if (indices.isEmpty()) {
      throw new IllegalArgumentException("no cell to submit");
    }
    List<String> parts = new ArrayList<>();
    TreeSet<Integer> sorted = new TreeSet<>(indices);
    Integer start = null;
    Integer prev = null;
    for (int i : sorted) {
      if (start == null) {
        start = i;
      } else if (i != prev + 1) {
        parts.add(start.equals(prev) ? "" + start : start + "-" + prev);
        start = i;
      }
      prev = i;
    }
    parts.add(start.equals(prev) ? "" + start : start + "-" + prev);
    return String.join(",", parts) + (maxParallel == null ? "" : "%" + maxParallel);
  }

  /** The words as one shell command line, each quoted where it needs it. */
  public static String shellJoin(List<String> words) {
    List<String> quoted = new ArrayList<>();
    for (String w : words) {
      quoted.add(w.matches("[\\w@%+=:,./-]+") ? w : "'" + w.replace("'", "'\\''") + "'");
    }
    return String.join(" ", quoted);
  }
}

package org.nst4j.experiment;

import java.util.List;

/**
 * How a grid's array tasks are submitted to Slurm ({@link SlurmExecutor}). Everything but {@code signalSeconds}
 * may be null (Slurm's or the site's default then applies).
 *
 * @param partition {@code --partition}
 * @param time {@code --time} of each task, e.g. {@code 2:00:00}
 * @param cpusPerTask {@code --cpus-per-task}; the task then trains with as many libtorch threads
 * @param gpusPerTask {@code --gpus-per-task}
 * @param mem {@code --mem} of each task, e.g. {@code 8G}
 * @param extraArgs more {@code sbatch} arguments, passed as they are (e.g. {@code --account=x}, {@code --qos=y})
 * @param maxParallel the array's concurrency limit ({@code %N}): at most this many cells run at once
 * @param signalSeconds how long before the time limit Slurm sends SIGTERM ({@code --signal=B:TERM@S}): enough
 *     to finish a step and write a checkpoint
 */
public record SlurmOptions(String partition, String time, Integer cpusPerTask, Integer gpusPerTask, String mem,
    List<String> extraArgs, Integer maxParallel, int signalSeconds) {
  /** The default warning time: a step and a checkpoint take seconds, but a loaded node is slow. */
  public static final int DEFAULT_SIGNAL_SECONDS = 120;

  /**
   * Checks the numbers and copies the list.
   *
   * @throws IllegalArgumentException on a count below 1 or a negative warning time, naming the option
   */
  public SlurmOptions {
    extraArgs = extraArgs == null ? List.of() : List.copyOf(extraArgs);
    positive("--cpus-per-task", cpusPerTask);
    positive("--gpus-per-task", gpusPerTask);
    positive("--max-parallel", maxParallel);
    if (signalSeconds < 1) {
      throw new IllegalArgumentException("--signal-seconds must be ≥ 1, got " + signalSeconds);
    }
  }

  /** Slurm's defaults for everything, the default warning time. */
  public static SlurmOptions defaults() {
    return new SlurmOptions(null, null, null, null, null, List.of(), null, DEFAULT_SIGNAL_SECONDS);
  }

  private static void positive(String option, Integer value) {
    if (value != null && value < 1) {
      throw new IllegalArgumentException(option + " must be ≥ 1, got " + value);
    }
  }
}

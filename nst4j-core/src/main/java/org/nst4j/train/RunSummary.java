package org.nst4j.train;

import java.util.List;

/**
 * The outcome of a run, written as {@code <out>/summary.json}.
 *
 * @param role {@code teacher} or {@code student}
 * @param arch the model's architecture
 * @param method the objective ({@code ce} for a teacher)
 * @param teacher path of the teacher (null for a teacher run)
 * @param dataset the data set's name
 * @param seed the run's seed
 * @param epochs the number of epochs
 * @param perClass images kept per class, or null for all
 * @param trainImages number of training images
 * @param testAccuracy final test accuracy after the last epoch, 0..1
 * @param bestTestAccuracy best test accuracy over the epochs (reported beside, never in place of, the final)
 * @param bestEpoch the epoch of {@code bestTestAccuracy}
 * @param wallSeconds the run's wall-clock time
 * @param secondsPerEpoch training time of each epoch, evaluation excluded
 * @param peakRssMb peak resident memory of the process, MiB
 * @param config the hyper-parameters, as text
 * @param command the command line that started the run
 */
public record RunSummary(
    String role,
    String arch,
    String method,
    String teacher,
    String dataset,
    long seed,
    int epochs,
    Integer perClass,
    int trainImages,
    double testAccuracy,
    double bestTestAccuracy,
    int bestEpoch,
    double wallSeconds,
    List<Double> secondsPerEpoch,
    double peakRssMb,
    String config,
    String command) {

  /** Copies the list so the record stays immutable. */
  public RunSummary {
    secondsPerEpoch = List.copyOf(secondsPerEpoch);
  }
}

package org.nst4j.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one epoch measured; one line of {@code epochs.jsonl}.
 *
 * @param epoch 1-based epoch number
 * @param loss mean total loss over the epoch's batches
 * @param terms mean of each weighted loss term (they add up to {@code loss})
 * @param trainAccuracy accuracy on the (augmented) training batches, 0..1
 * @param testAccuracy accuracy on the test set after the epoch, 0..1, or NaN if not evaluated
 * @param learningRate the rate of the epoch's last update
 * @param seconds training time of the epoch (evaluation excluded)
 * @param evalSeconds evaluation time
 * @param rssMb resident memory of the process after the epoch, MiB
 */
public record EpochRecord(
    int epoch,
    double loss,
    Map<String, Double> terms,
    double trainAccuracy,
    double testAccuracy,
    double learningRate,
    double seconds,
    double evalSeconds,
    double rssMb) {

  /** Copies the map so the record stays immutable. */
  public EpochRecord {
    terms = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(terms));
  }
}

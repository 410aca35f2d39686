package org.nst4j.experiment;

import java.util.List;

/**
 * Mean and sample standard deviation of a few numbers (one per seed).
 *
 * @param n how many values
 * @param mean their mean (NaN when n = 0)
 * @param std their sample standard deviation, with n − 1 in the denominator (NaN when n &lt; 2: one seed
 *     says nothing about the spread)
 */
public record Stats(int n, double mean, double std) {

  /**
   * Computes the statistics of {@code values}.
   *
   * @param values the values, each finite
   * @return n, mean and sample std
   * @throws IllegalArgumentException if a value is NaN or infinite
   */
  public static Stats of(List<Double> values) {
    int n = values.size();
    double sum = 0;
    for (double v : values) {
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException("statistics need finite values, got " + values);
      }
      sum += v;
    }
    if (n == 0) {
      return new Stats(0, Double.NaN, Double.NaN);
    }
    double mean = sum / n;
    if (n < 2) {
      return new Stats(n, mean, Double.NaN);
    }
    // Two-pass sum of squared deviations: no cancellation for values far from 0 (accuracies near 0.9).
    double ss = 0;
    for (double v : values) {
      ss += (v - mean) * (v - mean);
    }
    return new Stats(n, mean, Math.sqrt(ss / (n - 1)));
  }
}

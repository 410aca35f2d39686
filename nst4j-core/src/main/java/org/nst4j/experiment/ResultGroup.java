package org.nst4j.experiment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The finished runs of one method (or sweep setting), one per seed, and their statistics.
 *
 * @param label the row's name
 * @param method the method string
 * @param options the method's options in words ({@link MethodSpec#describe()})
 * @param extra further columns (a sweep's λ and taps), in order
 * @param seeds the seeds the grid asked for
 * @param runs the finished runs among them, in seed order
 */
public record ResultGroup(String label, String method, String options, Map<String, String> extra, List<Long> seeds,
    List<RunResult> runs) {

  /** Copies the collections. */
  public ResultGroup {
    extra = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    seeds = List.copyOf(seeds);
    runs = List.copyOf(runs);
  }

  /** Final test accuracy (after the last epoch) over the seeds, 0..1. */
  public Stats finalAccuracy() {
    return Stats.of(runs.stream().map(r -> r.summary().testAccuracy()).toList());
  }

  /** Best-epoch test accuracy over the seeds, 0..1 (beside the final one, never in its place). */
  public Stats bestAccuracy() {
    return Stats.of(runs.stream().map(r -> r.summary().bestTestAccuracy()).toList());
  }

  /** Mean over the runs of each run's mean training seconds per epoch. */
  public Stats secondsPerEpoch() {
    return Stats.of(runs.stream().map(RunResult::secondsPerEpoch).toList());
  }

  /** Wall-clock seconds of each run (its {@code summary.json}: loading, training and evaluations). */
  public Stats wallSeconds() {
    return Stats.of(runs.stream().map(r -> r.summary().wallSeconds()).toList());
  }

  /**
   * Mean test accuracy per epoch over the runs that reached it (epoch → mean, 0..1), for the
   * accuracy-per-epoch plot.
   */
  public Map<Integer, Double> meanAccuracyPerEpoch() {
    Map<Integer, List<Double>> byEpoch = new TreeMap<>();
    for (RunResult r : runs) {
      for (var e : r.epochs()) {
        if (Double.isFinite(e.testAccuracy())) {
          byEpoch.computeIfAbsent(e.epoch(), k -> new ArrayList<>()).add(e.testAccuracy());
        }
      }
    }
    Map<Integer, Double> out = new TreeMap<>();
    byEpoch.forEach((k, v) -> out.put(k, Stats.of(v).mean()));
    return out;
  }
}

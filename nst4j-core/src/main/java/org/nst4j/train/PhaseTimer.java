package org.nst4j.train;

import java.util.EnumMap;
import java.util.Map;

/**
 * Accumulates the wall time of each phase of a training step, for profiling ({@code nst4j bench step}).
 *
 * <p>libtorch runs eagerly on the CPU, so the time between two marks is the time of the operations issued
 * between them. Not thread-safe; one per training loop.
 */
public final class PhaseTimer {
  /** The phases of one training step, in order. */
  public enum Phase {
    /** Building the batch (augmentation, normalisation) and copying it into NDArrays. */
    DATA,
    /** The frozen teacher's forward pass. */
    TEACHER,
    /** The student's forward pass with autograd recording. */
    STUDENT_FORWARD,
    /** Evaluating the objective's terms. */
    LOSS,
    /** Back-propagation. */
    BACKWARD,
    /** Reading the loss values and the optimiser update. */
    OPTIMIZER
  }

  private final EnumMap<Phase, Long> nanos = new EnumMap<>(Phase.class);
  private long last;
  private long steps;

  /** Starts timing a step. */
  public void start() {
    last = System.nanoTime();
  }

  /** Ends the current phase: the time since the last mark is charged to {@code phase}. */
  public void mark(Phase phase) {
    long now = System.nanoTime();
    nanos.merge(phase, now - last, Long::sum);
    last = now;
  }

  /** Ends a step. */
  public void endStep() {
    steps++;
  }

  /** Number of steps timed. */
  public long steps() {
    return steps;
  }

  /** Mean milliseconds per step of each phase, in phase order. */
  public Map<Phase, Double> meanMillis() {
    Map<Phase, Double> out = new EnumMap<>(Phase.class);
    for (Phase p : Phase.values()) {
      out.put(p, steps == 0 ? Double.NaN : nanos.getOrDefault(p, 0L) / 1e6 / steps);
    }
    return out;
  }

  /** Clears all counts (e.g. after warm-up). */
  public void reset() {
    nanos.clear();
    steps = 0;
  }
}

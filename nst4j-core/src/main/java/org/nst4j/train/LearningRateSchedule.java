package org.nst4j.train;

import java.util.Arrays;

/**
 * A learning rate as a function of the global step, immutable.
 *
 * <p>Steps count optimiser updates from 0. The schedule is a pure function of the step so that a resumed
 * run continues exactly where the interrupted one stopped.
 */
public abstract class LearningRateSchedule {

  private LearningRateSchedule() {}

  /** The learning rate for the update with index {@code step} (0-based). */
  public abstract double rate(long step);

  /** A short description, e.g. {@code cosine(0.1, 14070 steps)}. */
  public abstract String describe();

  /**
   * Cosine annealing stepped per update, as PyTorch's {@code CosineAnnealingLR(T_max = totalSteps,
   * eta_min = 0)} called after every batch: {@code lr_t = ½·lr₀·(1 + cos(π·t / T))}, t = 0..T−1
   * (FMNIST-10k protocol: "lr cosine-annealed per step to 0").
   *
   * @param baseRate lr₀ &gt; 0
   * @param totalSteps T ≥ 1, the number of updates of the whole run
   * @return the schedule
   */
  public static LearningRateSchedule cosine(double baseRate, long totalSteps) {
    checkRate(baseRate);
    if (totalSteps < 1) {
      throw new IllegalArgumentException("total steps must be ≥ 1, got " + totalSteps);
    }
    return new LearningRateSchedule() {
      @Override
      public double rate(long step) {
        double t = Math.min(step, totalSteps);
        return 0.5 * baseRate * (1 + Math.cos(Math.PI * t / totalSteps));
      }

      @Override
      public String describe() {
        return "cosine(" + baseRate + ", " + totalSteps + " steps)";
      }
    };
  }

  /**
   * Step decay: the rate is multiplied by {@code gamma} at the start of each milestone epoch, as PyTorch's
   * {@code MultiStepLR} stepped per epoch.
   *
   * @param baseRate lr₀ &gt; 0
   * @param gamma factor in (0, 1]
   * @param stepsPerEpoch updates per epoch ≥ 1
   * @param milestoneEpochs epochs (0-based, increasing) at whose start the rate drops
   * @return the schedule
   */
  public static LearningRateSchedule multiStep(
      double baseRate, double gamma, long stepsPerEpoch, int... milestoneEpochs) {
    checkRate(baseRate);
    if (!(gamma > 0 && gamma <= 1)) {
      throw new IllegalArgumentException("lr decay factor must be in (0, 1], got " + gamma);
    }
    if (stepsPerEpoch < 1) {
      throw new IllegalArgumentException("steps per epoch must be ≥ 1, got " + stepsPerEpoch);
    }
    int[] milestones = milestoneEpochs.clone();
    for (int i = 0; i < milestones.length; i++) {
      if (milestones[i] < 1 || (i > 0 && milestones[i] <= milestones[i - 1])) {
        throw new IllegalArgumentException(
            "milestones must be increasing epochs ≥ 1, got " + Arrays.toString(milestones));
      }
    }
    return new LearningRateSchedule() {
      @Override
      public double rate(long step) {
        long epoch = step / stepsPerEpoch;
        int passed = 0;
        for (int m : milestones) {
          if (epoch >= m) {
            passed++;
          }
        }
        return baseRate * Math.pow(gamma, passed);
      }

      @Override
      public String describe() {
        return "multistep(" + baseRate + ", ×" + gamma + " at " + Arrays.toString(milestones) + ")";
      }
    };
  }

  /** A constant rate. */
  public static LearningRateSchedule constant(double rate) {
    checkRate(rate);
    return new LearningRateSchedule() {
      @Override
      public double rate(long step) {
        return rate;
      }

      @Override
      public String describe() {
        return "constant(" + rate + ")";
      }
    };
  }

  private static void checkRate(double rate) {
    if (!(rate > 0) || Double.isInfinite(rate)) {
      throw new IllegalArgumentException("learning rate must be a positive number, got " + rate);
    }
  }
}

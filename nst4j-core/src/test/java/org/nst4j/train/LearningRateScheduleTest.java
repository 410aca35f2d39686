package org.nst4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {

  @Test
  void cosineStartsAtBaseHalvesMidwayAndApproachesZero() {
    LearningRateSchedule s = LearningRateSchedule.cosine(0.1, 1000);
    assertEquals(0.1, s.rate(0), 1e-15);
    assertEquals(0.05, s.rate(500), 1e-12);
    // Last update t = T-1: ½·lr·(1 + cos(π·999/1000)), tiny but positive.
    double last = s.rate(999);
    assertTrue(last > 0 && last < 1e-5, "last rate " + last);
    assertEquals(0.5 * 0.1 * (1 + Math.cos(Math.PI * 250 / 1000)), s.rate(250), 1e-15);
  }

  @Test
  void cosineIsMonotoneDecreasing() {
    LearningRateSchedule s = LearningRateSchedule.cosine(0.05, 2340);
    for (long t = 1; t < 2340; t++) {
      assertTrue(s.rate(t) < s.rate(t - 1), "not decreasing at " + t);
    }
  }

  @Test
  void multiStepDropsAtMilestoneEpochs() {
    LearningRateSchedule s = LearningRateSchedule.multiStep(0.1, 0.1, 100, 30, 60, 90);
    assertEquals(0.1, s.rate(0), 1e-15);
    assertEquals(0.1, s.rate(2999), 1e-15);
    assertEquals(0.01, s.rate(3000), 1e-15);
    assertEquals(0.001, s.rate(6000), 1e-15);
    assertEquals(1e-4, s.rate(9000), 1e-17);
  }

  @Test
  void rejectsBadValues() {
    assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.cosine(0, 10));
    assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.cosine(-1, 10));
    assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.cosine(Double.NaN, 10));
    assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.cosine(0.1, 0));
    assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.multiStep(0.1, 0.1, 10, 5, 3));
    assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.multiStep(0.1, 1.5, 10, 5));
  }
}

package org.nst4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TrainingConfigTest {

  @Test
  void defaultsAreTheFmnist10kStudentRecipe() {
    TrainingConfig c = TrainingConfig.builder().build();
    assertEquals(15, c.epochs());
    assertEquals(64, c.batchSize());
    assertEquals(0.05, c.learningRate());
    assertEquals(0.9, c.momentum());
    assertTrue(c.nesterov());
    assertEquals(5e-4, c.weightDecay());
    assertEquals(TrainingConfig.Schedule.COSINE, c.schedule());
    assertTrue(c.dropLast());
    assertTrue(c.augment());
  }

  @Test
  void cosineScheduleSpansTheWholeRun() {
    TrainingConfig c = TrainingConfig.builder().setEpochs(3).build();
    LearningRateSchedule s = c.scheduleFor(10);
    assertEquals(0.05 / 2, s.rate(15), 1e-12);
  }

  @Test
  void toBuilderRoundTrips() {
    TrainingConfig c = TrainingConfig.builder().setEpochs(7).optSeed(3).optMilestones(2, 5)
        .optSchedule(TrainingConfig.Schedule.MULTISTEP).build();
    assertEquals(c.toString(), c.toBuilder().build().toString());
  }

  @Test
  void rejectsEveryBadValueWithItsName() {
    assertEquals("epochs must be ≥ 1, got 0",
        assertThrows(IllegalArgumentException.class, () -> TrainingConfig.builder().setEpochs(0).build())
            .getMessage());
    assertThrows(IllegalArgumentException.class, () -> TrainingConfig.builder().setBatchSize(-1).build());
    assertThrows(IllegalArgumentException.class, () -> TrainingConfig.builder().setLearningRate(0).build());
    assertThrows(IllegalArgumentException.class, () -> TrainingConfig.builder().optMomentum(1).build());
    assertThrows(IllegalArgumentException.class, () -> TrainingConfig.builder().optWeightDecay(-1e-4).build());
    assertThrows(IllegalArgumentException.class, () -> TrainingConfig.builder().optSeed(-1).build());
    assertThrows(IllegalArgumentException.class,
        () -> TrainingConfig.builder().optMomentum(0).optNesterov(true).build());
    assertThrows(IllegalArgumentException.class, () -> TrainingConfig.builder().optMilestones(5, 5).build());
  }
}

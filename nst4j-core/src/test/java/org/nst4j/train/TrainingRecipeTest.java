package org.nst4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingRecipeTest {

  @Test
  void defaultsAreTheFmnist10kStudentRecipe() {
    TrainingRecipe c = TrainingRecipe.builder().build();
    assertEquals(15, c.epochs());
    assertEquals(64, c.batchSize());
    assertEquals(0.05, c.learningRate());
    assertEquals(0.9, c.momentum());
    assertTrue(c.nesterov());
    assertEquals(5e-4, c.weightDecay());
    assertEquals(TrainingRecipe.Schedule.COSINE, c.schedule());
    assertTrue(c.dropLast());
    assertTrue(c.augment());
    assertEquals(2, c.pad());
    assertEquals(2, c.augmentation().pad());
    assertTrue(c.augmentation().horizontalFlip());
  }

  @Test
  void padIsAPaddingOfTheAugmentationAndWrittenOnlyWhenNotTheDefault() {
    TrainingRecipe c = TrainingRecipe.builder().optPad(4).build();
    assertEquals(4, c.pad());
    assertEquals(4, c.augmentation().pad());
    assertTrue(c.toString().endsWith(" augment pad=4"), c.toString());
    assertEquals(c.toString(), c.toBuilder().build().toString());
    // The default's text is the one written before pad was a setting (grids compare it with run folders).
    assertEquals("epochs=15 batch=64 lr=0.05 cosine momentum=0.9 nesterov wd=5.0E-4 seed=0 augment",
        TrainingRecipe.builder().build().toString());
    assertEquals(TrainingRecipe.builder().build().toString(), TrainingRecipe.builder().optPad(2).build().toString());
    TrainingRecipe none = TrainingRecipe.builder().optAugment(false).build();
    assertTrue(none.augmentation().isNone());
    assertTrue(!none.toString().contains("pad"), none.toString());
    assertEquals(none.toString(), none.toBuilder().build().toString(), "no pad carried into a copy");
    TrainingRecipe.InvalidSettingException e = assertThrows(TrainingRecipe.InvalidSettingException.class,
        () -> TrainingRecipe.builder().optPad(4).optAugment(false).build());
    assertEquals("pad", e.key());
    assertTrue(e.rule().startsWith("sets the padding of the augmentation, which is off"), e.rule());
    TrainingRecipe zero = TrainingRecipe.builder().optPad(0).build();
    assertEquals(0, zero.augmentation().pad());
    assertTrue(zero.augmentation().horizontalFlip(), "pad 0 still flips");
    assertEquals("pad must be ≥ 0 pixels, got -1",
        assertThrows(IllegalArgumentException.class, () -> TrainingRecipe.builder().optPad(-1).build())
            .getMessage());
  }

  @Test
  void cosineScheduleSpansTheWholeRun() {
    TrainingRecipe c = TrainingRecipe.builder().setEpochs(3).build();
    LearningRateSchedule s = c.scheduleFor(10);
    assertEquals(0.05 / 2, s.rate(15), 1e-12);
  }

  @Test
  void milestonesMakeTheScheduleMultistepUnlessOneIsChosen() {
    assertEquals(TrainingRecipe.Schedule.MULTISTEP, TrainingRecipe.builder().optMilestones(5).build().schedule());
    assertEquals(TrainingRecipe.Schedule.CONSTANT, TrainingRecipe.builder().optMilestones(5)
        .optSchedule(TrainingRecipe.Schedule.CONSTANT).build().schedule());
    assertEquals(TrainingRecipe.Schedule.COSINE, TrainingRecipe.builder().build().schedule());
  }

  @Test
  void theRecipesAreTheProtocols() {
    TrainingRecipe t = TrainingRecipe.teacherRecipe().build();
    assertEquals(List.of(30, 128, 0.1), List.of(t.epochs(), t.batchSize(), t.learningRate()));
    TrainingRecipe s = TrainingRecipe.studentRecipe().build();
    assertEquals(List.of(15, 64, 0.05), List.of(s.epochs(), s.batchSize(), s.learningRate()));
    assertEquals(s.toString(), TrainingRecipe.builder().build().toString());
  }

  @Test
  void toBuilderRoundTrips() {
    TrainingRecipe c = TrainingRecipe.builder().setEpochs(7).optSeed(3).optMilestones(2, 5)
        .optSchedule(TrainingRecipe.Schedule.MULTISTEP).build();
    assertEquals(c.toString(), c.toBuilder().build().toString());
  }

  @Test
  void rejectsEveryBadValueWithItsName() {
    assertEquals("epochs must be ≥ 1, got 0",
        assertThrows(IllegalArgumentException.class, () -> TrainingRecipe.builder().setEpochs(0).build())
            .getMessage());
    assertThrows(IllegalArgumentException.class, () -> TrainingRecipe.builder().setBatchSize(-1).build());
    assertThrows(IllegalArgumentException.class, () -> TrainingRecipe.builder().setLearningRate(0).build());
    assertThrows(IllegalArgumentException.class, () -> TrainingRecipe.builder().optMomentum(1).build());
    assertThrows(IllegalArgumentException.class, () -> TrainingRecipe.builder().optWeightDecay(-1e-4).build());
    assertThrows(IllegalArgumentException.class, () -> TrainingRecipe.builder().optSeed(-1).build());
    assertThrows(IllegalArgumentException.class,
        () -> TrainingRecipe.builder().optMomentum(0).optNesterov(true).build());
    assertThrows(IllegalArgumentException.class, () -> TrainingRecipe.builder().optMilestones(5, 5).build());
  }
}

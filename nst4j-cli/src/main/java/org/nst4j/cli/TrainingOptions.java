package org.nst4j.cli;

import org.nst4j.train.TrainingRecipe;
import picocli.CommandLine.Option;

/**
 * Hyper-parameter options. Unset options take the command's recipe defaults: the FMNIST-10k teacher recipe
 * for {@code train}, the student recipe for {@code distill}.
 */
final class TrainingOptions {
  @Option(names = "--epochs", paramLabel = "E", description = "Epochs (train: " + TrainingRecipe.TEACHER_EPOCHS
      + ", distill: " + TrainingRecipe.STUDENT_EPOCHS + ").")
  Integer epochs;

  @Option(names = "--batch", paramLabel = "B", description = "Batch size (train: " + TrainingRecipe.TEACHER_BATCH
      + ", distill: " + TrainingRecipe.STUDENT_BATCH + ").")
  Integer batch;

  @Option(names = "--lr", paramLabel = "LR", description = "Initial learning rate (train: "
      + TrainingRecipe.TEACHER_LR + ", distill: " + TrainingRecipe.STUDENT_LR + ").")
  Double lr;

  @Option(names = "--momentum", paramLabel = "M", description = "SGD momentum (default 0.9).")
  Double momentum;

  @Option(names = "--no-nesterov", description = "Classical momentum instead of Nesterov.")
  boolean noNesterov;

  @Option(names = "--wd", paramLabel = "WD", description = "Weight decay on every parameter (default 5e-4).")
  Double weightDecay;

  @Option(names = "--schedule", paramLabel = "S",
      description = "Learning-rate schedule: ${COMPLETION-CANDIDATES} (default cosine, stepped per batch).")
  TrainingRecipe.Schedule schedule;

  @Option(names = "--milestones", split = ",", paramLabel = "E1,E2",
      description = "Epochs at which multistep multiplies the rate by --lr-decay.")
  int[] milestones;

  @Option(names = "--lr-decay", paramLabel = "G", description = "Multistep factor (default 0.1).")
  Double lrDecay;

  @Option(names = "--seed", paramLabel = "S", description = "Seed of initialisation, order and augmentation (default 0).")
  Long seed;

  @Option(names = "--no-augment", description = "Disable pad-crop-flip augmentation.")
  boolean noAugment;

  @Option(names = "--pad", paramLabel = "P",
      description = "Pixels of zero padding before the random crop of pad-crop-flip (default 2, FMNIST-10k;"
          + " 4 is the customary CIFAR augmentation).")
  Integer pad;

  @Option(names = "--divergence-factor", paramLabel = "F",
      description = "Stop the run when a batch loss exceeds F times the running mean of the run's earlier batch"
          + " losses (its lowest value), as a NaN loss does, keeping the last checkpoint (default 1000; 0: off).")
  Double divergenceFactor;

  @Option(names = "--keep-last-batch", description = "Train on the last partial batch too (default: dropped).")
  boolean keepLastBatch;

  /** The divergence guard's factor: the option, or the default. */
  double divergenceFactor() {
    double f = divergenceFactor == null ? org.nst4j.train.TrainingLoop.DEFAULT_DIVERGENCE_FACTOR : divergenceFactor;
    org.nst4j.train.TrainingLoop.checkDivergenceFactor(f);
    return f;
  }

  /** Applies the options given on the command line over {@code defaults} and validates the result. */
  TrainingRecipe toConfig(TrainingRecipe.Builder defaults) {
    TrainingRecipe.Builder b = defaults;
    if (epochs != null) {
      b.setEpochs(epochs);
    }
    if (batch != null) {
      b.setBatchSize(batch);
    }
    if (lr != null) {
      b.setLearningRate(lr);
    }
    if (momentum != null) {
      b.optMomentum(momentum);
    }
    if (noNesterov) {
      b.optNesterov(false);
    }
    if (weightDecay != null) {
      b.optWeightDecay(weightDecay);
    }
    if (schedule != null) {
      b.optSchedule(schedule);
    }
    if (milestones != null) {
      b.optMilestones(milestones); // multistep unless --schedule says otherwise (TrainingRecipe's rule)
    }
    if (lrDecay != null) {
      b.optLrDecay(lrDecay);
    }
    if (seed != null) {
      b.optSeed(seed);
    }
    if (noAugment) {
      b.optAugment(false);
    }
    if (pad != null) {
      b.optPad(pad);
    }
    if (keepLastBatch) {
      b.optDropLast(false);
    }
    try {
      return b.build();
    } catch (TrainingRecipe.InvalidSettingException e) {
      throw new IllegalArgumentException(OPTION_OF.getOrDefault(e.key(), e.key()) + ": " + e.getMessage());
    }
  }

  /** The option that sets each setting of {@link TrainingRecipe}, by its key, for error messages. */
  private static final java.util.Map<String, String> OPTION_OF = java.util.Map.ofEntries(
      java.util.Map.entry("epochs", "--epochs"), java.util.Map.entry("batch", "--batch"),
      java.util.Map.entry("lr", "--lr"), java.util.Map.entry("momentum", "--momentum"),
      java.util.Map.entry("nesterov", "--momentum"), java.util.Map.entry("weight_decay", "--wd"),
      java.util.Map.entry("lr_decay", "--lr-decay"), java.util.Map.entry("seed", "--seed"),
      java.util.Map.entry("pad", "--pad"), java.util.Map.entry("milestones", "--milestones"));
}

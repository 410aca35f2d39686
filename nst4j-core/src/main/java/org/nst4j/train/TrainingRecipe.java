package org.nst4j.train;

import java.util.Arrays;
import org.nst4j.data.Augmentation;
import org.nst4j.transfer.MethodOption;

/**
 * The hyper-parameters of one training run, immutable; built with {@link #builder()}.
 *
 * <p>Defaults are the FMNIST-10k student recipe ({@code shared/spec/fmnist-10k.md}): 15 epochs, batch 64,
 * SGD momentum 0.9 Nesterov, lr 0.05 cosine-annealed per step, weight decay 5e-4, last partial batch
 * dropped, pad-crop-flip augmentation with a 2-pixel pad ({@link #DEFAULT_PAD}).
 */
public final class TrainingRecipe {
  /** How the learning rate evolves over the run. */
  public enum Schedule {
    /** Cosine annealing to 0, stepped per update. */
    COSINE,
    /** ×{@code lrDecay} at each milestone epoch. */
    MULTISTEP,
    /** Constant. */
    CONSTANT
  }

  /**
   * The default padding of pad-crop-flip: 2 pixels, the FMNIST-10k protocol (28×28 images). The customary
   * CIFAR augmentation (He et al. 2016; the NST official code) pads 4 pixels around 32×32 images.
   */
  public static final int DEFAULT_PAD = 2;

  /** Epochs of the FMNIST-10k student recipe ({@code fmnist-10k.md}); the builder's default. */
  public static final int STUDENT_EPOCHS = 15;
  /** Batch size of the FMNIST-10k student recipe; the builder's default. */
  public static final int STUDENT_BATCH = 64;
  /** Initial learning rate of the FMNIST-10k student recipe; the builder's default. */
  public static final double STUDENT_LR = 0.05;
  /** Epochs of the FMNIST-10k teacher recipe. */
  public static final int TEACHER_EPOCHS = 30;
  /** Batch size of the FMNIST-10k teacher recipe. */
  public static final int TEACHER_BATCH = 128;
  /** Initial learning rate of the FMNIST-10k teacher recipe. */
  public static final double TEACHER_LR = 0.1;

  /**
   * A setting that breaks its rule, naming it by its key in an experiment file's {@code schedule} (so the
   * experiment reader can point at the field and the CLI at its option, from the one rule written here).
   */
  public static final class InvalidSettingException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String key;
    private final String rule;

    InvalidSettingException(String key, String what, String rule) {
      super(what + " " + rule);
      this.key = key;
      this.rule = rule;
    }

    /** The setting's key in an experiment file's {@code schedule}, e.g. {@code lr}. */
    public String key() {
      return key;
    }

    /** The rule it breaks, e.g. {@code must be > 0, got -1}. */
    public String rule() {
      return rule;
    }
  }

  private final int epochs;
  private final int batchSize;
  private final double learningRate;
  private final double momentum;
  private final boolean nesterov;
  private final double weightDecay;
  private final Schedule schedule;
  private final double lrDecay;
  private final int[] milestones;
  private final long seed;
  private final boolean augment;
  private final int pad;
  private final boolean dropLast;
  private final int evalBatchSize;

  private TrainingRecipe(Builder b) {
    this.epochs = b.epochs;
    this.batchSize = b.batchSize;
    this.learningRate = b.learningRate;
    this.momentum = b.momentum;
    this.nesterov = b.nesterov;
    this.weightDecay = b.weightDecay;
    this.schedule = b.schedule != null ? b.schedule : b.milestones.length > 0 ? Schedule.MULTISTEP : Schedule.COSINE;
    this.lrDecay = b.lrDecay;
    this.milestones = b.milestones.clone();
    this.seed = b.seed;
    this.augment = b.augment;
    this.pad = b.pad == null ? DEFAULT_PAD : b.pad;
    this.dropLast = b.dropLast;
    this.evalBatchSize = b.evalBatchSize;
  }

  /** A builder holding the defaults: the FMNIST-10k student recipe. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding the FMNIST-10k student recipe (15 epochs, batch 64, lr 0.05; the defaults). */
  public static Builder studentRecipe() {
    return new Builder();
  }

  /** A builder holding the FMNIST-10k teacher recipe (30 epochs, batch 128, lr 0.1; the rest as the student's). */
  public static Builder teacherRecipe() {
    return new Builder().setEpochs(TEACHER_EPOCHS).setBatchSize(TEACHER_BATCH).setLearningRate(TEACHER_LR);
  }

  /** A builder starting from this configuration. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.epochs = epochs;
    b.batchSize = batchSize;
    b.learningRate = learningRate;
    b.momentum = momentum;
    b.nesterov = nesterov;
    b.weightDecay = weightDecay;
    b.schedule = schedule;
    b.lrDecay = lrDecay;
    b.milestones = milestones.clone();
    b.seed = seed;
    b.augment = augment;
    b.pad = augment ? pad : null;
    b.dropLast = dropLast;
    b.evalBatchSize = evalBatchSize;
    return b;
  }

  public int epochs() {
    return epochs;
  }

  public int batchSize() {
    return batchSize;
  }

  public double learningRate() {
    return learningRate;
  }

  public double momentum() {
    return momentum;
  }

  public boolean nesterov() {
    return nesterov;
  }

  public double weightDecay() {
    return weightDecay;
  }

  public Schedule schedule() {
    return schedule;
  }

  public double lrDecay() {
    return lrDecay;
  }

  public int[] milestones() {
    return milestones.clone();
  }

  public long seed() {
    return seed;
  }

  public boolean augment() {
    return augment;
  }

  /** Pixels of zero padding on every side before the random crop (used only when {@link #augment()}). */
  public int pad() {
    return pad;
  }

  /**
   * The training augmentation this configuration asks for: pad {@link #pad()} pixels, random crop back to
   * the image size, random horizontal flip — or none without {@link #augment()}.
   */
  public Augmentation augmentation() {
    return augment ? Augmentation.padCropFlip(pad, true) : Augmentation.none();
  }

  public boolean dropLast() {
    return dropLast;
  }

  public int evalBatchSize() {
    return evalBatchSize;
  }

  /** The learning-rate schedule of a run with {@code stepsPerEpoch} updates per epoch. */
  public LearningRateSchedule scheduleFor(long stepsPerEpoch) {
    switch (schedule) {
      case COSINE:
        return LearningRateSchedule.cosine(learningRate, stepsPerEpoch * epochs);
      case MULTISTEP:
        return LearningRateSchedule.multiStep(learningRate, lrDecay, stepsPerEpoch, milestones);
      default:
        return LearningRateSchedule.constant(learningRate);
    }
  }

  /**
   * The configuration as structured data, the part of a run's identity in {@code config.json} (keys as in an
   * experiment file's {@code schedule}, plus {@code seed}).
   *
   * @return key → value, in a fixed order
   */
  public java.util.Map<String, Object> toMap() {
    java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("epochs", epochs);
    m.put("batch", batchSize);
    m.put("lr", learningRate);
    m.put("lr_schedule", schedule.name().toLowerCase(java.util.Locale.ROOT));
    m.put("milestones", Arrays.stream(milestones).boxed().toList());
    m.put("lr_decay", lrDecay);
    m.put("momentum", momentum);
    m.put("nesterov", nesterov);
    m.put("weight_decay", weightDecay);
    m.put("seed", seed);
    m.put("augment", augment);
    m.put("pad", pad);
    m.put("drop_last", dropLast);
    m.put("eval_batch", evalBatchSize);
    return m;
  }

  @Override
  public String toString() {
    return "epochs=" + epochs + " batch=" + batchSize + " lr=" + learningRate + " " + schedule.name().toLowerCase()
        + (schedule == Schedule.MULTISTEP ? Arrays.toString(milestones) : "") + " momentum=" + momentum
        + (nesterov ? " nesterov" : "") + " wd=" + weightDecay + " seed=" + seed + (augment ? " augment" : "")
        // The pad is written only when it is not the default, so that the text of a default configuration
        // (compared by experiment grids to tell their own run folders from others) is what it was before the
        // pad became a setting, and existing run folders still match.
        + (augment && pad != DEFAULT_PAD ? " pad=" + pad : "");
  }

  /** Builder with {@code setX}/{@code optX} methods in DJL's style; every value is checked on build. */
  public static final class Builder {
    private int epochs = STUDENT_EPOCHS;
    private int batchSize = STUDENT_BATCH;
    private double learningRate = STUDENT_LR;
    private double momentum = 0.9;
    private boolean nesterov = true;
    private double weightDecay = 5e-4;
    private Schedule schedule; // null: cosine, or multistep when milestones are given
    private double lrDecay = 0.1;
    private int[] milestones = new int[0];
    private long seed;
    private boolean augment = true;
    private Integer pad; // null: DEFAULT_PAD
    private boolean dropLast = true;
    private int evalBatchSize = 500;

    private Builder() {}

    public Builder setEpochs(int epochs) {
      this.epochs = epochs;
      return this;
    }

    public Builder setBatchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    public Builder setLearningRate(double learningRate) {
      this.learningRate = learningRate;
      return this;
    }

    public Builder optMomentum(double momentum) {
      this.momentum = momentum;
      return this;
    }

    public Builder optNesterov(boolean nesterov) {
      this.nesterov = nesterov;
      return this;
    }

    public Builder optWeightDecay(double weightDecay) {
      this.weightDecay = weightDecay;
      return this;
    }

    public Builder optSchedule(Schedule schedule) {
      this.schedule = schedule;
      return this;
    }

    public Builder optLrDecay(double lrDecay) {
      this.lrDecay = lrDecay;
      return this;
    }

    /** Sets the multistep milestones; without an explicit {@link #optSchedule} they make the schedule multistep. */
    public Builder optMilestones(int... milestones) {
      this.milestones = milestones.clone();
      return this;
    }

    public Builder optSeed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder optAugment(boolean augment) {
      this.augment = augment;
      return this;
    }

    /**
     * Pixels of zero padding before the random crop, ≥ 0 (default {@link #DEFAULT_PAD}); refused by
     * {@link #build()} when augmentation is off, which it would not change.
     */
    public Builder optPad(int pad) {
      this.pad = pad;
      return this;
    }

    public Builder optDropLast(boolean dropLast) {
      this.dropLast = dropLast;
      return this;
    }

    public Builder optEvalBatchSize(int evalBatchSize) {
      this.evalBatchSize = evalBatchSize;
      return this;
    }

    /**
     * Checks every value and builds the configuration.
     *
     * @return the configuration
     * @throws IllegalArgumentException naming the first bad value
     */
    public TrainingRecipe build() {
      require(epochs >= 1, "epochs", "epochs", "must be ≥ 1, got " + epochs);
      require(batchSize >= 1, "batch", "batch size", "must be ≥ 1, got " + batchSize);
      require(learningRate > 0 && Double.isFinite(learningRate), "lr", "learning rate", "must be > 0, got "
          + MethodOption.format(learningRate));
      require(momentum >= 0 && momentum < 1, "momentum", "momentum", "must be in [0, 1), got "
          + MethodOption.format(momentum));
      require(!nesterov || momentum > 0, "nesterov", "Nesterov", "needs momentum > 0");
      require(weightDecay >= 0 && Double.isFinite(weightDecay), "weight_decay", "weight decay", "must be ≥ 0, got "
          + MethodOption.format(weightDecay));
      require(lrDecay > 0 && lrDecay <= 1, "lr_decay", "lr decay", "must be in (0, 1], got "
          + MethodOption.format(lrDecay));
      require(seed >= 0, "seed", "seed", "must be ≥ 0, got " + seed);
      require(pad == null || pad >= 0, "pad", "pad", "must be ≥ 0 pixels, got " + pad);
      require(pad == null || augment, "pad", "pad", "sets the padding of the augmentation, which is off"
          + " (augment: false, --no-augment); give one of them");
      require(evalBatchSize >= 1, "eval_batch", "evaluation batch size", "must be ≥ 1, got " + evalBatchSize);
      for (int i = 0; i < milestones.length; i++) {
        require(milestones[i] >= 1 && (i == 0 || milestones[i] > milestones[i - 1]), "milestones",
            "milestones", "must be increasing epochs ≥ 1, got " + Arrays.toString(milestones));
        // Milestone m lowers the rate from epoch m + 1 on: one at or past the last epoch would never act,
        // which is almost always a schedule written for a longer run.
        require(milestones[i] < epochs, "milestones", "milestone " + milestones[i], "is outside the schedule of "
            + epochs + " epochs (milestone m lowers the rate from epoch m + 1 on): milestones must be in 1.."
            + (epochs - 1) + ", got " + Arrays.toString(milestones));
      }
      return new TrainingRecipe(this);
    }

    private static void require(boolean ok, String key, String what, String rule) {
      if (!ok) {
        throw new InvalidSettingException(key, what, rule);
      }
    }
  }
}

package org.nst4j.transfer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import org.nst4j.model.ModelOutput;

/**
 * Decoupled knowledge distillation (Zhao et al., CVPR 2022; spec part 2, "DKD"): the distillation part
 * {@code w(e) · (α·TCKD + β·NCKD)}, added to a CE of weight 1 (a separate {@link CrossEntropyTerm}).
 *
 * <p>With p = softmax(z/T): TCKD = T²·KL(b_t ‖ b_s), b = (p[y], 1 − p[y]); NCKD = T²·KL(p̃_t ‖ p̃_s), p̃ the
 * softmax over the K − 1 non-target classes; each KL summed over its classes and averaged over the batch.
 * The warm-up factor is {@code w(e) = min(e / warmup, 1)}, e the epoch counted from 1, as mdistiller's
 * {@code min(epoch / warmup, 1)} with its epochs counted from 1.
 *
 * <p><b>Warm-up and the {@code loss} command.</b> The factor starts at 1 ("full weight") and changes only
 * when {@link #beginEpoch} is called, which the training loop does before each epoch; so a term evaluated
 * outside training (the {@code loss} command, tests) is the full DKD loss. A warm-up of 0 disables it.
 *
 * <p><b>Numerics</b> (the value is the spec's; only the way it is computed differs from mdistiller's code,
 * which subtracts 1000 from the target logit and takes logs of probabilities): every log-probability is
 * formed from log-sum-exps, so no probability is rounded to 0 and then logged. The non-target softmax is the
 * log-softmax of z/T with the target entry replaced by a constant 1000 below the row's minimum, whose
 * exponential is exactly 0 in float32 and float64; log(1 − p[y]) is the log-sum-exp of that row minus the
 * log-sum-exp of z/T. Both are exact for logits of any scale.
 *
 * <p>With {@code logitStd}, both models' logits are standardised first ({@code Logits.standardize}).
 */
public final class DkdTerm implements TransferTerm {
  /** Term name in {@link LossTerms} (proposed method token {@code dkd}). */
  public static final String NAME = "dkd";

  /** Default TCKD weight α = 1 (mdistiller's CIFAR-100 configuration); proposed option {@code --dkd-alpha}. */
  public static final double DEFAULT_ALPHA = 1;

  /** Default NCKD weight β = 8 (mdistiller's CIFAR-100 configuration); proposed option {@code --dkd-beta}. */
  public static final double DEFAULT_BETA = 8;

  /** Default temperature T = 4; proposed option {@code --dkd-temperature}. */
  public static final double DEFAULT_TEMPERATURE = 4;

  /**
   * Default warm-up, 20 epochs (w(e) = min(e/20, 1)); 0 disables it; proposed option {@code --dkd-warmup}. A
   * protocol shorter than the warm-up never reaches full weight and should say so.
   */
  public static final int DEFAULT_WARMUP = 20;

  /** Default logit standardisation: off; proposed option {@code --logit-std} (shared with kd). */
  public static final boolean DEFAULT_LOGIT_STD = false;

  /** How far below a row's minimum the masked target logit is put (exp(−1000) is 0 in float64). */
  private static final double MASK_GAP = 1000;

  private final double alpha;
  private final double beta;
  private final double temperature;
  private final int warmup;
  private final boolean logitStd;
  private double warmupFactor = 1;

  /**
   * Creates the term with the default α, β, T, warm-up and no logit standardisation.
   */
  public DkdTerm() {
    this(DEFAULT_ALPHA, DEFAULT_BETA, DEFAULT_TEMPERATURE, DEFAULT_WARMUP, DEFAULT_LOGIT_STD);
  }

  /**
   * Creates the term; its warm-up factor is 1 until {@link #beginEpoch} is called.
   *
   * @param alpha TCKD weight α ≥ 0
   * @param beta NCKD weight β ≥ 0
   * @param temperature T &gt; 0
   * @param warmup warm-up epochs ≥ 0 (0: none)
   * @param logitStd whether both models' logits are standardised before the temperature
   */
  public DkdTerm(double alpha, double beta, double temperature, int warmup, boolean logitStd) {
    if (!(alpha >= 0) || !Double.isFinite(alpha)) {
      throw new IllegalArgumentException("DKD alpha must be a finite number ≥ 0, got " + alpha);
    }
    if (!(beta >= 0) || !Double.isFinite(beta)) {
      throw new IllegalArgumentException("DKD beta must be a finite number ≥ 0, got " + beta);
    }
    if (!(temperature > 0) || !Double.isFinite(temperature)) {
      throw new IllegalArgumentException("DKD temperature T must be > 0, got " + temperature);
    }
    if (warmup < 0) {
      throw new IllegalArgumentException("DKD warm-up must be ≥ 0 epochs, got " + warmup);
    }
    this.alpha = alpha;
    this.beta = beta;
    this.temperature = temperature;
    this.warmup = warmup;
    this.logitStd = logitStd;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean needsLabels() {
    return true;
  }

  @Override
  public boolean needsLogits() {
    return true;
  }

  /**
   * Sets the warm-up factor to {@code min(epoch / warmup, 1)} (1 without warm-up).
   *
   * @param epoch the epoch about to start, counted from 1
   */
  @Override
  public void beginEpoch(int epoch) {
    if (epoch < 1) {
      throw new IllegalArgumentException("epochs are counted from 1, got " + epoch);
    }
    warmupFactor = warmupFactor(epoch, warmup);
  }

  /** The factor the next batches are weighted by: 1 until {@link #beginEpoch} is called. */
  public double currentWarmupFactor() {
    return warmupFactor;
  }

  /**
   * The warm-up factor {@code min(epoch / warmup, 1)}, 1 when {@code warmup} is 0.
   *
   * @param epoch epoch counted from 1
   * @param warmup warm-up epochs ≥ 0
   * @return the factor in (0, 1]
   */
  public static double warmupFactor(int epoch, int warmup) {
    return warmup == 0 ? 1 : Math.min((double) epoch / warmup, 1);
  }

  @Override
  public NDArray compute(ModelOutput student, ModelOutput teacher, NDArray labels, boolean training) {
    NDArray zs = Logits.of(student, "student");
    NDArray zt = Logits.of(teacher, "teacher");
    if (!zs.getShape().equals(zt.getShape())) {
      throw new IllegalArgumentException(
          "DKD needs student and teacher logits of one shape, got " + zs.getShape() + " and " + zt.getShape());
    }
    if (zs.getShape().get(1) < 2) {
      throw new IllegalArgumentException("DKD needs at least 2 classes, got logits " + zs.getShape());
    }
    NDArray y = Logits.labelIndex(labels, zs);
    if (logitStd) {
      zs = Logits.standardize(zs);
      zt = Logits.standardize(zt);
    }
    NDArray[] parts = parts(zs, zt, y, temperature);
    double t2 = temperature * temperature;
    NDArray loss = Scalars.times(parts[0], alpha * t2).add(Scalars.times(parts[1], beta * t2));
    return Scalars.times(loss, warmupFactor);
  }

  /**
   * The two KL divergences of DKD, without T² and weights: {@code [KL(b_t ‖ b_s), KL(p̃_t ‖ p̃_s)]}, each a
   * batch mean.
   *
   * @param studentLogits B×K
   * @param teacherLogits B×K
   * @param labels B×1 int64 target indices
   * @param temperature T &gt; 0
   * @return {TCKD/T², NCKD/T²} as scalars
   */
  static NDArray[] parts(NDArray studentLogits, NDArray teacherLogits, NDArray labels, double temperature) {
    long k = studentLogits.getShape().get(1);
    NDArray target =
        studentLogits.getManager().arange(0, k, 1, DataType.INT64).reshape(1, k).eq(labels); // B×K boolean
    Side s = new Side(Scalars.over(studentLogits, temperature), target);
    Side t = new Side(Scalars.over(teacherLogits, temperature), target);
    // Binary KL over (target, rest): Σ b_t (log b_t − log b_s).
    NDArray tckd =
        s.logTarget.neg().add(t.logTarget).mul(t.logTarget.exp())
            .add(t.logRest.sub(s.logRest).mul(t.logRest.exp()))
            .mean();
    // Non-target KL: the target entry has p̃_t = exp(−1000−…) = 0 exactly, so it adds 0.
    NDArray nckd = t.logNonTarget.exp().mul(t.logNonTarget.sub(s.logNonTarget)).sum(new int[] {1}).mean();
    return new NDArray[] {tckd, nckd};
  }

  /** Log-probabilities of one model's tempered logits. */
  private static final class Side {
    /** B: log p[y]. */
    final NDArray logTarget;
    /** B: log(1 − p[y]). */
    final NDArray logRest;
    /** B×K: log p̃ over the non-target classes (the target entry is about −1000, its probability 0). */
    final NDArray logNonTarget;

    Side(NDArray scaled, NDArray target) {
      long b = scaled.getShape().get(0);
      NDArray lseAll = logSumExp(scaled);
      NDArray floor = Scalars.plus(scaled.min(new int[] {1}, true).stopGradient(), -MASK_GAP);
      NDArray masked = NDArrays.where(target, floor.broadcast(scaled.getShape()), scaled);
      NDArray lseRest = logSumExp(masked);
      NDArray zTarget = scaled.mul(target.toType(scaled.getDataType(), false)).sum(new int[] {1}, true);
      logTarget = zTarget.sub(lseAll).reshape(b);
      logRest = lseRest.sub(lseAll).reshape(b);
      logNonTarget = masked.sub(lseRest);
    }
  }

  /** Row-wise log Σ exp(x) of a B×K array, kept B×1; the row maximum is subtracted (and not differentiated). */
  static NDArray logSumExp(NDArray x) {
    NDArray m = x.max(new int[] {1}, true).stopGradient();
    return x.sub(m).exp().sum(new int[] {1}, true).log().add(m);
  }
}

package org.nst4j.transfer;

import ai.djl.ndarray.NDArray;
import org.nst4j.model.ModelOutput;

/**
 * The distillation part of KD (Hinton et al. 2015): {@code α·T²·KL(softmax(z_t/T) ‖ softmax(z_s/T))}, the KL
 * summed over classes and averaged over the batch (spec, "KD").
 *
 * <p>The (1 − α)·CE part of the KD loss is a separate {@link CrossEntropyTerm} of weight 1 − α, so the two
 * parts are reported apart ({@code ce}, {@code kd}) and add up to the spec's L. The T² factor keeps the soft
 * gradients' magnitude independent of T, as in the paper.
 */
public final class KdTerm implements TransferTerm {
  /** Term name in {@link LossTerms}. */
  public static final String NAME = "kd";

  private final double temperature;
  private final double alpha;
  private final boolean logitStd;

  /**
   * Creates the term without logit standardisation.
   *
   * @param temperature T &gt; 0
   * @param alpha α in [0, 1]
   */
  public KdTerm(double temperature, double alpha) {
    this(temperature, alpha, false);
  }

  /**
   * Creates the term.
   *
   * @param temperature T &gt; 0
   * @param alpha α in [0, 1]
   * @param logitStd whether both models' logits are standardised before the temperature (Sun et al. 2024,
   *     spec part 2, "Logit standardisation")
   */
  public KdTerm(double temperature, double alpha, boolean logitStd) {
    if (!(temperature > 0) || !Double.isFinite(temperature)) {
      throw new IllegalArgumentException("KD temperature T must be > 0, got " + temperature);
    }
    if (!(alpha >= 0 && alpha <= 1)) {
      throw new IllegalArgumentException("KD alpha must be in [0, 1], got " + alpha);
    }
    this.temperature = temperature;
    this.alpha = alpha;
    this.logitStd = logitStd;
  }

  /** Whether the logits are standardised before the temperature. */
  public boolean logitStd() {
    return logitStd;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean needsLogits() {
    return true;
  }

  @Override
  public NDArray compute(ModelOutput student, ModelOutput teacher, NDArray labels, boolean training) {
    NDArray zs = Logits.of(student, "student");
    NDArray zt = Logits.of(teacher, "teacher");
    if (!zs.getShape().equals(zt.getShape())) {
      throw new IllegalArgumentException(
          "KD needs student and teacher logits of one shape, got " + zs.getShape() + " and " + zt.getShape());
    }
    if (logitStd) {
      zs = Logits.standardize(zs);
      zt = Logits.standardize(zt);
    }
    return Scalars.times(klDivergence(zs, zt, temperature), alpha * temperature * temperature);
  }

  /**
   * Batch mean of KL(softmax(z_t/T) ‖ softmax(z_s/T)) = Σ_k p_t,k (log p_t,k − log p_s,k).
   *
   * @param studentLogits B×K
   * @param teacherLogits B×K
   * @param temperature T &gt; 0
   * @return scalar KL
   */
  public static NDArray klDivergence(NDArray studentLogits, NDArray teacherLogits, double temperature) {
    NDArray logPs = Scalars.over(studentLogits, temperature).logSoftmax(1);
    NDArray logPt = Scalars.over(teacherLogits, temperature).logSoftmax(1);
    return logPt.exp().mul(logPt.sub(logPs)).sum(new int[] {1}).mean();
  }
}

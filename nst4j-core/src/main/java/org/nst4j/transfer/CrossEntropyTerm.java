package org.nst4j.transfer;

import ai.djl.ndarray.NDArray;
import org.nst4j.model.ModelOutput;

/**
 * {@code weight · CE(z_s, y)} with CE = −log softmax(z_s)[y], mean over the batch (spec, "CE").
 *
 * <p>The weight is 1 in every objective except those containing {@code kd}, where it is 1 − α (spec, "KD").
 */
public final class CrossEntropyTerm implements TransferTerm {
  /** Term name in {@link LossTerms}. */
  public static final String NAME = "ce";

  private final double weight;

  /**
   * Creates the term.
   *
   * @param weight the factor in front of the batch-mean CE, ≥ 0
   */
  public CrossEntropyTerm(double weight) {
    if (!(weight >= 0) || !Double.isFinite(weight)) {
      throw new IllegalArgumentException("CE weight must be a finite number >= 0, got " + weight);
    }
    this.weight = weight;
  }

  /** The factor in front of the CE. */
  public double weight() {
    return weight;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean needsTeacher() {
    return false;
  }

  @Override
  public boolean needsLabels() {
    return true;
  }

  @Override
  public boolean needsLogits() {
    return true;
  }

  @Override
  public NDArray compute(ModelOutput student, ModelOutput teacher, NDArray labels, boolean training) {
    NDArray z = Logits.of(student, "student");
    return Scalars.times(crossEntropy(z, labels), weight);
  }

  /**
   * Batch-mean cross-entropy, via logSoftmax for numerical stability.
   *
   * @param logits B×K
   * @param labels B labels (int64, int32, or float holding whole class indices)
   * @return scalar CE
   */
  public static NDArray crossEntropy(NDArray logits, NDArray labels) {
    NDArray idx = Logits.labelIndex(labels, logits);
    return logits.logSoftmax(1).gather(idx, 1).mean().neg();
  }
}

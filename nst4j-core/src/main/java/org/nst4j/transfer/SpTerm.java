package org.nst4j.transfer;

import ai.djl.ndarray.NDArray;
import java.util.List;
import org.nst4j.model.ModelOutput;

/**
 * Similarity-preserving KD (Tung &amp; Mori, ICCV 2019; spec part 2, "SP"): {@code w · ‖G_s − G_t‖²_F / B²},
 * G = QQᵀ with Q the B×(C·H·W) flattened map and each row of G L2-normalised (ε = 1e-12, as the authors'
 * and RepDistiller's {@code F.normalize}); summed over tap pairs.
 *
 * <p>No spatial alignment: G is B×B whatever the two maps' channels and sizes. Invariant to scaling a
 * model's whole batch of features by a positive number (G scales by its square, undone by the row
 * normalisation); not to scaling one image's features, which rescales one column of every row.
 */
public final class SpTerm implements TransferTerm {
  /** Term name in {@link LossTerms} (proposed method token {@code sp}). */
  public static final String NAME = "sp";

  /** Default weight w = 3000 (mdistiller's CIFAR-100 configuration); proposed option {@code --sp-weight}. */
  public static final double DEFAULT_WEIGHT = 3000;

  private final double weight;
  private final List<String> taps;

  /** Creates the term with the default weight on the last tap. */
  public SpTerm() {
    this(DEFAULT_WEIGHT, null);
  }

  /**
   * Creates the term.
   *
   * @param weight w ≥ 0
   * @param taps tap pairs ({@code name} or {@code student:teacher}, summed), or null for the last tap of each
   *     model
   */
  public SpTerm(double weight, List<String> taps) {
    if (!(weight >= 0) || !Double.isFinite(weight)) {
      throw new IllegalArgumentException("SP weight must be a finite number ≥ 0, got " + weight);
    }
    this.weight = weight;
    this.taps = taps == null ? null : List.copyOf(taps);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public NDArray compute(ModelOutput student, ModelOutput teacher, NDArray labels, boolean training) {
    NDArray sum = TapPairs.sum(TapPairs.resolve(student, teacher, taps, TapPairs.Default.LAST, NAME), p -> {
      NDArray fs = student.tap(p.student());
      NDArray ft = teacher.tap(p.teacher()).stopGradient();
      Features.checkBatch(fs, ft, 1, NAME + " " + p.label());
      return loss(fs, ft);
    });
    return Scalars.times(sum, weight);
  }

  /** ‖G_s − G_t‖²_F / B², unweighted. */
  static NDArray loss(NDArray fs, NDArray ft) {
    long b = fs.getShape().get(0);
    return Scalars.over(gram(fs).sub(gram(ft)).square().sum(), (double) b * b);
  }

  /** The row-normalised B×B Gram matrix of a B×… array. */
  static NDArray gram(NDArray f) {
    NDArray q = Features.flat(f);
    return q.matMul(q.transpose()).normalize(2, 1, 1e-12);
  }
}

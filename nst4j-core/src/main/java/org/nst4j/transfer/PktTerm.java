package org.nst4j.transfer;

import ai.djl.ndarray.NDArray;
import java.util.List;
import org.nst4j.model.ModelOutput;

/**
 * Probabilistic knowledge transfer (Passalis &amp; Tefas, ECCV 2018; spec part 2, "PKT") on pooled features:
 * {@code w · mean over the B² entries of S_t · log((S_t + ε)/(S_s + ε))}, ε = 1e-7, summed over tap pairs.
 *
 * <p>p̂ = p/(‖p‖ + 1e-7); S = (p̂p̂ᵀ + 1)/2 with each row divided by its sum (the cosine-similarity kernel of
 * the authors' code, as in RepDistiller and mdistiller). ‖p‖ is libtorch's norm, whose gradient at a zero
 * vector is 0 (the authors' sqrt of the sum of squares would give NaN there). Student and teacher widths
 * may differ.
 */
public final class PktTerm implements TransferTerm {
  /** Term name in {@link LossTerms} (proposed method token {@code pkt}). */
  public static final String NAME = "pkt";

  /** Default weight w = 30000 (mdistiller's CIFAR-100 configuration); proposed option {@code --pkt-weight}. */
  public static final double DEFAULT_WEIGHT = 30000;

  /** The ε of the normalisation and of the log ratio. */
  static final double EPS = 1e-7;

  private final double weight;
  private final List<String> taps;

  /** Creates the term with the default weight on the last tap. */
  public PktTerm() {
    this(DEFAULT_WEIGHT, null);
  }

  /**
   * Creates the term.
   *
   * @param weight w ≥ 0
   * @param taps tap pairs ({@code name} or {@code student:teacher}, summed), or null for the last tap of each
   *     model
   */
  public PktTerm(double weight, List<String> taps) {
    if (!(weight >= 0) || !Double.isFinite(weight)) {
      throw new IllegalArgumentException("PKT weight must be a finite number ≥ 0, got " + weight);
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
      NDArray ps = Features.pooled(student.tap(p.student()), NAME + " " + p.label());
      NDArray pt = Features.pooled(teacher.tap(p.teacher()), NAME + " " + p.label()).stopGradient();
      Features.checkBatch(ps, pt, 1, NAME + " " + p.label());
      return loss(ps, pt);
    });
    return Scalars.times(sum, weight);
  }

  /** The unweighted PKT divergence of two B×D feature arrays. */
  static NDArray loss(NDArray ps, NDArray pt) {
    NDArray ss = similarity(ps);
    NDArray st = similarity(pt);
    return st.mul(Scalars.plus(st, EPS).log().sub(Scalars.plus(ss, EPS).log())).mean();
  }

  /** The row-stochastic B×B similarity S of B×D features. */
  static NDArray similarity(NDArray p) {
    NDArray unit = p.div(Scalars.plus(p.norm(new int[] {1}, true), EPS));
    NDArray s = Scalars.times(Scalars.plus(unit.matMul(unit.transpose()), 1), 0.5);
    return s.div(s.sum(new int[] {1}, true));
  }
}

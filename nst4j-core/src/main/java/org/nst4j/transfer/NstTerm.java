package org.nst4j.transfer;

import ai.djl.ndarray.NDArray;
import java.util.List;
import org.nst4j.model.ModelOutput;

/**
 * Neuron Selectivity Transfer (Huang &amp; Wang 2017): {@code (λ/2) · Σ_taps mean_batch MMD²(F_S, F_T)}, or
 * λ instead of λ/2 when {@link NstMethod#SCALE} is {@code full} (spec, "NST").
 *
 * <p>Default tap: the last tap of each model. Maps of different spatial size are aligned first
 * ({@link Spatial}); channel counts may differ.
 */
public final class NstTerm implements TransferTerm {
  private final Mmd.Kernel kernel;
  private final LossOptions options;

  /**
   * Creates the term.
   *
   * @param kernel the MMD kernel
   * @param options λ, the λ/2 switch, kernel parameters, teacher-term switch, taps and spatial policy
   */
  public NstTerm(Mmd.Kernel kernel, LossOptions options) {
    this.kernel = kernel;
    this.options = options;
  }

  /** The kernel. */
  public Mmd.Kernel kernel() {
    return kernel;
  }

  @Override
  public String name() {
    return "nst-" + kernel.id();
  }

  @Override
  public NDArray compute(ModelOutput student, ModelOutput teacher, NDArray labels, boolean training) {
    List<TapPairs.Pair> pairs =
        TapPairs.resolve(student, teacher, options.taps(), TapPairs.Default.LAST, name());
    NDArray sum = TapPairs.sum(pairs, p -> {
      NDArray[] st =
          Spatial.align(student.tap(p.student()), teacher.tap(p.teacher()), options.spatial(), p.label());
      return Mmd.mmd2(st[0], st[1], kernel, options).mean();
    });
    return Scalars.times(sum, NstMethod.scale(options));
  }
}

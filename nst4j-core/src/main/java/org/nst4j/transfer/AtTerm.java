package org.nst4j.transfer;

import ai.djl.ndarray.NDArray;
import java.util.List;
import org.nst4j.model.ModelOutput;

/**
 * Attention Transfer (Zagoruyko &amp; Komodakis 2017): {@code (β/2) · Σ_taps mean((a(F_S) − a(F_T))²)}, the mean
 * over batch and positions, with a(F) the L2-normalised (over positions) channel mean of |F|^p (spec, "AT").
 *
 * <p>The paper defines the attention map on |A|^p; for the default p = 2 this is F². Default taps: every tap
 * present in both models ({@link TapPairs.Default#ALL}). Maps are spatially aligned before the attention
 * maps are made.
 */
public final class AtTerm implements TransferTerm {
  /** Term name in {@link LossTerms}. */
  public static final String NAME = "at";

  private final LossOptions options;

  /**
   * Creates the term.
   *
   * @param options β, p, taps and the spatial policy
   */
  public AtTerm(LossOptions options) {
    this.options = options;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public NDArray compute(ModelOutput student, ModelOutput teacher, NDArray labels, boolean training) {
    List<TapPairs.Pair> pairs =
        TapPairs.resolve(student, teacher, options.taps(), TapPairs.Default.ALL, NAME);
    NDArray sum = TapPairs.sum(pairs, p -> {
      NDArray[] st =
          Spatial.align(student.tap(p.student()), teacher.tap(p.teacher()), options.spatial(), p.label());
      NDArray d = attention(st[0], options.get(AtMethod.P)).sub(attention(st[1], options.get(AtMethod.P)));
      return d.square().mean();
    });
    return Scalars.times(sum, options.get(AtMethod.BETA) / 2);
  }

  /**
   * The attention map a(F): mean over channels of |F|^p, flattened to B×HW and L2-normalised per image
   * (ε = 1e-12).
   *
   * @param maps B×C×H×W
   * @param p the exponent &gt; 0
   * @return B×HW
   */
  public static NDArray attention(NDArray maps, double p) {
    if (maps.getShape().dimension() != 4) {
      throw new IllegalArgumentException("feature maps must be B×C×H×W, got " + maps.getShape());
    }
    NDArray powered = p == 2 ? maps.square() : Scalars.power(maps.abs(), p);
    NDArray a = powered.mean(new int[] {1});
    return a.reshape(a.getShape().get(0), -1).normalize(2, 1, Mmd.EPS);
  }
}

package org.nst4j.transfer;

import java.util.List;
import java.util.Set;

/**
 * {@code kdsvd}: self-supervised KD with singular value decomposition (Lee, Kim &amp; Song, ECCV 2018; spec
 * part 2, "KDSVD"), following the authors' code as RepDistiller ports it: the top-k right singular vectors of
 * each tap, sign-aligned to the teacher's, compared through RBF correlations between consecutive taps; see
 * {@link KdsvdTerm} (which also says why its SVD runs in Java and what that costs).
 */
public final class KdsvdMethod implements TransferMethod {
  /** The method's name. */
  public static final String NAME = KdsvdTerm.NAME;
  /** Singular vectors kept per tap (spec default 1). */
  public static final MethodOption<Integer> K = MethodOption.integer("kdsvd_k", "--kdsvd-k", "K",
      "KDSVD k", KdsvdTerm.DEFAULT_K, v -> v >= 1, ">= 1", "KDSVD: singular vectors kept per tap.");
  /** Weight w (spec default 1). */
  public static final MethodOption<Double> WEIGHT = MethodOption.real("kdsvd_weight", "--kdsvd-weight", "W",
      "KDSVD weight", KdsvdTerm.DEFAULT_WEIGHT, v -> v >= 0, ">= 0", "KDSVD weight w.");

  KdsvdMethod() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String paper() {
    return "Lee, Kim & Song 2018, \"Self-supervised Knowledge Distillation Using Singular Value Decomposition\"";
  }

  @Override
  public String summary() {
    return "RBF correlations of sign-aligned top singular vectors between consecutive taps";
  }

  @Override
  public Set<Input> reads() {
    return Set.of(Input.TAPS);
  }

  @Override
  public List<MethodOption<?>> options() {
    return List.of(K, WEIGHT);
  }

  @Override
  public List<String> describe(LossOptions o) {
    return List.of("k=" + o.get(K) + " w_kdsvd=" + MethodOption.format(o.get(WEIGHT)));
  }

  @Override
  public TransferTerm createTerm(LossOptions o) {
    return new KdsvdTerm(o.get(K), o.get(WEIGHT), o.taps());
  }
}

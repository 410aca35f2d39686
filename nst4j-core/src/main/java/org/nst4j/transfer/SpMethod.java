package org.nst4j.transfer;

import java.util.List;
import java.util.Set;

/**
 * {@code sp}: similarity-preserving KD (Tung &amp; Mori, ICCV 2019; spec part 2, "SP"): the squared difference
 * of the row-normalised B×B similarity matrices of the flattened maps; see {@link SpTerm}.
 */
public final class SpMethod implements TransferMethod {
  /** The method's name. */
  public static final String NAME = SpTerm.NAME;
  /** Weight w (spec default {@value SpTerm#DEFAULT_WEIGHT}). */
  public static final MethodOption<Double> WEIGHT = MethodOption.real("sp_weight", "--sp-weight", "W", "SP weight",
      SpTerm.DEFAULT_WEIGHT, v -> v >= 0, ">= 0", "SP weight w.");

  SpMethod() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String paper() {
    return "Tung & Mori 2019, \"Similarity-Preserving Knowledge Distillation\"";
  }

  @Override
  public String summary() {
    return "squared difference of the row-normalised B×B similarity (Gram) matrices of the flattened maps";
  }

  @Override
  public Set<Input> reads() {
    return Set.of(Input.TAPS);
  }

  @Override
  public List<MethodOption<?>> options() {
    return List.of(WEIGHT);
  }

  @Override
  public List<String> describe(LossOptions o) {
    return List.of("w_sp=" + MethodOption.format(o.get(WEIGHT)));
  }

  @Override
  public TransferTerm createTerm(LossOptions o) {
    return new SpTerm(o.get(WEIGHT), o.taps());
  }
}

package org.nst4j.transfer;

import java.util.List;
import java.util.Set;

/**
 * {@code pkt}: probabilistic knowledge transfer (Passalis &amp; Tefas, ECCV 2018; spec part 2, "PKT"): the KL
 * divergence between the batch's cosine-similarity distributions of the pooled features; see {@link PktTerm}.
 */
public final class PktMethod implements TransferMethod {
  /** The method's name. */
  public static final String NAME = PktTerm.NAME;
  /** Weight w (spec default {@value PktTerm#DEFAULT_WEIGHT}). */
  public static final MethodOption<Double> WEIGHT = MethodOption.real("pkt_weight", "--pkt-weight", "W",
      "PKT weight", PktTerm.DEFAULT_WEIGHT,
      v -> v >= 0, ">= 0", "PKT weight w.");

  PktMethod() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String paper() {
    return "Passalis & Tefas 2018, \"Learning Deep Representations with Probabilistic Knowledge Transfer\"";
  }

  @Override
  public String summary() {
    return "KL divergence between the batch's cosine-similarity distributions of the pooled features";
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
    return List.of("w_pkt=" + MethodOption.format(o.get(WEIGHT)));
  }

  @Override
  public TransferTerm createTerm(LossOptions o) {
    return new PktTerm(o.get(WEIGHT), o.taps());
  }
}

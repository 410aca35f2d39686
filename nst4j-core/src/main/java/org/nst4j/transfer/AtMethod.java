package org.nst4j.transfer;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code at}: attention transfer (Zagoruyko &amp; Komodakis 2017), {@code (β/2) · Σ_taps mean((a(F_S) − a(F_T))²)}
 * (spec, "AT"); see {@link AtTerm}.
 */
public final class AtMethod implements TransferMethod {
  /** The method's name. */
  public static final String NAME = "at";
  /** Weight β (spec default 1000). */
  public static final MethodOption<Double> BETA = MethodOption.real("at_beta", "--at-beta", "β", "AT beta", 1000,
      v -> v >= 0, ">= 0", "AT weight β; the term is β/2 · Σ_taps.").withLegacyKey("atBeta");
  /** Exponent p of the attention map (spec default 2). */
  public static final MethodOption<Double> P = MethodOption.real("at_p", "--at-p", "P", "AT exponent p", 2,
      v -> v > 0, "> 0", "AT exponent p.").withLegacyKey("atP");

  AtMethod() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String paper() {
    return "Zagoruyko & Komodakis 2017, \"Paying More Attention to Attention\"";
  }

  @Override
  public String summary() {
    return "MSE between L2-normalised spatial attention maps (channel mean of |F|^p)";
  }

  @Override
  public Set<Input> reads() {
    return Set.of(Input.TAPS);
  }

  @Override
  public List<MethodOption<?>> options() {
    return List.of(BETA, P);
  }

  @Override
  public List<String> describe(LossOptions o) {
    List<String> parts = new ArrayList<>();
    double p = o.get(P);
    parts.add("β_at=" + MethodOption.format(o.get(BETA)) + (p != P.defaultValue() ? " p=" + MethodOption.format(p) : ""));
    return parts;
  }

  @Override
  public TransferTerm createTerm(LossOptions o) {
    return new AtTerm(o);
  }
}

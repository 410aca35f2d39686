package org.nst4j.transfer;

import java.util.List;
import java.util.Set;

/**
 * {@code fitnet}: FitNets hints (Romero et al. 2015), {@code β · Σ_taps mean((r(F_S) − F_T)²)} with a trained
 * regressor r (spec, "FitNet"); see {@link FitNetTerm}.
 */
public final class FitNetMethod implements TransferMethod {
  /** The method's name. */
  public static final String NAME = "fitnet";
  /** Weight β (spec default 100). */
  public static final MethodOption<Double> BETA = MethodOption.real("fitnet_beta", "--fitnet-beta", "β",
      "FitNet beta", 100, v -> v >= 0, ">= 0", "FitNet weight β.").withLegacyKey("fitnetBeta");

  FitNetMethod() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String paper() {
    return "Romero et al. 2015, \"FitNets: Hints for Thin Deep Nets\"";
  }

  @Override
  public String summary() {
    return "MSE between a trained 1×1-conv regression of the student's map and the teacher's";
  }

  @Override
  public Set<Input> reads() {
    return Set.of(Input.TAPS);
  }

  @Override
  public boolean trainsModules() {
    return true;
  }

  @Override
  public List<MethodOption<?>> options() {
    return List.of(BETA);
  }

  @Override
  public List<String> describe(LossOptions o) {
    return List.of("β_fitnet=" + MethodOption.format(o.get(BETA)));
  }

  @Override
  public TransferTerm createTerm(LossOptions o) {
    return new FitNetTerm(o);
  }
}

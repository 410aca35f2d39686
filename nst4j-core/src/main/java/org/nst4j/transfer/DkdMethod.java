package org.nst4j.transfer;

import java.util.List;
import java.util.Set;

/**
 * {@code dkd}: decoupled knowledge distillation (Zhao et al., CVPR 2022; spec part 2, "DKD"), {@code CE +
 * w(e)·(α·TCKD + β·NCKD)} with the linear warm-up w(e) = min(e/warmup, 1); see {@link DkdTerm}. The CE keeps
 * its full weight. With {@code --logit-std}, both models' logits are standardised first.
 */
public final class DkdMethod implements TransferMethod {
  /** The method's name. */
  public static final String NAME = DkdTerm.NAME;
  /** TCKD weight α (spec default 1). */
  public static final MethodOption<Double> ALPHA = MethodOption.real("dkd_alpha", "--dkd-alpha", "α",
      "DKD alpha", DkdTerm.DEFAULT_ALPHA, v -> v >= 0, ">= 0", "DKD weight α of the target-class part (TCKD).");
  /** NCKD weight β (spec default 8). */
  public static final MethodOption<Double> BETA = MethodOption.real("dkd_beta", "--dkd-beta", "β", "DKD beta",
      DkdTerm.DEFAULT_BETA, v -> v >= 0, ">= 0", "DKD weight β of the non-target part (NCKD).");
  /** Temperature T (spec default 4). */
  public static final MethodOption<Double> TEMPERATURE = MethodOption.real("dkd_temperature",
      "--dkd-temperature", "T", "DKD temperature T", DkdTerm.DEFAULT_TEMPERATURE, v -> v > 0, "> 0",
      "DKD temperature T.");
  /** Warm-up epochs (spec default 20; 0: none). */
  public static final MethodOption<Integer> WARMUP = MethodOption.integer("dkd_warmup", "--dkd-warmup", "E",
      "DKD warm-up", DkdTerm.DEFAULT_WARMUP, v -> v >= 0, ">= 0 epochs",
      "DKD linear warm-up in epochs, w(e) = min(e/E, 1); 0: none.");

  DkdMethod() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String paper() {
    return "Zhao et al. 2022, \"Decoupled Knowledge Distillation\"";
  }

  @Override
  public String summary() {
    return "KD split into target-class and non-target-class KL terms, weighted apart, with a warm-up";
  }

  @Override
  public Set<Input> reads() {
    return Set.of(Input.LOGITS, Input.LABELS);
  }

  @Override
  public List<MethodOption<?>> options() {
    return List.of(ALPHA, BETA, TEMPERATURE, WARMUP, KdMethod.LOGIT_STD);
  }

  @Override
  public List<String> describe(LossOptions o) {
    return List.of("α_dkd=" + MethodOption.format(o.get(ALPHA)) + " β_dkd=" + MethodOption.format(o.get(BETA))
        + " T=" + MethodOption.format(o.get(TEMPERATURE)) + " warm-up " + o.get(WARMUP)
        + (o.get(KdMethod.LOGIT_STD) ? " logit-std" : ""));
  }

  @Override
  public TransferTerm createTerm(LossOptions o) {
    return new DkdTerm(o.get(ALPHA), o.get(BETA), o.get(TEMPERATURE), o.get(WARMUP), o.get(KdMethod.LOGIT_STD));
  }
}

package org.nst4j.transfer;

import java.util.List;
import java.util.Set;

/**
 * {@code kd}: knowledge distillation (Hinton et al. 2015), {@code (1 − α)·CE + α·T²·KL(p_t^T ‖ p_s^T)}
 * (spec, "KD"); the (1 − α)·CE is the objective's CE term ({@link #crossEntropyShare}), the rest {@link
 * KdTerm}.
 */
public final class KdMethod implements TransferMethod {
  /** The method's name. */
  public static final String NAME = "kd";
  /** Temperature T (spec default 4). */
  public static final MethodOption<Double> TEMPERATURE = MethodOption.real("kd_temperature", "--kd-temperature",
      "T", "KD temperature T", 4, v -> v > 0, "> 0", "KD temperature T.").withLegacyKey("kdTemperature");
  /** Mixing weight α (spec default 0.9); the CE gets 1 − α. */
  public static final MethodOption<Double> ALPHA = MethodOption.real("kd_alpha", "--kd-alpha", "α", "KD alpha",
      0.9, v -> v >= 0 && v <= 1, "in [0, 1]", "KD weight α; the CE gets 1 − α.").withLegacyKey("kdAlpha");

  /**
   * Logit standardisation (Sun et al., CVPR 2024; spec part 2): each row of logits, teacher and student alike,
   * becomes (z − mean) / (std + 1e-7) before the temperature. Off by default; one option for kd and dkd.
   */
  public static final MethodOption<Boolean> LOGIT_STD = MethodOption.bool("logit_std", "--logit-std",
      "logit standardisation", DkdTerm.DEFAULT_LOGIT_STD, true,
      "Standardise each row of logits (z − mean)/(std + 1e-7) before the temperature (kd, dkd).");

  KdMethod() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String paper() {
    return "Hinton, Vinyals & Dean 2015, \"Distilling the Knowledge in a Neural Network\"";
  }

  @Override
  public String summary() {
    return "KL divergence of the temperature-softened logits";
  }

  @Override
  public Set<Input> reads() {
    return Set.of(Input.LOGITS, Input.LABELS);
  }

  @Override
  public List<MethodOption<?>> options() {
    return List.of(TEMPERATURE, ALPHA, LOGIT_STD);
  }

  @Override
  public double crossEntropyShare(LossOptions options) {
    return 1 - options.get(ALPHA);
  }

  @Override
  public List<String> describe(LossOptions o) {
    return List.of("T=" + MethodOption.format(o.get(TEMPERATURE)) + " α=" + MethodOption.format(o.get(ALPHA))
        + (o.get(LOGIT_STD) ? " logit-std" : ""));
  }

  @Override
  public TransferTerm createTerm(LossOptions o) {
    return new KdTerm(o.get(TEMPERATURE), o.get(ALPHA), o.get(LOGIT_STD));
  }
}

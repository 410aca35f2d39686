package org.nst4j.transfer;

import java.util.List;
import java.util.Set;

/**
 * {@code vid}: variational information distillation (Ahn et al., CVPR 2019; spec part 2, "VID"): a Gaussian
 * likelihood of the teacher's maps under a trained regressor of the student's, with a learnt per-channel
 * variance; see {@link VidTerm}. The regressors and variances train with the student and are never exported.
 */
public final class VidMethod implements TransferMethod {
  /** The method's name. */
  public static final String NAME = VidTerm.NAME;
  /** Weight w (spec default 1). */
  public static final MethodOption<Double> WEIGHT = MethodOption.real("vid_weight", "--vid-weight", "W",
      "VID weight", VidTerm.DEFAULT_WEIGHT, v -> v >= 0, ">= 0", "VID weight w.");
  /** The variance σ² every channel starts with (the authors' 5). */
  public static final MethodOption<Double> INIT_VARIANCE = MethodOption.real("vid_init_var", "--vid-init-var",
      "S2", "VID initial variance", VidTerm.DEFAULT_INIT_VARIANCE, v -> v > 1e-5, "> 1e-5",
      "VID initial per-channel variance σ².");

  VidMethod() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String paper() {
    return "Ahn et al. 2019, \"Variational Information Distillation for Knowledge Transfer\"";
  }

  @Override
  public String summary() {
    return "Gaussian log-likelihood of the teacher's maps under a trained regressor with learnt variances";
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
    return List.of(WEIGHT, INIT_VARIANCE);
  }

  @Override
  public List<String> describe(LossOptions o) {
    return List.of("w_vid=" + MethodOption.format(o.get(WEIGHT)) + (o.get(INIT_VARIANCE)
        .equals(INIT_VARIANCE.defaultValue()) ? "" : " σ²₀=" + MethodOption.format(o.get(INIT_VARIANCE))));
  }

  @Override
  public TransferTerm createTerm(LossOptions o) {
    return new VidTerm(o.get(WEIGHT), o.get(INIT_VARIANCE), o.taps());
  }
}

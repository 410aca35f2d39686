package org.nst4j.transfer;

import java.util.List;

/**
 * {@code nst-gauss}: NST with the Gaussian kernel k(x, y) = exp(−‖x − y‖² / (2σ²)); σ² by default per image,
 * the mean pairwise squared distance (spec, "NST").
 */
public final class NstGaussMethod extends NstMethod {
  /** A fixed Gaussian σ², or null (auto) for the per-image mean pairwise squared distance. */
  public static final MethodOption<Double> SIGMA2 = MethodOption.optionalReal("nst_sigma2", "--nst-sigma2", "S2",
      "Gaussian kernel sigma^2", v -> v > 0, "> 0",
      "Fixed Gaussian kernel σ² (auto: per image, the mean pairwise squared distance).")
      .withLegacyKey("nstSigma2");

  NstGaussMethod() {
    super(Mmd.Kernel.GAUSS);
  }

  @Override
  public String summary() {
    return "MMD² of the L2-normalised channel maps, Gaussian kernel";
  }

  @Override
  List<MethodOption<?>> kernelOptions() {
    return List.of(SIGMA2);
  }

  @Override
  String describeKernel(LossOptions o) {
    return "σ²=" + MethodOption.format(o.get(SIGMA2));
  }
}

package org.nst4j.transfer;

import java.util.List;

/** {@code nst-linear}: NST with the linear kernel k(x, y) = xᵀy, i.e. matching the mean selectivity pattern. */
public final class NstLinearMethod extends NstMethod {
  NstLinearMethod() {
    super(Mmd.Kernel.LINEAR);
  }

  @Override
  public String summary() {
    return "MMD² of the L2-normalised channel maps, linear kernel (the means of the patterns)";
  }

  @Override
  List<MethodOption<?>> kernelOptions() {
    return List.of();
  }

  @Override
  String describeKernel(LossOptions o) {
    return null;
  }
}

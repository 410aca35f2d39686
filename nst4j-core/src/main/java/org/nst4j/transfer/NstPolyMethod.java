package org.nst4j.transfer;

import java.util.List;

/** {@code nst-poly}: NST with the polynomial kernel k(x, y) = (xᵀy + c)^d (the paper's best, d = 2, c = 0). */
public final class NstPolyMethod extends NstMethod {
  /** Polynomial kernel degree d (spec default 2). */
  public static final MethodOption<Integer> DEGREE = MethodOption.integer("nst_degree", "--nst-degree", "D",
      "polynomial kernel degree d", 2, v -> v >= 1, ">= 1", "Polynomial kernel degree d.")
      .withLegacyKey("nstDegree");
  /**
   * Polynomial kernel offset c (spec default 0); (xᵀy + c)^d is a positive-definite kernel only for c ≥ 0, so
   * MMD² could go negative otherwise.
   */
  public static final MethodOption<Double> C = MethodOption.real("nst_c", "--nst-c", "C",
      "polynomial kernel offset c", 0, v -> v >= 0, ">= 0", "Polynomial kernel offset c.").withLegacyKey("nstC");

  NstPolyMethod() {
    super(Mmd.Kernel.POLY);
  }

  @Override
  public String summary() {
    return "MMD² of the L2-normalised channel maps, polynomial kernel (xᵀy + c)^d";
  }

  @Override
  List<MethodOption<?>> kernelOptions() {
    return List.of(DEGREE, C);
  }

  @Override
  String describeKernel(LossOptions o) {
    return "d=" + o.get(DEGREE) + " c=" + MethodOption.format(o.get(C));
  }
}

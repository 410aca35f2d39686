package org.nst4j.transfer;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What the three NST methods ({@code nst-linear}, {@code nst-poly}, {@code nst-gauss}) share: Neuron
 * Selectivity Transfer (Huang &amp; Wang 2017), {@code (λ/2) · Σ_taps mean_batch MMD²(F_S, F_T)} (spec, "NST"),
 * and the options λ, the λ/2-or-λ scale and the teacher–teacher term, which are one option each for all three
 * kernels (so {@code --lambda} sets the weight of every NST term of a sum).
 */
public abstract class NstMethod implements TransferMethod {
  /** NST weight λ (spec default 50). */
  public static final MethodOption<Double> LAMBDA = MethodOption.real("lambda", "--lambda", "λ",
      "NST weight lambda", 50, v -> v >= 0, ">= 0", "NST weight λ.").withLegacyKey("lambda");
  /**
   * {@code half}: (λ/2)·MMD² as in the paper (eq. 8); {@code full}: λ·MMD² as in the official MXNet code
   * ({@code grad_scale=λ}).
   */
  public static final MethodOption<String> SCALE = MethodOption.choice("nst_scale", "--nst-scale",
      "NST scale", "half", List.of("half", "full"), "half (λ/2, the paper) or full (λ, the MXNet code)",
      "NST factor: half = λ/2 as in the paper, full = λ as in the official MXNet code.")
      .withLegacyKey("nstScale");
  /** Whether the teacher–teacher term is computed (true: the reported value is the true MMD² ≥ 0). */
  public static final MethodOption<Boolean> KEEP_TEACHER_TERM = MethodOption.bool("keep_teacher_term",
      "--drop-teacher-term", "NST teacher term", true, false,
      "Skip the NST teacher–teacher term (same gradient, cheaper; the value is then not MMD²).")
      .withLegacyKey("keepTeacherTerm");

  private final Mmd.Kernel kernel;

  NstMethod(Mmd.Kernel kernel) {
    this.kernel = kernel;
  }

  /** The MMD kernel. */
  public Mmd.Kernel kernel() {
    return kernel;
  }

  /** The factor in front of the batch-mean MMD²: λ/2 or λ. */
  public static double scale(LossOptions o) {
    double lambda = o.get(LAMBDA);
    return o.get(SCALE).equals("half") ? lambda / 2 : lambda;
  }

  @Override
  public final String name() {
    return "nst-" + kernel.id();
  }

  @Override
  public String paper() {
    return "Huang & Wang 2017, \"Like What You Like: Knowledge Distill via Neuron Selectivity Transfer\"";
  }

  @Override
  public Set<Input> reads() {
    return Set.of(Input.TAPS);
  }

  /** The kernel's own options, after the shared ones. */
  abstract List<MethodOption<?>> kernelOptions();

  /** The kernel's own parameters in words, e.g. {@code d=2 c=0}. */
  abstract String describeKernel(LossOptions o);

  @Override
  public final List<MethodOption<?>> options() {
    List<MethodOption<?>> all = new ArrayList<>(List.of(LAMBDA, SCALE, KEEP_TEACHER_TERM));
    all.addAll(kernelOptions());
    return List.copyOf(all);
  }

  @Override
  public final List<String> describe(LossOptions o) {
    List<String> parts = new ArrayList<>();
    parts.add("λ=" + MethodOption.format(o.get(LAMBDA)) + (o.get(SCALE).equals("half") ? " (λ/2·MMD²)" : " (λ·MMD²)"));
    String k = describeKernel(o);
    if (k != null) {
      parts.add(k);
    }
    if (!o.get(KEEP_TEACHER_TERM)) {
      parts.add("no teacher term");
    }
    return parts;
  }

  @Override
  public final TransferTerm createTerm(LossOptions o) {
    return new NstTerm(kernel, o);
  }
}

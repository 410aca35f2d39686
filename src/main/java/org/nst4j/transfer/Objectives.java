package org.nst4j.transfer;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Builds {@link Objective}s from method strings (spec, "Sums").
 *
 * <p>Known methods: {@code ce}, {@code kd}, {@code fitnet}, {@code at}, {@code nst-linear}, {@code nst-poly},
 * {@code nst-gauss}, combined with '+'. Every objective has exactly one CE term, named {@code ce}: of weight
 * 1 − α when {@code kd} is present (the KD loss carries its (1 − α)·CE), else of weight 1. The transfer terms
 * follow in the order given, each under its own name ({@code kd}, {@code fitnet}, {@code at},
 * {@code nst-poly}, ...). {@code ce} may be written as a token ({@code ce+at}) and is then implied; the
 * normalised method string drops it unless it stands alone.
 */
public final class Objectives {
  /** Every method token, in documentation order. */
  public static final List<String> KNOWN =
      List.of("ce", "kd", "fitnet", "at", "nst-linear", "nst-poly", "nst-gauss");

  private Objectives() {}

  /**
   * Creates the objective of a method string.
   *
   * @param method e.g. {@code nst-poly}, {@code kd+nst-poly}, {@code at+nst-poly} (case and spaces ignored)
   * @param options weights and switches
   * @return the objective (call {@link Objective#initialize} before the first {@link Objective#compute})
   * @throws IllegalArgumentException for an empty, unknown or repeated method token
   */
  public static Objective create(String method, LossOptions options) {
    List<String> tokens = parse(method);
    if (options == null) {
      throw new IllegalArgumentException("loss options must not be null");
    }
    boolean kd = tokens.contains("kd");
    List<TransferTerm> terms = new ArrayList<>();
    terms.add(new CrossEntropyTerm(kd ? 1 - options.kdAlpha() : 1));
    for (String t : tokens) {
      switch (t) {
        case "ce":
          break;
        case "kd":
          terms.add(new KdTerm(options.kdTemperature(), options.kdAlpha()));
          break;
        case "fitnet":
          terms.add(new FitNetTerm(options));
          break;
        case "at":
          terms.add(new AtTerm(options));
          break;
        case "nst-linear":
          terms.add(new NstTerm(Mmd.Kernel.LINEAR, options));
          break;
        case "nst-poly":
          terms.add(new NstTerm(Mmd.Kernel.POLY, options));
          break;
        case "nst-gauss":
          terms.add(new NstTerm(Mmd.Kernel.GAUSS, options));
          break;
        default:
          throw new IllegalStateException(t);
      }
    }
    return new CompositeObjective(normalize(tokens), terms);
  }

  /**
   * The normalised form of a method string ({@code "KD + nst-poly"} → {@code kd+nst-poly},
   * {@code ce+at} → {@code at}).
   *
   * @param method the method string
   * @return its normalised form
   * @throws IllegalArgumentException as {@link #create}
   */
  public static String normalize(String method) {
    return normalize(parse(method));
  }

  /**
   * Splits and checks a method string.
   *
   * @param method the method string
   * @return its lower-case tokens in order
   * @throws IllegalArgumentException for an empty, unknown or repeated token, listing the known ones
   */
  public static List<String> parse(String method) {
    if (method == null || method.isBlank()) {
      throw new IllegalArgumentException("no method given; known methods: " + String.join(", ", KNOWN)
          + " (combine with '+')");
    }
    Set<String> seen = new LinkedHashSet<>();
    for (String raw : method.split("\\+", -1)) {
      String t = raw.trim().toLowerCase(Locale.ROOT);
      if (t.isEmpty()) {
        throw new IllegalArgumentException("empty term in method '" + method + "'");
      }
      if (!KNOWN.contains(t)) {
        throw new IllegalArgumentException(
            "unknown method '" + raw.trim() + "' in '" + method + "'; known methods: "
                + String.join(", ", KNOWN) + " (combine with '+')");
      }
      if (!seen.add(t)) {
        throw new IllegalArgumentException("method '" + t + "' appears twice in '" + method + "'");
      }
    }
    return List.copyOf(seen);
  }

  private static String normalize(List<String> tokens) {
    List<String> kept = new ArrayList<>(tokens);
    if (kept.size() > 1) {
      kept.remove("ce");
    }
    return String.join("+", kept);
  }
}

package org.nst4j.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import org.nst4j.transfer.LossOptions;
import org.nst4j.transfer.Objectives;

/**
 * One method of an experiment: a method string, its loss options, and the label naming its runs.
 *
 * @param label names the method's row in reports and its run folders ({@code <out>/runs/<label>/seed-<s>});
 *     by default the normalised method string
 * @param method the normalised method string, e.g. {@code kd+nst-poly}
 * @param options the loss options
 */
public record MethodSpec(String label, String method, LossOptions options) {
  /** Characters allowed in a label (it becomes a folder name). */
  public static final Pattern LABEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+=-]*");

  /**
   * Checks the parts.
   *
   * @throws IllegalArgumentException for an unknown method or a label that cannot be a folder name
   */
  public MethodSpec {
    Objects.requireNonNull(options, "options");
    method = Objectives.normalize(method);
    if (label == null || !LABEL.matcher(label).matches()) {
      throw new IllegalArgumentException("method label '" + label + "' must match " + LABEL.pattern()
          + " (it names a folder)");
    }
  }

  /** A method with the default options, labelled by its method string. */
  public static MethodSpec of(String method, LossOptions options) {
    String m = Objectives.normalize(method);
    return new MethodSpec(m, m, options);
  }

  /**
   * The options that matter for this method, in words, e.g. {@code λ=50 (λ/2·MMD²), taps stage3} for
   * {@code nst-poly}; empty for {@code ce}.
   */
  public String describe() {
    List<String> tokens = Objectives.parse(method);
    List<String> parts = new ArrayList<>();
    LossOptions o = options;
    if (tokens.contains("kd")) {
      parts.add("T=" + num(o.kdTemperature()) + " α=" + num(o.kdAlpha()));
    }
    if (tokens.contains("fitnet")) {
      parts.add("β_fitnet=" + num(o.fitnetBeta()));
    }
    if (tokens.contains("at")) {
      parts.add("β_at=" + num(o.atBeta()) + (o.atP() != LossOptions.DEFAULT_AT_P ? " p=" + num(o.atP()) : ""));
    }
    boolean nst = tokens.stream().anyMatch(t -> t.startsWith("nst-"));
    if (nst) {
      parts.add("λ=" + num(o.lambda()) + (o.nstHalf() ? " (λ/2·MMD²)" : " (λ·MMD²)"));
      if (tokens.contains("nst-poly")) {
        parts.add("d=" + o.nstDegree() + " c=" + num(o.nstC()));
      }
      if (tokens.contains("nst-gauss")) {
        parts.add("σ²=" + (o.nstSigma2() == null ? "auto" : num(o.nstSigma2())));
      }
      if (!o.keepTeacherTerm()) {
        parts.add("no teacher term");
      }
    }
    if (nst || tokens.contains("fitnet") || tokens.contains("at")) {
      parts.add("taps " + (o.taps() == null ? "default" : String.join(",", o.taps())));
    }
    return String.join(", ", parts);
  }

  /** A number without a useless ".0": 50 rather than 50.0, 0.9 as 0.9. */
  static String num(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return String.format(Locale.ROOT, "%s", v);
  }
}

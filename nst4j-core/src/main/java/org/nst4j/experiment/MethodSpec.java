package org.nst4j.experiment;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.nst4j.transfer.LossOptions;
import org.nst4j.transfer.MethodOption;
import org.nst4j.transfer.TransferMethod;
import org.nst4j.transfer.TransferMethods;

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
    method = TransferMethods.normalize(TransferMethods.parse(method));
    if (label == null || !LABEL.matcher(label).matches()) {
      throw new IllegalArgumentException("method label '" + label + "' must match " + LABEL.pattern()
          + " (it names a folder)");
    }
  }

  /** A method with the default options, labelled by its method string. */
  public static MethodSpec of(String method, LossOptions options) {
    String m = TransferMethods.normalize(TransferMethods.parse(method));
    return new MethodSpec(m, m, options);
  }

  /**
   * The options that matter for this method, in words, e.g. {@code λ=50 (λ/2·MMD²), d=2 c=0, taps stage3} for
   * {@code nst-poly}; empty for {@code ce} (see {@link TransferMethods#describe}).
   */
  public String describe() {
    return TransferMethods.describe(methods(), options);
  }

  /** The methods of the method string, in order. */
  public List<TransferMethod> methods() {
    return TransferMethods.parse(method);
  }

  /** A number without a useless ".0": 50 rather than 50.0, 0.9 as 0.9. */
  static String num(double v) {
    return MethodOption.format(v);
  }
}

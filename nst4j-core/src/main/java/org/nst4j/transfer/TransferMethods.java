package org.nst4j.transfer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The registry of transfer methods: the one list of every {@link TransferMethod}, and the parsing of method
 * strings ({@code kd+nst-poly}) into them.
 *
 * <p>To add a method, write its {@link TransferMethod} class and add one line to {@link #ALL}; the CLI options,
 * the experiment-file keys, {@code config.json} and the reports follow from it.
 */
public final class TransferMethods {
  /** Every method, in documentation order. */
  public static final List<TransferMethod> ALL = List.of(
      new CeMethod(),
      new KdMethod(),
      new FitNetMethod(),
      new AtMethod(),
      new NstLinearMethod(),
      new NstPolyMethod(),
      new NstGaussMethod(),
      new DkdMethod(),
      new RkdMethod(),
      new PktMethod(),
      new SpMethod(),
      new KdsvdMethod(),
      new VidMethod(),
      new OfdMethod(),
      new CrdMethod(),
      new ReviewKdMethod());

  private static final Map<String, TransferMethod> BY_NAME = index();

  private TransferMethods() {}

  private static Map<String, TransferMethod> index() {
    Map<String, TransferMethod> m = new LinkedHashMap<>();
    Map<String, MethodOption<?>> keys = new LinkedHashMap<>();
    Map<String, MethodOption<?>> cli = new LinkedHashMap<>();
    for (TransferMethod method : ALL) {
      if (m.put(method.name(), method) != null || !method.name().matches("[a-z][a-z0-9-]*")) {
        throw new IllegalStateException("method name '" + method.name() + "' repeated or malformed");
      }
      for (MethodOption<?> o : method.options()) {
        // Two methods may share an option only as one object: the same key must mean the same thing.
        MethodOption<?> k = keys.putIfAbsent(o.key(), o);
        MethodOption<?> c = cli.putIfAbsent(o.cliName(), o);
        if ((k != null && k != o) || (c != null && c != o)) {
          throw new IllegalStateException("option " + o.key() + " / " + o.cliName() + " of " + method.name()
              + " is declared twice");
        }
      }
    }
    return m;
  }

  /** Every method name, in documentation order. */
  public static List<String> names() {
    return List.copyOf(BY_NAME.keySet());
  }

  /**
   * A method by name.
   *
   * @param name e.g. {@code nst-poly} (case and surrounding spaces ignored)
   * @return the method
   * @throws IllegalArgumentException for an unknown name, listing the known ones
   */
  public static TransferMethod get(String name) {
    TransferMethod m = name == null ? null : BY_NAME.get(name.trim().toLowerCase(Locale.ROOT));
    if (m == null) {
      throw new IllegalArgumentException("unknown method '" + name + "'; known methods: " + known());
    }
    return m;
  }

  /** Every option of every method, each once, in documentation order. */
  public static List<MethodOption<?>> allOptions() {
    Set<MethodOption<?>> all = new LinkedHashSet<>();
    for (TransferMethod m : ALL) {
      all.addAll(m.options());
    }
    return List.copyOf(all);
  }

  /**
   * Splits and checks a method string.
   *
   * @param method e.g. {@code kd+nst-poly} (case and spaces ignored)
   * @return its methods, in order
   * @throws IllegalArgumentException for an empty, unknown or repeated method, listing the known ones
   */
  public static List<TransferMethod> parse(String method) {
    if (method == null || method.isBlank()) {
      throw new IllegalArgumentException("no method given; known methods: " + known());
    }
    Set<TransferMethod> seen = new LinkedHashSet<>();
    for (String raw : method.split("\\+", -1)) {
      String t = raw.trim().toLowerCase(Locale.ROOT);
      if (t.isEmpty()) {
        throw new IllegalArgumentException("empty term in method '" + method + "'");
      }
      TransferMethod m = BY_NAME.get(t);
      if (m == null) {
        throw new IllegalArgumentException(
            "unknown method '" + raw.trim() + "' in '" + method + "'; known methods: " + known());
      }
      if (!seen.add(m)) {
        throw new IllegalArgumentException("method '" + t + "' appears twice in '" + method + "'");
      }
    }
    return List.copyOf(seen);
  }

  /**
   * The normalised form of a list of methods: names joined by {@code +}, {@code ce} dropped unless alone.
   *
   * @param methods parsed methods
   * @return e.g. {@code kd+nst-poly}
   */
  public static String normalize(List<TransferMethod> methods) {
    List<String> kept = new ArrayList<>();
    for (TransferMethod m : methods) {
      kept.add(m.name());
    }
    if (kept.size() > 1) {
      kept.remove(CeMethod.NAME);
    }
    return String.join("+", kept);
  }

  /**
   * The options of a method string in words, for the reports' method column, e.g. {@code T=4 α=0.9, λ=50
   * (λ/2·MMD²), d=2 c=0, taps stage3}: each method's parts (each distinct part once), then the taps when a
   * method reads feature maps; empty for {@code ce}.
   *
   * @param methods parsed methods
   * @param options the options
   * @return the description
   */
  public static String describe(List<TransferMethod> methods, LossOptions options) {
    Set<String> parts = new LinkedHashSet<>();
    boolean taps = false;
    for (TransferMethod m : methods) {
      parts.addAll(m.describe(options));
      taps |= m.readsTaps();
    }
    if (taps) {
      parts.add("taps " + (options.taps() == null ? "default" : String.join(",", options.taps())));
    }
    return String.join(", ", parts);
  }

  private static String known() {
    return String.join(", ", BY_NAME.keySet()) + " (combine with '+')";
  }
}

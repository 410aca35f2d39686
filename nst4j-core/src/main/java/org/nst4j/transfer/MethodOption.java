package org.nst4j.transfer;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.DoublePredicate;
import java.util.function.Function;
import java.util.function.IntPredicate;

/**
 * One typed option of a transfer method: its key (in experiment files and in {@code config.json}), its CLI
 * name, its default, its rule and its help text — written once, here, and read by the CLI, the experiment
 * reader, the run identity and the reports.
 *
 * <p>Immutable. Made by the static factories ({@link #real}, {@link #integer}, {@link #bool}, {@link
 * #choice}, {@link #optionalReal}); a method declares its options as constants of its {@link TransferMethod}
 * class and lists them in {@link TransferMethod#options()}. An option may be shared by several methods (the
 * NST kernels share λ): it is then one object, so {@code --lambda} sets it for all of them.
 *
 * @param <T> the value type: {@link Double}, {@link Integer}, {@link Boolean} or {@link String}
 */
public final class MethodOption<T> {
  private final String key;
  private final String cliName;
  private final String paramLabel;
  private final String description;
  private final Class<T> type;
  private final T defaultValue;
  private final String what;
  private final Function<String, T> parser;
  private final Function<T, String> rule;
  private final String legacyKey;
  private final T flagValue;

  private MethodOption(Builder<T> b) {
    this.key = b.key;
    this.cliName = b.cliName;
    this.paramLabel = b.paramLabel;
    this.description = b.description;
    this.type = b.type;
    this.defaultValue = b.defaultValue;
    this.what = b.what;
    this.parser = b.parser;
    this.rule = b.rule;
    this.legacyKey = b.legacyKey;
    this.flagValue = b.flagValue;
    String bad = defaultValue == null ? null : rule.apply(defaultValue);
    if (bad != null) {
      throw new IllegalStateException(key + ": default " + defaultValue + " breaks its own rule: " + bad);
    }
  }

  /**
   * A real-valued option.
   *
   * @param key the key in experiment files and {@code config.json}, e.g. {@code kd_temperature}
   * @param cliName the CLI option, e.g. {@code --kd-temperature}
   * @param paramLabel the value's name in help, e.g. {@code T}
   * @param what the option in error messages, e.g. {@code KD temperature T}
   * @param defaultValue the default (it must satisfy the rule)
   * @param valid the rule a finite value must satisfy
   * @param ruleText the rule in words, e.g. {@code > 0}
   * @param description the help text, without the default (added by the CLI)
   * @return the option
   */
  public static MethodOption<Double> real(String key, String cliName, String paramLabel, String what,
      double defaultValue, DoublePredicate valid, String ruleText, String description) {
    return new Builder<>(key, cliName, paramLabel, what, Double.class, defaultValue, description,
        s -> parseDouble(s, cliName),
        v -> !Double.isFinite(v) ? what + " must be a finite number, got " + v
            : valid.test(v) ? null : what + " must be " + ruleText + ", got " + v).build();
  }

  /**
   * A real-valued option whose default is "none" ({@code auto}), e.g. a σ² computed per image.
   *
   * @return the option; its value is null for {@code auto}
   * @see #real
   */
  public static MethodOption<Double> optionalReal(String key, String cliName, String paramLabel, String what,
      DoublePredicate valid, String ruleText, String description) {
    return new Builder<>(key, cliName, paramLabel, what, Double.class, null, description,
        s -> s.trim().equalsIgnoreCase("auto") ? null : parseDouble(s, cliName),
        v -> Double.isFinite(v) && valid.test(v) ? null : what + " must be " + ruleText + ", got " + v).build();
  }

  /**
   * An integer option.
   *
   * @return the option
   * @see #real
   */
  public static MethodOption<Integer> integer(String key, String cliName, String paramLabel, String what,
      int defaultValue, IntPredicate valid, String ruleText, String description) {
    return new Builder<>(key, cliName, paramLabel, what, Integer.class, defaultValue, description,
        s -> parseInt(s, cliName), v -> valid.test(v) ? null : what + " must be " + ruleText + ", got " + v)
        .build();
  }

  /**
   * A boolean option given on the command line as a flag that sets {@code flagValue} (e.g.
   * {@code --drop-teacher-term} sets {@code keep_teacher_term} to false).
   *
   * @param flagValue the value the CLI flag sets (the opposite of the default)
   * @return the option
   */
  public static MethodOption<Boolean> bool(String key, String cliName, String what, boolean defaultValue,
      boolean flagValue, String description) {
    Builder<Boolean> b = new Builder<>(key, cliName, null, what, Boolean.class, defaultValue, description,
        s -> parseBoolean(s, cliName), v -> null);
    b.flagValue = flagValue;
    return b.build();
  }

  /**
   * An option with a fixed set of lower-case words.
   *
   * @param choices the allowed words; the first one named in messages
   * @param ruleText the choices with their meaning, e.g. {@code half (λ/2, the paper) or full (λ, the MXNet code)}
   * @return the option
   */
  public static MethodOption<String> choice(String key, String cliName, String what, String defaultValue,
      List<String> choices, String ruleText, String description) {
    List<String> allowed = List.copyOf(choices);
    return new Builder<>(key, cliName, String.join("|", allowed), what, String.class, defaultValue, description,
        s -> s.trim().toLowerCase(Locale.ROOT),
        v -> allowed.contains(v) ? null : what + " must be " + ruleText + ", got '" + v + "'").build();
  }

  /**
   * The same option, also read from pre-registry run folders, whose {@code config.json} wrote every option
   * in one text under this camel-case name (e.g. {@code kdTemperature}).
   *
   * @param legacy the old name
   * @return a copy knowing its old name
   */
  public MethodOption<T> withLegacyKey(String legacy) {
    Builder<T> b = new Builder<>(key, cliName, paramLabel, what, type, defaultValue, description, parser, rule);
    b.flagValue = flagValue;
    b.legacyKey = legacy;
    return b.build();
  }

  /** The key in experiment files and {@code config.json}, e.g. {@code kd_temperature}. */
  public String key() {
    return key;
  }

  /** The CLI option, e.g. {@code --kd-temperature}. */
  public String cliName() {
    return cliName;
  }

  /** The value's name in help, e.g. {@code T}; null for a flag. */
  public String paramLabel() {
    return paramLabel;
  }

  /** The help text, without the default. */
  public String description() {
    return description;
  }

  /** The value type. */
  public Class<T> type() {
    return type;
  }

  /** The default; null only for an {@link #optionalReal} option. */
  public T defaultValue() {
    return defaultValue;
  }

  /** The value a CLI flag sets, or null when the option takes a value on the command line. */
  public T flagValue() {
    return flagValue;
  }

  /** The camel-case name in pre-registry {@code config.json} files, or null. */
  public String legacyKey() {
    return legacyKey;
  }

  /** The default as text for help and documentation ({@code auto} for none). */
  public String defaultText() {
    return defaultValue == null ? "auto" : format(defaultValue);
  }

  /**
   * Parses a value written as text (CLI, experiment files, old run folders) and checks it.
   *
   * @param text the text, e.g. {@code 4}, {@code half}, {@code auto}
   * @return the value
   * @throws IllegalArgumentException naming the option and the rule
   */
  public T parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException(cliName + ": a value is required");
    }
    return check(parser.apply(text));
  }

  /**
   * Checks a value against the option's rule.
   *
   * @param value the value (null allowed only for an {@link #optionalReal} option)
   * @return the value
   * @throws IllegalArgumentException naming the option and the rule
   */
  public T check(T value) {
    if (value == null) {
      if (defaultValue != null) {
        throw new IllegalArgumentException(what + " must be given, got nothing");
      }
      return null;
    }
    String bad = rule.apply(value);
    if (bad != null) {
      throw new IllegalArgumentException(bad);
    }
    return value;
  }

  /**
   * Casts and checks a value of unknown type (from a map of values).
   *
   * @param value the value
   * @return it, typed
   * @throws IllegalArgumentException if it has another type or breaks the rule
   */
  public T cast(Object value) {
    if (value != null && !type.isInstance(value)) {
      if (type == Double.class && value instanceof Number n) {
        return check(type.cast(n.doubleValue()));
      }
      throw new IllegalArgumentException(what + " must be a " + type.getSimpleName().toLowerCase(Locale.ROOT)
          + ", got " + value);
    }
    return check(type.cast(value));
  }

  /** A value as text: 50 rather than 50.0, 0.9 as 0.9, {@code auto} for none. */
  public static String format(Object value) {
    if (value == null) {
      return "auto";
    }
    if (value instanceof Double d) {
      double v = d;
      if (v == Math.rint(v) && Math.abs(v) < 1e15) {
        return Long.toString((long) v);
      }
      return String.format(Locale.ROOT, "%s", v);
    }
    return value.toString();
  }

  @Override
  public String toString() {
    return key;
  }

  private static Double parseDouble(String s, String name) {
    try {
      return Double.parseDouble(s.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": '" + s + "' is not a number");
    }
  }

  private static Integer parseInt(String s, String name) {
    try {
      return Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": '" + s + "' is not an integer");
    }
  }

  private static Boolean parseBoolean(String s, String name) {
    switch (s.trim().toLowerCase(Locale.ROOT)) {
      case "true":
        return true;
      case "false":
        return false;
      default:
        throw new IllegalArgumentException(name + ": '" + s + "' is not true or false");
    }
  }

  private static final class Builder<T> {
    private final String key;
    private final String cliName;
    private final String paramLabel;
    private final String what;
    private final Class<T> type;
    private final T defaultValue;
    private final String description;
    private final Function<String, T> parser;
    private final Function<T, String> rule;
    private String legacyKey;
    private T flagValue;

    Builder(String key, String cliName, String paramLabel, String what, Class<T> type, T defaultValue,
        String description, Function<String, T> parser, Function<T, String> rule) {
      this.key = Objects.requireNonNull(key, "key");
      this.cliName = Objects.requireNonNull(cliName, "cliName");
      if (!key.matches("[a-z][a-z0-9_]*") || !cliName.matches("--[a-z][a-z0-9-]*")) {
        throw new IllegalArgumentException("option key '" + key + "' / CLI name '" + cliName + "' malformed");
      }
      this.paramLabel = paramLabel;
      this.what = Objects.requireNonNull(what, "what");
      this.type = type;
      this.defaultValue = defaultValue;
      this.description = Objects.requireNonNull(description, "description");
      this.parser = parser;
      this.rule = rule;
    }

    MethodOption<T> build() {
      return new MethodOption<>(this);
    }
  }
}

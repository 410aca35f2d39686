package org.nst4j.transfer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The option values of a run's transfer methods, plus the two settings every feature-map method shares: the
 * taps and the spatial policy.
 *
 * <p>The options themselves (names, defaults, rules) belong to the methods ({@link TransferMethod#options()});
 * this holds only the values set away from their defaults, so two option sets that mean the same are equal.
 * Immutable; build with {@link #builder()} and {@link Builder#set}, which checks each value against its
 * option's rule and throws an {@link IllegalArgumentException} naming the option and the bad value.
 */
public final class LossOptions {
  private final Map<String, Object> values;
  private final List<String> taps;
  private final SpatialPolicy spatial;

  private LossOptions(Builder b) {
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(b.values));
    this.taps = b.taps == null ? null : List.copyOf(b.taps);
    this.spatial = b.spatial;
  }

  /** Every option at its default, each method's default taps, spatial policy {@code pool}. */
  public static LossOptions defaults() {
    return builder().build();
  }

  /** A builder holding the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this object's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.values.putAll(values);
    b.taps = taps;
    b.spatial = spatial;
    return b;
  }

  /**
   * The value of an option: the one set, else its default.
   *
   * @param option the option
   * @param <T> its type
   * @return the value (null only for an unset {@link MethodOption#optionalReal} option)
   */
  public <T> T get(MethodOption<T> option) {
    Object v = values.get(option.key());
    return v == null ? option.defaultValue() : option.type().cast(v);
  }

  /**
   * Requested taps, or null for each method's default (NST and FitNet: the last tap; AT: every tap present in
   * both models). An entry is a tap name present in both models, or {@code student:teacher} to pair taps of
   * different names.
   */
  public List<String> taps() {
    return taps;
  }

  /** The spatial-mismatch policy. */
  public SpatialPolicy spatial() {
    return spatial;
  }

  /**
   * The values of the given methods' options, defaults included, in the methods' order (each option once):
   * what a run of those methods depends on.
   *
   * @param methods the methods of a run
   * @return option key → value (null for {@code auto})
   */
  public Map<String, Object> valuesOf(List<TransferMethod> methods) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (TransferMethod method : methods) {
      for (MethodOption<?> o : method.options()) {
        m.putIfAbsent(o.key(), get(o));
      }
    }
    return m;
  }

  /**
   * The options of the given methods, then the taps and the spatial policy, for reports ({@code loss}).
   *
   * @param methods the methods of a run
   * @return name → value, {@code auto} and {@code default} for the unset σ² and taps
   */
  public Map<String, Object> toMap(List<TransferMethod> methods) {
    Map<String, Object> m = new LinkedHashMap<>();
    valuesOf(methods).forEach((k, v) -> m.put(k, v == null ? "auto" : v));
    m.put("taps", taps == null ? "default" : taps);
    m.put("spatial", spatial.name().toLowerCase(Locale.ROOT));
    return m;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LossOptions other && values.equals(other.values) && Objects.equals(taps, other.taps)
        && spatial == other.spatial;
  }

  @Override
  public int hashCode() {
    return Objects.hash(values, taps, spatial);
  }

  @Override
  public String toString() {
    return "LossOptions" + values + (taps == null ? "" : " taps=" + taps) + " spatial="
        + spatial.name().toLowerCase(Locale.ROOT);
  }

  /** Mutable builder; every value is checked as it is set. */
  public static final class Builder {
    private final Map<String, Object> values = new LinkedHashMap<>();
    private List<String> taps;
    private SpatialPolicy spatial = SpatialPolicy.POOL;

    private Builder() {}

    /**
     * Sets an option.
     *
     * @param option the option
     * @param value its value (null: back to the default)
     * @param <T> its type
     * @return this builder
     * @throws IllegalArgumentException if the value breaks the option's rule
     */
    public <T> Builder set(MethodOption<T> option, T value) {
      T v = value == null ? null : option.check(value);
      if (Objects.equals(v, option.defaultValue())) {
        values.remove(option.key()); // a value equal to the default is the default: equal options stay equal
      } else if (v == null) {
        values.remove(option.key());
      } else {
        values.put(option.key(), v);
      }
      return this;
    }

    /**
     * Sets an option from text (CLI, experiment files).
     *
     * @param option the option
     * @param text its value as text
     * @return this builder
     * @throws IllegalArgumentException if the text is not a valid value
     */
    public <T> Builder parse(MethodOption<T> option, String text) {
      return set(option, option.parse(text));
    }

    /** Sets the taps (null or empty: each method's default). */
    public Builder optTaps(List<String> v) {
      if (v != null) {
        for (String t : v) {
          if (t == null || t.isBlank()) {
            throw new IllegalArgumentException("tap names must not be blank, got " + v);
          }
        }
      }
      taps = v == null || v.isEmpty() ? null : new ArrayList<>(v);
      return this;
    }

    /** Sets the spatial-mismatch policy. */
    public Builder optSpatial(SpatialPolicy v) {
      if (v == null) {
        throw new IllegalArgumentException("spatial policy must be pool or refuse, got null");
      }
      spatial = v;
      return this;
    }

    /** Builds the options (every value was checked when set). */
    public LossOptions build() {
      return new LossOptions(this);
    }
  }
}

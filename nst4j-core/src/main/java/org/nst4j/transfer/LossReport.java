package org.nst4j.transfer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The value of an objective on saved tensors, as plain numbers: the total, each weighted term, the terms
 * that could not be computed from the inputs given and why, and the options used.
 *
 * <p>Made by {@link Objectives#evaluate}; {@link #toJson()} is what the {@code loss} command prints.
 */
public final class LossReport {
  private final String method;
  private final double total;
  private final Map<String, Double> terms;
  private final List<String> notes;
  private final Map<String, Object> options;

  /**
   * Creates a report.
   *
   * @param method the normalised method string
   * @param terms weighted term values by name, in order (their sum is the total)
   * @param notes remarks such as an omitted CE, in order
   * @param options the options as {@link LossOptions#toMap(java.util.List)}
   */
  public LossReport(String method, Map<String, Double> terms, List<String> notes, Map<String, Object> options) {
    this.method = method;
    this.terms = Collections.unmodifiableMap(new LinkedHashMap<>(terms));
    this.notes = List.copyOf(notes);
    this.options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
    double sum = 0;
    for (double v : terms.values()) {
      sum += v;
    }
    this.total = sum;
  }

  /** The normalised method string. */
  public String method() {
    return method;
  }

  /** The sum of the computed terms. */
  public double total() {
    return total;
  }

  /** Weighted term values by name ({@code ce}, {@code kd}, {@code nst-poly}, ...), in order. */
  public Map<String, Double> terms() {
    return terms;
  }

  /** Remarks, e.g. that the CE was omitted because no labels were given. */
  public List<String> notes() {
    return notes;
  }

  /** The options used. */
  public Map<String, Object> options() {
    return options;
  }

  /**
   * One JSON object: {@code {"method", "total", "terms": {...}, "notes": [...], "options": {...}}}.
   *
   * @return the JSON text (single line)
   */
  public String toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("method", method);
    m.put("total", total);
    m.put("terms", terms);
    m.put("notes", notes);
    m.put("options", options);
    try {
      return new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS).writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise loss report", e);
    }
  }

  @Override
  public String toString() {
    return toJson();
  }
}

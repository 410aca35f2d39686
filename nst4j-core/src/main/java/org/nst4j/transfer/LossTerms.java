package org.nst4j.transfer;

import ai.djl.ndarray.NDArray;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The weighted terms of one objective evaluation and their sum.
 *
 * <p>Each term is a scalar NDArray already multiplied by its weight, so {@link #total()} is their plain sum
 * and the per-term values logged per epoch add up to the logged loss.
 */
public final class LossTerms {
  private final Map<String, NDArray> terms;
  private final NDArray total;

  private LossTerms(Map<String, NDArray> terms, NDArray total) {
    this.terms = Collections.unmodifiableMap(terms);
    this.total = total;
  }

  /**
   * Sums named weighted terms.
   *
   * @param terms term name (e.g. {@code ce}, {@code kd}, {@code nst-poly}) to weighted scalar, in order
   * @return the terms and their total
   * @throws IllegalArgumentException if there is no term
   */
  public static LossTerms of(Map<String, NDArray> terms) {
    if (terms.isEmpty()) {
      throw new IllegalArgumentException("an objective needs at least one term");
    }
    NDArray sum = null;
    for (NDArray t : terms.values()) {
      sum = sum == null ? t : sum.add(t);
    }
    return new LossTerms(new LinkedHashMap<>(terms), sum);
  }

  /** The scalar loss to differentiate. */
  public NDArray total() {
    return total;
  }

  /** Weighted terms by name, in order. */
  public Map<String, NDArray> terms() {
    return terms;
  }
}

package org.nst4j.transfer;

import java.util.List;
import java.util.Set;

/**
 * {@code ce}: cross-entropy alone, no teacher. Every objective has exactly one CE term (spec, "Sums"), so
 * {@code ce} adds no term of its own: written alone it is plain training, written in a sum ({@code ce+at})
 * it is implied and dropped from the normalised method string.
 */
public final class CeMethod implements TransferMethod {
  /** The method's name. */
  public static final String NAME = "ce";

  CeMethod() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String paper() {
    return "cross-entropy, no teacher";
  }

  @Override
  public String summary() {
    return "cross-entropy on the labels only (the baseline)";
  }

  @Override
  public Set<Input> reads() {
    return Set.of(Input.LOGITS, Input.LABELS);
  }

  @Override
  public List<MethodOption<?>> options() {
    return List.of();
  }

  @Override
  public List<String> describe(LossOptions options) {
    return List.of();
  }

  @Override
  public TransferTerm createTerm(LossOptions options) {
    return null;
  }
}

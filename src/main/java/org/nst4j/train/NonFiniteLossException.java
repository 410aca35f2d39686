package org.nst4j.train;

/**
 * A loss term became NaN or infinite. The run stops; the last checkpoint (end of the previous epoch) is
 * kept untouched so the user can change a setting and {@code --resume}.
 */
public final class NonFiniteLossException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param term the loss term's name
   * @param value its value (NaN or ±Inf)
   * @param epoch 1-based epoch
   * @param batch 1-based batch
   */
  public NonFiniteLossException(String term, double value, int epoch, int batch) {
    super("loss term '" + term + "' is " + value + " at epoch " + epoch + ", batch " + batch
        + "; the last good checkpoint is kept (try a smaller learning rate or loss weight)");
  }
}

package org.nst4j.train;

/**
 * A loss term (or, at the end of an epoch, a parameter) became NaN or infinite. The run stops before the
 * bad values reach a checkpoint: the checkpoint of the previous epoch is kept untouched, so the user can
 * change a setting and {@code --resume}.
 */
public final class NonFiniteLossException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String term;
  private final int epoch;
  private final int batch;
  private final boolean checkpointKept;

  /**
   * Creates the exception for a run that has a checkpoint of the previous epoch.
   *
   * @param term the loss term's name
   * @param value its value (NaN or ±Inf)
   * @param epoch 1-based epoch
   * @param batch 1-based batch
   */
  public NonFiniteLossException(String term, double value, int epoch, int batch) {
    this(term, value, epoch, batch, true);
  }

  /**
   * Creates the exception.
   *
   * @param term the loss term's name (or what else became non-finite)
   * @param value its value (NaN or ±Inf)
   * @param epoch 1-based epoch
   * @param batch 1-based batch
   * @param checkpointKept whether a checkpoint of an earlier epoch exists to resume from
   */
  public NonFiniteLossException(String term, double value, int epoch, int batch, boolean checkpointKept) {
    super((term.contains("parameter") ? term + " is not finite" : "loss term '" + term + "' is " + value)
        + " at epoch " + epoch + ", batch " + batch + "; "
        + (checkpointKept
            ? "the checkpoint of epoch " + (epoch - 1) + " is kept (lower the learning rate or loss weight and"
                + " continue with --resume)"
            : "no epoch had finished, nothing was kept (lower the learning rate or loss weight)"));
    this.term = term;
    this.epoch = epoch;
    this.batch = batch;
    this.checkpointKept = checkpointKept;
  }

  /** The name of the non-finite term. */
  public String term() {
    return term;
  }

  /** The 1-based epoch. */
  public int epoch() {
    return epoch;
  }

  /** The 1-based batch. */
  public int batch() {
    return batch;
  }

  /** Whether a checkpoint of an earlier epoch exists. */
  public boolean checkpointKept() {
    return checkpointKept;
  }
}

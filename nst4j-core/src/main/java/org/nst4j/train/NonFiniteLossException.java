package org.nst4j.train;

/**
 * A loss term (or, at the end of an epoch, a parameter) became NaN or infinite, or the loss diverged (grew
 * orders of magnitude over its running mean). The run stops before the bad values reach a checkpoint: the
 * checkpoint of the previous epoch is kept untouched, so the user can change a setting and {@code --resume}.
 */
public final class NonFiniteLossException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private static final String ADVICE = "lower the learning rate or loss weight";

  private final String term;
  private final String what;
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
    this(term, term.contains("parameter") ? term + " is not finite" : "loss term '" + term + "' is " + value, epoch,
        batch, checkpointKept, outcome(epoch, checkpointKept, ADVICE));
  }

  private NonFiniteLossException(String term, String what, int epoch, int batch, boolean checkpointKept,
      String outcome) {
    super(what + " at epoch " + epoch + ", batch " + batch + "; " + outcome);
    this.term = term;
    this.what = what;
    this.epoch = epoch;
    this.batch = batch;
    this.checkpointKept = checkpointKept;
  }

  /**
   * A loss that stayed finite but grew past {@code factor} times the running mean of the run's batch losses.
   *
   * @param loss the batch's total loss
   * @param mean the lowest running mean before it
   * @param factor the threshold factor
   * @param epoch 1-based epoch
   * @param batch 1-based batch
   * @param checkpointKept whether a checkpoint of an earlier epoch exists to resume from
   * @return the exception
   */
  public static NonFiniteLossException diverged(double loss, double mean, double factor, int epoch, int batch,
      boolean checkpointKept) {
    String what = String.format(java.util.Locale.ROOT, "the loss diverged: %.4g is over %s times the running mean"
        + " of this run's earlier batch losses (%.4g at its lowest)", loss, factorText(factor), mean);
    return new NonFiniteLossException("total", what, epoch, batch, checkpointKept,
        outcome(epoch, checkpointKept, ADVICE + ", or set --divergence-factor; 0 turns the guard off"));
  }

  /**
   * The same failure with another outcome (what happened to the run folder), e.g. for an {@code --overwrite}
   * run whose new files were discarded.
   *
   * @param outcome what was kept, and what the user can do
   * @return the exception with the new message
   */
  public NonFiniteLossException withOutcome(String outcome) {
    NonFiniteLossException e = new NonFiniteLossException(term, what, epoch, batch, false, outcome);
    e.initCause(this);
    return e;
  }

  private static String outcome(int epoch, boolean checkpointKept, String advice) {
    return checkpointKept
        ? "the checkpoint of epoch " + (epoch - 1) + " is kept (" + advice + " and continue with --resume)"
        : "no epoch had finished, nothing was kept (" + advice + ")";
  }

  private static String factorText(double factor) {
    return factor == Math.rint(factor) && factor < 1e15 ? Long.toString((long) factor) : Double.toString(factor);
  }

  /** The name of the non-finite term ("total" for a diverged loss). */
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

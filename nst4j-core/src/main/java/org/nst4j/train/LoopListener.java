package org.nst4j.train;

/** Observes a training run: progress display, logs, checkpoints. All methods default to doing nothing. */
public interface LoopListener {

  /**
   * Called once before the first batch.
   *
   * @param epochs total epochs of the run
   * @param batchesPerEpoch updates per epoch
   * @param firstEpoch the 1-based epoch the run starts at (greater than 1 when resumed)
   */
  default void onStart(int epochs, int batchesPerEpoch, int firstEpoch) {}

  /**
   * Called after every update.
   *
   * @param epoch 1-based epoch
   * @param batch 1-based batch within the epoch
   * @param loss the batch's total loss
   */
  default void onBatch(int epoch, int batch, double loss) {}

  /** Called after each epoch's evaluation, with what it measured. */
  default void onEpoch(EpochRecord record) {}
}

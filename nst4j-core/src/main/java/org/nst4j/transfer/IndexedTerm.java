package org.nst4j.transfer;

/**
 * A {@link TransferTerm} that reads each training image's index in the training set (CRD's memory banks).
 *
 * <p>The training loop's contract ({@code TrainingLoop}, through {@link Objective#setBatchIndices}): before
 * each {@link TransferTerm#compute} of a training batch, it calls {@link #setBatchIndices} with the dataset
 * indices of the batch's images ({@code ImageBatch.indices()}), in batch order (after shuffling; augmentation does
 * not change an image's index). Indices are in [0, {@link #numData()}).
 */
public interface IndexedTerm {

  /** The number N of training images the term was built for (memory bank rows). */
  int numData();

  /**
   * Gives the dataset indices of the next batch.
   *
   * @param indices B indices in [0, N), one per image of the batch, in batch order
   */
  void setBatchIndices(long[] indices);
}

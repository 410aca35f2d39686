package org.nst4j.transfer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/**
 * A DJL {@link Loss} for any nst4j objective ({@code kd+nst-poly}, {@code fitnet}, {@code at+nst-poly}, ...): the
 * objective's total on the output of its {@link DistillationBlock} (student and teacher outputs; see that class
 * for the layout) and {@code labels.get(0)}. Obtained from {@link DistillationBlock#loss()}, which ties it to the
 * block's layout and trained modules; as every DJL loss, the trainer also tracks it as an evaluator
 * ({@code train_loss}, {@code validate_loss} under the name {@code distillation}).
 *
 * <p>Labels may be int32, int64 or float (DJL's {@code ArrayDataset} gives float32); float labels must hold
 * whole class indices in [0, K).
 */
public final class DistillationLoss extends Loss {
  /** The name DJL's metrics and logs show. */
  public static final String NAME = "distillation";

  private final DistillationBlock block;

  DistillationLoss(DistillationBlock block) {
    super(NAME);
    this.block = block;
  }

  /** The block whose output this loss reads. */
  public DistillationBlock block() {
    return block;
  }

  /**
   * The objective's total on one batch.
   *
   * @param labels {@code [class indices (B)]}
   * @param predictions the {@link DistillationBlock}'s forward output
   * @return the scalar loss
   * @throws IllegalArgumentException if the predictions are not the block's layout or the labels are missing or
   *     not class indices
   */
  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    return block.evaluate(labels, predictions);
  }
}

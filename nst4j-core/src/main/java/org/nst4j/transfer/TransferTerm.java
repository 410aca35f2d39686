package org.nst4j.transfer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.List;
import org.nst4j.model.ModelOutput;

/**
 * One weighted term of an {@link Objective} (CE, KD, FitNet, AT or one NST kernel).
 *
 * <p>An objective is the sum of its terms; each term returns its value already multiplied by its weight, so
 * the per-term values in {@link LossTerms} add up to the total.
 */
public interface TransferTerm extends AutoCloseable {

  /** The term's name in {@link LossTerms}, e.g. {@code ce}, {@code kd}, {@code nst-poly}. */
  String name();

  /** Whether the term reads the teacher's output. */
  default boolean needsTeacher() {
    return true;
  }

  /** Whether the term reads labels (only CE does). */
  default boolean needsLabels() {
    return false;
  }

  /** Whether the term reads logits rather than feature maps (CE and KD). */
  default boolean needsLogits() {
    return false;
  }

  /**
   * Builds auxiliary parameters from sample shapes; the default does nothing.
   *
   * @param manager owner of the parameters
   * @param student a student output of the training shapes
   * @param teacher the matching teacher output (null if {@link #needsTeacher()} is false)
   * @param seed seed for a deterministic initialisation
   */
  default void initialize(NDManager manager, ModelOutput student, ModelOutput teacher, long seed) {}

  /**
   * Computes the weighted scalar term on one batch.
   *
   * @param student the student's output
   * @param teacher the teacher's output (may be null if {@link #needsTeacher()} is false)
   * @param labels B class indices, int64, int32 or whole-valued float (may be null if {@link #needsLabels()} is false)
   * @param training true during training (auxiliary BatchNorm in training mode)
   * @return a scalar NDArray
   */
  NDArray compute(ModelOutput student, ModelOutput teacher, NDArray labels, boolean training);

  /**
   * Called by the training loop before the first batch of each epoch, epoch counted from 1 (e.g. for a
   * warm-up weight). A term must not depend on being called: outside training (the {@code loss} command) it
   * is never called, and the term is then at full weight. The default does nothing.
   *
   * @param epoch the epoch about to train, from 1
   */
  default void beginEpoch(int epoch) {}

  /**
   * State outside {@link #parameters()} that a checkpoint must keep so that a resumed run is bit-identical (CRD's
   * memory banks, its normalisation constants and its sampler), encoded; null (the default) for none.
   *
   * @return the encoded state, or null
   */
  default byte[] saveState() {
    return null;
  }

  /**
   * Restores what {@link #saveState()} returned, after {@link #initialize} with the same shapes.
   *
   * @param state the encoded state
   * @throws IllegalArgumentException if it does not fit this term
   */
  default void restoreState(byte[] state) {
    throw new IllegalArgumentException(name() + " keeps no state, got " + state.length + " bytes of it");
  }

  /** Trainable auxiliary parameters; empty by default. */
  default List<Parameter> parameters() {
    return List.of();
  }

  /** Releases auxiliary parameters; the default does nothing. */
  @Override
  default void close() {}
}

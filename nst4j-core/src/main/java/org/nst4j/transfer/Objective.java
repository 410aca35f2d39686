package org.nst4j.transfer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.List;
import org.nst4j.model.ModelOutput;

/**
 * A training objective: CE alone, or CE/KD plus transfer terms, built from a method string such as
 * {@code kd+nst-poly} (see {@code transfer-losses.md}, "Sums").
 *
 * <p>Life cycle: {@link #initialize} once with a sample batch (FitNet builds its regressor from the channel
 * counts it sees), then {@link #compute} per batch inside the gradient collector. Auxiliary parameters
 * (FitNet's regressor) are returned by {@link #parameters()}; the training loop updates them with the
 * student's and never saves them with it.
 */
public interface Objective extends AutoCloseable {

  /** The method string this objective was built from, normalised (e.g. {@code kd+nst-poly}). */
  String method();

  /** Whether {@link #compute} reads the teacher's output (false for {@code ce}). */
  boolean needsTeacher();

  /**
   * Prepares auxiliary state from one sample of outputs; a no-op for objectives without parameters.
   *
   * @param manager the manager that will own auxiliary parameters
   * @param student a student output of the training shapes
   * @param teacher the teacher output for the same batch, or null when {@link #needsTeacher()} is false
   * @param seed seed for the auxiliary parameters' initialisation
   */
  void initialize(NDManager manager, ModelOutput student, ModelOutput teacher, long seed);

  /**
   * Evaluates the objective on one batch.
   *
   * @param student the student's output (with gradient)
   * @param teacher the teacher's output, detached; null when {@link #needsTeacher()} is false
   * @param labels int64 labels of shape (B)
   * @param training true during training (BatchNorm of auxiliary blocks in training mode)
   * @return the weighted terms and their total
   */
  LossTerms compute(ModelOutput student, ModelOutput teacher, NDArray labels, boolean training);

  /**
   * Tells every term that an epoch begins ({@link TransferTerm#beginEpoch}).
   *
   * @param epoch the epoch about to train, from 1
   */
  void beginEpoch(int epoch);

  /**
   * Gives the dataset indices of the next batch's images to every term that reads them ({@link IndexedTerm});
   * the training loop calls it before each {@link #compute}. The default does nothing.
   *
   * @param indices the batch's indices in the training set, in batch order (null: unknown)
   */
  default void setBatchIndices(long[] indices) {}

  /**
   * The terms' state outside their parameters ({@link TransferTerm#saveState()}), by term name, in term order;
   * empty when no term keeps any. Checkpoints store it.
   */
  default java.util.Map<String, byte[]> saveState() {
    return java.util.Map.of();
  }

  /**
   * Restores what {@link #saveState()} returned.
   *
   * @param states by term name
   * @throws IllegalArgumentException if the states do not match the terms that keep state
   */
  default void restoreState(java.util.Map<String, byte[]> states) {
    if (!states.isEmpty()) {
      throw new IllegalArgumentException(method() + " keeps no term state, got " + states.keySet());
    }
  }

  /** Trainable auxiliary parameters (empty unless the objective has e.g. a FitNet regressor). */
  List<Parameter> parameters();

  /** Releases auxiliary parameters. */
  @Override
  void close();
}

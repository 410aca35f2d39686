package org.nst4j.transfer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** Feature shapes shared by the relational terms (RKD, PKT, SP, ...). */
final class Features {
  private Features() {}

  /**
   * "Pooled" features (spec part 2): the global average pool of a B×C×H×W map, B×C; a B×D array is taken as
   * already pooled (saved embeddings for the {@code loss} command).
   *
   * @param tap a B×C×H×W map or B×D features
   * @param where a label for messages
   * @return B×C
   */
  static NDArray pooled(NDArray tap, String where) {
    Shape s = tap.getShape();
    if (s.dimension() == 2) {
      return tap;
    }
    if (s.dimension() != 4) {
      throw new IllegalArgumentException(where + ": features must be B×C×H×W or B×D, got " + s);
    }
    return tap.reshape(s.get(0), s.get(1), -1).mean(new int[] {2});
  }

  /**
   * Moves the result of an operation whose first operand is a trained parameter into the manager of the batch
   * it was computed from, and returns it. DJL gives an operation's result to the manager of its first operand:
   * a product {@code W·x} would otherwise live in the parameters' manager, which lasts the whole run, and every
   * batch's activations would stay allocated (the FMNIST-10k grid's VID run reached 20 GB in four epochs).
   *
   * @param result the operation's result
   * @param batchInput an array of the batch (its manager is closed after the step)
   * @return {@code result}, now owned by {@code batchInput}'s manager
   */
  static NDArray inBatch(NDArray result, NDArray batchInput) {
    result.attach(batchInput.getManager());
    return result;
  }

  /** A B×… array reshaped to B×(rest). */
  static NDArray flat(NDArray x) {
    return x.reshape(x.getShape().get(0), -1);
  }

  /** Checks that two feature arrays share the batch size (and that it is at least {@code min}). */
  static void checkBatch(NDArray student, NDArray teacher, int min, String where) {
    long b = student.getShape().get(0);
    if (b != teacher.getShape().get(0)) {
      throw new IllegalArgumentException(
          where + ": student and teacher batch sizes differ: " + student.getShape() + " vs " + teacher.getShape());
    }
    if (b < min) {
      throw new IllegalArgumentException(where + " needs a batch of at least " + min + " images, got " + b);
    }
  }

  /**
   * Smooth L1 (Huber with β = 1), mean over all elements: ½x² where |x| &lt; 1, |x| − ½ elsewhere, written as
   * ½q² + (|x| − q) with q = min(|x|, 1) so that no constant is wrapped from Java.
   */
  static NDArray smoothL1(NDArray a, NDArray b) {
    NDArray x = a.sub(b).abs();
    NDArray q = Scalars.atMost(x, 1);
    return Scalars.times(q.square(), 0.5).add(x.sub(q)).mean();
  }
}

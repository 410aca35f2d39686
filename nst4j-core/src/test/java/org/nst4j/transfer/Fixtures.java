package org.nst4j.transfer;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.nst4j.model.ModelOutput;

/** Shared helpers for the transfer tests: seeded float64 arrays, model outputs, autograd and FD gradients. */
final class Fixtures {
  private Fixtures() {}

  /** Seeded N(0,1) values (float64), optionally passed through ReLU like real feature maps. */
  static NDArray random(NDManager m, long seed, boolean relu, long... shape) {
    Random r = new Random(seed);
    Shape s = new Shape(shape);
    double[] v = new double[Math.toIntExact(s.size())];
    for (int i = 0; i < v.length; i++) {
      double g = r.nextGaussian();
      v[i] = relu ? Math.max(g, 0) : g;
    }
    return m.create(v, s);
  }

  /** An output with no logits and taps named tap0, tap1, ... */
  static ModelOutput maps(NDArray... taps) {
    Map<String, NDArray> m = new LinkedHashMap<>();
    for (int i = 0; i < taps.length; i++) {
      m.put("tap" + i, taps[i]);
    }
    return ModelOutput.of((NDArray) null, m);
  }

  /** Autograd gradient of a scalar function at x (float64). */
  static double[] autograd(NDArray x, Function<NDArray, NDArray> f) {
    NDArray leaf = x.duplicate();
    leaf.setRequiresGradient(true);
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray y = f.apply(leaf);
      gc.backward(y);
    }
    return leaf.getGradient().toDoubleArray();
  }

  /** Central finite difference of f at element i of x with step h. */
  static double centralDifference(NDArray x, int i, double h, Function<NDArray, NDArray> f) {
    double[] v = x.toDoubleArray();
    double orig = v[i];
    v[i] = orig + h;
    double plus = f.apply(x.getManager().create(v, x.getShape())).getDouble();
    v[i] = orig - h;
    double minus = f.apply(x.getManager().create(v, x.getShape())).getDouble();
    return (plus - minus) / (2 * h);
  }

  /**
   * How many arrays one batch leaves behind in the manager that owns a term's parameters: the term is initialised
   * with a fresh sub-manager of {@code root}, then {@code batches} batches are computed and back-propagated, each
   * in its own sub-manager closed after it (as the training loop does); the result is the growth of the
   * parameters' manager between the first and the last batch, divided by the batches in between (0: nothing
   * accumulates). DJL puts an operation's result in the manager of its first operand, so an operation that starts
   * from a parameter would otherwise keep every batch's activations until the run ends.
   *
   * @param root where the term's manager and the batches' managers are made
   * @param term the term to initialise and run
   * @param student the student maps of one batch (float64, created anew in each batch's manager)
   * @param teacher the teacher maps of one batch
   * @param batches batches to run, ≥ 2
   * @param beforeCompute called before each compute (CRD's indices)
   * @return arrays left behind per batch
   */
  static double arraysLeftPerBatch(NDManager root, TransferTerm term, NDArray student, NDArray teacher,
      int batches, Runnable beforeCompute) {
    NDManager owner = root.newSubManager();
    term.initialize(owner, maps(student), maps(teacher), 1);
    int first = -1;
    int last = -1;
    for (int i = 0; i < batches; i++) {
      try (NDManager batch = root.newSubManager()) {
        NDArray s = batch.create(student.toDoubleArray(), student.getShape());
        s.setRequiresGradient(true);
        NDArray t = batch.create(teacher.toDoubleArray(), teacher.getShape());
        beforeCompute.run();
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          gc.backward(term.compute(maps(s), maps(t), null, true));
        }
      }
      int count = countArrays(owner);
      if (i == 0) {
        first = count;
      }
      last = count;
    }
    return (last - first) / (double) (batches - 1);
  }

  /** The arrays a manager holds, its sub-managers' included. */
  private static int countArrays(NDManager m) {
    return m.getManagedArrays().size();
  }
}

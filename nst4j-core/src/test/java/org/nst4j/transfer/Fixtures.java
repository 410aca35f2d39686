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
}

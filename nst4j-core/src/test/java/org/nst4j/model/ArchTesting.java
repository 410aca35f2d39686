package org.nst4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.function.BiFunction;

/** Checks shared by the tests of the larger zoo architectures. */
final class ArchTesting {
  private ArchTesting() {}

  /** Learnable scalars of a bias-free k×k convolution followed by a BatchNorm (γ, β). */
  static long convBn(int k, long in, long out) {
    return (long) k * k * in * out + 2 * out;
  }

  /**
   * The number of learnable scalars of a zoo model, initialised with zeros instead of the seeded
   * initialisers (the count depends only on the shapes, and drawing tens of millions of Gaussians is slow).
   */
  static long parameterCount(String arch, int channels, int classes, Shape input) {
    try (NDManager manager = NDManager.newBaseManager()) {
      TappedModel m = ModelZoo.create(arch, channels, classes, 0);
      m.setInitializer(Initializer.ZEROS, Parameter.Type.WEIGHT);
      m.initialize(manager, DataType.FLOAT32, input);
      return Models.parameterCount(m);
    }
  }

  /** Learnable scalars of a linear layer with bias. */
  static long linear(long in, long out) {
    return in * out + out;
  }

  /**
   * Initialises a block, runs one training-mode forward and backward of a random projection of all its
   * outputs: every learnable parameter must get a non-zero gradient (a layer left out of the forward, or an
   * output cut from the graph, would not).
   */
  static void everyParameterLearns(Block block, NDManager manager, Shape input) {
    block.initialize(manager, DataType.FLOAT32, input);
    ParameterStore ps = new ParameterStore(manager, false);
    try (NDManager scope = manager.newSubManager();
        GradientCollector gc = manager.getEngine().newGradientCollector()) {
      NDArray x = scope.randomNormal(input);
      NDArray loss = null;
      for (NDArray out : block.forward(ps, new NDList(x), true)) {
        // Random weights per output so that a sum of symmetric outputs cannot cancel a gradient.
        NDArray term = out.mul(scope.randomNormal(out.getShape())).sum();
        loss = loss == null ? term : loss.add(term);
      }
      gc.backward(loss);
    }
    for (Pair<String, Parameter> p : block.getParameters()) {
      Parameter.Type type = p.getValue().getType();
      if (type == Parameter.Type.RUNNING_MEAN || type == Parameter.Type.RUNNING_VAR) {
        continue;
      }
      NDArray grad = p.getValue().getArray().getGradient();
      assertTrue(grad.abs().sum().getFloat() > 0f, p.getKey() + " got no gradient");
    }
  }

  /**
   * Gives a block seeded weights and checks it: {@link #everyParameterLearns}, then an inference forward
   * equal to {@code expected} (the forward written out from the block's children) and of the shape {@code
   * getOutputShapes} announces.
   */
  static void checkForward(Block block, NDManager manager, Shape input,
      BiFunction<ParameterStore, NDArray, NDArray> expected) {
    SeededInit.apply(block, 1);
    everyParameterLearns(block, manager, input);
    ParameterStore ps = new ParameterStore(manager, false);
    NDArray x = manager.randomNormal(input);
    NDArray y = block.forward(ps, new NDList(x), false).singletonOrThrow();
    assertTrue(expected.apply(ps, x).allClose(y, 1e-5, 1e-6, false));
    assertEquals(block.getOutputShapes(new Shape[] {input})[0], y.getShape());
  }
}

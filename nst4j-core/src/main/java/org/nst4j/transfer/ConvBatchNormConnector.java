package org.nst4j.transfer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Conv1×1 (no bias) + BatchNorm from the student's channels to the teacher's: FitNet's regressor and OFD's
 * connector, trained with the student and never exported. The convolution is Kaiming-normal (fan-out) from a
 * seeded Java RNG, the BatchNorm γ = 1, β = 0 with running statistics 0 and 1 (the FMNIST-10k initialisation).
 */
final class ConvBatchNormConnector {
  private final Conv2d conv;
  private final BatchNorm bn;
  private final ParameterStore store;
  private final String what;
  private final long cs;
  private final long ct;

  /**
   * Builds and initialises the connector.
   *
   * @param manager owner of the parameters
   * @param student the student map's shape B×C_s×H×W
   * @param ct the teacher's channels C_t
   * @param type the parameters' data type
   * @param seed seed of the convolution's weights
   * @param what its name in messages ({@code regressor}, {@code connector})
   */
  ConvBatchNormConnector(NDManager manager, Shape student, long ct, DataType type, long seed, String what) {
    this.cs = student.get(1);
    this.ct = ct;
    this.what = what;
    conv = Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(Math.toIntExact(ct)).optBias(false).build();
    conv.setInitializer(kaimingNormalFanOut(seed), Parameter.Type.WEIGHT);
    bn = BatchNorm.builder().build();
    bn.setInitializer(Initializer.ONES, Parameter.Type.GAMMA);
    bn.setInitializer(Initializer.ZEROS, Parameter.Type.BETA);
    bn.setInitializer(Initializer.ZEROS, Parameter.Type.RUNNING_MEAN);
    bn.setInitializer(Initializer.ONES, Parameter.Type.RUNNING_VAR);
    conv.initialize(manager, type, student);
    bn.initialize(manager, type, new Shape(student.get(0), ct, student.get(2), student.get(3)));
    for (Parameter p : trainable()) {
      if (!p.getArray().hasGradient()) {
        p.getArray().setRequiresGradient(true);
      }
    }
    store = new ParameterStore(manager, false);
  }

  /**
   * Maps the student's map to the teacher's channels.
   *
   * @param student B×C_s×H×W
   * @param teacher the map it is compared with (its channels are checked)
   * @param training BatchNorm on batch statistics (true) or running statistics
   * @param where the term and tap pair, for messages
   * @return B×C_t×H×W
   * @throws IllegalArgumentException if the channels are not the ones the connector was built for
   */
  NDArray forward(NDArray student, NDArray teacher, boolean training, String where) {
    if (student.getShape().get(1) != cs || teacher.getShape().get(1) != ct) {
      throw new IllegalArgumentException(where + ": the " + what + " was built for " + cs + " -> " + ct
          + " channels, got student " + student.getShape() + " and teacher " + teacher.getShape());
    }
    NDList x = conv.forward(store, new NDList(student), training);
    return bn.forward(store, x, training).singletonOrThrow();
  }

  /** The trained parameters (the convolution's weight, the BatchNorm's γ and β). */
  List<Parameter> trainable() {
    List<Parameter> out = new ArrayList<>();
    for (Parameter p : conv.getParameters().values()) {
      if (p.requiresGradient()) {
        out.add(p);
      }
    }
    for (Parameter p : bn.getParameters().values()) {
      if (p.requiresGradient()) {
        out.add(p);
      }
    }
    return out;
  }

  /** Kaiming-normal (He et al. 2015) with fan_out = out channels × kernel area, from a seeded Java RNG. */
  static Initializer kaimingNormalFanOut(long seed) {
    return (manager, shape, dataType) -> {
      long fanOut = shape.get(0) * (shape.dimension() > 2 ? shape.slice(2).size() : 1);
      double std = Math.sqrt(2.0 / fanOut);
      Random rng = new Random(seed);
      double[] w = new double[Math.toIntExact(shape.size())];
      for (int i = 0; i < w.length; i++) {
        w[i] = rng.nextGaussian() * std;
      }
      return manager.create(w, shape).toType(dataType, false);
    };
  }
}

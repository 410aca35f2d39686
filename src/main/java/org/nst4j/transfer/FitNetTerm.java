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
import org.nst4j.model.ModelOutput;

/**
 * FitNet hint loss (Romero et al. 2015): {@code β · Σ_taps mean((r(F_S) − F_T)²)} over all elements, with a
 * regressor r = Conv1×1(Cs → Ct, no bias) + BatchNorm per tap pair, trained with the student and dropped
 * after training (spec, "FitNet").
 *
 * <p>The regressors are built by {@link #initialize} from the sample shapes: conv weights Kaiming-normal
 * (fan_out, std = √(2/Ct)) from a {@link Random} seeded with {@code seed + tap index}, BN γ = 1, β = 0, running
 * mean 0 and variance 1. When the maps differ in size they are aligned (pooled) first and then regressed:
 * a 1×1 convolution commutes with average pooling, so this equals pooling after the conv up to the BN batch
 * statistics, and costs less.
 */
public final class FitNetTerm implements TransferTerm {
  /** Term name in {@link LossTerms}. */
  public static final String NAME = "fitnet";

  private final LossOptions options;
  private NDManager manager;
  private List<TapPairs.Pair> pairs;
  private final List<Regressor> regressors = new ArrayList<>();

  /**
   * Creates the term; call {@link #initialize} before {@link #compute}.
   *
   * @param options β, taps and the spatial policy
   */
  public FitNetTerm(LossOptions options) {
    this.options = options;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void initialize(NDManager parent, ModelOutput student, ModelOutput teacher, long seed) {
    close();
    pairs = TapPairs.resolve(student, teacher, options.taps(), TapPairs.Default.LAST, NAME);
    manager = parent.newSubManager();
    for (int i = 0; i < pairs.size(); i++) {
      TapPairs.Pair p = pairs.get(i);
      NDArray[] st =
          Spatial.align(student.tap(p.student()), teacher.tap(p.teacher()), options.spatial(), p.label());
      regressors.add(new Regressor(manager, st[0].getShape(), st[1].getShape(), st[0].getDataType(), seed + i));
    }
  }

  @Override
  public NDArray compute(ModelOutput student, ModelOutput teacher, NDArray labels, boolean training) {
    if (pairs == null) {
      throw new IllegalStateException("fitnet: call initialize before compute (the regressor is built there)");
    }
    NDArray sum = null;
    for (int i = 0; i < pairs.size(); i++) {
      TapPairs.Pair p = pairs.get(i);
      NDArray[] st =
          Spatial.align(student.tap(p.student()), teacher.tap(p.teacher()), options.spatial(), p.label());
      NDArray r = regressors.get(i).forward(st[0], st[1], training, p.label());
      NDArray m = r.sub(st[1]).square().mean();
      sum = sum == null ? m : sum.add(m);
    }
    return Scalars.times(sum, options.get(FitNetMethod.BETA));
  }

  @Override
  public List<Parameter> parameters() {
    List<Parameter> out = new ArrayList<>();
    for (Regressor r : regressors) {
      out.addAll(r.trainable());
    }
    return out;
  }

  @Override
  public void close() {
    regressors.clear();
    pairs = null;
    if (manager != null) {
      manager.close();
      manager = null;
    }
  }

  /** Conv1×1 + BatchNorm for one tap pair. */
  private static final class Regressor {
    private final Conv2d conv;
    private final BatchNorm bn;
    private final ParameterStore store;
    private final long cs;
    private final long ct;

    Regressor(NDManager manager, Shape student, Shape teacher, DataType type, long seed) {
      cs = student.get(1);
      ct = teacher.get(1);
      conv =
          Conv2d.builder()
              .setKernelShape(new Shape(1, 1))
              .setFilters(Math.toIntExact(ct))
              .optBias(false)
              .build();
      conv.setInitializer(kaimingNormalFanOut(seed), Parameter.Type.WEIGHT);
      bn = BatchNorm.builder().build();
      bn.setInitializer(Initializer.ONES, Parameter.Type.GAMMA);
      bn.setInitializer(Initializer.ZEROS, Parameter.Type.BETA);
      bn.setInitializer(Initializer.ZEROS, Parameter.Type.RUNNING_MEAN);
      bn.setInitializer(Initializer.ONES, Parameter.Type.RUNNING_VAR);
      conv.initialize(manager, type, student);
      Shape mid = new Shape(student.get(0), ct, student.get(2), student.get(3));
      bn.initialize(manager, type, mid);
      for (Parameter p : trainable()) {
        if (!p.getArray().hasGradient()) {
          p.getArray().setRequiresGradient(true);
        }
      }
      store = new ParameterStore(manager, false);
    }

    NDArray forward(NDArray student, NDArray teacher, boolean training, String where) {
      if (student.getShape().get(1) != cs || teacher.getShape().get(1) != ct) {
        throw new IllegalArgumentException(
            "fitnet "
                + where
                + ": the regressor was built for "
                + cs
                + " -> "
                + ct
                + " channels, got student "
                + student.getShape()
                + " and teacher "
                + teacher.getShape());
      }
      NDList x = conv.forward(store, new NDList(student), training);
      return bn.forward(store, x, training).singletonOrThrow();
    }

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

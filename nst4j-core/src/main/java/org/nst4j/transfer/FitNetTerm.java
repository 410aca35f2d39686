package org.nst4j.transfer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.BatchNorm;
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
  private final List<ConvBatchNormConnector> regressors = new ArrayList<>();

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
      regressors.add(new ConvBatchNormConnector(manager, st[0].getShape(), st[1].getShape().get(1), st[0].getDataType(),
          seed + i, "regressor"));
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
      NDArray r = regressors.get(i).forward(st[0], st[1], training, NAME + " " + p.label());
      NDArray m = r.sub(st[1]).square().mean();
      sum = sum == null ? m : sum.add(m);
    }
    return Scalars.times(sum, options.get(FitNetMethod.BETA));
  }

  @Override
  public List<Parameter> parameters() {
    List<Parameter> out = new ArrayList<>();
    for (ConvBatchNormConnector r : regressors) {
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
}

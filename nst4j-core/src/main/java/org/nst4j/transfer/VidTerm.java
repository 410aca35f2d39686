package org.nst4j.transfer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.nst4j.model.ModelOutput;

/**
 * Variational information distillation (Ahn et al., CVPR 2019; spec part 2, "VID"):
 * {@code w · Σ_taps mean over B, C, H, W of ½·((r(F_S) − F_T)²/σ² + log σ²)}.
 *
 * <p>Per tap pair a regressor r = Conv1×1(C_s→C_t) · ReLU · Conv1×1(C_t→C_t) · ReLU · Conv1×1(C_t→C_t),
 * no biases, and a per-channel variance σ²_c = softplus(a_c) + 1e-5 with a_c = log(exp(5 − 1e-5) − 1), so
 * σ² = 5 at the start; both are trained with the student ({@link #parameters()}) and dropped after training.
 * Maps of different sizes are aligned first ({@link Spatial}; mdistiller pools the larger one the same way).
 *
 * <p>Initialisation: each 1×1 convolution's weights are drawn uniformly from ±1/√(fan_in) (PyTorch's default
 * for {@code nn.Conv2d}, which the authors' and mdistiller's code keep), from a {@link Random} seeded with
 * {@code seed + 3·pair + layer}. The convolutions are written as matrix products over the channels.
 *
 * <p>Default taps: every tap pair but the first (the shallowest) when there are several
 * ({@link TapPairs.Default#ALL_BUT_FIRST}), as the spec says ("every stage but the first"). mdistiller's
 * {@code feats[1:]} drops only its ResNets' stem output and so keeps every stage; nst4j's taps have no stem,
 * so the spec's letter is followed here and differs from mdistiller by the first stage (pass
 * {@code taps: [stage1, stage2, stage3]} for mdistiller's set).
 */
public final class VidTerm implements TransferTerm {
  /** Term name in {@link LossTerms} (proposed method token {@code vid}). */
  public static final String NAME = "vid";

  /** Default weight w = 1; proposed option {@code --vid-weight}. */
  public static final double DEFAULT_WEIGHT = 1;

  /** Initial variance σ² = 5 (the authors' {@code init_pred_var}); proposed option {@code --vid-init-var}. */
  public static final double DEFAULT_INIT_VARIANCE = 5;

  /** The floor added to the softplus. */
  static final double EPS = 1e-5;

  private final double weight;
  private final double initVariance;
  private final List<String> taps;
  private NDManager manager;
  private List<TapPairs.Pair> pairs;
  private final List<Regressor> regressors = new ArrayList<>();

  /** Creates the term with the default weight and initial variance on every tap pair. */
  public VidTerm() {
    this(DEFAULT_WEIGHT, DEFAULT_INIT_VARIANCE, null);
  }

  /**
   * Creates the term; call {@link #initialize} before {@link #compute}.
   *
   * @param weight w ≥ 0
   * @param initVariance initial σ² &gt; 1e-5
   * @param taps tap pairs ({@code name} or {@code student:teacher}, summed), or null for every tap pair
   */
  public VidTerm(double weight, double initVariance, List<String> taps) {
    if (!(weight >= 0) || !Double.isFinite(weight)) {
      throw new IllegalArgumentException("VID weight must be a finite number ≥ 0, got " + weight);
    }
    if (!(initVariance > EPS) || !Double.isFinite(initVariance)) {
      throw new IllegalArgumentException("VID initial variance must be > 1e-5, got " + initVariance);
    }
    this.weight = weight;
    this.initVariance = initVariance;
    this.taps = taps == null ? null : List.copyOf(taps);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void initialize(NDManager parent, ModelOutput student, ModelOutput teacher, long seed) {
    close();
    pairs = TapPairs.resolve(student, teacher, taps, TapPairs.Default.ALL_BUT_FIRST, NAME);
    manager = parent.newSubManager();
    for (int i = 0; i < pairs.size(); i++) {
      TapPairs.Pair p = pairs.get(i);
      NDArray[] st = Spatial.align(student.tap(p.student()), teacher.tap(p.teacher()), SpatialPolicy.POOL,
          NAME + " " + p.label());
      regressors.add(new Regressor(manager, i, st[0].getShape().get(1), st[1].getShape().get(1),
          st[0].getDataType(), initVariance, seed + 3L * i));
    }
  }

  @Override
  public NDArray compute(ModelOutput student, ModelOutput teacher, NDArray labels, boolean training) {
    if (pairs == null) {
      throw new IllegalStateException(NAME + ": call initialize before compute (the regressors are built there)");
    }
    NDArray sum = null;
    for (int i = 0; i < pairs.size(); i++) {
      TapPairs.Pair p = pairs.get(i);
      NDArray[] st = Spatial.align(student.tap(p.student()), teacher.tap(p.teacher()).stopGradient(),
          SpatialPolicy.POOL, NAME + " " + p.label());
      NDArray m = regressors.get(i).negativeLogLikelihood(st[0], st[1], NAME + " " + p.label());
      sum = sum == null ? m : sum.add(m);
    }
    return Scalars.times(sum, weight);
  }

  @Override
  public List<Parameter> parameters() {
    List<Parameter> out = new ArrayList<>();
    for (Regressor r : regressors) {
      out.addAll(r.parameters);
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

  /** The softplus inverse of σ² − ε: the a_c that gives σ²_c at the start. */
  static double initialScale(double variance) {
    return Math.log(Math.expm1(variance - EPS));
  }

  /** The three 1×1 convolutions and the variance parameters of one tap pair. */
  private static final class Regressor {
    final long cs;
    final long ct;
    final List<Parameter> parameters = new ArrayList<>();

    Regressor(NDManager manager, int index, long cs, long ct, DataType type, double variance, long seed) {
      this.cs = cs;
      this.ct = ct;
      long[][] shapes = {{ct, cs}, {ct, ct}, {ct, ct}};
      for (int l = 0; l < 3; l++) {
        Random rng = new Random(seed + l);
        long fanIn = shapes[l][1];
        double bound = 1 / Math.sqrt(fanIn);
        double[] w = new double[Math.toIntExact(shapes[l][0] * shapes[l][1])];
        for (int j = 0; j < w.length; j++) {
          w[j] = (2 * rng.nextDouble() - 1) * bound;
        }
        parameters.add(parameter(manager.create(w, new Shape(shapes[l])).toType(type, false),
            NAME + index + "_conv" + (l + 1), Parameter.Type.WEIGHT));
      }
      double[] a = new double[Math.toIntExact(ct)];
      java.util.Arrays.fill(a, initialScale(variance));
      parameters.add(parameter(manager.create(a, new Shape(ct)).toType(type, false), NAME + index + "_scale",
          Parameter.Type.OTHER));
    }

    private static Parameter parameter(NDArray array, String name, Parameter.Type type) {
      array.setRequiresGradient(true);
      return Parameter.builder().setName(name).setType(type).optArray(array).optRequiresGrad(true).build();
    }

    NDArray negativeLogLikelihood(NDArray student, NDArray teacher, String where) {
      Shape s = student.getShape();
      if (s.get(1) != cs || teacher.getShape().get(1) != ct) {
        throw new IllegalArgumentException(where + ": the regressor was built for " + cs + " -> " + ct
            + " channels, got student " + s + " and teacher " + teacher.getShape());
      }
      long b = s.get(0);
      NDArray x = student.reshape(b, cs, -1);
      // Each product starts from a parameter: its result is moved to the batch's manager (Features.inBatch).
      NDArray h = Activation.relu(Features.inBatch(parameters.get(0).getArray().matMul(x), x));
      h = Activation.relu(Features.inBatch(parameters.get(1).getArray().matMul(h), x));
      NDArray r = Features.inBatch(parameters.get(2).getArray().matMul(h), x);
      NDArray t = teacher.reshape(b, ct, -1);
      NDArray variance = Scalars.plus(Features.inBatch(Activation.softPlus(parameters.get(3).getArray()), x), EPS)
          .reshape(1, ct, 1);
      NDArray nll = r.sub(t).square().div(variance).add(variance.log());
      return Scalars.times(nll.mean(), 0.5);
    }
  }
}

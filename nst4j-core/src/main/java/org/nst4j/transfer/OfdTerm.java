package org.nst4j.transfer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.BatchNorm;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nst4j.model.ModelOutput;

/**
 * Overhaul of feature distillation (Heo et al., ICCV 2019; spec part 2, "OFD"):
 * {@code w · Σ_i 2^−(n−1−i) · Σ_{C,H,W} d_p(c(S_i), T_i) / B} over n stage pairs (the last stage weight 1),
 * with the partial L2 distance d_p against a per-channel margin m.
 *
 * <p><b>Inputs.</b> Both models expose each stage's <em>pre-ReLU</em> map as a tap named {@code <stage>_pre}
 * (e.g. {@code stage1_pre .. stage3_pre}): for a post-activation residual block, the sum of the branch's last
 * BatchNorm output and the shortcut, before the block's final ReLU, of the last block of the stage. The
 * teacher's BatchNorm before that ReLU gives the margins: {@link #margins(double[], double[])} of its γ and β
 * (for the zoo's ResNets, the last branch BN of the stage's last block — {@code bn2} of a basic block,
 * {@code bn3} of a bottleneck — as the authors' and mdistiller's {@code get_bn_before_relu}, which ignore the
 * shortcut). They are passed at construction, keyed by the teacher's tap name; the term does not read models.
 *
 * <p><b>Connector</b> per pair: Conv1×1(C_s→C_t, no bias) + BatchNorm on the student's pre-ReLU map, weights
 * Kaiming-normal fan_out (std √(2/C_t), the authors' init) from a seeded {@link java.util.Random}, BN γ = 1,
 * β = 0; trained with the student ({@link #parameters()}), dropped after training; its BatchNorm runs in
 * training mode when {@code training} is true. Maps of different sizes are aligned first ({@link Spatial};
 * mdistiller pools the teacher's to the student's size, the same when the teacher's is the larger).
 *
 * <p><b>Partial L2</b>, elementwise with s the connector output and t the teacher map: (s − m)² where s &gt; m
 * and t ≤ m; (s − t)² where s &gt; t and m &lt; t ≤ 0; (s − t)² where t &gt; 0; 0 elsewhere.
 *
 * <p>Default taps: every tap whose name ends in {@value #PRE_SUFFIX} present in both models, in the student's
 * order (mdistiller: {@code preact_feats[1:]}, every stage).
 */
public final class OfdTerm implements TransferTerm {
  /** Term name in {@link LossTerms} (method {@code ofd}). */
  public static final String NAME = "ofd";

  /** Default weight w = 0.001 (mdistiller's CIFAR-100 configuration); option {@code --ofd-weight}. */
  public static final double DEFAULT_WEIGHT = 0.001;

  /** Suffix of the pre-ReLU taps the zoo models expose. */
  public static final String PRE_SUFFIX = "_pre";

  private final double weight;
  private final List<String> taps;
  private final Map<String, double[]> teacherMargins;
  private NDManager manager;
  private List<TapPairs.Pair> pairs;
  private final List<ConvBatchNormConnector> connectors = new ArrayList<>();
  private final List<NDArray> marginArrays = new ArrayList<>();

  /**
   * Creates the term; call {@link #initialize} before {@link #compute}.
   *
   * @param weight w ≥ 0
   * @param taps tap pairs in stage order ({@code name} or {@code student:teacher}), or null for every
   *     {@code *_pre} tap of both models
   * @param teacherMargins per teacher tap name, the C_t margins ({@link #margins(double[], double[])} of the
   *     teacher's BatchNorm before that ReLU)
   */
  public OfdTerm(double weight, List<String> taps, Map<String, double[]> teacherMargins) {
    if (!(weight >= 0) || !Double.isFinite(weight)) {
      throw new IllegalArgumentException("OFD weight must be a finite number ≥ 0, got " + weight);
    }
    if (teacherMargins == null || teacherMargins.isEmpty()) {
      throw new IllegalArgumentException("OFD needs the margins of the teacher's BatchNorms before each ReLU");
    }
    this.weight = weight;
    this.taps = taps == null ? null : List.copyOf(taps);
    Map<String, double[]> copy = new LinkedHashMap<>();
    teacherMargins.forEach((k, v) -> copy.put(k, v.clone()));
    this.teacherMargins = copy;
  }

  @Override
  public String name() {
    return NAME;
  }

  /**
   * The per-channel margins of a BatchNorm with scale γ and shift β: the expectation of N(β, γ²) given that
   * it is negative, {@code β − |γ|·φ(β/|γ|)/Φ(−β/|γ|)}, when Φ(−β/|γ|) &gt; 0.001, else −3|γ| (the authors'
   * rule). A channel with γ = 0 (a constant β) gets min(β, 0).
   *
   * @param gamma the BN's γ per channel
   * @param beta the BN's β per channel
   * @return the margins m_c
   */
  public static double[] margins(double[] gamma, double[] beta) {
    if (gamma.length != beta.length) {
      throw new IllegalArgumentException("gamma and beta differ in length: " + gamma.length + " vs " + beta.length);
    }
    double[] m = new double[gamma.length];
    for (int c = 0; c < m.length; c++) {
      double s = Math.abs(gamma[c]);
      double b = beta[c];
      if (s == 0) {
        m[c] = Math.min(b, 0);
        continue;
      }
      double tail = normalCdf(-b / s);
      if (tail > 0.001) {
        double z = b / s;
        m[c] = b - s * Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI) / tail;
      } else {
        m[c] = -3 * s;
      }
    }
    return m;
  }

  /**
   * The standard normal CDF Φ(x) = ½(1 + erf(x/√2)), erf from its everywhere-convergent series of positive
   * terms {@code erf(z) = 2/√π · e^(−z²) · Σ_n 2^n z^(2n+1)/(2n+1)!!} (error near 1e-15 absolute; erf(z) is
   * taken as 1 beyond z = 6, where 1 − erf &lt; 3e-17).
   */
  static double normalCdf(double x) {
    double z = Math.abs(x) / Math.sqrt(2);
    double erf;
    if (z > 6) {
      erf = 1;
    } else {
      double term = z;
      double sum = z;
      for (int n = 1; n < 500 && term > 1e-17 * sum; n++) {
        term *= 2 * z * z / (2 * n + 1);
        sum += term;
      }
      erf = Math.min(1, 2 / Math.sqrt(Math.PI) * Math.exp(-z * z) * sum);
    }
    return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
  }

  @Override
  public void initialize(NDManager parent, ModelOutput student, ModelOutput teacher, long seed) {
    close();
    pairs = TapPairs.resolve(student, teacher, taps == null ? defaultTaps(student, teacher) : taps,
        TapPairs.Default.ALL, NAME);
    manager = parent.newSubManager();
    for (int i = 0; i < pairs.size(); i++) {
      TapPairs.Pair p = pairs.get(i);
      NDArray[] st = Spatial.align(student.tap(p.student()), teacher.tap(p.teacher()), SpatialPolicy.POOL,
          NAME + " " + p.label());
      long ct = st[1].getShape().get(1);
      double[] m = teacherMargins.get(p.teacher());
      if (m == null) {
        throw new IllegalArgumentException(NAME + ": no margins for the teacher's tap '" + p.teacher()
            + "'; margins were given for " + teacherMargins.keySet());
      }
      if (m.length != ct) {
        throw new IllegalArgumentException(NAME + ": " + m.length + " margins for the teacher's tap '"
            + p.teacher() + "' of " + ct + " channels");
      }
      connectors.add(new ConvBatchNormConnector(manager, st[0].getShape(), ct, st[0].getDataType(), seed + i,
          "connector"));
      marginArrays.add(manager.create(m, new Shape(1, ct, 1, 1)).toType(st[1].getDataType(), false));
    }
  }

  private static List<String> defaultTaps(ModelOutput student, ModelOutput teacher) {
    List<String> out = new ArrayList<>();
    for (String n : student.allTapNames()) {
      if (n.endsWith(PRE_SUFFIX) && teacher.allTapNames().contains(n)) {
        out.add(n);
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(NAME + " reads pre-ReLU maps, taps named '<stage>" + PRE_SUFFIX
          + "' in both models, but the student has " + student.allTapNames() + " and the teacher "
          + teacher.allTapNames() + "; choose taps explicitly (student:teacher)");
    }
    return out;
  }

  @Override
  public NDArray compute(ModelOutput student, ModelOutput teacher, NDArray labels, boolean training) {
    if (pairs == null) {
      throw new IllegalStateException(NAME + ": call initialize before compute (the connectors are built there)");
    }
    int n = pairs.size();
    NDArray sum = null;
    for (int i = 0; i < n; i++) {
      TapPairs.Pair p = pairs.get(i);
      NDArray[] st = Spatial.align(student.tap(p.student()), teacher.tap(p.teacher()).stopGradient(),
          SpatialPolicy.POOL, NAME + " " + p.label());
      NDArray s = connectors.get(i).forward(st[0], st[1], training, NAME + " " + p.label());
      NDArray d = partialL2(s, st[1], marginArrays.get(i).toType(s.getDataType(), false));
      NDArray term = Scalars.times(d, Math.pow(2, -(n - 1 - i)));
      sum = sum == null ? term : sum.add(term);
    }
    return Scalars.times(sum, weight);
  }

  /**
   * Σ over C, H, W of the partial L2 distance, averaged over the batch.
   *
   * @param s B×C×H×W connector output
   * @param t B×C×H×W teacher pre-ReLU map (no gradient)
   * @param m 1×C×1×1 margins
   * @return scalar
   */
  static NDArray partialL2(NDArray s, NDArray t, NDArray m) {
    DataType type = s.getDataType();
    NDArray zero = t.zerosLike();
    NDArray below = s.gt(m).logicalAnd(t.lte(m)).toType(type, false);
    NDArray between = s.gt(t).logicalAnd(t.gt(m)).logicalAnd(t.lte(zero)).toType(type, false);
    NDArray positive = t.gt(zero).toType(type, false);
    NDArray toMargin = s.sub(m).square().mul(below);
    NDArray toTeacher = s.sub(t).square().mul(between.add(positive));
    return Scalars.over(toMargin.add(toTeacher).sum(), s.getShape().get(0));
  }

  @Override
  public List<Parameter> parameters() {
    List<Parameter> out = new ArrayList<>();
    for (ConvBatchNormConnector c : connectors) {
      out.addAll(c.trainable());
    }
    return out;
  }

  @Override
  public void close() {
    connectors.clear();
    marginArrays.clear();
    pairs = null;
    if (manager != null) {
      manager.close();
      manager = null;
    }
  }
}

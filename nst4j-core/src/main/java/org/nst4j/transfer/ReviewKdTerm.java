package org.nst4j.transfer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
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
 * Knowledge review (Chen et al., CVPR 2021; spec part 2, "ReviewKD"), as mdistiller's {@code ReviewKD}:
 * attention-based fusion (ABF) of the student's levels from deep to shallow, then the hierarchical context
 * loss (HCL) against the teacher's, {@code w(e) · w · Σ_levels HCL}, w(e) = min(e/warmup, 1) as for DKD.
 *
 * <p><b>Levels</b>, shallow to deep: the tap pairs, then the pooled level (the global average pool of each
 * model's last post-ReLU map, as a 1×1 map: mdistiller's {@code pooled_feat}). Default pairs: every student
 * tap not ending in {@code _pre}, paired with the teacher's tap of the same name plus {@code _pre} when the
 * teacher exposes it (mdistiller reads the teacher's pre-ReLU stage maps and the student's post-ReLU ones),
 * else the same name. The teacher's pooled level pools the post-ReLU tap (the pair's teacher tap without
 * {@code _pre}) when it exists.
 *
 * <p><b>ABF</b> per level: conv1 = Conv1×1(C_s → mid, no bias) + BN, mid = min(512, the deepest student
 * level's channels); for every level but the deepest, the residual from the level below is resized (nearest)
 * to this level's size and fused: z = sigmoid(Conv1×1(2·mid → 2, with bias)([x, r])), x = x·z₀ + r·z₁; x is
 * resized (nearest) to the teacher's size if it differs and becomes the next residual; the output is
 * conv2 = Conv3×3(mid → C_t, pad 1, no bias) + BN of it. Initialisation as mdistiller: conv1 and conv2
 * Kaiming-uniform with a = 1 (±√(3/fan_in)), the attention conv PyTorch's default (±1/√fan_in, bias alike),
 * BN γ = 1, β = 0; seeded. Trained with the student, dropped after training.
 *
 * <p><b>HCL</b> per level: MSE at full resolution (weight 1), plus MSE after adaptive average pooling to 4×4,
 * 2×2 and 1×1 (weights 0.5, 0.25, 0.125) for each size smaller than the map's height, divided by the sum of
 * the weights used.
 *
 * <p>The warm-up factor is 1 until {@link #beginEpoch} is called (the {@code loss} command gets the full term).
 */
public final class ReviewKdTerm implements TransferTerm {
  /** Term name in {@link LossTerms} (method {@code reviewkd}). */
  public static final String NAME = "reviewkd";

  /** Default weight w = 1 (mdistiller's CIFAR-100 configuration); option {@code --reviewkd-weight}. */
  public static final double DEFAULT_WEIGHT = 1;

  /** Default warm-up, 20 epochs; option {@code --reviewkd-warmup}. */
  public static final int DEFAULT_WARMUP = 20;

  /** The cap on the fusion width. */
  static final int MAX_MID_CHANNELS = 512;

  private final double weight;
  private final int warmup;
  private final List<String> taps;
  private double warmupFactor = 1;
  private NDManager manager;
  private List<TapPairs.Pair> pairs;
  private String studentPooledTap;
  private String teacherPooledTap;
  private final List<Abf> abfs = new ArrayList<>();

  /** Creates the term with the default weight and warm-up on the default taps. */
  public ReviewKdTerm() {
    this(DEFAULT_WEIGHT, DEFAULT_WARMUP, null);
  }

  /**
   * Creates the term; call {@link #initialize} before {@link #compute}.
   *
   * @param weight w ≥ 0
   * @param warmup warm-up epochs ≥ 0 (0: none)
   * @param taps tap pairs shallow to deep ({@code name} or {@code student:teacher}), or null for the default
   */
  public ReviewKdTerm(double weight, int warmup, List<String> taps) {
    if (!(weight >= 0) || !Double.isFinite(weight)) {
      throw new IllegalArgumentException("ReviewKD weight must be a finite number ≥ 0, got " + weight);
    }
    if (warmup < 0) {
      throw new IllegalArgumentException("ReviewKD warm-up must be ≥ 0 epochs, got " + warmup);
    }
    this.weight = weight;
    this.warmup = warmup;
    this.taps = taps == null ? null : List.copyOf(taps);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void beginEpoch(int epoch) {
    if (epoch < 1) {
      throw new IllegalArgumentException("epochs are counted from 1, got " + epoch);
    }
    warmupFactor = DkdTerm.warmupFactor(epoch, warmup);
  }

  /** The factor the next batches are weighted by: 1 until {@link #beginEpoch} is called. */
  public double currentWarmupFactor() {
    return warmupFactor;
  }

  private static List<String> defaultTaps(ModelOutput student, ModelOutput teacher) {
    List<String> out = new ArrayList<>();
    for (String n : student.tapNames()) {
      if (n.endsWith(OfdTerm.PRE_SUFFIX)) {
        continue;
      }
      if (teacher.allTapNames().contains(n + OfdTerm.PRE_SUFFIX)) {
        out.add(n + ":" + n + OfdTerm.PRE_SUFFIX);
      } else if (teacher.allTapNames().contains(n)) {
        out.add(n);
      }
    }
    return out.isEmpty() ? null : out;
  }

  @Override
  public void initialize(NDManager parent, ModelOutput student, ModelOutput teacher, long seed) {
    close();
    pairs = TapPairs.resolve(student, teacher, taps == null ? defaultTaps(student, teacher) : taps,
        TapPairs.Default.ALL, NAME);
    TapPairs.Pair last = pairs.get(pairs.size() - 1);
    studentPooledTap = last.student();
    String post = last.teacher().endsWith(OfdTerm.PRE_SUFFIX)
        ? last.teacher().substring(0, last.teacher().length() - OfdTerm.PRE_SUFFIX.length())
        : last.teacher();
    teacherPooledTap = teacher.allTapNames().contains(post) ? post : last.teacher();
    List<NDArray> xs = studentLevels(student);
    List<NDArray> ts = teacherLevels(teacher);
    manager = parent.newSubManager();
    int levels = xs.size();
    long mid = Math.min(MAX_MID_CHANNELS, xs.get(levels - 1).getShape().get(1));
    DataType type = xs.get(0).getDataType();
    for (int i = 0; i < levels; i++) {
      abfs.add(new Abf(manager, xs.get(i).getShape(), mid, ts.get(i).getShape(), i < levels - 1, type,
          seed + 7L * i));
    }
  }

  private List<NDArray> studentLevels(ModelOutput student) {
    List<NDArray> xs = new ArrayList<>();
    for (TapPairs.Pair p : pairs) {
      xs.add(student.tap(p.student()));
    }
    xs.add(pooledMap(student.tap(studentPooledTap)));
    return xs;
  }

  private List<NDArray> teacherLevels(ModelOutput teacher) {
    List<NDArray> ts = new ArrayList<>();
    for (TapPairs.Pair p : pairs) {
      ts.add(teacher.tap(p.teacher()).stopGradient());
    }
    ts.add(pooledMap(teacher.tap(teacherPooledTap)).stopGradient());
    return ts;
  }

  private static NDArray pooledMap(NDArray tap) {
    NDArray p = Features.pooled(tap, NAME);
    return p.reshape(p.getShape().get(0), p.getShape().get(1), 1, 1);
  }

  @Override
  public NDArray compute(ModelOutput student, ModelOutput teacher, NDArray labels, boolean training) {
    if (pairs == null) {
      throw new IllegalStateException(NAME + ": call initialize before compute (the ABF modules are built there)");
    }
    List<NDArray> xs = studentLevels(student);
    List<NDArray> ts = teacherLevels(teacher);
    int levels = xs.size();
    NDArray[] outs = new NDArray[levels];
    NDArray residual = null;
    for (int i = levels - 1; i >= 0; i--) {
      NDArray[] r = abfs.get(i).forward(xs.get(i), residual, training);
      outs[i] = r[0];
      residual = r[1];
    }
    NDArray sum = null;
    for (int i = 0; i < levels; i++) {
      NDArray h = hcl(outs[i], ts.get(i));
      sum = sum == null ? h : sum.add(h);
    }
    return Scalars.times(sum, weight * warmupFactor);
  }

  /**
   * The hierarchical context loss of one level: MSE at full size, plus the MSEs of 4×4, 2×2, 1×1 adaptive
   * average pools (only sizes below the map's height), weighted 1, ½, ¼, ⅛ and divided by the weights' sum.
   *
   * @param s B×C×H×W fused student output
   * @param t B×C×H×W teacher map
   * @return scalar
   */
  static NDArray hcl(NDArray s, NDArray t) {
    if (!s.getShape().equals(t.getShape())) {
      throw new IllegalArgumentException(NAME + ": fused student " + s.getShape() + " vs teacher " + t.getShape());
    }
    long h = s.getShape().get(2);
    long w = s.getShape().get(3);
    NDArray loss = s.sub(t).square().mean();
    double cnt = 1;
    double tot = 1;
    for (long l : new long[] {4, 2, 1}) {
      if (l >= h) {
        continue;
      }
      cnt /= 2;
      NDArray d = Spatial.adaptiveAvgPool(s, l, Math.min(l, w)).sub(Spatial.adaptiveAvgPool(t, l, Math.min(l, w)));
      loss = loss.add(Scalars.times(d.square().mean(), cnt));
      tot += cnt;
    }
    return Scalars.over(loss, tot);
  }

  /**
   * Nearest-neighbour resize of B×C×H×W to B×C×h×w with PyTorch's {@code mode="nearest"} (output i reads
   * input ⌊i·H/h⌋), as two 0/1 selection matrices.
   */
  static NDArray resizeNearest(NDArray x, long h, long w) {
    long inH = x.getShape().get(2);
    long inW = x.getShape().get(3);
    NDArray out = x;
    if (w != inW) {
      out = out.matMul(selection(x, inW, w).transpose());
    }
    if (h != inH) {
      out = selection(x, inH, h).matMul(out);
    }
    return out;
  }

  private static NDArray selection(NDArray like, long in, long out) {
    double[] m = new double[Math.toIntExact(in * out)];
    for (long i = 0; i < out; i++) {
      long src = Math.min(in - 1, (long) Math.floor(i * ((double) in / out)));
      m[Math.toIntExact(i * in + src)] = 1;
    }
    return like.getManager().create(m, new Shape(out, in)).toType(like.getDataType(), false);
  }

  @Override
  public List<Parameter> parameters() {
    List<Parameter> out = new ArrayList<>();
    for (Abf a : abfs) {
      out.addAll(a.trainable());
    }
    return out;
  }

  @Override
  public void close() {
    abfs.clear();
    pairs = null;
    if (manager != null) {
      manager.close();
      manager = null;
    }
  }

  /** Uniform initialisation in ±bound(fan_in), fan_in = in channels × kernel area, from a seeded Java RNG. */
  private static Initializer uniform(long seed, boolean kaimingA1) {
    return (m, shape, dataType) -> {
      long fanIn = shape.dimension() > 1 ? shape.get(1) * (shape.dimension() > 2 ? shape.slice(2).size() : 1)
          : shape.get(0);
      return uniformArray(m, shape, dataType, seed, kaimingA1 ? Math.sqrt(3.0 / fanIn) : 1 / Math.sqrt(fanIn));
    };
  }

  private static NDArray uniformArray(NDManager m, Shape shape, DataType type, long seed, double bound) {
    Random rng = new Random(seed);
    double[] v = new double[Math.toIntExact(shape.size())];
    for (int i = 0; i < v.length; i++) {
      v[i] = (2 * rng.nextDouble() - 1) * bound;
    }
    return m.create(v, shape).toType(type, false);
  }

  /** One attention-based fusion module. */
  private static final class Abf {
    private final Conv2d conv1;
    private final BatchNorm bn1;
    private final Conv2d conv2;
    private final BatchNorm bn2;
    private final Conv2d att;
    private final ParameterStore store;
    private final long outH;
    private final long outW;
    private final long cs;

    Abf(NDManager manager, Shape student, long mid, Shape teacher, boolean fuse, DataType type, long seed) {
      cs = student.get(1);
      outH = teacher.get(2);
      outW = teacher.get(3);
      long b = student.get(0);
      conv1 = Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(Math.toIntExact(mid)).optBias(false)
          .build();
      conv1.setInitializer(uniform(seed, true), Parameter.Type.WEIGHT);
      conv1.initialize(manager, type, student);
      bn1 = batchNorm(manager, type, new Shape(b, mid, student.get(2), student.get(3)));
      conv2 = Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1))
          .setFilters(Math.toIntExact(teacher.get(1))).optBias(false).build();
      conv2.setInitializer(uniform(seed + 1, true), Parameter.Type.WEIGHT);
      conv2.initialize(manager, type, new Shape(b, mid, outH, outW));
      bn2 = batchNorm(manager, type, new Shape(b, teacher.get(1), outH, outW));
      if (fuse) {
        att = Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(2).build();
        att.setInitializer(uniform(seed + 2, false), Parameter.Type.WEIGHT);
        long fanIn = 2 * mid;
        att.setInitializer((m, shape, dataType) -> uniformArray(m, shape, dataType, seed + 3, 1 / Math.sqrt(fanIn)),
            Parameter.Type.BIAS);
        att.initialize(manager, type, new Shape(b, 2 * mid, student.get(2), student.get(3)));
      } else {
        att = null;
      }
      for (Parameter p : trainable()) {
        if (!p.getArray().hasGradient()) {
          p.getArray().setRequiresGradient(true);
        }
      }
      store = new ParameterStore(manager, false);
    }

    private static BatchNorm batchNorm(NDManager manager, DataType type, Shape input) {
      BatchNorm bn = BatchNorm.builder().build();
      bn.setInitializer(Initializer.ONES, Parameter.Type.GAMMA);
      bn.setInitializer(Initializer.ZEROS, Parameter.Type.BETA);
      bn.setInitializer(Initializer.ZEROS, Parameter.Type.RUNNING_MEAN);
      bn.setInitializer(Initializer.ONES, Parameter.Type.RUNNING_VAR);
      bn.initialize(manager, type, input);
      return bn;
    }

    /** {output B×C_t×H_t×W_t, the residual for the next (shallower) level}. */
    NDArray[] forward(NDArray x, NDArray residual, boolean training) {
      if (x.getShape().get(1) != cs) {
        throw new IllegalArgumentException(NAME + ": an ABF module was built for " + cs + " channels, got "
            + x.getShape());
      }
      NDArray y = run(bn1, run(conv1, x, training), training);
      if (att != null) {
        long h = y.getShape().get(2);
        long w = y.getShape().get(3);
        NDArray r = resizeNearest(residual, h, w);
        NDArray z = Activation.sigmoid(run(att, y.concat(r, 1), training));
        y = y.mul(z.get(":, 0:1")).add(r.mul(z.get(":, 1:2")));
      }
      if (y.getShape().get(2) != outH || y.getShape().get(3) != outW) {
        y = resizeNearest(y, outH, outW);
      }
      NDArray out = run(bn2, run(conv2, y, training), training);
      return new NDArray[] {out, y};
    }

    private NDArray run(Block block, NDArray x, boolean training) {
      return block.forward(store, new NDList(x), training).singletonOrThrow();
    }

    List<Parameter> trainable() {
      List<Parameter> out = new ArrayList<>();
      for (Block block : att == null ? List.<Block>of(conv1, bn1, conv2, bn2) : List.of(conv1, bn1, conv2, bn2, att)) {
        for (Parameter p : block.getParameters().values()) {
          if (p.requiresGradient()) {
            out.add(p);
          }
        }
      }
      return out;
    }
  }
}

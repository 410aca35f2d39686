package org.nst4j.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.nst4j.data.Augmentation;
import org.nst4j.data.BatchLoader;
import org.nst4j.data.ImageDataset;
import org.nst4j.data.Normalization;
import org.nst4j.model.MkldnnLayout;
import org.nst4j.model.TappedModel;
import org.nst4j.train.ModelAccuracy;

/**
 * The frozen teacher's forward in oneDNN's blocked (MKLDNN) tensor layout against the usual dense one: speed
 * and agreement (issue 17, item 2; docs/performance.md, "oneDNN's blocked layout for the frozen teacher").
 *
 * <p>DJL 0.36 has one door to that layout: while the system property {@value MkldnnLayout#PROPERTY} is true,
 * its JNI creates every CPU tensor dense and converts it with libtorch's {@code to_mkldnn()}. The switch is
 * process-wide and read at each creation, so it is set only around the teacher's input creation and forward
 * ({@link #withMkldnn}) and restored in a {@code finally} block: a student's step cannot run on MKLDNN tensors
 * (libtorch has no strided views of them — "Could not run 'aten::as_strided' with arguments from the
 * 'MkldnnCPU' backend" — and the taps, the losses, autograd and the optimiser are full of views), so nothing
 * but the teacher's own tensors may be created under it.
 *
 * <p>An MKLDNN forward ({@link #forwardMkldnn}) is: the dense batch copied into a tensor created under the
 * switch (the batch of {@link ModelAccuracy#toImages} is a permuted view, which {@code to_mkldnn()} refuses,
 * hence a copy rather than a conversion), the teacher's forward (the convolutions, ReLUs, residual additions,
 * pre-ReLU BatchNorms and pooling run in the blocked layout; {@code ChainedModel} makes the pooled features
 * dense before its linear head), then every output made dense again, as the student's losses need it. The
 * folded weights stay dense (they are folded before, outside the switch); libtorch reorders them per call.
 *
 * <p>Method of {@link #run}: the teacher's BatchNorms folded as the training loop folds them; full batches of
 * real images in data-set order, normalised as in training, without augmentation (it does not change the
 * cost); {@code warmup} untimed pairs, then {@code pairs} timed pairs of one dense and one MKLDNN forward on
 * the same batch, the dense one first in even pairs and second in odd ones, each pair in its own sub-manager.
 * Making the dense batch is outside the timing (both paths start from it). PyTorch's CPU execution is
 * synchronous, so a forward has finished when it returns. Every pair, warm-up included, also compares each
 * output (logits and every tap) of the two paths.
 */
public final class TeacherLayout {
  /** Images per forward, by default (the training batch). */
  public static final int DEFAULT_BATCH = 64;
  /** Timed pairs, by default. */
  public static final int DEFAULT_PAIRS = 15;
  /** Untimed pairs first, by default. */
  public static final int DEFAULT_WARMUP = 3;

  private TeacherLayout() {}

  /**
   * Runs {@code body} with DJL's MKLDNN switch on, and restores the switch as it was (unset, or its former
   * value) when {@code body} returns or throws. See the class comment for why the switch must not stay on.
   *
   * @param body what creates the teacher's tensors
   * @param <T> its result
   * @return what {@code body} returns
   */
  public static <T> T withMkldnn(Supplier<T> body) {
    String before = System.getProperty(MkldnnLayout.PROPERTY);
    System.setProperty(MkldnnLayout.PROPERTY, "true");
    try {
      return body.get();
    } finally {
      if (before == null) {
        System.clearProperty(MkldnnLayout.PROPERTY);
      } else {
        System.setProperty(MkldnnLayout.PROPERTY, before);
      }
    }
  }

  /**
   * The teacher's usual forward: in inference mode, on the dense batch.
   *
   * @param teacher the teacher
   * @param ps its parameter store
   * @param x the dense batch, N×C×H×W
   * @return its outputs (logits, then the taps)
   */
  public static NDList forwardDense(TappedModel teacher, ParameterStore ps, NDArray x) {
    return teacher.forward(ps, new NDList(x), false);
  }

  /**
   * One MKLDNN forward and what it took.
   *
   * @param outputs the outputs, all dense, in the teacher's order
   * @param mkldnnOutputs how many of them the forward returned in the MKLDNN layout (then made dense)
   * @param copyInNanos the batch's copy into an MKLDNN tensor
   * @param forwardNanos the teacher's forward
   * @param toDenseNanos the outputs' conversion to dense
   */
  public record MkldnnForward(NDList outputs, int mkldnnOutputs, long copyInNanos, long forwardNanos,
      long toDenseNanos) {
    /** The whole MKLDNN path, in nanoseconds. */
    public long totalNanos() {
      return copyInNanos + forwardNanos + toDenseNanos;
    }
  }

  /**
   * The teacher's forward in the MKLDNN layout (see the class comment): the batch copied into an MKLDNN tensor
   * and the forward run under the switch ({@link #withMkldnn}), then the outputs made dense (after the switch
   * is restored: a conversion to dense does not go through DJL's layout mapper).
   *
   * @param teacher the teacher, BatchNorms folded or not, in inference mode
   * @param ps its parameter store
   * @param x the dense batch, N×C×H×W (a view is fine); the copy and the outputs go to its manager
   * @return the dense outputs and the times of the three steps
   * @throws IllegalStateException if the switch had no effect (the copy is not an MKLDNN tensor: another
   *     engine, or a DJL whose layout mapper no longer reads the property), so that no dense run is ever
   *     reported as an MKLDNN one
   * @throws ai.djl.engine.EngineException if libtorch has no MKLDNN kernel for one of the teacher's operations
   */
  public static MkldnnForward forwardMkldnn(TappedModel teacher, ParameterStore ps, NDArray x) {
    long t0 = System.nanoTime();
    long[] t1 = new long[1];
    NDList raw = withMkldnn(() -> {
      // The bytes of the (possibly permuted) batch in logical order, then a tensor created under the switch.
      NDArray blocked = x.getManager().create(x.toByteBuffer(), x.getShape(), DataType.FLOAT32);
      if (!MkldnnLayout.isMkldnn(blocked)) {
        throw new IllegalStateException("DJL did not create an MKLDNN tensor with " + MkldnnLayout.PROPERTY
            + "=true: this engine or DJL version has no such switch");
      }
      t1[0] = System.nanoTime();
      return teacher.forward(ps, new NDList(blocked), false);
    });
    long t2 = System.nanoTime();
    NDList dense = new NDList(raw.size());
    int mkldnn = 0;
    for (NDArray y : raw) {
      if (MkldnnLayout.isMkldnn(y)) {
        mkldnn++;
      }
      dense.add(MkldnnLayout.toDense(y));
    }
    long t3 = System.nanoTime();
    return new MkldnnForward(dense, mkldnn, t1[0] - t0, t2 - t1[0], t3 - t2);
  }

  /**
   * How far one output of the MKLDNN path is from the dense path's, over all compared batches.
   *
   * @param output the output's name ({@code logits} or a tap's)
   * @param shape its shape in one batch, e.g. {@code (64, 16, 28, 28)}
   * @param maxAbsDiff the largest |dense − MKLDNN| of any element
   * @param maxAbs the largest |dense| of any element
   */
  public record Agreement(String output, String shape, double maxAbsDiff, double maxAbs) {
    /** {@code maxAbsDiff / maxAbs}: the difference relative to the output's largest value (0 if all zero). */
    public double relative() {
      return maxAbs == 0 ? maxAbsDiff : maxAbsDiff / maxAbs;
    }

    Agreement merge(double diff, double abs) {
      return new Agreement(output, shape, Math.max(maxAbsDiff, diff), Math.max(maxAbs, abs));
    }
  }

  /**
   * The measurement.
   *
   * @param teacher the teacher's architecture
   * @param batchSize images per forward
   * @param warmup untimed pairs
   * @param denseMs each timed dense forward, ms, in the order they ran
   * @param mkldnnMs each timed MKLDNN forward (copy in, forward, outputs to dense), ms
   * @param copyInMs of {@code mkldnnMs}: the batch's copy into the MKLDNN layout
   * @param mkldnnForwardMs of {@code mkldnnMs}: the forward itself
   * @param toDenseMs of {@code mkldnnMs}: the outputs' conversion to dense
   * @param mkldnnOutputs how many outputs the MKLDNN forward returned in that layout (the rest were dense)
   * @param agreement one entry per output: logits, then the taps
   */
  public record Result(String teacher, int batchSize, int warmup, List<Double> denseMs, List<Double> mkldnnMs,
      List<Double> copyInMs, List<Double> mkldnnForwardMs, List<Double> toDenseMs, int mkldnnOutputs,
      List<Agreement> agreement) {
    /** Compact canonical constructor: defensive copies. */
    public Result {
      denseMs = List.copyOf(denseMs);
      mkldnnMs = List.copyOf(mkldnnMs);
      copyInMs = List.copyOf(copyInMs);
      mkldnnForwardMs = List.copyOf(mkldnnForwardMs);
      toDenseMs = List.copyOf(toDenseMs);
      agreement = List.copyOf(agreement);
    }

    /** The largest {@link Agreement#relative()} over the outputs. */
    public double worstRelative() {
      return agreement.stream().mapToDouble(Agreement::relative).max().orElse(0);
    }
  }

  /**
   * Times the teacher's dense and MKLDNN forwards in alternating pairs and compares their outputs (see the
   * class comment). Folds the teacher's BatchNorms for the measurement, as the training loop does, and unfolds
   * them after if they were not folded before. libtorch's thread count is the caller's to set.
   *
   * @param teacher the teacher, initialised
   * @param manager a manager for the temporaries (a sub-manager per pair is opened and closed)
   * @param images the images (full batches of {@code batchSize} in data-set order are used, cyclically)
   * @param normalization their normalisation, as in training
   * @param batchSize images per forward, ≥ 1 and ≤ the number of images
   * @param pairs timed pairs, ≥ 1
   * @param warmup untimed pairs first, ≥ 0
   * @return the times and the agreement
   * @throws IllegalArgumentException on a bad argument, or if the teacher cannot run in the MKLDNN layout (the
   *     message names the first operation libtorch refused)
   */
  public static Result run(TappedModel teacher, NDManager manager, ImageDataset images, Normalization normalization,
      int batchSize, int pairs, int warmup) {
    if (batchSize < 1 || pairs < 1 || warmup < 0) {
      throw new IllegalArgumentException("need batch ≥ 1, pairs ≥ 1 and warmup ≥ 0; got " + batchSize + ", "
          + pairs + ", " + warmup);
    }
    if (batchSize > images.size()) {
      throw new IllegalArgumentException("the batch of " + batchSize + " is larger than the " + images.size()
          + " images of " + images.name());
    }
    BatchLoader loader = new BatchLoader(images, batchSize, false, true, Augmentation.none(), normalization, 0L);
    List<String> names = new ArrayList<>();
    names.add("logits");
    names.addAll(teacher.tapNames());
    names.addAll(teacher.preReluTapNames());
    boolean wasFolded = teacher.isBatchNormFolded();
    teacher.foldBatchNorm();
    ParameterStore ps = new ParameterStore(manager, false);
    List<Double> dense = new ArrayList<>();
    List<Double> mkldnn = new ArrayList<>();
    List<Double> copyIn = new ArrayList<>();
    List<Double> forward = new ArrayList<>();
    List<Double> toDense = new ArrayList<>();
    List<Agreement> agreement = new ArrayList<>();
    int mkldnnOutputs = 0;
    try {
      for (int p = 0; p < warmup + pairs; p++) {
        try (NDManager scope = manager.newSubManager()) {
          NDArray x = ModelAccuracy.toImages(scope, loader.batch(0, p % loader.batchesPerEpoch()));
          boolean denseFirst = p % 2 == 0;
          long denseNanos = 0;
          NDList d = null;
          if (denseFirst) {
            long t = System.nanoTime();
            d = forwardDense(teacher, ps, x);
            denseNanos = System.nanoTime() - t;
          }
          MkldnnForward m;
          try {
            m = forwardMkldnn(teacher, ps, x);
          } catch (ai.djl.engine.EngineException e) {
            throw new IllegalArgumentException("the teacher " + teacher.architecture() + " cannot run on MKLDNN"
                + " tensors: " + refusal(e), e);
          }
          if (!denseFirst) {
            long t = System.nanoTime();
            d = forwardDense(teacher, ps, x);
            denseNanos = System.nanoTime() - t;
          }
          if (d.size() != m.outputs().size()) {
            throw new IllegalStateException("the dense forward returned " + d.size() + " outputs, the MKLDNN one "
                + m.outputs().size());
          }
          for (int i = 0; i < d.size(); i++) {
            NDArray a = d.get(i);
            double diff = a.sub(m.outputs().get(i)).abs().max().getFloat();
            double abs = a.abs().max().getFloat();
            if (agreement.size() <= i) {
              agreement.add(new Agreement(i < names.size() ? names.get(i) : "output " + i,
                  Arrays.toString(a.getShape().getShape()).replace('[', '(').replace(']', ')'), diff, abs));
            } else {
              agreement.set(i, agreement.get(i).merge(diff, abs));
            }
          }
          mkldnnOutputs = m.mkldnnOutputs();
          if (p >= warmup) {
            dense.add(denseNanos / 1e6);
            mkldnn.add(m.totalNanos() / 1e6);
            copyIn.add(m.copyInNanos() / 1e6);
            forward.add(m.forwardNanos() / 1e6);
            toDense.add(m.toDenseNanos() / 1e6);
          }
        }
      }
    } finally {
      if (!wasFolded) {
        teacher.unfoldBatchNorm();
      }
    }
    return new Result(teacher.architecture(), batchSize, warmup, dense, mkldnn, copyIn, forward, toDense,
        mkldnnOutputs, agreement);
  }

  /**
   * The line of libtorch's message that says what was refused: "Could not run 'aten::...' with arguments from
   * the 'MkldnnCPU' backend..." from an operation DJL called, or, from a TorchScript module, the {@code
   * RuntimeError:} line that follows its traceback; else the first line.
   */
  static String refusal(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    String runtimeError = null;
    for (String line : m.split("\n")) {
      int at = line.indexOf("Could not run '");
      if (at >= 0) {
        return line.substring(at).trim();
      }
      if (line.startsWith("RuntimeError: ") && runtimeError == null) {
        runtimeError = line.substring("RuntimeError: ".length()).trim();
      }
    }
    if (runtimeError != null) {
      return runtimeError;
    }
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  /**
   * The median of some values (the mean of the two middle ones for an even count).
   *
   * @param values at least one
   * @return the median
   */
  static double median(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  private static double min(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  /**
   * The result as Markdown: the times (median and minimum per forward, the MKLDNN path's parts, the ratio of
   * the medians) and the agreement of every output.
   *
   * @param r the result
   * @return two tables with a line of explanation each, ending with a newline
   */
  public static String markdown(Result r) {
    StringBuilder md = new StringBuilder();
    md.append("| forward | median ms | min ms | median ÷ dense median | ms of each pair |\n|---|---:|---:|---:|---|\n");
    double base = median(r.denseMs());
    row(md, "dense", r.denseMs(), base);
    row(md, "MKLDNN, whole path", r.mkldnnMs(), base);
    row(md, "· batch copied in", r.copyInMs(), base);
    row(md, "· forward", r.mkldnnForwardMs(), base);
    row(md, "· outputs to dense", r.toDenseMs(), base);
    md.append(String.format(Locale.ROOT, "%nThe MKLDNN forward returned %d of its %d outputs in the MKLDNN layout"
        + " (the logits come out of the dense linear head).%n%n", r.mkldnnOutputs(), r.agreement().size()));
    md.append("| output | shape | max abs diff | max abs (dense) | relative |\n|---|---|---:|---:|---:|\n");
    for (Agreement a : r.agreement()) {
      md.append(String.format(Locale.ROOT, "| %s | %s | %.2e | %.3g | %.2e |%n", a.output(), a.shape(),
          a.maxAbsDiff(), a.maxAbs(), a.relative()));
    }
    md.append(String.format(Locale.ROOT, "%nLargest difference relative to its output's largest value: %.2e.%n",
        r.worstRelative()));
    return md.toString();
  }

  private static void row(StringBuilder md, String name, List<Double> ms, double base) {
    md.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f× | %s |%n", name, median(ms), min(ms),
        median(ms) / base, ms.stream().map(v -> String.format(Locale.ROOT, "%.1f", v)).toList()));
  }
}

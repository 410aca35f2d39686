package org.nst4j.bench;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.nst4j.model.Models;
import org.nst4j.model.TappedModel;
import org.nst4j.model.TorchScriptModel;
import org.nst4j.store.ModelCard;
import org.nst4j.store.ModelStore;

/**
 * Inference throughput of a model — images per second at a given batch size — for putting a student's
 * speed next to its teacher's (the point of distillation).
 *
 * <p>Method: one fixed random batch; {@code warmup} untimed forward passes (libtorch allocates and picks
 * kernels on the first ones); then forward passes in inference mode (BatchNorm running statistics, no
 * autograd), each in its own NDManager scope, until at least {@code minSeconds} have passed and at least
 * {@code minBatches} batches ran. PyTorch's CPU execution is synchronous, so a forward has finished when it
 * returns. The logits and every tap are computed (a {@link TappedModel} always returns them), which a
 * deployed model also does. Threads are libtorch's (set them before, e.g. {@code --threads}).
 *
 * <p>{@link #measureOnnx} times an exported ONNX model in ONNX Runtime the same way (same warm-up and stopping
 * rule, one fixed random batch, a {@code run} returns when its outputs are computed), and {@link
 * #compareEngines} puts the two side by side, alternating them.
 */
public final class InferenceSpeed {
  /** Untimed forward passes before timing, by default. */
  public static final int DEFAULT_WARMUP = 3;
  /** Least timed wall time by default, in seconds. */
  public static final double DEFAULT_MIN_SECONDS = 2.0;
  /** Least timed batches by default. */
  public static final int DEFAULT_MIN_BATCHES = 5;

  private InferenceSpeed() {}

  /**
   * One measurement.
   *
   * @param architecture the model's architecture name
   * @param parameters its learnable parameter count
   * @param batchSize images per forward pass
   * @param batches timed forward passes
   * @param seconds their total wall time
   */
  public record Result(String architecture, long parameters, int batchSize, int batches, double seconds) {
    /** Images classified per second. */
    public double imagesPerSecond() {
      return batchSize * (double) batches / seconds;
    }

    /** Mean wall time of one forward pass, in milliseconds. */
    public double millisPerBatch() {
      return 1000 * seconds / batches;
    }
  }

  /**
   * Measures a model's throughput.
   *
   * @param model an initialised model
   * @param manager a manager for the temporaries (sub-managers are opened and closed)
   * @param imageChw the shape of one input image, C×H×W
   * @param batchSize images per forward pass, ≥ 1
   * @param warmup untimed passes first, ≥ 0
   * @param minSeconds least timed wall time, ≥ 0
   * @param minBatches least timed passes, ≥ 1
   * @return the measurement
   * @throws IllegalArgumentException on a bad argument
   */
  public static Result measure(TappedModel model, NDManager manager, Shape imageChw, int batchSize, int warmup,
      double minSeconds, int minBatches) {
    checkArguments(imageChw, batchSize, warmup, minSeconds, minBatches);
    ParameterStore ps = new ParameterStore(manager, false);
    try (NDManager batchScope = manager.newSubManager()) {
      NDArray x = batchScope.randomNormal(new Shape(batchSize).addAll(imageChw));
      return time(() -> forward(model, ps, batchScope, x), model.architecture(), Models.parameterCount(model),
          batchSize, warmup, minSeconds, minBatches);
    }
  }

  /** Pass to time, which may throw what ONNX Runtime throws. */
  @FunctionalInterface
  private interface Pass {
    void run() throws Exception;
  }

  /** The timing rule of the class comment, for one pass of either engine. */
  private static Result time(Pass pass, String architecture, long parameters, int batchSize, int warmup,
      double minSeconds, int minBatches) {
    try {
      for (int i = 0; i < warmup; i++) {
        pass.run();
      }
      int batches = 0;
      long start = System.nanoTime();
      long elapsed;
      do {
        pass.run();
        batches++;
        elapsed = System.nanoTime() - start;
      } while (batches < minBatches || elapsed < minSeconds * 1e9);
      return new Result(architecture, parameters, batchSize, batches, elapsed / 1e9);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
    }
  }

  private static void checkArguments(Shape imageChw, int batchSize, int warmup, double minSeconds, int minBatches) {
    if (imageChw.dimension() != 3 || batchSize < 1 || warmup < 0 || !(minSeconds >= 0) || minBatches < 1) {
      throw new IllegalArgumentException("need a C×H×W image shape, batch ≥ 1, warmup ≥ 0, minSeconds ≥ 0 and"
          + " minBatches ≥ 1; got " + imageChw + ", " + batchSize + ", " + warmup + ", " + minSeconds + ", "
          + minBatches);
    }
  }

  /**
   * Opens an ONNX Runtime session on a model with {@code threads} intra-op threads, sequential execution (no
   * inter-op parallelism, as a single forward of a chain has none to use) and every graph optimisation.
   *
   * @param onnxModel the serialised ONNX model
   * @param threads intra-op threads, ≥ 1
   * @return the session; the caller closes it
   * @throws IllegalArgumentException if ONNX Runtime refuses the model
   */
  public static OrtSession onnxSession(byte[] onnxModel, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be ≥ 1, got " + threads);
    }
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(threads);
      options.setInterOpNumThreads(1);
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      return OrtEnvironment.getEnvironment().createSession(onnxModel, options);
    } catch (OrtException e) {
      throw new IllegalArgumentException("ONNX Runtime cannot load the model: " + e.getMessage(), e);
    }
  }

  /**
   * Measures an ONNX model's throughput in ONNX Runtime, with the rule of {@link #measure}; its input is the
   * session's only input, fed one fixed random batch.
   *
   * @param session a session ({@link #onnxSession})
   * @param architecture the label of the result
   * @param parameters the parameter count of the result
   * @param imageChw the shape of one input image, C×H×W
   * @param batchSize images per run, ≥ 1
   * @param warmup untimed runs first, ≥ 0
   * @param minSeconds least timed wall time, ≥ 0
   * @param minBatches least timed runs, ≥ 1
   * @return the measurement
   * @throws IllegalArgumentException on a bad argument
   */
  public static Result measureOnnx(OrtSession session, String architecture, long parameters, Shape imageChw,
      int batchSize, int warmup, double minSeconds, int minBatches) {
    checkArguments(imageChw, batchSize, warmup, minSeconds, minBatches);
    Shape shape = new Shape(batchSize).addAll(imageChw);
    float[] data = new float[Math.toIntExact(shape.size())];
    Random random = new Random(0);
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) random.nextGaussian();
    }
    String input = session.getInputNames().iterator().next();
    try (OnnxTensor x = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), FloatBuffer.wrap(data),
        shape.getShape())) {
      // Each run's outputs are freed at once, as the libtorch side's scope frees its arrays.
      return time(() -> session.run(Map.of(input, x)).close(), architecture, parameters, batchSize, warmup,
          minSeconds, minBatches);
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
    }
  }

  /**
   * One engine's throughput at one batch size: the median run of several.
   *
   * @param engine {@value #LIBTORCH} or {@value #ONNX_RUNTIME}
   * @param threads intra-op threads it ran with
   * @param median the run with the median images/s
   * @param imagesPerSecond every run's images/s, in the order they ran
   */
  public record EngineResult(String engine, int threads, Result median, List<Double> imagesPerSecond) {}

  /** The engine names of {@link EngineResult}. */
  public static final String LIBTORCH = "libtorch (DJL)";

  /** See {@link #LIBTORCH}. */
  public static final String ONNX_RUNTIME = "ONNX Runtime";

  /**
   * The same model in libtorch (through DJL) and in ONNX Runtime, at each batch size: {@code reps} rounds, each
   * measuring libtorch then ONNX Runtime with the defaults of this class but {@code minSeconds}; the median of
   * each side is kept. The libtorch side runs the model with its BatchNorms folded ({@link
   * TappedModel#foldBatchNorm()}), as the ONNX export is; its forward also returns the taps, which cost nothing
   * extra for the chains of the zoo's ResNets and small CNN (every tap is on the way to the logits).
   * libtorch's thread count is the caller's to set (it is global to the process); pass the same {@code
   * threads}, which ONNX Runtime's session gets.
   *
   * @param model an initialised model
   * @param manager a manager for the libtorch side's temporaries
   * @param session the ONNX Runtime session of the same model, exported ({@link #onnxSession})
   * @param threads the intra-op threads of both sides, for the record
   * @param imageChw one image's shape
   * @param batchSizes e.g. 1 and 64
   * @param reps rounds, ≥ 1
   * @param minSeconds least timed wall time of each measurement
   * @return for each batch size, libtorch's result then ONNX Runtime's
   */
  public static List<EngineResult> compareEngines(TappedModel model, NDManager manager, OrtSession session,
      int threads, Shape imageChw, int[] batchSizes, int reps, double minSeconds) {
    if (reps < 1) {
      throw new IllegalArgumentException("reps must be ≥ 1, got " + reps);
    }
    boolean wasFolded = model.isBatchNormFolded();
    model.foldBatchNorm();
    try {
      long parameters = Models.parameterCount(model);
      List<EngineResult> out = new ArrayList<>();
      for (int b : batchSizes) {
        List<Result> torch = new ArrayList<>();
        List<Result> ort = new ArrayList<>();
        for (int r = 0; r < reps; r++) {
          torch.add(measure(model, manager, imageChw, b, DEFAULT_WARMUP, minSeconds, DEFAULT_MIN_BATCHES));
          ort.add(measureOnnx(session, model.architecture(), parameters, imageChw, b, DEFAULT_WARMUP, minSeconds,
              DEFAULT_MIN_BATCHES));
        }
        out.add(median(LIBTORCH, threads, torch));
        out.add(median(ONNX_RUNTIME, threads, ort));
      }
      return out;
    } finally {
      if (!wasFolded) {
        model.unfoldBatchNorm();
      }
    }
  }

  private static EngineResult median(String engine, int threads, List<Result> runs) {
    List<Result> sorted = new ArrayList<>(runs);
    sorted.sort(java.util.Comparator.comparingDouble(Result::imagesPerSecond));
    return new EngineResult(engine, threads, sorted.get((sorted.size() - 1) / 2),
        runs.stream().map(Result::imagesPerSecond).toList());
  }

  /**
   * A Markdown table of {@link #compareEngines}' results, with each row's speed over libtorch's at the same
   * batch size.
   *
   * @param results the results
   * @return the table, ending with a newline
   */
  public static String engineTable(List<EngineResult> results) {
    StringBuilder sb = new StringBuilder("| engine | threads | batch | images/s (median) | ms/batch | vs libtorch |"
        + " images/s of each run |\n|---|---:|---:|---:|---:|---:|---|\n");
    for (EngineResult e : results) {
      Result r = e.median();
      double base = results.stream().filter(o -> o.engine().equals(LIBTORCH) && o.median().batchSize() == r.batchSize())
          .findFirst().map(o -> o.median().imagesPerSecond()).orElse(Double.NaN);
      sb.append(String.format(Locale.ROOT, "| %s | %d | %d | %.1f | %.2f | %.2f× | %s |%n", e.engine(), e.threads(),
          r.batchSize(), r.imagesPerSecond(), r.millisPerBatch(), r.imagesPerSecond() / base,
          e.imagesPerSecond().stream().map(v -> String.format(Locale.ROOT, "%.0f", v)).toList()));
    }
    return sb.toString();
  }

  private static void forward(TappedModel model, ParameterStore ps, NDManager parent, NDArray x) {
    try (NDManager scope = parent.newSubManager()) {
      // Lent to the scope for this pass, so that every intermediate and output array is created in it and
      // freed with it; x returns to its own manager when the scope closes.
      x.tempAttach(scope);
      model.forward(ps, new NDList(x), false);
    }
  }

  /**
   * Measures a saved model at several batch sizes with the defaults ({@value #DEFAULT_WARMUP} warm-up passes,
   * at least {@value #DEFAULT_MIN_SECONDS} s and {@value #DEFAULT_MIN_BATCHES} passes each), on the input
   * size of its card.
   *
   * @param path a run or model folder written by nst4j, or an exported model folder
   * @param batchSizes e.g. 1 and 64
   * @return one result per batch size, in order
   */
  public static List<Result> measureSaved(Path path, int... batchSizes) {
    ModelCard card = ModelStore.readCard(path);
    try (Model m = ModelStore.load(path, Device.cpu())) {
      return measureAll((TappedModel) m.getBlock(), m.getNDManager(),
          new Shape(card.inputChannels(), card.inputHeight(), card.inputWidth()), batchSizes);
    }
  }

  /**
   * Measures a TorchScript model (e.g. a PyTorch teacher) at several batch sizes with the defaults.
   *
   * @param file the TorchScript file (or a folder holding one .pt)
   * @param imageChw the input shape of one image
   * @param numClasses its number of classes
   * @param batchSizes e.g. 1 and 64
   * @return one result per batch size, in order
   */
  public static List<Result> measureTorchScript(Path file, Shape imageChw, int numClasses, int... batchSizes) {
    try (Model m = TorchScriptModel.load(file, null, imageChw, numClasses, Device.cpu())) {
      return measureAll((TappedModel) m.getBlock(), m.getNDManager(), imageChw, batchSizes);
    }
  }

  private static List<Result> measureAll(TappedModel model, NDManager manager, Shape chw, int... batchSizes) {
    List<Result> results = new ArrayList<>();
    for (int b : batchSizes) {
      results.add(measure(model, manager, chw, b, DEFAULT_WARMUP, DEFAULT_MIN_SECONDS, DEFAULT_MIN_BATCHES));
    }
    return results;
  }

  /**
   * A Markdown table of results, e.g. the teacher's and the student's at batch 1 and 64, with each row's
   * speed-up over the first row of the same batch size.
   *
   * @param results the measurements
   * @return the table, ending with a newline
   */
  public static String markdownTable(List<Result> results) {
    StringBuilder sb = new StringBuilder(
        "| model | parameters | batch | images/s | ms/batch | speed-up |\n|---|---:|---:|---:|---:|---:|\n");
    for (Result r : results) {
      Result base = null;
      for (Result o : results) {
        if (o.batchSize() == r.batchSize()) {
          base = o;
          break;
        }
      }
      sb.append(String.format(Locale.ROOT, "| %s | %,d | %d | %.1f | %.2f | %.2f× |%n", r.architecture(),
          r.parameters(), r.batchSize(), r.imagesPerSecond(), r.millisPerBatch(),
          r.imagesPerSecond() / base.imagesPerSecond()));
    }
    return sb.toString();
  }
}

package org.nst4j.bench;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
    if (imageChw.dimension() != 3 || batchSize < 1 || warmup < 0 || !(minSeconds >= 0) || minBatches < 1) {
      throw new IllegalArgumentException("need a C×H×W image shape, batch ≥ 1, warmup ≥ 0, minSeconds ≥ 0 and"
          + " minBatches ≥ 1; got " + imageChw + ", " + batchSize + ", " + warmup + ", " + minSeconds + ", "
          + minBatches);
    }
    ParameterStore ps = new ParameterStore(manager, false);
    try (NDManager batchScope = manager.newSubManager()) {
      NDArray x = batchScope.randomNormal(new Shape(batchSize).addAll(imageChw));
      for (int i = 0; i < warmup; i++) {
        forward(model, ps, batchScope, x);
      }
      int batches = 0;
      long start = System.nanoTime();
      long elapsed;
      do {
        forward(model, ps, batchScope, x);
        batches++;
        elapsed = System.nanoTime() - start;
      } while (batches < minBatches || elapsed < minSeconds * 1e9);
      return new Result(model.architecture(), Models.parameterCount(model), batchSize, batches, elapsed / 1e9);
    }
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

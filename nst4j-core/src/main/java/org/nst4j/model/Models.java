package org.nst4j.model;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Helpers around a live {@link TappedModel}: forward by name, parameter counts, description, and its
 * parameters as bytes (the form checkpoints and the model store both build on). Files are the store's: a
 * trained model is saved and loaded with its card by {@code org.nst4j.store.ModelStore}.
 */
public final class Models {

  private Models() {}

  /**
   * Runs the model and wraps its output.
   *
   * @param model an initialised model
   * @param ps the parameter store (create a new one after {@link #loadParameters}: a store caches arrays)
   * @param x a B×C×H×W float batch
   * @param training true for training mode (BatchNorm uses and updates batch statistics), false for
   *     inference (BatchNorm uses the running statistics)
   * @return logits and taps
   */
  public static ModelOutput forward(TappedModel model, ParameterStore ps, NDArray x, boolean training) {
    return ModelOutput.of(model.forward(ps, new NDList(x), training), model);
  }

  private static boolean isRunningStat(Parameter p) {
    return p.getType() == Parameter.Type.RUNNING_MEAN || p.getType() == Parameter.Type.RUNNING_VAR;
  }

  /**
   * Number of learnable scalars (convolution and linear weights and biases, BatchNorm γ and β), as
   * PyTorch's {@code sum(p.numel() for p in model.parameters())}; BatchNorm running statistics are not
   * counted.
   *
   * @param model an initialised model
   * @return the count
   * @throws IllegalStateException if the model is not initialised
   */
  public static long parameterCount(TappedModel model) {
    requireInitialized(model);
    long count = 0;
    for (Parameter p : model.getParameters().values()) {
      if (!isRunningStat(p)) {
        // A TorchScript module's parameters carry their array but no declared shape.
        count += (p.getShape() != null ? p.getShape() : p.getArray().getShape()).size();
      }
    }
    return count;
  }

  private static void requireInitialized(TappedModel model) {
    if (!model.isInitialized()) {
      throw new IllegalStateException(
          model.architecture() + " is not initialised; call model.initialize(manager, FLOAT32, shape) first");
    }
  }

  /**
   * The output shapes of a model for one input, by name: {@code logits} then each tap.
   *
   * @param model the model (need not be initialised)
   * @param input B×C×H×W
   * @return name to shape, in output order
   */
  public static Map<String, Shape> outputShapes(TappedModel model, Shape input) {
    Shape[] shapes = model.getOutputShapes(new Shape[] {input});
    Map<String, Shape> result = new LinkedHashMap<>();
    result.put("logits", shapes[0]);
    for (int i = 0; i < model.tapNames().size(); i++) {
      result.put(model.tapNames().get(i), shapes[i + 1]);
    }
    return result;
  }

  /**
   * A one-line description, e.g. {@code resnet20: 272,474 parameters, input 1×28×28, taps stage1
   * 16×28×28, stage2 32×14×14, stage3 64×7×7, 10 classes}.
   *
   * @param model an initialised model
   * @param inputChw the input of one image, C×H×W
   * @return the description
   * @throws IllegalArgumentException if inputChw is not C×H×W with the model's channel count
   * @throws IllegalStateException if the model is not initialised
   */
  public static String describe(TappedModel model, Shape inputChw) {
    if (inputChw.dimension() != 3 || inputChw.get(0) != model.inputChannels()) {
      throw new IllegalArgumentException(
          "input shape must be " + model.inputChannels() + "×H×W, got " + inputChw);
    }
    Map<String, Shape> shapes = outputShapes(model, new Shape(1).addAll(inputChw));
    StringJoiner taps = new StringJoiner(", ");
    for (String tap : model.tapNames()) {
      taps.add(tap + " " + dims(shapes.get(tap).slice(1)));
    }
    // Locale.ROOT: the grouping separator is a comma whatever the user's locale.
    return String.format(
        Locale.ROOT,
        "%s: %,d parameters, input %s, taps %s, %d classes",
        model.architecture(), parameterCount(model), dims(inputChw), taps, model.numClasses());
  }

  private static String dims(Shape s) {
    StringJoiner j = new StringJoiner("×");
    for (long d : s.getShape()) {
      j.add(Long.toString(d));
    }
    return j.toString();
  }

  /**
   * Puts {@code source}'s values into {@code target} in place: the same Java object afterwards holds a
   * libtorch-owned copy of them, so every block, parameter store and optimiser that refers to {@code target}
   * sees the new values. Whether {@code target} recorded gradients is kept. {@code source} is closed.
   *
   * <p>Why a copy: arrays made from Java data ({@code NDManager.create(float[], ...)}, {@code NDArray.decode})
   * wrap a Java direct buffer without copying it (libtorch's {@code from_blob}), and DJL's {@code intern} moves
   * the tensor handle but not that buffer; once the source object is gone the GC frees the data under the
   * parameter and the native heap is corrupted ("malloc(): smallbin double linked list corrupted").
   *
   * @param target the array to refill, e.g. a parameter's
   * @param source values of the same shape and data type
   * @throws IllegalArgumentException if the shapes or data types differ (nothing is changed, source is closed)
   */
  public static void replaceData(NDArray target, NDArray source) {
    if (!source.getShape().equals(target.getShape()) || source.getDataType() != target.getDataType()) {
      String message = "values of shape " + source.getShape() + " " + source.getDataType() + " do not fit an array of "
          + target.getShape() + " " + target.getDataType();
      source.close();
      throw new IllegalArgumentException(message);
    }
    boolean grad = target.hasGradient();
    NDArray owned = source.duplicate();
    source.close();
    target.intern(owned);
    if (grad) {
      target.setRequiresGradient(true);
    }
  }

  /**
   * Makes the model's learnable parameters require gradients (or not). Needed after {@link
   * #loadParameters} (DJL decodes arrays without gradient) before training a loaded model; and useful to
   * freeze a teacher trained in this process so that its forward pass records no autograd graph. BatchNorm
   * running statistics never require gradients (torch updates them in place).
   *
   * @param model an initialised model
   * @param trainable true to attach gradients, false to detach them
   */
  public static void setTrainable(TappedModel model, boolean trainable) {
    requireInitialized(model);
    for (Parameter p : model.getParameters().values()) {
      if (!isRunningStat(p)) {
        p.freeze(!trainable);
      }
    }
  }

  /**
   * Saves a model's parameters (DJL format, with the architecture header of {@link TappedModel}).
   *
   * @param model an initialised model
   * @param out the stream; flushed, not closed
   * @throws IOException if writing fails
   */
  public static void saveParameters(TappedModel model, OutputStream out) throws IOException {
    requireInitialized(model);
    DataOutputStream dos = new DataOutputStream(out);
    model.saveParameters(dos);
    dos.flush();
  }

  /**
   * Loads parameters saved by {@link #saveParameters} into a model of the same architecture, input
   * channels and classes (created with {@link ModelZoo#create}; it need not be initialised). The loaded
   * arrays belong to {@code manager} and do not require gradients (see {@link #setTrainable}); a {@link
   * ParameterStore} used before the load must be replaced.
   *
   * <p>What fails: a file from another architecture (or channel/class count) is refused by the header
   * check of {@link TappedModel#loadMetadata}; a truncated file ends in an {@link EOFException}; a file
   * that is not a parameter file fails in DJL's decoding. All of these, and a shape that does not match the
   * already-initialised model, are reported as a MalformedModelException whose message starts with
   * "parameters do not fit architecture X". On failure the model's parameters are undefined.
   *
   * @param model the model to fill
   * @param manager owner of the loaded arrays
   * @param in the stream (not closed)
   * @throws MalformedModelException if the data does not fit the model
   * @throws IOException if reading fails for another reason
   */
  public static void loadParameters(TappedModel model, NDManager manager, InputStream in)
      throws MalformedModelException, IOException {
    List<Shape> expected = null;
    if (model.isInitialized()) {
      expected = new ArrayList<>();
      for (Parameter p : model.getParameters().values()) {
        expected.add(p.getShape());
      }
    }
    String prefix = "parameters do not fit architecture " + model.architecture();
    try {
      model.loadParameters(manager, new DataInputStream(in));
    } catch (MalformedModelException e) {
      String msg = e.getMessage() == null ? "" : e.getMessage();
      throw msg.startsWith(prefix) ? e : new MalformedModelException(prefix + ": " + msg, e);
    } catch (EOFException e) {
      throw new MalformedModelException(prefix + ": the data ends early", e);
    } catch (RuntimeException e) {
      // DJL's decoder throws IllegalArgumentException & co. on bytes that are not an NDArray.
      throw new MalformedModelException(prefix + ": " + e, e);
    }
    if (expected != null) {
      int i = 0;
      for (Pair<String, Parameter> p : model.getParameters()) {
        Shape got = p.getValue().getShape();
        if (!got.equals(expected.get(i++))) {
          throw new MalformedModelException(
              prefix + ": parameter " + p.getKey() + " has shape " + got + ", expected " + expected.get(i - 1));
        }
      }
    }
  }
}

package org.nst4j.deploy.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nst4j.data.ImageBatch;
import org.nst4j.model.ModelOutput;
import org.nst4j.model.TappedModel;

/**
 * A frozen teacher's inference forward pass run by ONNX Runtime instead of libtorch: the same outputs as {@code
 * teacher.forward(..., training = false)} (logits, main taps, pre-ReLU taps), up to float rounding, as DJL arrays.
 *
 * <p>Why: a distillation step spends about 40 % of its time in the teacher's forward (docs/performance.md).
 * libtorch 2.7.1 reaches oneDNN only through NCHW or channels-last tensors, paying a layout conversion around
 * every convolution; ONNX Runtime's graph optimiser keeps the activations of a chain of convolutions in its
 * blocked layout (NCHWc) from the first convolution to the last, which is what made it 1.6× libtorch on a folded
 * ResNet-8 at batch 64 ({@code bench inference}, docs/bench/inference-onnx.md). The teacher is frozen and needs
 * no gradient, so nothing of autograd is lost by leaving libtorch for it.
 *
 * <p>The graph is {@link OnnxExport}'s (BatchNorm folded into the convolutions), with every output of the
 * model's forward pass. Outputs are written by ONNX Runtime into direct buffers this object owns, and the
 * arrays returned wrap those buffers without a copy: they are valid until they are closed, and the buffers
 * are written again only once every array of the previous forward has been closed (otherwise new buffers are
 * made), so an array a caller keeps is never overwritten.
 *
 * <p>ONNX Runtime's own threads do not spin after a run ({@code session.intra_op.allow_spinning = 0}): they
 * would otherwise hold the cores the student's libtorch step needs next.
 *
 * <p>Not thread-safe: one forward at a time.
 */
public final class OnnxTeacher implements AutoCloseable {
  private final OrtSession session;
  private final String input;
  private final List<String> outputNames;
  private final List<String> tapNames;
  private final List<String> preReluTapNames;
  private final Shape imageChw;
  private final Shape[] outputShapesOfOne; // each output's shape for a batch of 1
  private final List<ByteBuffer> buffers = new ArrayList<>();
  private int bufferBatch = -1;
  private ByteBuffer inputBuffer;
  private final List<NDArray> lent = new ArrayList<>();

  private OnnxTeacher(OrtSession session, List<String> outputNames, TappedModel teacher, Shape imageChw,
      Shape[] outputShapesOfOne) {
    this.session = session;
    this.input = OnnxExport.INPUT;
    this.outputNames = List.copyOf(outputNames);
    this.tapNames = teacher.tapNames();
    this.preReluTapNames = teacher.preReluTapNames();
    this.imageChw = imageChw;
    this.outputShapesOfOne = outputShapesOfOne;
  }

  /**
   * Builds the teacher's ONNX graph from its current weights and opens an ONNX Runtime session on it.
   *
   * @param teacher an initialised zoo model (one {@link org.nst4j.model.ModelGraph} can describe); its folding
   *     state is left as it was
   * @param imageChw the input size of one image, C×H×W
   * @param threads ONNX Runtime intra-op threads, ≥ 1 (the run's libtorch thread count)
   * @return the teacher; close it to free the session
   * @throws IllegalArgumentException if the model has no graph description or ONNX Runtime refuses it
   * @throws IllegalStateException if ONNX Runtime is not on the class path
   */
  public static OnnxTeacher of(TappedModel teacher, Shape imageChw, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be ≥ 1, got " + threads);
    }
    byte[] bytes = OnnxExport.toOnnx(teacher, imageChw, OnnxExport.Outputs.ALL, Map.of()).toByteArray();
    Shape[] shapes = teacher.getOutputShapes(new Shape[] {new Shape(1).addAll(imageChw)});
    List<String> names = new ArrayList<>();
    names.add(OnnxExport.LOGITS);
    names.addAll(teacher.tapNames());
    names.addAll(teacher.preReluTapNames());
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(threads);
      options.setInterOpNumThreads(1);
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      options.addConfigEntry("session.intra_op.allow_spinning", "0");
      return new OnnxTeacher(OrtEnvironment.getEnvironment().createSession(bytes, options), names, teacher,
          imageChw, shapes);
    } catch (OrtException e) {
      throw new IllegalArgumentException("ONNX Runtime cannot load the teacher " + teacher.architecture() + ": "
          + e.getMessage(), e);
    } catch (NoClassDefFoundError | UnsatisfiedLinkError e) {
      throw new IllegalStateException("the ONNX Runtime teacher needs com.microsoft.onnxruntime:onnxruntime on the"
          + " class path (" + e.getMessage() + ")", e);
    }
  }

  /**
   * Runs the teacher on a batch.
   *
   * @param scope the manager the returned arrays join (close it, or them, before the forward after next reuses
   *     their memory)
   * @param batch images normalised as in training, N×C×H×W of this teacher's image size
   * @return logits and taps, shaped as the libtorch forward's
   * @throws IllegalArgumentException if the batch's image size is not the teacher's
   * @throws IllegalStateException if ONNX Runtime fails
   */
  public ModelOutput forward(NDManager scope, ImageBatch batch) {
    if (batch.channels() != imageChw.get(0) || batch.height() != imageChw.get(1) || batch.width() != imageChw.get(2)) {
      throw new IllegalArgumentException("the teacher takes " + imageChw + " images, the batch has "
          + new Shape(batch.channels(), batch.height(), batch.width()));
    }
    int n = batch.size();
    ensureBuffers(n);
    long[] inShape = new Shape(n).addAll(imageChw).getShape();
    FloatBuffer in = inputBuffer.asFloatBuffer();
    in.put(batch.images(), 0, n * batch.imageSize());
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    List<OnnxTensor> pinned = new ArrayList<>();
    try (OnnxTensor x = OnnxTensor.createTensor(env, in.flip(), inShape)) {
      Map<String, OnnxTensor> outputs = new LinkedHashMap<>();
      for (int i = 0; i < outputNames.size(); i++) {
        OnnxTensor t = OnnxTensor.createTensor(env, buffers.get(i).asFloatBuffer(), batchShape(i, n).getShape());
        pinned.add(t);
        outputs.put(outputNames.get(i), t);
      }
      session.run(Map.of(input, x), outputs).close();
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime failed on the teacher: " + e.getMessage(), e);
    } finally {
      pinned.forEach(OnnxTensor::close);
    }
    NDList out = new NDList(outputNames.size());
    for (int i = 0; i < outputNames.size(); i++) {
      NDArray a = scope.create(buffers.get(i).duplicate().order(ByteOrder.nativeOrder()), batchShape(i, n),
          DataType.FLOAT32);
      lent.add(a);
      out.add(a);
    }
    return ModelOutput.of(out, tapNames, preReluTapNames);
  }

  private Shape batchShape(int output, int n) {
    Shape one = outputShapesOfOne[output];
    return new Shape(n).addAll(one.slice(1));
  }

  /**
   * Sizes the input and output buffers for a batch of {@code n}; makes new output buffers if an array of an
   * earlier forward still wraps the current ones (a caller kept it), so that it is never overwritten.
   */
  private void ensureBuffers(int n) {
    boolean inUse = lent.stream().anyMatch(a -> !a.isReleased());
    lent.clear();
    if (n == bufferBatch && !inUse) {
      inputBuffer.clear();
      return;
    }
    buffers.clear();
    for (int i = 0; i < outputNames.size(); i++) {
      buffers.add(ByteBuffer.allocateDirect(Math.toIntExact(4 * batchShape(i, n).size()))
          .order(ByteOrder.nativeOrder()));
    }
    inputBuffer = ByteBuffer.allocateDirect(Math.toIntExact(4 * new Shape(n).addAll(imageChw).size()))
        .order(ByteOrder.nativeOrder());
    bufferBatch = n;
  }

  /** Closes the session. Arrays returned earlier stay valid while their buffers are referenced by them. */
  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException("cannot close the ONNX Runtime session: " + e.getMessage(), e);
    }
  }
}

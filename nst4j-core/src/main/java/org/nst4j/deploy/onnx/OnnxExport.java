package org.nst4j.deploy.onnx;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nst4j.deploy.onnx.proto.Onnx.ModelProto;
import org.nst4j.deploy.onnx.proto.Onnx.OperatorSetIdProto;
import org.nst4j.deploy.onnx.proto.Onnx.StringStringEntryProto;
import org.nst4j.deploy.onnx.proto.Onnx.TensorProto;
import org.nst4j.deploy.onnx.proto.Onnx.TensorShapeProto;
import org.nst4j.deploy.onnx.proto.Onnx.TypeProto;
import org.nst4j.deploy.onnx.proto.Onnx.ValueInfoProto;
import org.nst4j.model.ModelGraph;
import org.nst4j.model.TappedModel;
import org.nst4j.store.Json;
import org.nst4j.store.ModelCard;
import org.nst4j.store.ModelStore;

/**
 * Writes a zoo model as an ONNX model (ONNX IR version {@value #IR_VERSION}, default-domain opset {@value
 * OnnxGraph#OPSET}) that ONNX Runtime and other ONNX consumers run.
 *
 * <p>The graph: input {@value #INPUT}, float32 N×C×H×W with a symbolic batch dimension {@value #BATCH} and the
 * image size of training, normalised as in training (the card's mean and std, also stored in the model's
 * metadata); output {@value #LOGITS}, N×K; with taps, one more output per main tap, named as the model names it
 * ({@code stage1}, ...). BatchNorm layers that follow a convolution are folded into it ({@link
 * TappedModel#foldBatchNorm()}); those that follow something else (pre-activation blocks) stay
 * BatchNormalization nodes in inference mode. The graph comes from {@link ModelGraph}, where every block kind
 * of the zoo describes itself; a model it cannot describe is refused before anything is written.
 *
 * <p>Metadata ({@code metadata_props}): {@value #CARD_KEY} holds the model card as JSON (architecture, class
 * names, normalisation, accuracy, provenance).
 */
public final class OnnxExport {
  /** ONNX IR version written: 8, the one of opsets 15–17 (ONNX 1.10–1.12), read by every current runtime. */
  public static final long IR_VERSION = 8;
  /** The input's name. */
  public static final String INPUT = "images";
  /** The logits output's name. */
  public static final String LOGITS = "logits";
  /** The symbolic batch dimension's name. */
  public static final String BATCH = "batch";
  /** The metadata key of the model card. */
  public static final String CARD_KEY = "nst4j.model_card";

  private OnnxExport() {}

  /**
   * Builds the ONNX model of an initialised model, folding its conv–BN pairs for the time of the call (a model
   * folded before stays folded, an unfolded one is unfolded again).
   *
   * @param model an initialised zoo model
   * @param imageChw the input size of one image, C×H×W, C = {@code model.inputChannels()}
   * @param withTaps whether the main taps are outputs too
   * @param metadata key–value pairs for the model's {@code metadata_props}
   * @return the model
   * @throws IllegalArgumentException if a block of the model has no ONNX description, or the shape does not fit
   * @throws IllegalStateException if the model is not initialised
   */
  public static ModelProto toOnnx(TappedModel model, Shape imageChw, boolean withTaps, Map<String, String> metadata) {
    return toOnnx(model, imageChw, withTaps ? Outputs.MAIN_TAPS : Outputs.LOGITS, metadata);
  }

  /** Which of the forward pass's outputs a graph gives. */
  public enum Outputs {
    /** The logits only. */
    LOGITS,
    /** The logits and the main taps ({@link TappedModel#tapNames()}), as {@code nst4j export --taps} writes. */
    MAIN_TAPS,
    /** The logits, the main taps and the pre-ReLU taps ({@link TappedModel#preReluTapNames()}): all of them. */
    ALL
  }

  /**
   * Builds the ONNX model of an initialised model with the chosen outputs, folding its conv–BN pairs for the
   * time of the call (see {@link #toOnnx(TappedModel, Shape, boolean, Map)}). Each tap output is named as the
   * model names it.
   *
   * @throws IllegalArgumentException if a block of the model has no ONNX description, or the shape does not fit
   * @throws IllegalStateException if the model is not initialised
   */
  public static ModelProto toOnnx(TappedModel model, Shape imageChw, Outputs which, Map<String, String> metadata) {
    if (imageChw.dimension() != 3 || imageChw.get(0) != model.inputChannels()) {
      throw new IllegalArgumentException(model.architecture() + " takes " + model.inputChannels()
          + "×H×W images, not " + imageChw);
    }
    boolean wasFolded = model.isBatchNormFolded();
    OnnxGraph graph = new OnnxGraph();
    List<String> values;
    model.foldBatchNorm();
    try {
      values = ModelGraph.trace(model, graph, INPUT);
    } finally {
      if (!wasFolded) {
        model.unfoldBatchNorm();
      }
    }
    Shape[] shapes = model.getOutputShapes(new Shape[] {new Shape(1).addAll(imageChw)});
    List<ValueInfoProto> outputs = new ArrayList<>();
    outputs.add(tensor(graph.rename(values.get(0), LOGITS), shapes[0]));
    List<String> names = new ArrayList<>(model.tapNames());
    if (which == Outputs.ALL) {
      names.addAll(model.preReluTapNames());
    }
    for (int i = 0; which != Outputs.LOGITS && i < names.size(); i++) {
      outputs.add(tensor(graph.rename(values.get(1 + i), names.get(i)), shapes[1 + i]));
    }
    ModelProto.Builder m = ModelProto.newBuilder()
        .setIrVersion(IR_VERSION)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OnnxGraph.OPSET))
        .setProducerName("nst4j")
        .setModelVersion(1)
        .setDocString(model.architecture() + " exported by nst4j")
        .setGraph(graph.build(model.architecture(), List.of(tensor(INPUT, new Shape(1).addAll(imageChw))), outputs));
    metadata.forEach((k, v) -> m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
    return m.build();
  }

  /** A float32 value whose first dimension is the symbolic batch. */
  private static ValueInfoProto tensor(String name, Shape shape) {
    TensorShapeProto.Builder dims = TensorShapeProto.newBuilder();
    dims.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH));
    for (int i = 1; i < shape.dimension(); i++) {
      dims.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(shape.get(i)));
    }
    TypeProto type = TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
        .setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(dims)).build();
    return ValueInfoProto.newBuilder().setName(name).setType(type).build();
  }

  /**
   * Exports a saved model as an ONNX file.
   *
   * @param source a run folder or model folder written by nst4j train/distill
   * @param target the {@code .onnx} file to write (must not exist); written atomically, so a failed export
   *     leaves no file
   * @param withTaps whether the main taps are outputs too
   * @return the model's card
   * @throws IllegalArgumentException if the source is not a loadable nst4j model, its architecture cannot be
   *     exported, or the target exists
   * @throws IOException if the file cannot be written
   */
  public static ModelCard export(Path source, Path target, boolean withTaps) throws IOException {
    Path dir = ModelStore.modelDir(source);
    ModelCard card = ModelStore.readCard(dir);
    if (Files.exists(target)) {
      throw new IllegalArgumentException(target + " exists; export into a new file");
    }
    byte[] bytes;
    try (Model m = ModelStore.load(dir, Device.cpu())) {
      Map<String, String> metadata = new LinkedHashMap<>();
      metadata.put(CARD_KEY, Json.LINE.writeValueAsString(card));
      bytes = toOnnx((TappedModel) m.getBlock(),
          new Shape(card.inputChannels(), card.inputHeight(), card.inputWidth()), withTaps, metadata).toByteArray();
    }
    Json.writeAtomically(target, bytes);
    return card;
  }
}

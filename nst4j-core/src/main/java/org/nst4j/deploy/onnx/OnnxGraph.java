package org.nst4j.deploy.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.nst4j.deploy.onnx.proto.Onnx.AttributeProto;
import org.nst4j.deploy.onnx.proto.Onnx.GraphProto;
import org.nst4j.deploy.onnx.proto.Onnx.NodeProto;
import org.nst4j.deploy.onnx.proto.Onnx.TensorProto;
import org.nst4j.deploy.onnx.proto.Onnx.ValueInfoProto;
import org.nst4j.model.GraphOps;

/**
 * Builds an ONNX graph from a model's {@link GraphOps} description: the ONNX translation of every operation
 * lives here, one method each, with the operator version it is written for (default domain, opset {@value
 * #OPSET}; the operators' definitions are those of ONNX's {@code docs/Operators.md}). Tensor handles are ONNX
 * value names; parameters become float32 initializers (raw little-endian data).
 *
 * <p>Not thread-safe; one instance builds one graph.
 */
final class OnnxGraph implements GraphOps<String> {
  /** The opset the nodes are written for: every operator used has its current definition at 17 or below. */
  static final int OPSET = 17;

  private final List<NodeProto> nodes = new ArrayList<>();
  private final List<TensorProto> initializers = new ArrayList<>();
  private int next;

  private String fresh(String prefix) {
    return prefix + "_" + next++;
  }

  private String node(String op, List<String> inputs, AttributeProto... attributes) {
    String out = fresh(op.toLowerCase(java.util.Locale.ROOT));
    NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(out + "_node").addAllInput(inputs)
        .addOutput(out);
    for (AttributeProto a : attributes) {
      n.addAttribute(a);
    }
    nodes.add(n.build());
    return out;
  }

  /** Adds an initializer holding {@code array} as float32; returns its name. */
  private String constant(String prefix, NDArray array) {
    float[] values = array.toType(DataType.FLOAT32, false).toFloatArray();
    ByteBuffer bytes = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values);
    String name = fresh(prefix);
    TensorProto.Builder t = TensorProto.newBuilder().setName(name)
        .setDataType(TensorProto.DataType.FLOAT_VALUE).setRawData(ByteString.copyFrom(bytes.array()));
    for (long d : array.getShape().getShape()) {
      t.addDims(d);
    }
    initializers.add(t.build());
    return name;
  }

  private static AttributeProto ints(String name, long... values) {
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
    for (long v : values) {
      a.addInts(v);
    }
    return a.build();
  }

  private static AttributeProto integer(String name, long value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
  }

  private static AttributeProto real(String name, float value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
  }

  /** Conv-11: pads are [begin H, begin W, end H, end W]; DJL pads both sides alike. */
  @Override
  public String conv2d(String x, NDArray weight, NDArray bias, Shape stride, Shape padding, Shape dilation,
      int groups) {
    List<String> in = new ArrayList<>(List.of(x, constant("weight", weight)));
    if (bias != null) {
      in.add(constant("bias", bias));
    }
    Shape w = weight.getShape();
    return node("Conv", in, ints("kernel_shape", w.get(2), w.get(3)), ints("strides", stride.getShape()),
        ints("pads", padding.get(0), padding.get(1), padding.get(0), padding.get(1)),
        ints("dilations", dilation.getShape()), integer("group", groups));
  }

  /** BatchNormalization-15 in inference mode (training_mode 0, the default): running mean and variance. */
  @Override
  public String batchNorm(String x, NDArray gamma, NDArray beta, NDArray runningMean, NDArray runningVar,
      float epsilon) {
    return node("BatchNormalization", List.of(x, constant("gamma", gamma), constant("beta", beta),
        constant("mean", runningMean), constant("var", runningVar)), real("epsilon", epsilon));
  }

  /** Relu-14. */
  @Override
  public String relu(String x) {
    return node("Relu", List.of(x));
  }

  /** Add-14. */
  @Override
  public String add(String a, String b) {
    return node("Add", List.of(a, b));
  }

  /** Concat-13 on axis 1. */
  @Override
  public String concatChannels(List<String> xs) {
    return node("Concat", xs, integer("axis", 1));
  }

  /** MaxPool-12, ceil_mode 0 (floor); padding is ignored by the max, as in PyTorch. */
  @Override
  public String maxPool2d(String x, int kernel, int stride, int padding) {
    return node("MaxPool", List.of(x), ints("kernel_shape", kernel, kernel), ints("strides", stride, stride),
        ints("pads", padding, padding, padding, padding), integer("ceil_mode", 0));
  }

  /** AveragePool-11, ceil_mode 0, count_include_pad as given. */
  @Override
  public String avgPool2d(String x, int kernel, int stride, int padding, boolean countIncludePad) {
    return node("AveragePool", List.of(x), ints("kernel_shape", kernel, kernel), ints("strides", stride, stride),
        ints("pads", padding, padding, padding, padding), integer("ceil_mode", 0),
        integer("count_include_pad", countIncludePad ? 1 : 0));
  }

  /** GlobalAveragePool-1 (B×C×1×1), then Flatten-13 at axis 1 (B×C). */
  @Override
  public String globalAvgPool2d(String x) {
    return node("Flatten", List.of(node("GlobalAveragePool", List.of(x))), integer("axis", 1));
  }

  /** Gemm-13 with transB = 1: Y = X·Wᵀ + b, W being DJL's U×N weight. */
  @Override
  public String linear(String x, NDArray weight, NDArray bias) {
    List<String> in = new ArrayList<>(List.of(x, constant("weight", weight)));
    if (bias != null) {
      in.add(constant("bias", bias));
    }
    return node("Gemm", in, integer("transB", 1));
  }

  /**
   * Gives a value its public name (a graph output such as {@code logits}) through an Identity-16 node: ONNX
   * names each value once, and one value may be two outputs (Inception-BN's {@code block_last_prerelu} is its
   * {@code block_last_pre}).
   */
  String rename(String value, String name) {
    nodes.add(NodeProto.newBuilder().setOpType("Identity").setName(name + "_node").addInput(value).addOutput(name)
        .build());
    return name;
  }

  /**
   * The graph: the given inputs and outputs, and only the nodes and initializers the outputs need (a model's
   * forward computes every tap; a graph exported without taps has no use for the nodes that compute only them).
   *
   * @param name the graph's name
   * @param inputs the graph inputs
   * @param outputs the graph outputs (their names are values of this graph)
   */
  GraphProto build(String name, List<ValueInfoProto> inputs, List<ValueInfoProto> outputs) {
    // Nodes were added in execution order, so one pass from the end keeps exactly those the outputs need.
    Set<String> wanted = new HashSet<>();
    outputs.forEach(o -> wanted.add(o.getName()));
    List<NodeProto> kept = new ArrayList<>();
    for (int i = nodes.size() - 1; i >= 0; i--) {
      NodeProto n = nodes.get(i);
      if (n.getOutputList().stream().anyMatch(wanted::contains)) {
        kept.add(0, n);
        wanted.addAll(n.getInputList());
      }
    }
    GraphProto.Builder g = GraphProto.newBuilder().setName(name).addAllInput(inputs).addAllOutput(outputs)
        .addAllNode(kept);
    for (TensorProto t : initializers) {
      if (wanted.contains(t.getName())) {
        g.addInitializer(t);
      }
    }
    return g.build();
  }
}

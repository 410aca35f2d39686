package org.nst4j.deploy.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import ai.djl.util.Pair;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.nst4j.deploy.onnx.proto.Onnx.ModelProto;
import org.nst4j.deploy.onnx.proto.Onnx.NodeProto;
import org.nst4j.model.ModelZoo;
import org.nst4j.model.TappedModel;

/**
 * The exported ONNX graph, run in ONNX Runtime, computes what nst4j's forward computes, for every zoo family a
 * student uses (and the pre-activation teacher family), with seeded random weights and BatchNorm running
 * statistics far from the identity, so that folding and the BatchNormalization nodes are really exercised.
 */
class OnnxExportTest {
  /** The bound on the logits: max |ONNX − nst4j|. */
  private static final double LOGIT_TOLERANCE = 1e-4;

  /**
   * Replaces every BatchNorm's γ, β, μ, σ² (initially 1, 0, 0, 1: the identity, which folds to nothing) with
   * random values, so that a wrong folding or BatchNormalization shows. σ² is kept ≥ 0.8 and γ ≤ 1.2 so that
   * deep nets keep their activations of order one.
   */
  static void randomiseBatchNorms(TappedModel model, long seed) {
    Random random = new Random(seed);
    for (Pair<String, Parameter> p : model.getParameters()) {
      String name = p.getKey();
      NDArray a = p.getValue().getArray();
      float[] v = new float[(int) a.size()];
      for (int i = 0; i < v.length; i++) {
        if (name.endsWith("runningVar")) {
          v[i] = 0.8f + random.nextFloat();
        } else if (name.endsWith("gamma")) {
          v[i] = 0.6f + 0.6f * random.nextFloat();
        } else if (name.endsWith("runningMean") || name.endsWith("beta")) {
          v[i] = (float) (0.3 * random.nextGaussian());
        } else {
          v = null;
          break;
        }
      }
      if (v != null) {
        a.set(FloatBuffer.wrap(v));
      }
    }
  }

  /** n seeded standard normal floats. */
  static float[] gaussian(long n, long seed) {
    Random random = new Random(seed);
    float[] v = new float[Math.toIntExact(n)];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return v;
  }

  /** Max |a − b| over two equally long arrays. */
  static double maxAbsDiff(float[] a, float[] b) {
    assertEquals(a.length, b.length);
    double worst = 0;
    for (int i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i] - b[i]));
    }
    return worst;
  }

  static double maxAbs(float[] a) {
    double m = 0;
    for (float v : a) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }

  /** Runs an ONNX model in ONNX Runtime on one input; returns every output, flattened, by name. */
  static Map<String, float[]> runOnnx(byte[] model, float[] input, long[] shape) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      try (OrtSession session = env.createSession(model, options);
          OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
          OrtSession.Result result = session.run(Map.of(OnnxExport.INPUT, x))) {
        Map<String, float[]> out = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, ai.onnxruntime.OnnxValue> e : result) {
          OnnxTensor t = (OnnxTensor) e.getValue();
          FloatBuffer b = t.getFloatBuffer();
          float[] f = new float[b.remaining()];
          b.get(f);
          out.put(e.getKey(), f);
        }
        return out;
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "resnet8, 1, 28",
    "resnet20, 3, 32",
    "wrn-16-2, 3, 32",
    "preact-resnet-11, 3, 32",
    "cnn-small, 1, 28",
    "inception-bn-cifar, 3, 32",
    "imagenet-resnet18, 3, 64",
    "inception-bn, 3, 64",
  })
  void onnxRuntimeComputesNst4jsLogitsAndTaps(String arch, int c, int size) throws Exception {
    try (NDManager manager = NDManager.newBaseManager()) {
      TappedModel model = ModelZoo.create(arch, c, 10, 7);
      Shape chw = new Shape(c, size, size);
      int batch = 3;
      model.initialize(manager, DataType.FLOAT32, new Shape(batch).addAll(chw));
      randomiseBatchNorms(model, 11);
      NDArray x = manager.create(gaussian(batch * chw.size(), 5), new Shape(batch).addAll(chw));
      NDList expected = model.forward(new ParameterStore(manager, false), new NDList(x), false);

      ModelProto proto = OnnxExport.toOnnx(model, chw, true, Map.of("k", "v"));
      assertFalse(model.isBatchNormFolded(), "the export unfolds what it folded");
      assertTrue(proto.getOpsetImport(0).getVersion() >= 13);
      long bn = proto.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("BatchNormalization"))
          .count();
      if (!arch.startsWith("wrn") && !arch.startsWith("preact")) {
        assertEquals(0, bn, arch + ": every BatchNorm follows a convolution and is folded");
      } else {
        assertTrue(bn > 0, arch + ": pre-activation BatchNorms stay");
      }
      Map<String, float[]> got = runOnnx(proto.toByteArray(), x.toFloatArray(), x.getShape().getShape());

      List<String> names = new ArrayList<>(List.of(OnnxExport.LOGITS));
      names.addAll(model.tapNames());
      assertEquals(names, new ArrayList<>(got.keySet()));
      double logitDiff = maxAbsDiff(expected.get(0).toFloatArray(), got.get(OnnxExport.LOGITS));
      assertTrue(logitDiff <= LOGIT_TOLERANCE, arch + ": max |logit difference| " + logitDiff);
      assertTrue(maxAbs(got.get(OnnxExport.LOGITS)) > 1e-3, arch + ": logits are not all zero");
      for (int i = 0; i < model.tapNames().size(); i++) {
        float[] e = expected.get(1 + i).toFloatArray();
        double diff = maxAbsDiff(e, got.get(model.tapNames().get(i)));
        // Taps are feature maps of any magnitude: compared relative to their largest value.
        assertTrue(diff <= 1e-4 * Math.max(1, maxAbs(e)), arch + " tap " + model.tapNames().get(i) + ": " + diff);
      }
      System.out.printf(java.util.Locale.ROOT, "ONNX %s: max |logit difference| %.3g (logits up to %.3g)%n", arch,
          logitDiff, maxAbs(got.get(OnnxExport.LOGITS)));
    }
  }

  @Test
  void withoutTapsOnlyTheLogitsAndWhatTheyNeed() throws Exception {
    try (NDManager manager = NDManager.newBaseManager()) {
      TappedModel model = ModelZoo.create("inception-bn-cifar", 3, 10, 1);
      model.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 32, 32));
      ModelProto with = OnnxExport.toOnnx(model, new Shape(3, 32, 32), true, Map.of());
      ModelProto without = OnnxExport.toOnnx(model, new Shape(3, 32, 32), false, Map.of());
      assertEquals(List.of(OnnxExport.LOGITS), without.getGraph().getOutputList().stream().map(o -> o.getName()).toList());
      assertEquals(1, without.getGraph().getInputCount());
      assertEquals(OnnxExport.BATCH,
          without.getGraph().getInput(0).getType().getTensorType().getShape().getDim(0).getDimParam());
      // Inception-BN's forward also concatenates the pre-ReLU maps of 3b, 4d and 5b; only the 5b one
      // (block_last_prerelu) is a main tap, so the graph without taps has none of those concatenations.
      assertTrue(without.getGraph().getNodeCount() < with.getGraph().getNodeCount());
      List<String> kinds = without.getGraph().getNodeList().stream().map(NodeProto::getOpType).distinct().sorted()
          .toList();
      assertFalse(kinds.contains("BatchNormalization"), kinds.toString());
    }
  }

  /** A model that is not built from the zoo's blocks. */
  private static final class Custom extends TappedModel {
    Custom() {
      super((byte) 1, "my-cnn", List.of(), 1, 2);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
        PairList<String, Object> params) {
      return inputs;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      return inputShapes;
    }
  }

  @Test
  void aModelWithoutGraphDescriptionIsRefusedByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OnnxExport.toOnnx(new Custom(), new Shape(1, 8, 8), false, Map.of()));
    assertTrue(e.getMessage().startsWith("my-cnn (Custom) has no graph description"), e.getMessage());
  }
}

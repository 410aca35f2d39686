package org.nst4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.nio.FloatBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Conv–BN folding, through {@link TappedModel#foldBatchNorm()} on the zoo's models. */
class ConvBatchNormTest {

  /** BatchNorm blocks anywhere in the model. */
  private static int batchNorms(Block model) {
    int n = 0;
    Deque<Block> pending = new ArrayDeque<>(List.of(model));
    while (!pending.isEmpty()) {
      Block b = pending.pop();
      n += b instanceof BatchNorm ? 1 : 0;
      pending.addAll(b.getChildren().values());
    }
    return n;
  }

  /**
   * Replaces the BatchNorm parameters' initial values (γ 1, β 0, μ 0, σ² 1, which fold to nothing) with
   * random ones, so that a wrong folding formula shows.
   */
  private static void randomiseBatchNorms(TappedModel model, long seed) {
    Random random = new Random(seed);
    for (Pair<String, Parameter> p : model.getParameters()) {
      String name = p.getKey();
      NDArray a = p.getValue().getArray();
      float[] v = new float[(int) a.size()];
      for (int i = 0; i < v.length; i++) {
        if (name.endsWith("runningVar")) {
          v[i] = 0.3f + 2 * random.nextFloat();
        } else if (name.endsWith("gamma")) {
          v[i] = 0.5f + random.nextFloat();
        } else if (name.endsWith("runningMean") || name.endsWith("beta")) {
          v[i] = (float) (0.5 * random.nextGaussian());
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

  private static List<float[]> outputs(TappedModel model, ParameterStore ps, NDArray x) {
    List<float[]> out = new ArrayList<>();
    for (NDArray a : model.forward(ps, new NDList(x), false)) {
      out.add(a.toFloatArray());
    }
    return out;
  }

  private static void assertClose(List<float[]> expected, List<float[]> actual, String arch) {
    assertEquals(expected.size(), actual.size());
    for (int k = 0; k < expected.size(); k++) {
      float[] e = expected.get(k);
      float[] a = actual.get(k);
      assertEquals(e.length, a.length);
      double scale = 0;
      double worst = 0;
      for (int i = 0; i < e.length; i++) {
        scale = Math.max(scale, Math.abs(e[i]));
        worst = Math.max(worst, Math.abs(e[i] - a[i]));
      }
      assertTrue(worst <= 1e-4 * Math.max(scale, 1e-3),
          arch + " output " + k + ": folded differs by " + worst + " (largest magnitude " + scale + ")");
    }
  }

  @ParameterizedTest
  @CsvSource({
    "resnet8, 1, 16, 9",
    "cnn-small, 1, 16, -1",
    "inception-bn-cifar, 3, 32, -1",
    "imagenet-resnet18, 3, 64, -1",
  })
  void foldedModelComputesTheSameAndUnfoldingRestoresItExactly(String arch, int c, int size, int expected) {
    try (NDManager manager = NDManager.newBaseManager()) {
      TappedModel model = ModelZoo.create(arch, c, 10, 0);
      Shape input = new Shape(2, c, size, size);
      model.initialize(manager, DataType.FLOAT32, input);
      randomiseBatchNorms(model, 1);
      ParameterStore ps = new ParameterStore(manager, false);
      NDArray x = manager.randomNormal(input);
      List<float[]> plain = outputs(model, ps, x);
      assertEquals(1 + model.tapNames().size() + model.preReluTapNames().size(), plain.size(),
          "the outputs compared include the pre-ReLU taps");
      List<TappedModel.BatchNormParameters> bns = new ArrayList<>();
      for (String tap : model.preReluTapNames()) {
        bns.add(model.preReluBatchNorm(tap));
      }

      int folded = model.foldBatchNorm();
      for (int i = 0; i < bns.size(); i++) {
        TappedModel.BatchNormParameters p = model.preReluBatchNorm(model.preReluTapNames().get(i));
        assertArrayEquals(bns.get(i).gamma(), p.gamma(), "γ of a pre-ReLU tap is read from the parameters");
        assertArrayEquals(bns.get(i).beta(), p.beta());
      }
      assertEquals(expected >= 0 ? expected : batchNorms(model), folded,
          "every BatchNorm of a post-activation network follows a convolution");
      assertTrue(model.isBatchNormFolded());
      assertClose(plain, outputs(model, ps, x), arch);

      model.unfoldBatchNorm();
      assertFalse(model.isBatchNormFolded());
      List<float[]> again = outputs(model, ps, x);
      for (int k = 0; k < plain.size(); k++) {
        assertArrayEquals(plain.get(k), again.get(k), arch + " output " + k + " after unfolding");
      }
    }
  }

  /** An initialised resnet8 on 2×1×12×12 inputs, its parameter store and a random input. */
  private record Small(TappedModel model, ParameterStore ps, NDArray x) {
    static Small resnet8(NDManager manager) {
      TappedModel model = ModelZoo.create("resnet8", 1, 10, 0);
      Shape input = new Shape(2, 1, 12, 12);
      model.initialize(manager, DataType.FLOAT32, input);
      return new Small(model, new ParameterStore(manager, false), manager.randomNormal(input));
    }
  }

  @Test
  void foldingFollowsParameterChangesOnlyWhenAskedAgain() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Small small = Small.resnet8(manager);
      TappedModel model = small.model();
      ParameterStore ps = small.ps();
      NDArray x = small.x();
      model.foldBatchNorm();
      List<float[]> before = outputs(model, ps, x);
      randomiseBatchNorms(model, 2);
      model.unfoldBatchNorm();
      List<float[]> changed = outputs(model, ps, x);
      model.foldBatchNorm();
      assertClose(changed, outputs(model, ps, x), "resnet8 refolded");
      assertFalse(java.util.Arrays.equals(before.get(0), changed.get(0)), "the statistics did change");
    }
  }

  @Test
  void aFoldedModelRefusesToTrainUntilUnfolded() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Small small = Small.resnet8(manager);
      TappedModel model = small.model();
      ParameterStore ps = small.ps();
      NDArray x = small.x();
      model.foldBatchNorm();
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> model.forward(ps, new NDList(x), true));
      assertTrue(e.getMessage().contains("unfold"), e.getMessage());
      model.unfoldBatchNorm();
      assertEquals(new Shape(2, 10), model.forward(ps, new NDList(x), true).head().getShape());
    }
  }

  @Test
  void preActivationNetworksHaveNothingToFold() {
    try (NDManager manager = NDManager.newBaseManager()) {
      for (String arch : List.of("preact-resnet-11", "wrn-10-1")) {
        TappedModel model = ModelZoo.create(arch, 1, 10, 0);
        model.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 8, 8));
        assertEquals(0, model.foldBatchNorm(), arch + ": its BatchNorms follow additions or stages");
        assertFalse(model.isBatchNormFolded());
      }
    }
  }

  @Test
  void foldingNeedsInitialisedParameters() {
    TappedModel model = ModelZoo.create("resnet8", 1, 10, 0);
    IllegalStateException e = assertThrows(IllegalStateException.class, model::foldBatchNorm);
    assertTrue(e.getMessage().contains("initialise"), e.getMessage());
  }
}

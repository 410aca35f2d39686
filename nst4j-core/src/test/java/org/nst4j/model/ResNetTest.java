package org.nst4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

class ResNetTest {

  /** Learnable parameters of the protocol's ResNet-(6n+2) with projection shortcuts, by formula. */
  private static long expectedParameters(int n, int channels, int classes) {
    int[] w = {16, 32, 64};
    long count = 9L * channels * 16 + 2 * 16; // stem conv + BN
    int in = 16;
    for (int s = 0; s < 3; s++) {
      for (int b = 0; b < n; b++) {
        count += 9L * in * w[s] + 2 * w[s]; // conv1 + bn1
        count += 9L * w[s] * w[s] + 2 * w[s]; // conv2 + bn2
        if (in != w[s]) {
          count += (long) in * w[s] + 2 * w[s]; // 1×1 projection + BN
        }
        in = w[s];
      }
    }
    return count + 64L * classes + classes; // fc
  }

  private static TappedModel init(NDManager manager, String arch, int channels) {
    TappedModel m = ModelZoo.create(arch, channels, 10, 0);
    m.initialize(manager, DataType.FLOAT32, new Shape(1, channels, 28, 28));
    return m;
  }

  @Test
  void parameterCountsFollowTheFormula() {
    try (NDManager manager = NDManager.newBaseManager()) {
      long r20 = Models.parameterCount(init(manager, "resnet20", 1));
      assertEquals(expectedParameters(3, 1, 10), r20);
      assertEquals(272_186, r20); // "0.27M" of He et al. (whose option A adds no projections)
      assertEquals(expectedParameters(1, 1, 10), Models.parameterCount(init(manager, "resnet8", 1)));
      assertEquals(77_754, Models.parameterCount(init(manager, "resnet8", 1)));
      assertEquals(expectedParameters(9, 3, 10), Models.parameterCount(init(manager, "resnet56", 3)));
    }
  }

  @Test
  void tapsAreTheNonNegativeStageOutputsAndLogitsComeFromTheLastOne() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TappedModel m = init(manager, "resnet8", 1);
      ParameterStore ps = new ParameterStore(manager, false);
      NDArray x = manager.randomNormal(new Shape(4, 1, 28, 28));
      ModelOutput out = Models.forward(m, ps, x, false);
      for (String tap : m.tapNames()) {
        NDArray t = out.tap(tap);
        assertTrue(t.min().getFloat() >= 0f, tap + " must be after a ReLU");
        assertTrue(t.max().getFloat() > 0f, tap + " is all zero");
      }
      // logits = fc(GAP(stage3)).
      NDArray w = m.getParameters().get("06fc_weight").getArray();
      NDArray b = m.getParameters().get("06fc_bias").getArray();
      NDArray gap = out.tap("stage3").reshape(4, 64, -1).mean(new int[] {2});
      NDArray expected = gap.matMul(w.transpose()).add(b);
      assertTrue(expected.allClose(out.logits(), 1e-4, 1e-5, false));
    }
  }

  @Test
  void stemBatchNormUpdatesRunningStatisticsWithPyTorchMomentum() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TappedModel m = init(manager, "resnet8", 1);
      ParameterStore ps = new ParameterStore(manager, false);
      NDArray x = manager.randomNormal(new Shape(8, 1, 28, 28)).mul(2).add(0.5);
      // Stem conv output computed independently; BN sees it.
      NDArray stemW = m.getParameters().get("01stem_weight").getArray();
      NDArray conv = Conv2d.conv2d(x, stemW, null, new Shape(1, 1), new Shape(1, 1)).singletonOrThrow();
      NDArray perChannel = conv.transpose(1, 0, 2, 3).reshape(16, -1);
      NDArray mean = perChannel.mean(new int[] {1});
      long count = perChannel.getShape().get(1);
      NDArray unbiasedVar =
          perChannel.sub(mean.reshape(16, 1)).square().sum(new int[] {1}).div(count - 1);

      Models.forward(m, ps, x, true);
      NDArray runningMean = m.getParameters().get("02stemBn_runningMean").getArray();
      NDArray runningVar = m.getParameters().get("02stemBn_runningVar").getArray();
      // PyTorch: running = 0.9·running + 0.1·batch, the variance unbiased; start 0 and 1.
      assertTrue(runningMean.allClose(mean.mul(0.1), 1e-4, 1e-5, false));
      assertTrue(runningVar.allClose(unbiasedVar.mul(0.1).add(0.9), 1e-4, 1e-5, false));

      // Inference neither reads nor changes the batch statistics.
      float[] before = runningMean.toFloatArray();
      Models.forward(m, ps, x, false);
      assertArrayEquals(before, runningMean.toFloatArray());
    }
  }

  @Test
  void inferenceUsesRunningStatisticsAndTrainingUsesBatchStatistics() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TappedModel m = init(manager, "resnet8", 1);
      ParameterStore ps = new ParameterStore(manager, false);
      NDArray batch = manager.randomNormal(new Shape(6, 1, 28, 28));
      NDArray first = batch.get("0:1");
      // Eval: one image's logits do not depend on the rest of the batch.
      NDArray alone = Models.forward(m, ps, first, false).logits();
      NDArray inBatch = Models.forward(m, ps, batch, false).logits().get("0:1");
      assertTrue(alone.allClose(inBatch, 1e-4, 1e-5, false));
      // Training: they do (batch statistics), and they differ from eval.
      NDArray trainBatch = Models.forward(m, ps, batch, true).logits().get("0:1");
      NDArray trainHalf = Models.forward(m, ps, batch.get("0:3"), true).logits().get("0:1");
      assertFalse(trainBatch.allClose(trainHalf, 1e-3, 1e-4, false));
      assertFalse(trainBatch.allClose(inBatch, 1e-3, 1e-4, false));
    }
  }

  @Test
  void outputShapesFollowStridesForOddSizes() {
    TappedModel m = ModelZoo.create("resnet8", 1, 7, 0);
    Shape[] s = m.getOutputShapes(new Shape[] {new Shape(3, 1, 27, 27)});
    assertEquals(new Shape(3, 7), s[0]);
    assertEquals(new Shape(3, 16, 27, 27), s[1]);
    assertEquals(new Shape(3, 32, 14, 14), s[2]);
    assertEquals(new Shape(3, 64, 7, 7), s[3]);
  }

  @Test
  void depthMustBeSixNPlusTwo() {
    assertThrows(IllegalArgumentException.class, () -> new ResNet(9, 1, 10));
    assertThrows(IllegalArgumentException.class, () -> new ResNet(2, 1, 10));
    assertEquals("resnet14", new ResNet(14, 1, 10).architecture());
    assertEquals(2, new ResNet(14, 1, 10).blocksPerStage());
  }

  /** stageN_pre is the last block's residual sum before its ReLU: ReLU of it is stageN, and it has negatives. */
  @Test
  void preReluTapsAreTheResidualSumsBeforeTheLastRelu() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TappedModel m = ModelZoo.create("resnet14", 1, 10, 0);
      Shape input = new Shape(2, 1, 12, 12);
      m.initialize(manager, DataType.FLOAT32, input);
      assertEquals(java.util.List.of("stage1_pre", "stage2_pre", "stage3_pre"), m.preReluTapNames());
      for (boolean training : new boolean[] {false, true}) {
        ModelOutput out = Models.forward(m, new ParameterStore(manager, false), manager.randomNormal(input), training);
        for (int s = 1; s <= 3; s++) {
          NDArray pre = out.tap("stage" + s + "_pre");
          assertTrue(ai.djl.nn.Activation.relu(pre).allClose(out.tap("stage" + s), 0, 0, false), "stage " + s);
          assertTrue(pre.lt(0).any().getBoolean(), "a pre-ReLU map has negative values");
        }
      }
      // The BatchNorm before the ReLU is the last block's bn2: 64 channels for stage 3, γ as in the parameters.
      String gammaName = null;
      for (var p : m.getParameters()) {
        if (p.getKey().contains("stage3") && p.getKey().endsWith("bn2_gamma")) {
          gammaName = p.getKey(); // the last one in order is the last block's
        }
      }
      p(m, gammaName).set(java.nio.FloatBuffer.wrap(ramp(64)));
      assertArrayEquals(ramp(64), m.preReluBatchNorm("stage3_pre").gamma());
      assertEquals(64, m.preReluBatchNorm("stage3_pre").beta().length);
    }
  }

  private static NDArray p(TappedModel m, String name) {
    return m.getParameters().get(name).getArray();
  }

  private static float[] ramp(int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = 0.5f + i / 100f;
    }
    return v;
  }
}

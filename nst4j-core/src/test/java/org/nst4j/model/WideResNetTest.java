package org.nst4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

class WideResNetTest {

  /** Learnable parameters of WRN-D-K (pre-activation blocks, 1×1 shortcut where the shape changes). */
  private static long expectedParameters(int depth, int k, int channels, int classes) {
    int n = (depth - 4) / 6;
    long count = 9L * channels * 16; // stem conv, no BN (the first block pre-activates)
    int in = 16;
    for (int g = 0; g < 3; g++) {
      int out = (16 << g) * k;
      for (int b = 0; b < n; b++) {
        count += 2L * in + 9L * in * out + 2L * out + 9L * out * out;
        if (in != out) {
          count += (long) in * out;
        }
        in = out;
      }
    }
    return count + 2L * in + (long) in * classes + classes; // final BN, fc
  }

  @Test
  void parameterCountsFollowTheFormula() {
    try (NDManager manager = NDManager.newBaseManager()) {
      for (String arch : new String[] {"wrn-16-1", "wrn-16-2", "wrn-22-4"}) {
        String[] parts = arch.split("-");
        TappedModel m = ModelZoo.create(arch, 3, 100, 0);
        m.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 32, 32));
        assertEquals(expectedParameters(Integer.parseInt(parts[1]), Integer.parseInt(parts[2]), 3, 100),
            Models.parameterCount(m), arch);
      }
    }
  }

  @Test
  void tapsAreGroupOutputsBeforeTheFinalBatchNormRelu() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TappedModel m = ModelZoo.create("wrn-16-2", 1, 10, 3);
      m.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 28, 28));
      NDArray x = manager.randomNormal(new Shape(3, 1, 28, 28));
      ModelOutput out = Models.forward(m, new ParameterStore(manager, false), x, false);
      // Pre-activation residual streams take negative values.
      for (String tap : m.tapNames()) {
        assertTrue(out.tap(tap).min().getFloat() < 0f, tap);
      }
      // With fresh BN statistics (mean 0, var 1, γ 1, β 0) the final BN-ReLU is relu(x / sqrt(1 + eps)),
      // so logits = fc(GAP(relu(stage3 / sqrt(1 + 1e-5)))).
      NDArray s3 = out.tap("stage3");
      NDArray act = s3.div(Math.sqrt(1 + 1e-5)).maximum(0f);
      NDArray gap = act.reshape(3, 128, -1).mean(new int[] {2});
      NDArray w = m.getParameters().get("06fc_weight").getArray();
      NDArray b = m.getParameters().get("06fc_bias").getArray();
      assertTrue(gap.matMul(w.transpose()).add(b).allClose(out.logits(), 1e-4, 1e-5, false));
    }
  }

  @Test
  void constructorChecksDepthAndWidth() {
    assertThrows(IllegalArgumentException.class, () -> new WideResNet(15, 2, 1, 10));
    assertThrows(IllegalArgumentException.class, () -> new WideResNet(4, 2, 1, 10));
    assertThrows(IllegalArgumentException.class, () -> new WideResNet(16, 0, 1, 10));
    assertEquals("wrn-40-2", new WideResNet(40, 2, 1, 10).architecture());
  }

  /**
   * A pre-activation stage's pre-ReLU map is the next BatchNorm applied to the stage output (mdistiller's
   * wrn.py): in inference, γ·(x − μ)/√(σ² + ε) + β with the running statistics; in training the probe moves
   * the running statistics of that BatchNorm only once (the block that owns it moves them).
   */
  @Test
  void preReluTapsAreTheNextBatchNormOfTheStageOutput() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TappedModel m = ModelZoo.create("wrn-10-1", 1, 10, 0);
      Shape input = new Shape(4, 1, 8, 8);
      m.initialize(manager, DataType.FLOAT32, input);
      NDArray x = manager.randomNormal(input);
      // Training mode first: stage2's first block's bn0 sees stage1 once, so its running mean becomes 0.1·mean.
      ModelOutput train = Models.forward(m, new ParameterStore(manager, false), x, true);
      NDArray s1 = train.tap("stage1");
      NDArray batchMean = s1.transpose(1, 0, 2, 3).reshape(s1.getShape().get(1), -1).mean(new int[] {1});
      String meanName = null;
      for (var p : m.getParameters()) {
        if (p.getKey().contains("stage2") && p.getKey().endsWith("bn0_runningMean") && meanName == null) {
          meanName = p.getKey();
        }
      }
      NDArray running = m.getParameters().get(meanName).getArray();
      assertTrue(running.allClose(batchMean.mul(0.1f), 1e-4, 1e-6, false),
          "the running mean moved once: " + running + " vs 0.1·" + batchMean);

      ModelOutput out = Models.forward(m, new ParameterStore(manager, false), x, false);
      for (int s = 1; s <= 3; s++) {
        NDArray stage = out.tap("stage" + s);
        TappedModel.BatchNormParameters bn = m.preReluBatchNorm("stage" + s + "_pre");
        long ch = stage.getShape().get(1);
        NDArray mean = s < 3 ? statistic(m, "stage" + (s + 1), "bn0_runningMean") : statistic(m, "finalBn", "runningMean");
        NDArray var = s < 3 ? statistic(m, "stage" + (s + 1), "bn0_runningVar") : statistic(m, "finalBn", "runningVar");
        NDArray g = manager.create(bn.gamma()).reshape(1, ch, 1, 1);
        NDArray b = manager.create(bn.beta()).reshape(1, ch, 1, 1);
        NDArray expected = stage.sub(mean.reshape(1, ch, 1, 1)).div(var.reshape(1, ch, 1, 1).add(1e-5f).sqrt())
            .mul(g).add(b);
        assertTrue(expected.allClose(out.tap("stage" + s + "_pre"), 1e-4, 1e-5, false), "stage " + s);
      }
    }
  }

  /** The first parameter whose name contains {@code where} and ends with {@code suffix}. */
  private static NDArray statistic(TappedModel m, String where, String suffix) {
    for (var p : m.getParameters()) {
      if (p.getKey().contains(where) && p.getKey().endsWith(suffix)) {
        return p.getValue().getArray();
      }
    }
    throw new AssertionError("no parameter " + where + "*" + suffix);
  }
}

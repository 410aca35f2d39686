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
}

package org.nst4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PreActResNetTest {
  private static final Shape CIFAR = new Shape(2, 3, 32, 32);

  /** By formula: He et al. 2016b's bottleneck units, 1×1 projections on the first unit of each stage. */
  private static long formula(int n, int classes) {
    long count = 9L * 3 * 16; // stem conv, no BN (the first unit pre-activates)
    long in = 16;
    for (int s = 0; s < 3; s++) {
      long w = 16L << s;
      for (int b = 0; b < n; b++) {
        count += 2 * in + in * w; // BN, 1×1
        count += 2 * w + 9 * w * w; // BN, 3×3
        count += 2 * w + w * 4 * w; // BN, 1×1
        if (b == 0) {
          count += in * 4 * w; // projection
        }
        in = 4 * w;
      }
    }
    return count + 2 * 256 + ArchTesting.linear(256, classes);
  }

  private static long parameters(String arch) {
    return ArchTesting.parameterCount(arch, 3, 10, new Shape(1, 3, 32, 32));
  }

  @Test
  void parameterCountsMatchThePaper() {
    long r164 = parameters("preact-resnet-164");
    long r1001 = parameters("preact-resnet-1001");
    assertEquals(formula(18, 10), r164);
    assertEquals(formula(111, 10), r1001);
    // He et al. 2016b, table 3: ResNet-164 has 1.7M parameters, ResNet-1001 10.2M. Ours (1,703,258 and
    // 10,327,706) count BatchNorm's γ and β too; without them they are 1.68M and 10.18M, which is what
    // rounds to the paper's figures.
    assertEquals(1.7e6, r164, 0.03e6);
    assertEquals(10.2e6, r1001, 0.15e6);
    long bnScalars = 2 * 256; // the final BN
    for (int st = 0; st < 3; st++) {
      long w = 16L << st;
      long firstIn = st == 0 ? 16 : 2 * w;
      bnScalars += 2 * firstIn + 110 * 2 * 4 * w + 111 * 2 * 2 * w; // BN(in) of each unit, 2 BN(w)
    }
    assertEquals(10.2e6, r1001 - bnScalars, 0.05e6);
  }

  @Test
  void forwardShapesAndPreActivationTaps() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TappedModel m = ModelZoo.create("preact-resnet-11", 3, 10, 0);
      m.initialize(manager, DataType.FLOAT32, CIFAR);
      ModelOutput out = Models.forward(m, new ParameterStore(manager, false), manager.randomNormal(CIFAR), false);
      assertEquals(new Shape(2, 10), out.logits().getShape());
      assertEquals(new Shape(2, 64, 32, 32), out.tap("stage1").getShape());
      assertEquals(new Shape(2, 128, 16, 16), out.tap("stage2").getShape());
      assertEquals(new Shape(2, 256, 8, 8), out.tap("stage3").getShape());
      // The residual stream before the final BN-ReLU: not a ReLU output.
      assertTrue(out.tap("stage3").min().getFloat() < 0f);
    }
    try (NDManager manager = NDManager.newBaseManager()) {
      ArchTesting.everyParameterLearns(ModelZoo.create("preact-resnet-11", 3, 10, 0), manager, CIFAR);
    }
  }

  @Test
  void resnet1001ShapesWithoutAForward() {
    PreActResNet m = (PreActResNet) ModelZoo.create("preact-resnet-1001", 3, 100, 0);
    assertEquals(111, m.unitsPerStage());
    Map<String, Shape> s = Models.outputShapes(m, new Shape(64, 3, 32, 32));
    assertEquals(new Shape(64, 100), s.get("logits"));
    assertEquals(new Shape(64, 64, 32, 32), s.get("stage1"));
    assertEquals(new Shape(64, 128, 16, 16), s.get("stage2"));
    assertEquals(new Shape(64, 256, 8, 8), s.get("stage3"));
  }

  @Test
  void depthMustBeNineNPlusTwo() {
    assertThrows(IllegalArgumentException.class, () -> new PreActResNet(164 + 1, 3, 10));
    assertThrows(IllegalArgumentException.class, () -> new PreActResNet(2, 3, 10));
    assertFalse(ModelZoo.isKnown("preact-resnet-21"));
    assertTrue(ModelZoo.isKnown("preact-resnet-20")); // n = 2
    assertFalse(ModelZoo.isKnown("preact-resnet-2"));
    assertTrue(ModelZoo.isKnown("Preact-ResNet-1001"));
    assertEquals("preact-resnet-164", ModelZoo.create("preact-resnet-164", 3, 10, 0).architecture());
  }
}

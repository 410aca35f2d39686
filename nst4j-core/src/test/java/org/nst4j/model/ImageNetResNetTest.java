package org.nst4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ImageNetResNetTest {
  private static final Shape IMAGENET = new Shape(1, 3, 224, 224);

  private static long parameters(String arch) {
    return ArchTesting.parameterCount(arch, 3, 1000, IMAGENET);
  }

  /** Basic-block nets by formula (He et al. 2016, table 1; torchvision's layout). */
  private static long basicFormula(int[] blocks, int classes) {
    long count = ArchTesting.convBn(7, 3, 64);
    int in = 64;
    for (int s = 0; s < 4; s++) {
      int w = 64 << s;
      for (int b = 0; b < blocks[s]; b++) {
        count += ArchTesting.convBn(3, in, w) + ArchTesting.convBn(3, w, w);
        if (in != w) {
          count += ArchTesting.convBn(1, in, w);
        }
        in = w;
      }
    }
    return count + ArchTesting.linear(512, classes);
  }

  @Test
  void parameterCountsEqualTorchvisions() {
    // torchvision.models.resnetN(num_classes=1000): sum(p.numel() for p in m.parameters()).
    assertEquals(11_689_512L, parameters("imagenet-resnet18"));
    assertEquals(basicFormula(new int[] {2, 2, 2, 2}, 1000), 11_689_512L);
    assertEquals(21_797_672L, parameters("imagenet-resnet34"));
    assertEquals(25_557_032L, parameters("imagenet-resnet50"));
    assertEquals(44_549_160L, parameters("imagenet-resnet101"));
  }

  @Test
  void resnet18ForwardGivesTheStageMapsOf224Images() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TappedModel m = ModelZoo.create("imagenet-resnet18", 3, 1000, 0);
      m.initialize(manager, DataType.FLOAT32, IMAGENET);
      ModelOutput out = Models.forward(m, new ParameterStore(manager, false), manager.randomNormal(IMAGENET), false);
      assertEquals(new Shape(1, 1000), out.logits().getShape());
      assertEquals(new Shape(1, 64, 56, 56), out.tap("stage1").getShape());
      assertEquals(new Shape(1, 128, 28, 28), out.tap("stage2").getShape());
      assertEquals(new Shape(1, 256, 14, 14), out.tap("stage3").getShape());
      assertEquals(new Shape(1, 512, 7, 7), out.tap("stage4").getShape());
      for (NDArray tap : out.taps().values()) {
        assertTrue(tap.min().getFloat() >= 0f, "post-ReLU taps");
      }
      assertEquals(Models.outputShapes(m, IMAGENET).get("stage4"), out.tap("stage4").getShape());
    }
  }

  @Test
  void bottleneckNetsHaveFourTimesWiderStages() {
    for (String arch : new String[] {"imagenet-resnet50", "imagenet-resnet101", "imagenet-resnet152"}) {
      Map<String, Shape> s = Models.outputShapes(ModelZoo.create(arch, 3, 1000, 0), new Shape(2, 3, 224, 224));
      assertEquals(new Shape(2, 1000), s.get("logits"), arch);
      assertEquals(new Shape(2, 256, 56, 56), s.get("stage1"), arch);
      assertEquals(new Shape(2, 512, 28, 28), s.get("stage2"), arch);
      assertEquals(new Shape(2, 1024, 14, 14), s.get("stage3"), arch);
      assertEquals(new Shape(2, 2048, 7, 7), s.get("stage4"), arch);
    }
  }

  @Test
  void everyParameterOfABottleneckLearns() {
    try (NDManager manager = NDManager.newBaseManager()) {
      ImageNetResNet.Bottleneck projecting = new ImageNetResNet.Bottleneck(32, 16, 2);
      Shape input = new Shape(2, 32, 8, 8);
      assertEquals(new Shape(2, 64, 4, 4), projecting.getOutputShapes(new Shape[] {input})[0]);
      ArchTesting.everyParameterLearns(projecting, manager, input);
      ImageNetResNet.Bottleneck identity = new ImageNetResNet.Bottleneck(64, 16, 1);
      ArchTesting.everyParameterLearns(identity, manager, new Shape(2, 64, 4, 4));
      assertEquals(6, identity.getChildren().size()); // no projection
    }
  }

  @Test
  void namesAreDistinctFromTheCifarFamily() {
    assertTrue(ModelZoo.create("resnet50", 3, 10, 0) instanceof ResNet); // 50 = 6·8 + 2
    assertTrue(ModelZoo.create("imagenet-resnet50", 3, 10, 0) instanceof ImageNetResNet);
    assertEquals("imagenet-resnet34", ModelZoo.create("ImageNet-ResNet34", 3, 10, 0).architecture());
    for (String bad : new String[] {"imagenet-resnet20", "imagenet-resnet", "imagenet-resnet1001"}) {
      assertFalse(ModelZoo.isKnown(bad), bad);
    }
    assertThrows(IllegalArgumentException.class, () -> new ImageNetResNet(20, 3, 10));
  }
}

package org.nst4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ModelZooTest {

  /** Forward shapes of every example architecture against the expected layout and getOutputShapes. */
  @ParameterizedTest
  @ValueSource(strings = {"resnet8", "resnet14", "resnet20", "resnet32", "resnet56", "resnet110",
      "wrn-16-1", "wrn-16-2", "wrn-40-2", "cnn-small"})
  void forwardShapesMatchTheArchitecture(String arch) {
    boolean big = arch.equals("resnet110") || arch.equals("wrn-40-2");
    int batch = big ? 1 : 2;
    for (int[] in : new int[][] {{1, 28}, {3, 32}}) {
      int c = in[0];
      int hw = in[1];
      try (NDManager manager = NDManager.newBaseManager()) {
        TappedModel model = ModelZoo.create(arch, c, 10, 0);
        assertEquals(arch, model.architecture());
        Shape input = new Shape(batch, c, hw, hw);
        model.initialize(manager, DataType.FLOAT32, input);
        Map<String, Shape> expected = expectedShapes(arch, batch, hw);
        assertEquals(List.copyOf(expected.keySet()).subList(1, 4), model.tapNames());
        assertEquals(expected, Models.outputShapes(model, input));
        if (big) {
          continue; // the output-shape computation above is the cheap check for the big nets
        }
        NDArray x = manager.randomNormal(input);
        ModelOutput out = Models.forward(model, new ParameterStore(manager, false), x, false);
        assertEquals(expected.get("logits"), out.logits().getShape());
        for (String tap : model.tapNames()) {
          assertEquals(expected.get(tap), out.tap(tap).getShape(), arch + " " + tap);
        }
      }
    }
  }

  private static Map<String, Shape> expectedShapes(String arch, int b, int hw) {
    int h1 = hw;
    int h2 = hw / 2;
    int h3 = hw / 4;
    if (arch.startsWith("resnet")) {
      return ordered(new Shape(b, 10), "stage1", new Shape(b, 16, h1, h1),
          "stage2", new Shape(b, 32, h2, h2), "stage3", new Shape(b, 64, h3, h3));
    }
    if (arch.startsWith("wrn")) {
      int k = Integer.parseInt(arch.substring(arch.lastIndexOf('-') + 1));
      return ordered(new Shape(b, 10), "stage1", new Shape(b, 16 * k, h1, h1),
          "stage2", new Shape(b, 32 * k, h2, h2), "stage3", new Shape(b, 64 * k, h3, h3));
    }
    return ordered(new Shape(b, 10), "block1", new Shape(b, 32, h2, h2),
        "block2", new Shape(b, 64, h3, h3), "block3", new Shape(b, 128, h3, h3));
  }

  private static Map<String, Shape> ordered(
      Shape logits, String t1, Shape s1, String t2, Shape s2, String t3, Shape s3) {
    Map<String, Shape> m = new LinkedHashMap<>();
    m.put("logits", logits);
    m.put(t1, s1);
    m.put(t2, s2);
    m.put(t3, s3);
    return m;
  }

  @Test
  void createsTheRightFamilies() {
    assertInstanceOf(ResNet.class, ModelZoo.create("resnet20", 1, 10, 0));
    assertEquals(3, ((ResNet) ModelZoo.create("resnet20", 1, 10, 0)).blocksPerStage());
    assertInstanceOf(ResNet.class, ModelZoo.create("resnet26", 1, 10, 0));
    assertInstanceOf(WideResNet.class, ModelZoo.create("WRN-16-2", 1, 10, 0));
    assertEquals("wrn-16-2", ModelZoo.create(" WRN-16-2 ", 1, 10, 0).architecture());
    assertInstanceOf(SmallCnn.class, ModelZoo.create("cnn-small", 3, 5, 0));
    TappedModel m = ModelZoo.create("cnn-small", 3, 5, 0);
    assertEquals(3, m.inputChannels());
    assertEquals(5, m.numClasses());
  }

  @Test
  void unknownArchitectureIsRefusedWithTheKnownList() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ModelZoo.create("x", 1, 10, 0));
    assertTrue(e.getMessage().startsWith("unknown architecture 'x'; known: resnet8, resnet14, resnet20,"),
        e.getMessage());
    assertTrue(e.getMessage().contains("wrn-D-K"), e.getMessage());
    assertTrue(e.getMessage().endsWith("cnn-small"), e.getMessage());
    for (String bad : new String[] {"resnet", "resnet9", "resnet2", "wrn-16", "wrn-17-2", "wrn-16-0",
        "wrn-16-99", "cnn", "resnet20x", "", "resnet99999"}) {
      assertFalse(ModelZoo.isKnown(bad), bad);
      assertThrows(IllegalArgumentException.class, () -> ModelZoo.create(bad, 1, 10, 0), bad);
    }
    assertFalse(ModelZoo.isKnown(null));
  }

  @Test
  void examplesAreKnownAndListed() {
    for (String arch : ModelZoo.examples()) {
      assertTrue(ModelZoo.isKnown(arch), arch);
    }
    assertTrue(ModelZoo.isKnown("resnet1202"));
    assertTrue(ModelZoo.architectures().contains("resnet110"));
    assertTrue(ModelZoo.architectures().stream().anyMatch(a -> a.startsWith("resnetN (N = 6n+2")));
    assertTrue(ModelZoo.architectures().stream().anyMatch(a -> a.startsWith("wrn-D-K")));
  }

  @Test
  void countsMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> ModelZoo.create("resnet8", 0, 10, 0));
    assertThrows(IllegalArgumentException.class, () -> ModelZoo.create("resnet8", 1, 0, 0));
  }

  @Test
  void wrongInputChannelsAreRefusedAtInitialisation() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TappedModel model = ModelZoo.create("resnet8", 1, 10, 0);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> model.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 28, 28)));
      assertTrue(e.getMessage().contains("resnet8"), e.getMessage());
    }
  }

  /**
   * Every zoo architecture exposes one pre-ReLU tap per main stage tap, after the main taps in the output, with
   * the BatchNorm (γ, β) that produced it; the main taps, which the methods' defaults read, are unchanged.
   */
  @ParameterizedTest
  @ValueSource(strings = {"resnet8", "wrn-16-1", "preact-resnet-11", "cnn-small", "imagenet-resnet18",
      "inception-bn-cifar"})
  void everyArchitectureExposesPreReluTapsWithTheirBatchNorm(String arch) {
    try (NDManager manager = NDManager.newBaseManager()) {
      boolean imagenet = arch.startsWith("imagenet");
      int c = arch.startsWith("inception") || imagenet ? 3 : 1;
      int hw = imagenet ? 64 : arch.startsWith("inception") ? 32 : 16;
      TappedModel model = ModelZoo.create(arch, c, 10, 0);
      Shape input = new Shape(2, c, hw, hw);
      model.initialize(manager, DataType.FLOAT32, input);
      List<String> main = model.tapNames();
      List<String> pre = model.preReluTapNames();
      assertFalse(pre.isEmpty());
      for (String p : pre) {
        assertTrue(p.endsWith("_pre"), p);
        assertFalse(main.contains(p), "pre-ReLU taps are not main taps: " + p);
      }
      ModelOutput out = Models.forward(model, new ParameterStore(manager, false), manager.randomNormal(input), false);
      assertEquals(main, out.tapNames());
      assertEquals(pre, out.preReluTapNames());
      Shape[] shapes = model.getOutputShapes(new Shape[] {input});
      assertEquals(1 + main.size() + pre.size(), shapes.length);
      for (int i = 0; i < pre.size(); i++) {
        NDArray map = out.tap(pre.get(i));
        assertEquals(shapes[1 + main.size() + i], map.getShape(), pre.get(i));
        TappedModel.BatchNormParameters bn = model.preReluBatchNorm(pre.get(i));
        assertEquals(map.getShape().get(1), bn.gamma().length, pre.get(i) + ": one γ per channel");
        assertEquals(map.getShape().get(1), bn.beta().length);
      }
      assertThrows(IllegalArgumentException.class, () -> model.preReluBatchNorm(main.get(0)));
    }
  }
}

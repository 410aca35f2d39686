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
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TappedBlockTest {

  /** conv-bn-relu-pool (16×14×14 at 04), conv-bn-relu-pool (32×7×7 at 08), GAP, linear(10). */
  static SequentialBlock cnn() {
    return new SequentialBlock()
        .add(Layers.conv(16, 3, 1)).add(Layers.batchNorm()).add(Activation.reluBlock())
        .add(Pool.maxPool2dBlock(new Shape(2, 2)))
        .add(Layers.conv(32, 3, 1)).add(Layers.batchNorm()).add(Activation.reluBlock())
        .add(Pool.maxPool2dBlock(new Shape(2, 2)))
        .add(Pool.globalAvgPool2dBlock()).add(Layers.linear(10));
  }

  @AfterEach
  void forget() {
    ModelZoo.unregister("my-cnn");
  }

  @Test
  void wrapExposesTheChildrensOutputsAndComputesWhatTheBlockComputes() {
    try (NDManager manager = NDManager.newBaseManager()) {
      SequentialBlock block = cnn();
      TappedBlock m = TappedBlock.wrap("my-cnn", block, 1, 10, "conv1=04LambdaBlock", "08LambdaBlock");
      assertEquals(List.of("conv1", "08LambdaBlock"), m.tapNames());
      Shape in = new Shape(3, 1, 28, 28);
      m.initialize(manager, DataType.FLOAT32, in);
      Shape[] shapes = m.getOutputShapes(new Shape[] {in});
      assertArrayEquals(new Shape[] {new Shape(3, 10), new Shape(3, 16, 14, 14), new Shape(3, 32, 7, 7)}, shapes);
      NDArray x = manager.randomNormal(in);
      ParameterStore ps = new ParameterStore(manager, false);
      ModelOutput out = Models.forward(m, ps, x, false);
      NDArray direct = block.forward(ps, new NDList(x), false).singletonOrThrow();
      assertTrue(direct.allClose(out.logits(), 0, 0, false), "the wrapper runs the same computation");
      assertEquals(new Shape(3, 16, 14, 14), out.tap("conv1").getShape());
      // The second tap is what the first four children compute, then the next four.
      NDList h = new NDList(x);
      for (int i = 0; i < 8; i++) {
        h = block.getChildren().get(i).getValue().forward(ps, h, false);
      }
      assertTrue(h.singletonOrThrow().allClose(out.tap("08LambdaBlock"), 0, 0, false));
      assertEquals(block.getParameters().size(), m.getParameters().size());
    }
  }

  @Test
  void pathsDescendIntoNestedSequentialBlocks() {
    try (NDManager manager = NDManager.newBaseManager()) {
      SequentialBlock inner = new SequentialBlock().add(Layers.conv(8, 3, 2)).add(Activation.reluBlock());
      SequentialBlock outer = new SequentialBlock().add(inner).add(Pool.globalAvgPool2dBlock()).add(Layers.linear(4));
      TappedBlock m = TappedBlock.wrap("nested", outer, 1, 4, "01SequentialBlock/01Conv2d", "act=01SequentialBlock");
      m.initialize(manager, DataType.FLOAT32, new Shape(2, 1, 8, 8));
      ModelOutput out = Models.forward(m, new ParameterStore(manager, false), manager.randomNormal(new Shape(2, 1, 8,
          8)), false);
      assertEquals(new Shape(2, 8, 4, 4), out.tap("01SequentialBlock/01Conv2d").getShape());
      assertTrue(out.tap("act").min().getFloat() >= 0, "after the ReLU");
      assertFalse(out.tap("01SequentialBlock/01Conv2d").min().getFloat() >= 0, "before it");
    }
  }

  @Test
  void badTapsAreRefusedNamingTheChildren() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TappedBlock.wrap("my-cnn", cnn(), 1, 10, "05LambdaBlock"));
    assertTrue(e.getMessage().startsWith("tap '05LambdaBlock': no child '05LambdaBlock'; its children are [01Conv2d,"
        + " 02BatchNorm, 03LambdaBlock, 04LambdaBlock, 05Conv2d"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> TappedBlock.wrap("my-cnn", cnn(), 1, 10, "01Conv2d/x"));
    assertTrue(e.getMessage().contains("01Conv2d is a Conv2d, not a SequentialBlock"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> TappedBlock.wrap("my-cnn", new ParallelBlock(l -> l.get(0)), 1, 10, "a"));
    assertTrue(e.getMessage().contains("use TappedBlock.ofOutputs"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> TappedBlock.wrap("my-cnn", cnn(), 1, 10, "a=04LambdaBlock", "a=08LambdaBlock"));
    assertTrue(e.getMessage().startsWith("tap names must be distinct"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TappedBlock.wrap("my-cnn", cnn(), 1, 10));
    // The logits width is checked at initialisation.
    try (NDManager manager = NDManager.newBaseManager()) {
      TappedBlock wrong = TappedBlock.wrap("my-cnn", cnn(), 1, 7, "04LambdaBlock");
      e = assertThrows(IllegalArgumentException.class,
          () -> wrong.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 28, 28)));
      assertEquals("my-cnn: the block's last output has shape (1, 10) for input (1, 1, 28, 28), expected B×7 logits",
          e.getMessage());
    }
  }

  @Test
  void ofOutputsNamesTheMapsABlockReturns() {
    try (NDManager manager = NDManager.newBaseManager()) {
      // A user's block whose forward returns [logits, map]: a ParallelBlock of a classifier and a feature branch.
      Block conv = new SequentialBlock().add(Layers.conv(4, 3, 1)).add(Activation.reluBlock());
      Block head = new SequentialBlock().add(Pool.globalAvgPool2dBlock()).add(Layers.linear(3));
      Block both = new ParallelBlock(lists -> new NDList(lists.get(0).head(), lists.get(1).head()), List.of(head, conv));
      TappedBlock m = TappedBlock.ofOutputs("two-out", both, 1, 3, "features");
      m.initialize(manager, DataType.FLOAT32, new Shape(2, 1, 6, 6));
      ModelOutput out = Models.forward(m, new ParameterStore(manager, false), manager.ones(new Shape(2, 1, 6, 6)),
          false);
      assertEquals(new Shape(2, 3), out.logits().getShape());
      assertEquals(new Shape(2, 4, 6, 6), out.tap("features").getShape());
      TappedBlock tooMany = TappedBlock.ofOutputs("two-out", both, 1, 3, "a", "b");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> tooMany.initialize(manager, DataType.FLOAT32, new Shape(2, 1, 6, 6)));
      assertEquals("two-out: the block returns 2 arrays, expected the logits and the 2 maps [a, b]", e.getMessage());
    }
  }

  @Test
  void anUninitialisedWrapperSaysSoInsteadOfDjlsRawException() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TappedBlock m = TappedBlock.wrap("my-cnn", cnn(), 1, 10, "04LambdaBlock");
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> m.forward(new ParameterStore(manager, false), new NDList(manager.zeros(new Shape(1, 1, 28, 28))),
              false));
      assertTrue(e.getMessage().startsWith("my-cnn is not initialised; call initialize("), e.getMessage());
      // The zoo's models say the same.
      TappedModel zoo = ModelZoo.create("resnet8", 1, 10, 0);
      e = assertThrows(IllegalStateException.class,
          () -> zoo.forward(new ParameterStore(manager, false), new NDList(manager.zeros(new Shape(1, 1, 28, 28))),
              false));
      assertEquals("resnet8 is not initialised; call initialize(manager, DataType.FLOAT32, new Shape(1, 1, H, W)) or"
          + " trainer.initialize(...) first", e.getMessage());
    }
  }

  @Test
  void theParameterFileIsTheHeaderThenTheBlocksOwn() throws Exception {
    try (NDManager manager = NDManager.newBaseManager()) {
      SequentialBlock block = cnn();
      TappedBlock m = TappedBlock.wrap("my-cnn", block, 1, 10, "04LambdaBlock");
      m.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 28, 28));
      ByteArrayOutputStream wrapped = new ByteArrayOutputStream();
      Models.saveParameters(m, wrapped);
      ByteArrayOutputStream alone = new ByteArrayOutputStream();
      block.saveParameters(new DataOutputStream(alone));
      byte[] w = wrapped.toByteArray();
      byte[] a = alone.toByteArray();
      assertArrayEquals(a, java.util.Arrays.copyOfRange(w, w.length - a.length, w.length));
      // Reloading into a fresh wrapper of the same block gives the same outputs.
      TappedBlock copy = TappedBlock.wrap("my-cnn", cnn(), 1, 10, "04LambdaBlock");
      Models.loadParameters(copy, manager, new java.io.ByteArrayInputStream(w));
      NDArray x = manager.randomNormal(new Shape(2, 1, 28, 28));
      assertTrue(Models.forward(m, new ParameterStore(manager, false), x, false).logits().allClose(
          Models.forward(copy, new ParameterStore(manager, false), x, false).logits(), 0, 0, false));
    }
  }

  @Test
  void registeredFactoriesAreBuiltByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelZoo.create("my-cnn", 1,
        10, 0));
    assertTrue(e.getMessage().startsWith("unknown architecture 'my-cnn'; known: resnet8"), e.getMessage());
    assertTrue(e.getMessage().endsWith("cnn-small"), e.getMessage());
    // This factory ignores the class count, which create() catches.
    ModelZoo.register("My-CNN", (c, k, seed) -> TappedBlock.wrap("my-cnn", cnn(), c, 10, "04LambdaBlock"));
    assertTrue(ModelZoo.isKnown("my-cnn"));
    assertTrue(ModelZoo.registered().contains("my-cnn"));
    TappedModel m = ModelZoo.create("my-cnn", 1, 10, 0);
    assertEquals("my-cnn", m.architecture());
    e = assertThrows(IllegalArgumentException.class, () -> ModelZoo.create("my-cnn", 1, 7, 0));
    assertTrue(e.getMessage().startsWith("the factory registered for 'my-cnn' returned my-cnn (1 channels, 10"
        + " classes) for 1 channels and 7 classes"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> ModelZoo.register("resnet20", (c, k, s) -> null));
    assertEquals("'resnet20' is a zoo architecture; register a custom model under another name", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ModelZoo.register("a b", (c, k, s) -> null));
    e = assertThrows(IllegalArgumentException.class, () -> ModelZoo.create("other", 1, 10, 0));
    assertTrue(e.getMessage().endsWith("cnn-small; registered: my-cnn"), e.getMessage());
    ModelZoo.unregister("my-cnn");
    assertFalse(ModelZoo.isKnown("my-cnn"));
  }
}

package org.nst4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChainedModelTest {

  /** conv3×3(4)-ReLU-maxpool 3/2/1 [tap a]; a block returning (x, −x) [taps b, c]; GAP; fc. */
  private static final class Toy extends ChainedModel {
    final Block conv;
    final Block twin;

    Toy(List<String> taps) {
      super((byte) 1, "toy", taps, 2, 3);
      conv = layer("conv", Layers.conv(4, 3, 1));
      relu();
      maxPool(3, 2, 1);
      tap();
      twin = layer("twin", new LambdaBlock(l -> new NDList(l.head(), l.head().neg())));
      tap();
      classifier();
    }
  }

  @Test
  void forwardReturnsLogitsThenEveryTapInChainOrder() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Toy toy = new Toy(List.of("a", "b", "c"));
      SeededInit.apply(toy, 3);
      Shape input = new Shape(2, 2, 7, 7);
      toy.initialize(manager, DataType.FLOAT32, input);
      ParameterStore ps = new ParameterStore(manager, false);
      NDArray x = manager.randomNormal(input);
      NDList out = toy.forward(ps, new NDList(x), false);
      assertEquals(4, out.size());

      NDArray a = Pool.maxPool2d(Activation.relu(Layers.run(toy.conv, ps, x, false)),
          new Shape(3, 3), new Shape(2, 2), new Shape(1, 1), false);
      assertTrue(a.allClose(out.get(1), 1e-6, 1e-7, false));
      assertTrue(a.allClose(out.get(2), 1e-6, 1e-7, false));
      assertTrue(a.neg().allClose(out.get(3), 1e-6, 1e-7, false));
      // The classifier reads the first output of the last link.
      NDArray w = toy.getParameters().get("03fc_weight").getArray();
      NDArray b = toy.getParameters().get("03fc_bias").getArray();
      NDArray gap = a.reshape(2, 4, -1).mean(new int[] {2});
      assertTrue(gap.matMul(w.transpose()).add(b).allClose(out.get(0), 1e-5, 1e-6, false));

      Shape[] shapes = toy.getOutputShapes(new Shape[] {input});
      assertEquals(new Shape(2, 3), shapes[0]);
      for (int i = 0; i < out.size(); i++) {
        assertEquals(out.get(i).getShape(), shapes[i], "output " + i);
      }
      // Floor-mode pool: 7 → ⌊(7 + 2 − 3) / 2⌋ + 1 = 4; 8 → 4 as well.
      assertEquals(new Shape(2, 4, 4, 4), shapes[1]);
      assertEquals(new Shape(5, 4, 4, 4), toy.getOutputShapes(new Shape[] {new Shape(5, 2, 8, 8)})[1]);
      assertEquals(List.of("a", "b", "c"), ModelOutput.of(out, toy.tapNames()).tapNames());
    }
  }

  @Test
  void childrenKeepTheOrderTheyWereListedIn() {
    Toy toy = new Toy(List.of("a", "b", "c"));
    assertEquals(List.of("01conv", "02twin", "03fc"), toy.getChildren().keys());
    assertEquals("toy", toy.architecture());
    assertEquals(2, toy.inputChannels());
    assertEquals(3, toy.numClasses());
  }

  @Test
  void inputChannelsAndTapCountAreChecked() {
    Toy toy = new Toy(List.of("a", "b", "c"));
    assertThrows(IllegalArgumentException.class, () -> toy.getOutputShapes(new Shape[] {new Shape(1, 3, 8, 8)}));
    Toy misnamed = new Toy(List.of("a", "b"));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> misnamed.getOutputShapes(new Shape[] {new Shape(1, 2, 8, 8)}));
    assertTrue(e.getMessage().contains("3 taps for the 2 names"), e.getMessage());
  }

  @Test
  void linksAreRefusedWhereTheyCannotBe() {
    class Builder extends ChainedModel {
      Builder() {
        super((byte) 1, "b", List.of("t"), 1, 2);
      }
    }
    assertThrows(IllegalStateException.class, () -> new Builder().tap());
    Builder twice = new Builder();
    twice.relu();
    twice.tap();
    assertThrows(IllegalStateException.class, twice::tap);
    Builder closed = new Builder();
    closed.classifier();
    assertThrows(IllegalStateException.class, closed::relu);
    assertThrows(IllegalStateException.class, closed::classifier);
    assertThrows(IllegalStateException.class, () -> closed.layer("x", Layers.batchNorm()));
  }

  @Test
  void residualStagesThreadTheWidthsAndDownsampleEveryStageButTheFirst() {
    List<int[]> calls = new ArrayList<>();
    class Stages extends ChainedModel {
      Stages() {
        super((byte) 1, "s", List.of("stage1", "stage2"), 1, 2);
        layer("stem", Layers.conv(3, 3, 1));
        int[] outs = {4, 8};
        residualStages(3, new int[] {2, 1}, outs, (in, s, stride) -> {
          calls.add(new int[] {in, s, stride});
          return Layers.conv(outs[s], 3, stride);
        });
        classifier();
      }
    }
    Stages m = new Stages();
    assertEquals(3, calls.size());
    assertArrayEquals(new int[] {3, 0, 1}, calls.get(0));
    assertArrayEquals(new int[] {4, 0, 1}, calls.get(1));
    assertArrayEquals(new int[] {4, 1, 2}, calls.get(2));
    assertEquals(List.of("01stem", "02stage1", "03stage2", "04fc"), m.getChildren().keys());
    Shape[] shapes = m.getOutputShapes(new Shape[] {new Shape(1, 1, 9, 9)});
    assertEquals(new Shape(1, 4, 9, 9), shapes[1]);
    assertEquals(new Shape(1, 8, 5, 5), shapes[2]);
  }
}

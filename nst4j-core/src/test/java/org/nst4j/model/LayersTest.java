package org.nst4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.junit.jupiter.api.Test;

class LayersTest {

  @Test
  void convolutionsHaveNoBiasAndSamePaddingForStrideOne() {
    Conv2d c3 = Layers.conv(8, 3, 1);
    assertFalse(c3.isIncludeBias());
    assertEquals(new Shape(1, 1), c3.getPadding());
    assertEquals(new Shape(5, 8, 28, 28), Layers.shape(c3, new Shape(5, 4, 28, 28)));
    assertEquals(new Shape(5, 8, 14, 14), Layers.shape(Layers.conv(8, 3, 2), new Shape(5, 4, 28, 28)));
    assertEquals(new Shape(5, 8, 4, 4), Layers.shape(Layers.conv(8, 1, 2), new Shape(5, 4, 7, 7)));
  }

  @Test
  void chainsFeedEachBlockTheShapeOfTheOneBefore() {
    Shape in = new Shape(2, 3, 9, 9);
    assertEquals(in, Layers.shape(List.of(), in));
    // 9 -(3×3/2)-> 5 -(BN)-> 5 -(1×1/1)-> 5 -(3×3/2)-> 3; the widths are the last convolution's.
    List<Block> chain =
        List.of(Layers.conv(8, 3, 2), Layers.batchNorm(), Layers.conv(4, 1, 1), Layers.conv(6, 3, 2));
    assertEquals(new Shape(2, 6, 3, 3), Layers.shape(chain, in));
    try (NDManager manager = NDManager.newBaseManager()) {
      assertEquals(new Shape(2, 6, 3, 3), Layers.init(chain, manager, DataType.FLOAT32, in));
      // Each layer was initialised for the channels of the one before it.
      assertEquals(new Shape(8, 3, 3, 3), chain.get(0).getParameters().get("weight").getArray().getShape());
      assertEquals(new Shape(8), chain.get(1).getParameters().get("gamma").getArray().getShape());
      assertEquals(new Shape(4, 8, 1, 1), chain.get(2).getParameters().get("weight").getArray().getShape());
      assertEquals(new Shape(6, 4, 3, 3), chain.get(3).getParameters().get("weight").getArray().getShape());
    }
  }

  @Test
  void batchNormUsesEpsilon1e5AndPyTorchMomentum() {
    try (NDManager manager = NDManager.newBaseManager()) {
      BatchNorm bn = Layers.batchNorm();
      SeededInit.apply(bn, 0);
      bn.initialize(manager, DataType.FLOAT32, new Shape(4, 2, 1, 1));
      ParameterStore ps = new ParameterStore(manager, false);
      // Channel 0 holds 1,2,3,4 (mean 2.5, unbiased var 5/3), channel 1 holds 0.
      NDArray x = manager.create(new float[] {1, 0, 2, 0, 3, 0, 4, 0}, new Shape(4, 2, 1, 1));
      Layers.run(bn, ps, x, true);
      float[] mean = param(bn, Parameter.Type.RUNNING_MEAN).toFloatArray();
      float[] var = param(bn, Parameter.Type.RUNNING_VAR).toFloatArray();
      assertEquals(0.25f, mean[0], 1e-6f);
      assertEquals(0.9f + 0.1f * 5f / 3f, var[0], 1e-6f);
      assertEquals(0.9f, var[1], 1e-6f);

      // Eval: (x − running mean) / sqrt(running var + eps). With a zero variance this exposes eps.
      param(bn, Parameter.Type.RUNNING_MEAN).set(new float[] {0f, 0f});
      param(bn, Parameter.Type.RUNNING_VAR).set(new float[] {0f, 1f});
      float[] y = Layers.run(bn, ps, x, false).toFloatArray();
      assertEquals(1 / Math.sqrt(1e-5), y[0], 1e-2);
      assertEquals(4 / Math.sqrt(1e-5), y[6], 1e-1);
      assertEquals(0f, y[1]);
    }
  }

  private static NDArray param(BatchNorm bn, Parameter.Type type) {
    return bn.getDirectParameters().values().stream()
        .filter(p -> p.getType() == type).findFirst().orElseThrow().getArray();
  }

  @Test
  void checkInputRefusesOtherChannelCountsAndRanks() {
    Layers.checkInput(new Shape(1, 3, 8, 8), 3, "m");
    assertThrows(IllegalArgumentException.class, () -> Layers.checkInput(new Shape(1, 1, 8, 8), 3, "m"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Layers.checkInput(new Shape(3, 8, 8), 3, "m"));
    assertTrue(e.getMessage().startsWith("m expects input"), e.getMessage());
  }
}

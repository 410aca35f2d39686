package org.nst4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResidualBlockTest {

  /** Branch conv3×3/stride(6)-BN; projection conv1×1/stride(6)-BN where the shape changes; forward: the sum. */
  private static final class Toy extends ResidualBlock {
    Toy(int in, int stride) {
      branch("conv", Layers.conv(6, 3, stride));
      branch("bn", Layers.batchNorm());
      if (projects(in, 6, stride)) {
        projection("pconv", Layers.conv(6, 1, stride));
        projection("pbn", Layers.batchNorm());
      }
    }

    @Override
    protected NDList forwardInternal(
        ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
      NDArray x = inputs.singletonOrThrow();
      return new NDList(Layers.run(getChildren().get("02bn"), ps,
          Layers.run(getChildren().get("01conv"), ps, x, training), training).add(project(ps, x, training)));
    }
  }

  @Test
  void aProjectionExactlyWhereTheShapeChanges() {
    assertFalse(ResidualBlock.projects(6, 6, 1));
    assertTrue(ResidualBlock.projects(4, 6, 1));
    assertTrue(ResidualBlock.projects(6, 6, 2));
    assertFalse(new Toy(6, 1).hasProjection());
    assertEquals(List.of("01conv", "02bn", "03pconv", "04pbn"), new Toy(6, 2).getChildren().keys());
  }

  @Test
  void shapesAndInitialisationFollowTheBranchAndTheProjectionFromTheInput() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Toy b = new Toy(4, 2);
      SeededInit.apply(b, 5);
      Shape input = new Shape(2, 4, 7, 7);
      assertEquals(new Shape(2, 6, 4, 4), b.getOutputShapes(new Shape[] {input})[0]);
      b.initialize(manager, DataType.FLOAT32, input);
      assertEquals(new Shape(6, 4, 1, 1), weight(b, "03pconv").getShape());
      assertEquals(new Shape(6), b.getChildren().get("04pbn").getParameters().get("gamma").getArray().getShape());

      ParameterStore ps = new ParameterStore(manager, false);
      NDArray x = manager.randomNormal(input);
      NDArray projected = b.project(ps, x, false);
      NDArray expected = Layers.run(b.getChildren().get("04pbn"), ps,
          Layers.run(b.getChildren().get("03pconv"), ps, x, false), false);
      assertTrue(expected.allClose(projected, 1e-6, 1e-7, false));
      assertEquals(b.getOutputShapes(new Shape[] {input})[0],
          b.forward(ps, new NDList(x), false).singletonOrThrow().getShape());
    }
  }

  private static NDArray weight(Block b, String child) {
    return b.getChildren().get(child).getParameters().get("weight").getArray();
  }
}

package org.nst4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmallCnnTest {

  @Test
  void parameterCountAndTapNames() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TappedModel m = new SmallCnn(3, 10);
      SeededInit.apply(m, 0);
      m.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 32, 32));
      long expected = (9L * 3 * 32 + 64) + (9L * 32 * 64 + 128) + (9L * 64 * 128 + 256) + (128L * 10 + 10);
      assertEquals(expected, Models.parameterCount(m));
      assertEquals(List.of("block1", "block2", "block3"), m.tapNames());
    }
  }

  @Test
  void oddSizesPoolDownwardAndForwardMatchesOutputShapes() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TappedModel m = ModelZoo.create("cnn-small", 1, 4, 0);
      Shape input = new Shape(2, 1, 15, 15);
      m.initialize(manager, DataType.FLOAT32, input);
      Shape[] shapes = m.getOutputShapes(new Shape[] {input});
      assertEquals(new Shape(2, 4), shapes[0]);
      assertEquals(new Shape(2, 32, 7, 7), shapes[1]);
      assertEquals(new Shape(2, 64, 3, 3), shapes[2]);
      assertEquals(new Shape(2, 128, 3, 3), shapes[3]);
      ModelOutput out =
          Models.forward(m, new ParameterStore(manager, false), manager.randomNormal(input), false);
      for (int i = 0; i < 3; i++) {
        NDArray tap = out.tap(m.tapNames().get(i));
        assertEquals(shapes[i + 1], tap.getShape());
        assertTrue(tap.min().getFloat() >= 0f, "taps follow a ReLU");
      }
      // logits = fc(GAP(block3)).
      NDArray gap = out.tap("block3").reshape(2, 128, -1).mean(new int[] {2});
      NDArray w = m.getParameters().get("07fc_weight").getArray();
      NDArray b = m.getParameters().get("07fc_bias").getArray();
      assertTrue(gap.matMul(w.transpose()).add(b).allClose(out.logits(), 1e-4, 1e-5, false));
    }
  }

  @Test
  void countsMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> new SmallCnn(0, 10));
    assertThrows(IllegalArgumentException.class, () -> new SmallCnn(1, 0));
  }
}

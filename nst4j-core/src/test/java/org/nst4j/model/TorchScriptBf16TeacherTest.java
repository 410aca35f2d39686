package org.nst4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 17, item 3: the bfloat16 recipe of README.md ("A teacher from PyTorch") gives a teacher nst4j runs, whose
 * outputs are the float32 teacher's within bfloat16 rounding. The fixture {@code bf16-recipe.pt} is {@code
 * teacher.pt}'s network put through the recipe (BatchNorm folded in float32, weights rounded to bfloat16 once,
 * input cast to bfloat16 and every output cast back to float32 inside forward, scripted and frozen) by {@code
 * make_bf16_recipe.py} beside it; {@code bench/pytorch/export_teacher.py --bf16} applies the same recipe to the
 * bench's ResNet-20 at run time.
 */
class TorchScriptBf16TeacherTest {
  private static final Shape MNIST = new Shape(1, 28, 28);

  /**
   * bfloat16 keeps 8 significant bits, so each layer's rounding of its weights and outputs moves them by at most
   * 2^-8 relatively; the fixture has 3 weight layers (two convolutions and the linear head).
   */
  private static final double BOUND = 3 * Math.pow(2, -8);

  @Test
  void theRecipesTeacherMatchesTheFloat32TeacherWithinBfloat16Rounding() throws Exception {
    try (Model bf16 = TorchScriptModel.load(TorchScriptModelTest.resource("bf16-recipe.pt"), List.of("map1", "map2"),
            MNIST, 10, Device.cpu());
        Model fp32 = TorchScriptModel.load(TorchScriptModelTest.resource("teacher.pt"), List.of("map1", "map2"),
            MNIST, 10, Device.cpu());
        NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.create(TorchScriptModelTest.floats("probe-input.f32"), new Shape(4, 1, 28, 28));
      ParameterStore ps = new ParameterStore(m, false);
      ModelOutput a = Models.forward((TappedModel) bf16.getBlock(), ps, x, false);
      ModelOutput b = Models.forward((TappedModel) fp32.getBlock(), ps, x, false);
      List<NDArray> got = List.of(a.logits(), a.tap("map1"), a.tap("map2"));
      List<NDArray> want = List.of(b.logits(), b.tap("map1"), b.tap("map2"));
      for (int k = 0; k < 3; k++) {
        assertEquals(DataType.FLOAT32, got.get(k).getDataType(), "output " + k);
        assertEquals(want.get(k).getShape(), got.get(k).getShape(), "output " + k);
        float[] g = got.get(k).toFloatArray();
        float[] w = want.get(k).toFloatArray();
        double largest = 0;
        for (float v : w) {
          largest = Math.max(largest, Math.abs(v));
        }
        double worst = 0;
        for (int i = 0; i < g.length; i++) {
          worst = Math.max(worst, Math.abs(g[i] - w[i]));
        }
        assertTrue(worst <= BOUND * largest, "output " + k + ": largest difference " + worst + " > "
            + BOUND + " × " + largest);
        // It really computed in bfloat16: float32 arithmetic would agree to ~1e-6.
        assertTrue(worst > 1e-4 * largest, "output " + k + " equals the float32 teacher's: no bfloat16 inside");
      }
      // The four probe images keep their predicted classes.
      assertArrayEquals(b.logits().argMax(1).toLongArray(), a.logits().argMax(1).toLongArray());
      // What KD does first with a teacher's logits: safe, because they are float32.
      assertEquals(DataType.FLOAT32, a.logits().softmax(1).getDataType());
    }
  }
}

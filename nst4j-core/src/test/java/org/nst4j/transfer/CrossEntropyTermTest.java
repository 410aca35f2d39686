package org.nst4j.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nst4j.model.ModelOutput;

class CrossEntropyTermTest {
  private static NDManager manager;

  @BeforeAll
  static void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  private static ModelOutput logits(double[] v, long b, long k) {
    return ModelOutput.of(manager.create(v, new Shape(b, k)), Map.of());
  }

  @Test
  void handValueWithInt64AndInt32Labels() {
    // Image 1: logits (1,2,3), label 2: −log(e³/(e+e²+e³)) = log(1 + e⁻¹ + e⁻²).
    // Image 2: logits (0,0,0), label 0: log 3. Mean of the two, times the weight 0.5.
    ModelOutput z = logits(new double[] {1, 2, 3, 0, 0, 0}, 2, 3);
    double expected = 0.5 * (Math.log(1 + Math.exp(-1) + Math.exp(-2)) + Math.log(3)) / 2;
    NDArray y64 = manager.create(new long[] {2, 0});
    NDArray y32 = manager.create(new int[] {2, 0});
    CrossEntropyTerm ce = new CrossEntropyTerm(0.5);
    assertEquals(expected, ce.compute(z, null, y64, true).getDouble(), 1e-12);
    assertEquals(expected, ce.compute(z, null, y32, true).getDouble(), 1e-12);
  }

  @Test
  void stableForLargeLogits() {
    ModelOutput z = logits(new double[] {1000, 0}, 1, 2);
    double v = new CrossEntropyTerm(1).compute(z, null, manager.create(new long[] {1}), true).getDouble();
    assertEquals(1000, v, 1e-9);
  }

  @Test
  void rejectsMissingOrMisshapenInputs() {
    ModelOutput z = logits(new double[] {1, 2, 3, 0, 0, 0}, 2, 3);
    CrossEntropyTerm ce = new CrossEntropyTerm(1);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ce.compute(z, null, null, true));
    assertTrue(e.getMessage().contains("labels"), e.getMessage());
    e = assertThrows(
        IllegalArgumentException.class, () -> ce.compute(z, null, manager.create(new long[] {1}), true));
    assertTrue(e.getMessage().contains("(2)"), e.getMessage());
    e = assertThrows(
        IllegalArgumentException.class,
        () -> ce.compute(z, null, manager.create(new boolean[] {true, false}), true));
    assertTrue(e.getMessage().startsWith("labels must be int64, int32 or float32/float64 class indices"),
        e.getMessage());
    // Float labels (DJL's datasets give float32) are class indices when whole, and refused otherwise.
    assertEquals(ce.compute(z, null, manager.create(new long[] {1, 0}), true).getDouble(),
        ce.compute(z, null, manager.create(new float[] {1, 0}), true).getDouble(), 0.0);
    assertEquals(ce.compute(z, null, manager.create(new long[] {2, 1}), true).getDouble(),
        ce.compute(z, null, manager.create(new double[] {2, 1}), true).getDouble(), 0.0);
    e = assertThrows(
        IllegalArgumentException.class,
        () -> ce.compute(z, null, manager.create(new float[] {1.5f, 0}), true));
    assertTrue(e.getMessage().startsWith("float labels must be whole class indices"), e.getMessage());
    e = assertThrows(
        IllegalArgumentException.class,
        () -> ce.compute(ModelOutput.of((NDArray) null, Map.of()), null, manager.create(new long[] {1}), true));
    assertTrue(e.getMessage().contains("student logits"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new CrossEntropyTerm(-1));
  }
}

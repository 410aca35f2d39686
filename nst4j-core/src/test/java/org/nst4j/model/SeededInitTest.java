package org.nst4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.util.Pair;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SeededInitTest {

  private static float[] values(TappedModel m, String name) {
    Parameter p = m.getParameters().get(name);
    if (p == null) {
      throw new AssertionError("no parameter " + name + " in " + m.getParameters().keys());
    }
    return p.getArray().toFloatArray();
  }

  private static double std(float[] v) {
    double mean = 0;
    for (float f : v) {
      mean += f;
    }
    mean /= v.length;
    double ss = 0;
    for (float f : v) {
      ss += (f - mean) * (f - mean);
    }
    return Math.sqrt(ss / (v.length - 1));
  }

  private static TappedModel init(NDManager manager, String arch, long seed) {
    TappedModel m = ModelZoo.create(arch, 1, 10, seed);
    m.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 28, 28));
    return m;
  }

  @Test
  void convolutionsAreKaimingNormalFanOut() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TappedModel m = init(manager, "resnet56", 7);
      int checked = 0;
      for (Pair<String, Parameter> p : m.getParameters()) {
        Shape s = p.getValue().getShape();
        if (s.dimension() != 4) {
          continue;
        }
        float[] v = p.getValue().getArray().toFloatArray();
        double expected = Math.sqrt(2.0 / (s.get(0) * s.get(2) * s.get(3)));
        // Sampling error of a std over N normals is about std/sqrt(2N); N >= 144 here.
        double tol = 5 * expected / Math.sqrt(2.0 * v.length);
        assertEquals(expected, std(v), tol, p.getKey() + " " + s);
        checked++;
      }
      assertEquals(1 + 6 * 9 + 2, checked); // stem, 2 per block, 2 projections
      // The stem has fan_in 9 but fan_out 144: DJL's default (Xavier, fan_in) would give std 0.47, not 0.118.
      assertEquals(Math.sqrt(2.0 / 144), std(values(m, "01stem_weight")), 0.02);
    }
  }

  @Test
  void batchNormAndLinearFollowTheProtocol() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TappedModel m = init(manager, "resnet20", 3);
      for (Pair<String, Parameter> p : m.getParameters()) {
        float[] v = p.getValue().getArray().toFloatArray();
        float expected;
        switch (p.getValue().getType()) {
          case GAMMA:
          case RUNNING_VAR:
            expected = 1f;
            break;
          case BETA:
          case RUNNING_MEAN:
            expected = 0f;
            break;
          default:
            continue;
        }
        for (float f : v) {
          assertEquals(expected, f, p.getKey());
        }
      }
      float[] w = values(m, "06fc_weight");
      float[] b = values(m, "06fc_bias");
      assertEquals(640, w.length);
      assertEquals(10, b.length);
      double bound = 1 / Math.sqrt(64);
      double max = 0;
      for (float[] arr : new float[][] {w, b}) {
        for (float f : arr) {
          assertTrue(Math.abs(f) <= bound, f + " outside ±" + bound);
          max = Math.max(max, Math.abs(f));
        }
      }
      // Uniform on ±bound: std bound/sqrt(3), and the extremes come close to the bound.
      assertEquals(bound / Math.sqrt(3), std(w), 0.15 * bound / Math.sqrt(3));
      assertTrue(max > 0.95 * bound, "max " + max);
      assertNotEquals(0f, b[0]);
    }
  }

  @Test
  void sameSeedGivesIdenticalWeightsAndOtherSeedsDiffer() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TappedModel a = init(manager, "resnet8", 42);
      TappedModel b = init(manager, "resnet8", 42);
      TappedModel c = init(manager, "resnet8", 43);
      for (Pair<String, Parameter> p : a.getParameters()) {
        float[] va = p.getValue().getArray().toFloatArray();
        assertArrayEquals(va, values(b, p.getKey()), p.getKey());
        Parameter.Type t = p.getValue().getType();
        if (t == Parameter.Type.WEIGHT || t == Parameter.Type.BIAS) {
          assertFalse(java.util.Arrays.equals(va, values(c, p.getKey())), p.getKey());
        }
      }
      // Two convolutions of the same shape in one model get different weights.
      assertFalse(java.util.Arrays.equals(
          values(a, "03stage1_01BasicBlock_01conv1_weight"),
          values(a, "03stage1_01BasicBlock_03conv2_weight")));
    }
  }

  @Test
  void weightsAreTheDocumentedJavaUtilRandomStream() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TappedModel m = init(manager, "resnet8", 5);
      String name = "01stem_weight";
      Random r = new Random(SeededInit.parameterSeed(5, name));
      float[] v = values(m, name);
      double std = Math.sqrt(2.0 / (16 * 9));
      for (int i = 0; i < v.length; i++) {
        assertEquals((float) (std * r.nextGaussian()), v[i], name + "[" + i + "]");
      }
    }
  }

  @Test
  void appliesToStandaloneBlocksAndRefusesUnknownParameterisedBlocks() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Linear fc = Linear.builder().setUnits(3).build();
      SeededInit.apply(fc, 1);
      fc.initialize(manager, DataType.FLOAT32, new Shape(2, 100));
      for (Parameter p : fc.getParameters().values()) {
        for (float f : p.getArray().toFloatArray()) {
          assertTrue(Math.abs(f) <= 0.1f, p.getName() + " " + f);
        }
      }
      assertThrows(IllegalArgumentException.class, () -> SeededInit.apply(LayerNorm.builder().build(), 1));
    }
  }

  @Test
  void parameterSeedDependsOnSeedAndPath() {
    assertEquals(SeededInit.parameterSeed(1, "a_weight"), SeededInit.parameterSeed(1, "a_weight"));
    assertNotEquals(SeededInit.parameterSeed(1, "a_weight"), SeededInit.parameterSeed(2, "a_weight"));
    assertNotEquals(SeededInit.parameterSeed(1, "a_weight"), SeededInit.parameterSeed(1, "b_weight"));
  }
}

package org.nst4j.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nst4j.model.ModelOutput;

class FitNetTermTest {
  private static NDManager manager;

  @BeforeAll
  static void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  @Test
  void aBatchLeavesNothingBehindInTheRegressorsManager() {
    // The Conv1×1 + BN connector (FitNet's regressor, OFD's connector) runs as a DJL block: its results belong to
    // the input's manager.
    try (NDManager root = NDManager.newBaseManager(); FitNetTerm fit = new FitNetTerm(LossOptions.defaults())) {
      double left = Fixtures.arraysLeftPerBatch(root, fit, Fixtures.random(root, 1, true, 4, 3, 4, 4),
          Fixtures.random(root, 2, true, 4, 5, 2, 2), 4, () -> {});
      assertEquals(0, left, 0);
    }
  }

  @Test
  void regressorBridgesChannelsAndSizeAndGradientsReachIt() {
    NDArray sMap = Fixtures.random(manager, 1, true, 4, 3, 4, 4);
    ModelOutput s = Fixtures.maps(sMap);
    ModelOutput t = Fixtures.maps(Fixtures.random(manager, 2, true, 4, 5, 2, 2));
    try (FitNetTerm fit = new FitNetTerm(LossOptions.defaults())) {
      fit.initialize(manager, s, t, 42);
      List<Parameter> params = fit.parameters();
      assertEquals(3, params.size());
      assertEquals(new Shape(5, 3, 1, 1), params.get(0).getArray().getShape());
      assertEquals(new Shape(5), params.get(1).getArray().getShape());
      NDArray leaf = sMap.duplicate();
      leaf.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray v = fit.compute(Fixtures.maps(leaf), t, null, true);
        assertTrue(v.getDouble() > 0);
        gc.backward(v);
      }
      for (Parameter p : params) {
        double[] g = p.getArray().getGradient().toDoubleArray();
        assertTrue(java.util.Arrays.stream(g).anyMatch(x -> Math.abs(x) > 1e-9), p.getName());
      }
      assertTrue(java.util.Arrays.stream(leaf.getGradient().toDoubleArray()).anyMatch(x -> Math.abs(x) > 1e-9));
    }
  }

  @Test
  void inferenceValueIsBetaTimesMeanSquaredErrorOfTheConv() {
    // In inference mode the fresh BN (mean 0, var 1, γ 1, β 0) divides by √(1 + 1e-5).
    NDArray sMap = Fixtures.random(manager, 3, true, 2, 3, 2, 2);
    NDArray tMap = Fixtures.random(manager, 4, true, 2, 4, 2, 2);
    try (FitNetTerm fit = new FitNetTerm(LossOptions.builder().set(FitNetMethod.BETA, 3.0).build())) {
      fit.initialize(manager, Fixtures.maps(sMap), Fixtures.maps(tMap), 1);
      double[] w = fit.parameters().get(0).getArray().toDoubleArray(); // 4×3×1×1
      double[] s = sMap.toDoubleArray();
      double[] t = tMap.toDoubleArray();
      double sum = 0;
      for (int b = 0; b < 2; b++) {
        for (int o = 0; o < 4; o++) {
          for (int p = 0; p < 4; p++) {
            double r = 0;
            for (int i = 0; i < 3; i++) {
              r += w[o * 3 + i] * s[(b * 3 + i) * 4 + p];
            }
            r /= Math.sqrt(1 + 1e-5);
            double d = r - t[(b * 4 + o) * 4 + p];
            sum += d * d;
          }
        }
      }
      double expected = 3 * sum / (2 * 4 * 4);
      double v = fit.compute(Fixtures.maps(sMap), Fixtures.maps(tMap), null, false).getDouble();
      assertEquals(expected, v, 1e-6 * expected);
    }
  }

  @Test
  void initialisationIsSeededKaimingFanOut() {
    ModelOutput s = Fixtures.maps(manager.zeros(new Shape(2, 64, 1, 1), DataType.FLOAT32));
    ModelOutput t = Fixtures.maps(manager.zeros(new Shape(2, 128, 1, 1), DataType.FLOAT32));
    try (FitNetTerm a = new FitNetTerm(LossOptions.defaults());
        FitNetTerm b = new FitNetTerm(LossOptions.defaults());
        FitNetTerm c = new FitNetTerm(LossOptions.defaults())) {
      a.initialize(manager, s, t, 5);
      b.initialize(manager, s, t, 5);
      c.initialize(manager, s, t, 6);
      float[] wa = a.parameters().get(0).getArray().toFloatArray();
      assertEquals(DataType.FLOAT32, a.parameters().get(0).getArray().getDataType());
      assertArrayEquals(wa, b.parameters().get(0).getArray().toFloatArray());
      assertFalse(java.util.Arrays.equals(wa, c.parameters().get(0).getArray().toFloatArray()));
      double sq = 0;
      for (float x : wa) {
        sq += x * x;
      }
      double std = Math.sqrt(sq / wa.length);
      assertEquals(Math.sqrt(2.0 / 128), std, 0.05 * Math.sqrt(2.0 / 128));
      assertArrayEquals(new float[128], a.parameters().get(2).getArray().toFloatArray()); // β = 0
      float[] ones = new float[128];
      java.util.Arrays.fill(ones, 1f);
      assertArrayEquals(ones, a.parameters().get(1).getArray().toFloatArray()); // γ = 1
    }
  }

  @Test
  void computeBeforeInitializeOrWithOtherChannelsFails() {
    ModelOutput s = Fixtures.maps(Fixtures.random(manager, 1, true, 2, 3, 2, 2));
    ModelOutput t = Fixtures.maps(Fixtures.random(manager, 2, true, 2, 4, 2, 2));
    try (FitNetTerm fit = new FitNetTerm(LossOptions.defaults())) {
      assertThrows(IllegalStateException.class, () -> fit.compute(s, t, null, true));
      fit.initialize(manager, s, t, 0);
      ModelOutput wide = Fixtures.maps(Fixtures.random(manager, 1, true, 2, 6, 2, 2));
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> fit.compute(wide, t, null, true));
      assertTrue(e.getMessage().contains("3 -> 4"), e.getMessage());
    }
  }
}

package org.nst4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class NesterovSgdTest {

  /** Minimises f(p) = ½·Σ c_i·p_i² (gradient c·p) and compares with torch.optim.SGD's update written out. */
  @Test
  void matchesPyTorchSgdNesterovWithWeightDecay() {
    checkAgainstPyTorch(0.9, 0.01, true);
  }

  @Test
  void matchesPyTorchSgdWithPlainMomentum() {
    checkAgainstPyTorch(0.9, 0.01, false);
  }

  @Test
  void matchesPyTorchSgdWithoutMomentum() {
    checkAgainstPyTorch(0, 5e-4, false);
  }

  private static void checkAgainstPyTorch(double mu, double wd, boolean nesterov) {
    float[] c = {1f, 2f, 0.5f};
    float[] start = {1f, -2f, 3f};
    double lr = 0.1;
    try (NDManager manager = NDManager.newBaseManager()) {
      Parameter p = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).build();
      p.setArray(manager.create(start));
      NDArray coef = manager.create(c);
      try (NesterovSgd sgd = new NesterovSgd(NesterovSgd.trainable(List.of(p)), mu, wd, nesterov)) {
        double[] ref = {start[0], start[1], start[2]};
        double[] buf = new double[3];
        for (int step = 0; step < 5; step++) {
          try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
            NDArray w = p.getArray();
            gc.backward(w.mul(w).mul(coef).sum().mul(0.5f));
          }
          int before = manager.getManagedArrays().size();
          sgd.step(lr);
          // No temporary of the update stays behind in the parameter's manager (the first step adds the buffer).
          assertEquals(before + (step == 0 && mu > 0 ? 1 : 0), manager.getManagedArrays().size(), "step " + step);
          for (int i = 0; i < 3; i++) {
            double g = c[i] * ref[i] + wd * ref[i];
            if (mu > 0) {
              buf[i] = step == 0 ? g : mu * buf[i] + g;
              g = nesterov ? g + mu * buf[i] : buf[i];
            }
            ref[i] -= lr * g;
          }
          float[] got = p.getArray().toFloatArray();
          for (int i = 0; i < 3; i++) {
            assertEquals(ref[i], got[i], 1e-5, "step " + step + " element " + i);
          }
        }
      }
    }
  }

  @Test
  void gradientsAreZeroedAfterEachStep() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Parameter p = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).build();
      p.setArray(manager.create(new float[] {1f, 1f}));
      try (NesterovSgd sgd = new NesterovSgd(NesterovSgd.trainable(List.of(p)), 0.9, 0, true)) {
        for (int k = 0; k < 2; k++) {
          try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
            gc.backward(p.getArray().sum());
          }
          if (k == 0) {
            sgd.step(1.0);
          }
        }
        // Second backward without a step: the gradient is exactly one backward's worth (ones), not two.
        assertArrayEquals(new float[] {1f, 1f}, p.getArray().getGradient().toFloatArray());
      }
    }
  }

  @Test
  void stateRoundTripsThroughSaveAndLoad() throws Exception {
    try (NDManager manager = NDManager.newBaseManager()) {
      Parameter p = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).build();
      p.setArray(manager.create(new float[] {1f, 2f}));
      Parameter q = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).build();
      q.setArray(manager.create(new float[] {1f, 2f}));
      try (NesterovSgd a = new NesterovSgd(NesterovSgd.trainable(List.of(p)), 0.9, 0, true);
          NesterovSgd b = new NesterovSgd(NesterovSgd.trainable(List.of(q)), 0.9, 0, true)) {
        try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
          gc.backward(p.getArray().mul(p.getArray()).sum());
        }
        a.step(0.1);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        a.save(new DataOutputStream(bytes));
        b.load(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        q.getArray().set(p.getArray().toByteBuffer());
        for (Parameter x : List.of(p, q)) {
          try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
            gc.backward(x.getArray().mul(x.getArray()).sum());
          }
        }
        a.step(0.1);
        b.step(0.1);
        assertArrayEquals(p.getArray().toFloatArray(), q.getArray().toFloatArray());
      }
    }
  }

  @Test
  void rejectsBadHyperParameters() {
    assertThrows(IllegalArgumentException.class, () -> new NesterovSgd(List.of(), 1.0, 0, true));
    assertThrows(IllegalArgumentException.class, () -> new NesterovSgd(List.of(), 0.9, -1, true));
    assertThrows(IllegalArgumentException.class, () -> new NesterovSgd(List.of(), 0, 0, true));
  }
}

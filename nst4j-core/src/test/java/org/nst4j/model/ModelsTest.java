package org.nst4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelsTest {
  private static final Shape MNIST = new Shape(1, 1, 28, 28);

  private static TappedModel init(NDManager manager, String arch, long seed) {
    TappedModel m = ModelZoo.create(arch, 1, 10, seed);
    m.initialize(manager, DataType.FLOAT32, MNIST);
    return m;
  }

  private static byte[] save(TappedModel m) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Models.saveParameters(m, bytes);
    return bytes.toByteArray();
  }

  @Test
  void forwardWrapsLogitsAndTapsByName() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TappedModel m = init(manager, "cnn-small", 0);
      ModelOutput out =
          Models.forward(m, new ParameterStore(manager, false), manager.ones(new Shape(2, 1, 28, 28)), false);
      assertEquals(new Shape(2, 10), out.logits().getShape());
      assertEquals(m.tapNames(), out.tapNames());
      assertEquals(new Shape(2, 128, 7, 7), out.tap("block3").getShape());
    }
  }

  @Test
  void describeIsOneLineInAnyLocale() {
    java.util.Locale saved = java.util.Locale.getDefault();
    java.util.Locale.setDefault(java.util.Locale.GERMANY);
    try (NDManager manager = NDManager.newBaseManager()) {
      assertTrue(Models.describe(init(manager, "resnet8", 0), new Shape(1, 28, 28))
          .startsWith("resnet8: 77,754 parameters"));
    } finally {
      java.util.Locale.setDefault(saved);
    }
  }

  @Test
  void describeIsOneLineWithArchParametersAndTapShapes() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TappedModel m = init(manager, "resnet20", 0);
      assertEquals(
          "resnet20: 272,186 parameters, input 1×28×28, taps stage1 16×28×28, stage2 32×14×14, "
              + "stage3 64×7×7, 10 classes",
          Models.describe(m, new Shape(1, 28, 28)));
      assertThrows(IllegalArgumentException.class, () -> Models.describe(m, new Shape(3, 28, 28)));
      assertThrows(IllegalStateException.class,
          () -> Models.describe(ModelZoo.create("resnet8", 1, 10, 0), new Shape(1, 28, 28)));
      assertThrows(IllegalStateException.class,
          () -> Models.parameterCount(ModelZoo.create("resnet8", 1, 10, 0)));
    }
  }

  @Test
  void saveLoadRoundTripsExactlyIntoAFreshModel() throws Exception {
    try (NDManager manager = NDManager.newBaseManager()) {
      TappedModel a = init(manager, "resnet8", 1);
      NDArray x = manager.randomNormal(new Shape(4, 1, 28, 28));
      Models.forward(a, new ParameterStore(manager, false), x, true); // moves the running statistics
      byte[] bytes = save(a);
      float[] expected = Models.forward(a, new ParameterStore(manager, false), x, false).logits().toFloatArray();

      // Into an uninitialised model of another seed, and into an initialised one.
      TappedModel b = ModelZoo.create("resnet8", 1, 10, 99);
      Models.loadParameters(b, manager, new ByteArrayInputStream(bytes));
      TappedModel c = init(manager, "resnet8", 98);
      Models.loadParameters(c, manager, new ByteArrayInputStream(bytes));
      for (TappedModel loaded : new TappedModel[] {b, c}) {
        assertTrue(loaded.isInitialized());
        ModelOutput out = Models.forward(loaded, new ParameterStore(manager, false), x, false);
        assertArrayEquals(expected, out.logits().toFloatArray());
        for (var p : a.getParameters()) {
          assertArrayEquals(p.getValue().getArray().toFloatArray(),
              loaded.getParameters().get(p.getKey()).getArray().toFloatArray(), p.getKey());
        }
      }
      // Saving the loaded model gives the same bytes.
      assertArrayEquals(bytes, save(b));
    }
  }

  @Test
  void loadingAnotherArchitectureIsRefusedClearly() throws Exception {
    try (NDManager manager = NDManager.newBaseManager()) {
      byte[] resnet8 = save(init(manager, "resnet8", 1));
      MalformedModelException e = assertThrows(MalformedModelException.class,
          () -> Models.loadParameters(init(manager, "resnet14", 1), manager, new ByteArrayInputStream(resnet8)));
      assertEquals("parameters do not fit architecture resnet14 (1 input channel, 10 classes): "
          + "they were saved from resnet8 (1 input channel, 10 classes)", e.getMessage());

      TappedModel fiveClasses = ModelZoo.create("resnet8", 1, 5, 1);
      e = assertThrows(MalformedModelException.class,
          () -> Models.loadParameters(fiveClasses, manager, new ByteArrayInputStream(resnet8)));
      assertTrue(e.getMessage().contains("5 classes"), e.getMessage());

      byte[] wrn = save(init(manager, "wrn-16-1", 1));
      e = assertThrows(MalformedModelException.class, () -> Models.loadParameters(
          ModelZoo.create("wrn-16-2", 1, 10, 0), manager, new ByteArrayInputStream(wrn)));
      assertTrue(e.getMessage().startsWith("parameters do not fit architecture wrn-16-2"), e.getMessage());
    }
  }

  @Test
  void truncatedOrForeignDataIsRefused() throws Exception {
    try (NDManager manager = NDManager.newBaseManager()) {
      byte[] bytes = save(init(manager, "resnet8", 1));
      byte[] cut = Arrays.copyOf(bytes, bytes.length / 2);
      MalformedModelException e = assertThrows(MalformedModelException.class, () -> Models.loadParameters(
          ModelZoo.create("resnet8", 1, 10, 0), manager, new ByteArrayInputStream(cut)));
      assertTrue(e.getMessage().startsWith("parameters do not fit architecture resnet8"), e.getMessage());

      byte[] garbage = new byte[4096];
      new java.util.Random(3).nextBytes(garbage);
      garbage[0] = 1; // the right version byte, then nonsense
      assertThrows(MalformedModelException.class, () -> Models.loadParameters(
          ModelZoo.create("resnet8", 1, 10, 0), manager, new ByteArrayInputStream(garbage)));
    }
  }

  @Test
  void loadedParametersNeedSetTrainableForGradients() throws Exception {
    try (NDManager manager = NDManager.newBaseManager()) {
      TappedModel a = init(manager, "resnet8", 1);
      Parameter w = a.getParameters().get("01stem_weight");
      assertTrue(w.getArray().hasGradient(), "initialize attaches gradients");
      assertFalse(a.getParameters().get("02stemBn_runningMean").getArray().hasGradient());

      TappedModel b = ModelZoo.create("resnet8", 1, 10, 2);
      Models.loadParameters(b, manager, new ByteArrayInputStream(save(a)));
      assertFalse(b.getParameters().get("01stem_weight").getArray().hasGradient());
      Models.setTrainable(b, true);
      for (Parameter p : b.getParameters().values()) {
        boolean stat = p.getType() == Parameter.Type.RUNNING_MEAN || p.getType() == Parameter.Type.RUNNING_VAR;
        assertEquals(!stat, p.getArray().hasGradient(), p.getName());
      }
      Models.setTrainable(b, false);
      assertFalse(b.getParameters().get("01stem_weight").getArray().hasGradient());
    }
  }

  /** 32 random images with fixed labels: a few dozen SGD steps fit them. 16×16 inputs keep it fast. */
  @Test
  void resnet8OverfitsASmallBatch() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TappedModel m = ModelZoo.create("resnet8", 1, 10, 0);
      m.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 16, 16));
      ParameterStore ps = new ParameterStore(manager, false);
      NDArray x = manager.randomNormal(new Shape(32, 1, 16, 16));
      long[] y = new long[32];
      for (int i = 0; i < y.length; i++) {
        y[i] = i % 10;
      }
      NDArray labels = manager.create(y);
      NDArray oneHot = labels.oneHot(10);
      Map<Parameter, NDArray> velocity = new HashMap<>();
      float firstLoss = Float.NaN;
      float lastLoss = Float.NaN;
      for (int step = 0; step < 30; step++) {
        try (NDManager sub = manager.newSubManager()) {
          try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray logits = Models.forward(m, ps, x, true).logits();
            NDArray loss = logits.logSoftmax(1).mul(oneHot).sum().neg().div(32);
            gc.backward(loss);
            lastLoss = loss.getFloat();
            if (step == 0) {
              firstLoss = lastLoss;
            }
          }
          for (Parameter p : m.getParameters().values()) {
            NDArray w = p.getArray();
            if (!w.hasGradient()) {
              continue;
            }
            // PtGradientCollector does not zero gradients (DJL 0.36 disabled that), so zero after use.
            try (NDArray g = w.getGradient()) {
              NDArray v = velocity.computeIfAbsent(p, k -> manager.zeros(w.getShape()));
              v.muli(0.9f).addi(g); // SGD with momentum 0.9, PyTorch form
              w.subi(v.mul(0.05f));
              g.subi(g);
            }
          }
        }
      }
      long correctTrain = Models.forward(m, ps, x, true).logits().argMax(1).eq(labels).sum().getLong();
      long correctEval = Models.forward(m, ps, x, false).logits().argMax(1).eq(labels).sum().getLong();
      assertTrue(lastLoss < 0.1f * firstLoss, "loss " + firstLoss + " -> " + lastLoss);
      assertEquals(32, correctTrain, "train accuracy (batch statistics)");
      assertTrue(correctEval >= 30, "train accuracy " + correctEval + "/32 (running statistics)");
    }
  }

  @Test
  void replaceDataKeepsTheValuesAfterTheSourceIsGoneAndTheGradientFlag() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray target = manager.zeros(new Shape(64, 64));
      target.setRequiresGradient(true);
      float[] values = new float[64 * 64];
      for (int i = 0; i < values.length; i++) {
        values[i] = i * 0.5f;
      }
      // create(float[]) wraps a Java direct buffer; the copy must not depend on it.
      Models.replaceData(target, manager.create(values, new Shape(64, 64)));
      for (int round = 0; round < 20; round++) {
        System.gc();
        // Churn buffers of the same size so that freed memory would be reused.
        manager.create(new float[64 * 64], new Shape(64, 64)).close();
      }
      assertArrayEquals(values, target.toFloatArray());
      assertTrue(target.hasGradient(), "the gradient flag survives");
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(target.sum());
      }
      assertEquals(64 * 64, target.getGradient().sum().getFloat(), 0f);

      NDArray frozen = manager.zeros(new Shape(3));
      Models.replaceData(frozen, manager.create(new float[] {1, 2, 3}));
      assertFalse(frozen.hasGradient());
      assertArrayEquals(new float[] {1, 2, 3}, frozen.toFloatArray());
    }
  }

  @Test
  void replaceDataRefusesAnotherShapeOrTypeAndLeavesTheTargetAlone() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray target = manager.ones(new Shape(2, 3));
      NDArray wrongShape = manager.zeros(new Shape(3, 2));
      assertThrows(IllegalArgumentException.class, () -> Models.replaceData(target, wrongShape));
      NDArray wrongType = manager.zeros(new Shape(2, 3), DataType.FLOAT64);
      assertThrows(IllegalArgumentException.class, () -> Models.replaceData(target, wrongType));
      assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1}, target.toFloatArray());
    }
  }
}

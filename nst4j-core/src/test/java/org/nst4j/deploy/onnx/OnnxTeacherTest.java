package org.nst4j.deploy.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nst4j.data.ImageBatch;
import org.nst4j.model.ModelOutput;
import org.nst4j.model.ModelZoo;
import org.nst4j.model.TappedModel;

/** The teacher in ONNX Runtime gives the libtorch forward's outputs, and never overwrites an array still held. */
class OnnxTeacherTest {
  private static final Shape MNIST = new Shape(1, 28, 28);

  private static ImageBatch batch(int n, long seed) {
    return new ImageBatch(OnnxExportTest.gaussian(n * 28 * 28, seed), new int[n], n, 1, 28, 28);
  }

  /** Every output (logits, main and pre-ReLU taps) within float rounding of libtorch's, in its shape. */
  private static void assertSameOutputs(ModelOutput want, ModelOutput got) {
    List<NDArray> a = new ArrayList<>(List.of(want.logits()));
    List<NDArray> b = new ArrayList<>(List.of(got.logits()));
    a.addAll(want.taps().values());
    b.addAll(got.taps().values());
    a.addAll(want.preReluTaps().values());
    b.addAll(got.preReluTaps().values());
    assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size(); i++) {
      assertEquals(a.get(i).getShape(), b.get(i).getShape(), "output " + i);
      float[] x = a.get(i).toFloatArray();
      float[] y = b.get(i).toFloatArray();
      double worst = OnnxExportTest.maxAbsDiff(x, y);
      assertTrue(worst <= 1e-4 * OnnxExportTest.maxAbs(x) + 1e-6, "output " + i + ": largest difference " + worst);
    }
  }

  @Test
  void givesTheLibtorchForwardsOutputsFoldedOrNot() {
    for (String arch : List.of("resnet8", "wrn-16-1")) {
      try (NDManager manager = NDManager.newBaseManager()) {
        TappedModel model = ModelZoo.create(arch, 1, 10, 3);
        model.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 28, 28));
        ImageBatch batch = batch(5, 1);
        ModelOutput want;
        try (NDManager s = manager.newSubManager()) {
          NDArray x = s.create(batch.images(), new Shape(5, 1, 28, 28));
          want = ModelOutput.of(model.forward(new ParameterStore(s, false), new NDList(x), false), model);
          want.logits().tempAttach(manager);
          want.taps().values().forEach(t -> t.tempAttach(manager));
          want.preReluTaps().values().forEach(t -> t.tempAttach(manager));
        }
        assertFalse(model.preReluTapNames().isEmpty(), arch + " has pre-ReLU taps: the test covers them");
        try (OnnxTeacher onnx = OnnxTeacher.of(model, MNIST, 1); NDManager scope = manager.newSubManager()) {
          assertFalse(model.isBatchNormFolded(), "the export leaves an unfolded model unfolded");
          assertSameOutputs(want, onnx.forward(scope, batch));
        }
        // resnet8's conv–BN pairs fold; wrn-16-1's pre-activation BatchNorms stay BatchNormalization nodes.
        assertEquals(arch.equals("resnet8"), model.foldBatchNorm() > 0, arch);
        try (OnnxTeacher onnx = OnnxTeacher.of(model, MNIST, 2); NDManager scope = manager.newSubManager()) {
          assertEquals(arch.equals("resnet8"), model.isBatchNormFolded(), "and a folded one folded");
          assertSameOutputs(want, onnx.forward(scope, batch));
        }
      }
    }
  }

  @Test
  void anArrayStillHeldIsNeverOverwrittenByTheNextForward() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TappedModel model = ModelZoo.create("resnet8", 1, 10, 0);
      model.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 28, 28));
      try (OnnxTeacher onnx = OnnxTeacher.of(model, MNIST, 1)) {
        NDManager first = manager.newSubManager();
        NDArray kept = onnx.forward(first, batch(4, 1)).logits();
        float[] before = kept.toFloatArray();
        float[] second;
        try (NDManager s = manager.newSubManager()) {
          second = onnx.forward(s, batch(4, 2)).logits().toFloatArray();
        }
        assertArrayEquals(before, kept.toFloatArray(), "the held logits were overwritten");
        assertFalse(java.util.Arrays.equals(before, second), "other images, other logits");
        first.close();
        // Once released, the buffers are reused: the same images give the same logits again.
        try (NDManager s = manager.newSubManager()) {
          assertArrayEquals(before, onnx.forward(s, batch(4, 1)).logits().toFloatArray());
        }
        // Another batch size (a last partial batch) is served too.
        try (NDManager s = manager.newSubManager()) {
          assertEquals(new Shape(3, 10), onnx.forward(s, batch(3, 1)).logits().getShape());
        }
      }
    }
  }

  @Test
  void refusesImagesOfAnotherSizeAndBadThreadCounts() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TappedModel model = ModelZoo.create("resnet8", 1, 10, 0);
      model.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 28, 28));
      assertThrows(IllegalArgumentException.class, () -> OnnxTeacher.of(model, MNIST, 0));
      try (OnnxTeacher onnx = OnnxTeacher.of(model, MNIST, 1); NDManager s = manager.newSubManager()) {
        ImageBatch wrong = new ImageBatch(new float[2 * 32 * 32], new int[2], 2, 1, 32, 32);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> onnx.forward(s, wrong));
        assertTrue(e.getMessage().contains("(1, 28, 28)"), e.getMessage());
      }
    }
  }
}

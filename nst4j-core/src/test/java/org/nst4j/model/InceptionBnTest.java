package org.nst4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.junit.jupiter.api.Test;

class InceptionBnTest {

  /** An Inception block's learnable scalars (conv-BN everywhere), from its widths. */
  private static long blockA(long in, int n1, int n3r, int n3, int nd3r, int nd3, int proj) {
    return ArchTesting.convBn(1, in, n1) + ArchTesting.convBn(1, in, n3r) + ArchTesting.convBn(3, n3r, n3)
        + ArchTesting.convBn(1, in, nd3r) + ArchTesting.convBn(3, nd3r, nd3) + ArchTesting.convBn(3, nd3, nd3)
        + ArchTesting.convBn(1, in, proj);
  }

  private static long blockB(long in, int n3r, int n3, int nd3r, int nd3) {
    return ArchTesting.convBn(1, in, n3r) + ArchTesting.convBn(3, n3r, n3) + ArchTesting.convBn(1, in, nd3r)
        + ArchTesting.convBn(3, nd3r, nd3) + ArchTesting.convBn(3, nd3, nd3);
  }

  /** The widths of the MXNet symbol (symbol/inception_bn.py of the official NST code), block by block. */
  private static long formula(boolean cifar, int channels, int classes) {
    long count = ArchTesting.convBn(cifar ? 3 : 7, channels, 64) + ArchTesting.convBn(1, 64, 64)
        + ArchTesting.convBn(3, 64, 192);
    count += blockA(192, 64, 64, 64, 64, 96, 32); // 3a → 256
    count += blockA(256, 64, 64, 96, 64, 96, 64); // 3b → 320
    count += blockB(320, 128, 160, 64, 96); // 3c → 576
    count += blockA(576, 224, 64, 96, 96, 128, 128); // 4a → 576
    count += blockA(576, 192, 96, 128, 96, 128, 128); // 4b → 576
    count += blockA(576, 160, 128, 160, 128, 160, 128); // 4c → 608
    count += blockA(608, 96, 128, 192, 160, 192, 128); // 4d → 608
    count += blockB(608, 128, 192, 192, 256); // 4e → 1056
    count += blockA(1056, 352, 192, 320, 160, 224, 128); // 5a → 1024
    count += blockA(1024, 352, 192, 320, 192, 224, 128); // 5b → 1024
    return count + ArchTesting.linear(1024, classes);
  }

  @Test
  void imagenetForwardShapesTapsAndParameterCount() {
    Shape input = new Shape(1, 3, 224, 224);
    try (NDManager manager = NDManager.newBaseManager()) {
      TappedModel m = ModelZoo.create("inception-bn", 3, 1000, 0);
      m.initialize(manager, DataType.FLOAT32, input);
      assertEquals(formula(false, 3, 1000), Models.parameterCount(m));
      assertEquals(List.of("block3", "block4", "block_last", "block_last_prerelu"), m.tapNames());
      ModelOutput out = Models.forward(m, new ParameterStore(manager, false), manager.randomNormal(input), false);
      assertEquals(new Shape(1, 1000), out.logits().getShape());
      assertEquals(new Shape(1, 320, 28, 28), out.tap("block3").getShape());
      assertEquals(new Shape(1, 608, 14, 14), out.tap("block4").getShape());
      assertEquals(new Shape(1, 1024, 7, 7), out.tap("block_last").getShape());
      assertEquals(new Shape(1, 1024, 7, 7), out.tap("block_last_prerelu").getShape());
      assertEquals(List.copyOf(Models.outputShapes(m, input).values()),
          List.of(out.logits().getShape(), out.tap("block3").getShape(), out.tap("block4").getShape(),
              out.tap("block_last").getShape(), out.tap("block_last_prerelu").getShape()));
      checkPreReluTap(out);
    }
  }

  /** block_last = ReLU(block_last_prerelu), and the pre-ReLU map really has negative values. */
  private static void checkPreReluTap(ModelOutput out) {
    NDArray pre = out.tap("block_last_prerelu");
    assertTrue(pre.min().getFloat() < 0f);
    assertTrue(out.tap("block_last").min().getFloat() >= 0f);
    assertTrue(pre.maximum(0f).allClose(out.tap("block_last"), 1e-6, 1e-6, false));
  }

  @Test
  void cifarVariantKeepsTheBlocksAt32_16_8() {
    Shape input = new Shape(2, 3, 32, 32);
    try (NDManager manager = NDManager.newBaseManager()) {
      TappedModel m = ModelZoo.create("inception-bn-cifar", 3, 10, 0);
      assertEquals("inception-bn-cifar", m.architecture());
      m.initialize(manager, DataType.FLOAT32, input);
      assertEquals(formula(true, 3, 10), Models.parameterCount(m));
      ModelOutput out = Models.forward(m, new ParameterStore(manager, false), manager.randomNormal(input), false);
      assertEquals(new Shape(2, 10), out.logits().getShape());
      assertEquals(new Shape(2, 320, 32, 32), out.tap("block3").getShape());
      assertEquals(new Shape(2, 608, 16, 16), out.tap("block4").getShape());
      assertEquals(new Shape(2, 1024, 8, 8), out.tap("block_last").getShape());
      checkPreReluTap(out);
      // logits = fc(GAP(block_last)).
      NDArray w = m.getParameters().get("14fc_weight").getArray();
      NDArray b = m.getParameters().get("14fc_bias").getArray();
      NDArray gap = out.tap("block_last").reshape(2, 1024, -1).mean(new int[] {2});
      assertTrue(gap.matMul(w.transpose()).add(b).allClose(out.logits(), 1e-4, 1e-5, false));
    }
  }

  @Test
  void everyParameterOfTheBlocksLearns() {
    try (NDManager manager = NDManager.newBaseManager()) {
      InceptionBn.InceptionA a = new InceptionBn.InceptionA(4, 3, 5, 3, 6, false, 2, true);
      Shape in = new Shape(2, 6, 8, 8);
      Shape[] shapes = a.getOutputShapes(new Shape[] {in});
      assertEquals(2, shapes.length);
      assertEquals(new Shape(2, 4 + 5 + 6 + 2, 8, 8), shapes[0]);
      ArchTesting.everyParameterLearns(a, manager, in);
      ArchTesting.everyParameterLearns(new InceptionBn.InceptionA(4, 3, 5, 3, 6, true, 2, false), manager, in);
      InceptionBn.Reduction r = new InceptionBn.Reduction(3, 5, 3, 4);
      assertEquals(new Shape(2, 5 + 4 + 6, 4, 4), r.getOutputShapes(new Shape[] {in})[0]);
      ArchTesting.everyParameterLearns(r, manager, in);
    }
  }
}

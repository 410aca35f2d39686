package org.nst4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

class MkldnnLayoutTest {

  /** An array created while DJL's switch is on (set and cleared here: model must not depend on bench). */
  private static NDArray createMkldnn(NDManager manager, float[] data, Shape shape) {
    System.setProperty(MkldnnLayout.PROPERTY, "true");
    try {
      return manager.create(data, shape);
    } finally {
      System.clearProperty(MkldnnLayout.PROPERTY);
    }
  }

  @Test
  void recognisesTheLayoutAndCopiesOnlyWhatIsNotDense() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray dense = manager.arange(24f).reshape(2, 3, 2, 2);
      assertFalse(MkldnnLayout.isMkldnn(dense));
      assertSame(dense, MkldnnLayout.toDense(dense));
      NDArray blocked = createMkldnn(manager, dense.toFloatArray(), dense.getShape());
      assertTrue(MkldnnLayout.isMkldnn(blocked));
      NDArray back = MkldnnLayout.toDense(blocked);
      assertFalse(MkldnnLayout.isMkldnn(back));
      assertEquals(dense.getShape(), back.getShape());
      assertTrue(dense.contentEquals(back));
    }
  }

  @Test
  void aChainRunsOnAnMkldnnInputAndMakesItsPooledFeaturesDenseBeforeTheHead() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TappedModel m = ModelZoo.create("resnet8", 1, 10, 0);
      m.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 28, 28));
      m.foldBatchNorm();
      ParameterStore ps = new ParameterStore(manager, false);
      NDArray x = manager.randomNormal(new Shape(4, 1, 28, 28));
      NDList dense = m.forward(ps, new NDList(x), false);
      NDArray blocked = createMkldnn(manager, x.toFloatArray(), x.getShape());
      // Without the dense conversion before fc, libtorch fails: "Could not run 'aten::addmm.out' ... 'MkldnnCPU'".
      NDList out = m.forward(ps, new NDList(blocked), false);
      assertFalse(MkldnnLayout.isMkldnn(out.get(0)));
      assertTrue(MkldnnLayout.isMkldnn(out.get(1)), "the taps stay in the layout they were computed in");
      assertEquals(dense.size(), out.size());
      for (int i = 0; i < dense.size(); i++) {
        NDArray a = dense.get(i);
        double diff = a.sub(MkldnnLayout.toDense(out.get(i))).abs().max().getFloat();
        assertTrue(diff <= 1e-4 * a.abs().max().getFloat(), "output " + i + ": " + diff);
      }
    }
  }
}

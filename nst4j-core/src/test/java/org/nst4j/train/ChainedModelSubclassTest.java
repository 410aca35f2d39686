package org.nst4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.data.Normalization;
import org.nst4j.model.ChainedModel;
import org.nst4j.model.Layers;
import org.nst4j.model.ModelOutput;
import org.nst4j.model.ModelZoo;
import org.nst4j.model.Models;
import org.nst4j.model.TappedModel;
import org.nst4j.store.ModelCard;
import org.nst4j.store.ModelStore;

/** The zoo's builder used from outside its package: a user's {@link ChainedModel}, registered and reloaded. */
class ChainedModelSubclassTest {

  /** conv(8)-BN-ReLU-pool (tap {@code a}), conv(16)-BN-ReLU (tap {@code b}), GAP, fc. */
  static final class TwoBlockNet extends ChainedModel {
    TwoBlockNet(int channels, int classes) {
      super((byte) 1, "two-block", List.of("a", "b"), channels, classes);
      layer("conv1", Layers.conv(8, 3, 1));
      layer("bn1", Layers.batchNorm());
      relu();
      maxPool(2, 2, 0);
      tap();
      layer("conv2", Layers.conv(16, 3, 1));
      layer("bn2", Layers.batchNorm());
      relu();
      tap();
      classifier();
    }
  }

  @AfterEach
  void forget() {
    ModelZoo.unregister("two-block");
  }

  @Test
  void aUsersChainedModelTrainsFoldsAndReloadsByName(@TempDir Path dir) throws Exception {
    ModelZoo.register("two-block", (channels, classes, seed) -> new TwoBlockNet(channels, classes));
    Path saved = dir.resolve("two-block");
    NDArray expected;
    try (NDManager manager = NDManager.newBaseManager()) {
      TappedModel net = ModelZoo.create("two-block", 1, 10, 0);
      net.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 28, 28));
      NDArray x = manager.randomNormal(new Shape(2, 1, 28, 28));
      ModelOutput out = Models.forward(net, new ParameterStore(manager, false), x, false);
      assertEquals(new Shape(2, 8, 14, 14), out.tap("a").getShape());
      assertEquals(new Shape(2, 16, 14, 14), out.tap("b").getShape());
      // Its conv-BN pairs fold as the zoo's do.
      assertEquals(2, net.foldBatchNorm());
      assertTrue(out.logits().allClose(Models.forward(net, new ParameterStore(manager, false), x, false).logits(),
          1e-4, 1e-5, false));
      net.unfoldBatchNorm();
      ModelStore.save(saved, net, ModelCard.of(net, 28, 28, Normalization.FASHION_MNIST,
          org.nst4j.data.DataSources.FASHION_MNIST_CLASSES));
      expected = out.logits().duplicate();
      try (Model loaded = ModelStore.load(saved, Device.cpu())) {
        TappedModel back = (TappedModel) loaded.getBlock();
        NDList again = back.forward(new ParameterStore(manager, false), new NDList(x), false);
        assertTrue(expected.allClose(again.head(), 0, 0, false), "the reloaded model computes the same logits");
      }
    }
  }
}

package org.nst4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreActivationBlockTest {

  /** A two-convolution block (3×3 to 5, then 1×1 to out); the stride sits on the first convolution. */
  private static final class Pair extends PreActivationBlock {
    Pair(int in, int out, int stride) {
      super(in, stride, new int[] {3, 1}, new int[] {5, out});
    }
  }

  /** BN-ReLU of the input, shared by the branch and a projection. */
  private static NDArray preActivated(Block b, ParameterStore ps, NDArray x) {
    return Activation.relu(Layers.run(b.getChildren().get("01bn0"), ps, x, false));
  }

  /** The branch after the first BN-ReLU. */
  private static NDArray branch(Block b, ParameterStore ps, NDArray pre) {
    NDArray y = Layers.run(b.getChildren().get("02conv0"), ps, pre, false);
    y = Activation.relu(Layers.run(b.getChildren().get("03bn1"), ps, y, false));
    return Layers.run(b.getChildren().get("04conv1"), ps, y, false);
  }

  @Test
  void bnConvPairsThenTheProjection() {
    assertEquals(List.of("01bn0", "02conv0", "03bn1", "04conv1"), new Pair(6, 6, 1).getChildren().keys());
    assertEquals(List.of("01bn0", "02conv0", "03bn1", "04conv1", "05convDim"),
        new Pair(4, 6, 1).getChildren().keys());
  }

  @Test
  void forwardIsBranchPlusShortcutOfThePreActivatedInputWithoutFinalRelu() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Pair identity = new Pair(4, 4, 1);
      ArchTesting.checkForward(identity, manager, new Shape(2, 4, 7, 7),
          (ps, x) -> branch(identity, ps, preActivated(identity, ps, x)).add(x));
      Pair projecting = new Pair(4, 6, 2);
      ArchTesting.checkForward(projecting, manager, new Shape(2, 4, 7, 7), (ps, x) -> {
        NDArray pre = preActivated(projecting, ps, x);
        NDArray shortcut = Layers.run(projecting.getChildren().get("05convDim"), ps, pre, false);
        return branch(projecting, ps, pre).add(shortcut);
      });
      assertEquals(new Shape(2, 6, 4, 4), projecting.getOutputShapes(new Shape[] {new Shape(2, 4, 7, 7)})[0]);
    }
  }
}

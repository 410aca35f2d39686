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

class PostActivationBlockTest {

  /** A two-convolution block (1×1 to 5, then 3×3 to out) with the stride on the second convolution. */
  private static final class Pair extends PostActivationBlock {
    Pair(int in, int out, int stride) {
      super(in, stride, 1, new int[] {1, 3}, new int[] {5, out});
    }
  }

  private static NDArray run(Block b, String child, ParameterStore ps, NDArray x) {
    return Layers.run(b.getChildren().get(child), ps, x, false);
  }

  @Test
  void convBnPairsThenTheProjection() {
    assertEquals(List.of("01conv1", "02bn1", "03conv2", "04bn2"), new Pair(6, 6, 1).getChildren().keys());
    assertEquals(List.of("01conv1", "02bn1", "03conv2", "04bn2", "05projConv", "06projBn"),
        new Pair(6, 6, 2).getChildren().keys());
    Block conv2 = new Pair(4, 6, 2).getChildren().get("03conv2");
    assertEquals(new Shape(1, 6, 4, 4), conv2.getOutputShapes(new Shape[] {new Shape(1, 5, 7, 7)})[0],
        "the stride sits on the chosen convolution");
  }

  @Test
  void forwardIsReluOfBranchPlusShortcut() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Pair identity = new Pair(4, 4, 1);
      ArchTesting.checkForward(identity, manager, new Shape(2, 4, 7, 7), (ps, x) -> {
        NDArray y = run(identity, "02bn1", ps, run(identity, "01conv1", ps, x));
        y = run(identity, "04bn2", ps, run(identity, "03conv2", ps, Activation.relu(y)));
        return Activation.relu(y.add(x));
      });
      Pair projecting = new Pair(4, 6, 2);
      ArchTesting.checkForward(projecting, manager, new Shape(2, 4, 7, 7), (ps, x) -> {
        NDArray y = run(projecting, "02bn1", ps, run(projecting, "01conv1", ps, x));
        y = run(projecting, "04bn2", ps, run(projecting, "03conv2", ps, Activation.relu(y)));
        return Activation.relu(y.add(run(projecting, "06projBn", ps, run(projecting, "05projConv", ps, x))));
      });
    }
  }
}

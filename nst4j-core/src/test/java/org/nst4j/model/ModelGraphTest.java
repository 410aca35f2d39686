package org.nst4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.LambdaBlock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ModelGraph}: the op sequence a chain describes, and the refusal of blocks it cannot describe. */
class ModelGraphTest {

  /** Records each operation as text; a tensor is the text of the operation that made it. */
  private static final class Recorder implements GraphOps<String> {
    final List<String> ops = new ArrayList<>();

    private String op(String s) {
      ops.add(s);
      return "%" + (ops.size() - 1);
    }

    @Override
    public String conv2d(String x, NDArray weight, NDArray bias, Shape stride, Shape padding, Shape dilation,
        int groups) {
      return op("conv(" + x + ", " + weight.getShape() + (bias == null ? "" : ", bias") + ", s" + stride + ")");
    }

    @Override
    public String batchNorm(String x, NDArray gamma, NDArray beta, NDArray mean, NDArray var, float eps) {
      return op("bn(" + x + ", eps " + eps + ")");
    }

    @Override
    public String relu(String x) {
      return op("relu(" + x + ")");
    }

    @Override
    public String add(String a, String b) {
      return op("add(" + a + ", " + b + ")");
    }

    @Override
    public String concatChannels(List<String> xs) {
      return op("concat" + xs);
    }

    @Override
    public String maxPool2d(String x, int kernel, int stride, int padding) {
      return op("maxpool(" + x + ", " + kernel + "/" + stride + "/" + padding + ")");
    }

    @Override
    public String avgPool2d(String x, int kernel, int stride, int padding, boolean countIncludePad) {
      return op("avgpool(" + x + ")");
    }

    @Override
    public String globalAvgPool2d(String x) {
      return op("gap(" + x + ")");
    }

    @Override
    public String linear(String x, NDArray weight, NDArray bias) {
      return op("linear(" + x + ", " + weight.getShape() + ")");
    }
  }

  private static final class Chain extends ChainedModel {
    Chain(boolean lambda) {
      super((byte) 1, "chain", List.of("a"), 2, 3);
      layer("conv", Layers.conv(4, 3, 2));
      layer("bn", Layers.batchNorm());
      relu();
      maxPool(3, 2, 1);
      if (lambda) {
        layer("lambda", new LambdaBlock(l -> new NDList(l.head().neg())));
      }
      tap();
      classifier();
    }
  }

  @Test
  void aChainIsDescribedOpForOpFoldedOrNot() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Chain chain = new Chain(false);
      chain.initialize(manager, DataType.FLOAT32, new Shape(1, 2, 9, 9));
      Recorder unfolded = new Recorder();
      List<String> out = ModelGraph.trace(chain, unfolded, "x");
      assertEquals(List.of("conv(x, (4, 2, 3, 3), s(2, 2))", "bn(%0, eps 1.0E-5)", "relu(%1)", "maxpool(%2, 3/2/1)",
          "gap(%3)", "linear(%4, (3, 4))"), unfolded.ops);
      assertEquals(List.of("%5", "%3"), out, "logits, then the tap");

      chain.foldBatchNorm();
      Recorder folded = new Recorder();
      ModelGraph.trace(chain, folded, "x");
      assertEquals("conv(x, (4, 2, 3, 3), bias, s(2, 2))", folded.ops.get(0));
      assertEquals("relu(%0)", folded.ops.get(1));
    }
  }

  @Test
  void aBlockWithoutDescriptionIsNamed() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Chain chain = new Chain(true);
      chain.initialize(manager, DataType.FLOAT32, new Shape(1, 2, 9, 9));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> ModelGraph.trace(chain, new Recorder(), "x"));
      assertTrue(e.getMessage().startsWith("no graph description for block ai.djl.nn.LambdaBlock"), e.getMessage());
    }
    assertThrows(IllegalStateException.class, () -> ModelGraph.trace(new Chain(false), new Recorder(), "x"));
  }
}

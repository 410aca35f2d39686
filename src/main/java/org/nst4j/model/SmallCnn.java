package org.nst4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.List;

/**
 * {@code cnn-small}: a plain three-block CNN for fast tests and demos: conv3×3(32)-BN-ReLU-maxpool2,
 * conv3×3(64)-BN-ReLU-maxpool2, conv3×3(128)-BN-ReLU, global average pool, linear.
 *
 * <p>Taps {@code block1..block3}: the output of each block (after its pool where it has one): for a 28×28
 * input 32×14×14, 64×7×7 and 128×7×7.
 */
public final class SmallCnn extends TappedModel {
  private static final byte VERSION = 1;
  private static final int[] WIDTHS = {32, 64, 128};
  private static final List<String> TAPS = List.of("block1", "block2", "block3");
  private static final Shape POOL = new Shape(2, 2);
  private static final Shape NO_PAD = new Shape(0, 0);

  private final int inputChannels;
  private final int numClasses;
  private final Conv2d[] convs = new Conv2d[3];
  private final BatchNorm[] bns = new BatchNorm[3];
  private final Linear fc;

  /**
   * Builds an uninitialised cnn-small.
   *
   * @param inputChannels image channels, ≥ 1
   * @param numClasses classes, ≥ 1
   * @throws IllegalArgumentException if a count is not positive
   */
  public SmallCnn(int inputChannels, int numClasses) {
    super(VERSION);
    ModelZoo.checkCounts(inputChannels, numClasses);
    this.inputChannels = inputChannels;
    this.numClasses = numClasses;
    for (int i = 0; i < 3; i++) {
      convs[i] = addChildBlock("conv" + (i + 1), Layers.conv(WIDTHS[i], 3, 1));
      bns[i] = addChildBlock("bn" + (i + 1), Layers.batchNorm());
    }
    fc = addChildBlock("fc", Layers.linear(numClasses));
  }

  @Override
  public String architecture() {
    return "cnn-small";
  }

  @Override
  public List<String> tapNames() {
    return TAPS;
  }

  @Override
  public int inputChannels() {
    return inputChannels;
  }

  @Override
  public int numClasses() {
    return numClasses;
  }

  private static boolean pooled(int block) {
    return block < 2;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    NDArray[] taps = new NDArray[3];
    for (int i = 0; i < 3; i++) {
      x = Activation.relu(Layers.run(bns[i], ps, Layers.run(convs[i], ps, x, training), training));
      if (pooled(i)) {
        x = Pool.maxPool2d(x, POOL, POOL, NO_PAD, false);
      }
      taps[i] = x;
    }
    NDArray logits = Layers.run(fc, ps, Pool.globalAvgPool2d(x), training);
    return new NDList(logits, taps[0], taps[1], taps[2]);
  }

  private static Shape poolShape(Shape s) {
    return new Shape(s.get(0), s.get(1), s.get(2) / 2, s.get(3) / 2);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Layers.checkInput(inputShapes[0], inputChannels, architecture());
    Shape[] result = new Shape[4];
    Shape x = inputShapes[0];
    for (int i = 0; i < 3; i++) {
      x = Layers.shape(convs[i], x);
      if (pooled(i)) {
        x = poolShape(x);
      }
      result[i + 1] = x;
    }
    result[0] = new Shape(x.get(0), numClasses);
    return result;
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Layers.checkInput(inputShapes[0], inputChannels, architecture());
    Shape x = inputShapes[0];
    for (int i = 0; i < 3; i++) {
      x = Layers.init(convs[i], manager, dataType, x);
      Layers.init(bns[i], manager, dataType, x);
      if (pooled(i)) {
        x = poolShape(x);
      }
    }
    Layers.init(fc, manager, dataType, new Shape(x.get(0), x.get(1)));
  }
}

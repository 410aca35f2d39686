package org.nst4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import java.util.List;

/**
 * Factories for the DJL layers of the zoo, with the protocol's settings (PyTorch's BatchNorm eps and momentum,
 * bias-free convolutions before a BatchNorm), and small forward helpers. Public so that a custom model — a
 * {@link ChainedModel} subclass or a {@code SequentialBlock} wrapped by {@link TappedBlock} — builds its layers
 * exactly as the zoo does.
 */
public final class Layers {

  /** PyTorch's BatchNorm2d default eps. */
  public static final float BN_EPS = 1e-5f;

  /**
   * DJL's BatchNorm momentum is the weight of the OLD running value: PtNDArrayEx.batchNorm passes {@code
   * 1 - momentum} to torch's batch_norm (DJL 0.36 source, "momentum is defined differently in PyTorch"),
   * whose update is running = (1 − m)·running + m·batch. So 0.9 here is PyTorch's momentum 0.1.
   */
  public static final float BN_MOMENTUM_DJL = 0.9f;

  private Layers() {}

  /**
   * A k×k convolution without bias (a BatchNorm always follows), padding k/2.
   *
   * @param filters output channels
   * @param kernel k
   * @param stride the stride
   * @return the uninitialised convolution
   */
  public static Conv2d conv(int filters, int kernel, int stride) {
    return Conv2d.builder()
        .setFilters(filters)
        .setKernelShape(new Shape(kernel, kernel))
        .optStride(new Shape(stride, stride))
        .optPadding(new Shape(kernel / 2, kernel / 2))
        .optBias(false)
        .build();
  }

  /**
   * BatchNorm over the channel axis with PyTorch's eps 1e-5 and momentum 0.1.
   *
   * @return the uninitialised BatchNorm
   */
  public static BatchNorm batchNorm() {
    return BatchNorm.builder().optEpsilon(BN_EPS).optMomentum(BN_MOMENTUM_DJL).build();
  }

  /**
   * A fully connected layer with bias.
   *
   * @param units output width
   * @return the uninitialised layer
   */
  public static Linear linear(int units) {
    return Linear.builder().setUnits(units).optBias(true).build();
  }

  /** Runs a single-input, single-output block. */
  static NDArray run(Block block, ParameterStore ps, NDArray x, boolean training) {
    return block.forward(ps, new NDList(x), training).singletonOrThrow();
  }

  /** Output shape of a single-input block. */
  static Shape shape(Block block, Shape input) {
    return block.getOutputShapes(new Shape[] {input})[0];
  }

  /** Output shape of single-input blocks applied one after the other (the input itself for none). */
  static Shape shape(List<? extends Block> chain, Shape input) {
    Shape x = input;
    for (Block block : chain) {
      x = shape(block, x);
    }
    return x;
  }

  /** Initialises a single-input block and returns its output shape. */
  static Shape init(Block block, NDManager manager, DataType dataType, Shape input) {
    block.initialize(manager, dataType, input);
    return shape(block, input);
  }

  /**
   * Initialises single-input blocks applied one after the other, each with the output shape of the one
   * before; returns the last output shape (the input itself for none).
   */
  static Shape init(List<? extends Block> chain, NDManager manager, DataType dataType, Shape input) {
    Shape x = input;
    for (Block block : chain) {
      x = init(block, manager, dataType, x);
    }
    return x;
  }

  /** Checks an input shape is B×C×H×W with the expected channel count. */
  static void checkInput(Shape input, int channels, String who) {
    if (input.dimension() != 4 || input.get(1) != channels) {
      throw new IllegalArgumentException(
          who + " expects input B×" + channels + "×H×W, got " + input);
    }
  }
}

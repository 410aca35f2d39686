package org.nst4j.detection;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nst4j.model.ModelOutput;
import org.nst4j.model.ModelZoo;
import org.nst4j.model.SeededInit;
import org.nst4j.model.TappedModel;

/**
 * A CenterNet-style detector ("Objects as Points", Zhou et al., 2019) on a zoo backbone: three small heads
 * read one of the backbone's taps and predict, per grid cell, a heatmap score per class (logits), the box
 * size and the centre offset (in cells; see {@link CenterNetTargets} and {@link CenterNetDecoder}).
 *
 * <p>For FMNIST-Det (96×96) on a CIFAR-style ResNet, the last stage ({@code stage3}) is at stride 4: a 24×24
 * grid, CenterNet's usual output stride. Each head is a 3×3 convolution to {@value #HEAD_CHANNELS} channels, a
 * ReLU and a 1×1 convolution. The last convolutions start with small weights (1/100 of the seeded ones) and
 * the heatmap's bias at −log((1 − π)/π), π = {@value #PRIOR}, so that training starts from "almost nothing
 * everywhere" rather than being swamped by the background's loss.
 *
 * <p>Forward output: {@code [heat logits (B×K×h×w), size (B×2×h×w), offset (B×2×h×w), tap_0, tap_1, …, pre_0,
 * …]} — the backbone's main and pre-ReLU taps follow, so that a teacher's and a student's features can be
 * compared for distillation ({@link #backboneOutput}).
 */
public final class CenterNetDetector extends AbstractBlock {
  /** Channels of each head's hidden layer. */
  public static final int HEAD_CHANNELS = 64;

  /** Initial heatmap probability. */
  public static final double PRIOR = 0.1;

  /** Factor applied to the seeded weights of each head's last convolution (see initializeChildBlocks). */
  static final float FINAL_WEIGHT_SCALE = 0.01f;

  private static final byte VERSION = 1;

  private final TappedModel backbone;
  private final int tapIndex;
  private final int classes;
  private final SequentialBlock heat;
  private final SequentialBlock size;
  private final SequentialBlock offset;

  /**
   * Creates an uninitialised detector with seeded initialisers (as {@link ModelZoo#create}); initialise it
   * with {@code initialize(manager, DataType.FLOAT32, new Shape(B, C, H, W))}.
   *
   * @param arch a zoo architecture with taps (e.g. resnet8, resnet20)
   * @param inputChannels image channels
   * @param classes K, detection categories
   * @param tap the backbone tap the heads read, e.g. {@code stage3}
   * @param seed the initialisation seed
   * @return the detector
   * @throws IllegalArgumentException if the architecture is unknown, a count is not positive or the tap is
   *     not one of the backbone's
   */
  public static CenterNetDetector create(String arch, int inputChannels, int classes, String tap, long seed) {
    // The backbone's own classifier stays (its logits are unused): zoo models always end in one.
    TappedModel backbone = ModelZoo.create(arch, inputChannels, classes, seed);
    int index = backbone.tapNames().indexOf(tap);
    if (index < 0) {
      throw new IllegalArgumentException(arch + " has no tap '" + tap + "'; its taps: " + backbone.tapNames());
    }
    CenterNetDetector d = new CenterNetDetector(backbone, index, classes);
    SeededInit.apply(d, seed);
    return d;
  }

  private CenterNetDetector(TappedModel backbone, int tapIndex, int classes) {
    super(VERSION);
    this.backbone = addChildBlock("backbone", backbone);
    this.tapIndex = tapIndex;
    this.classes = classes;
    this.heat = addChildBlock("heat", head(classes));
    this.size = addChildBlock("size", head(2));
    this.offset = addChildBlock("offset", head(2));
  }

  private static SequentialBlock head(int out) {
    return new SequentialBlock()
        .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(HEAD_CHANNELS)
            .build())
        .add(Activation.reluBlock())
        .add(Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(out).build());
  }

  /** The backbone. */
  public TappedModel backbone() {
    return backbone;
  }

  /** The backbone's tap names, in the order they follow the three head outputs. */
  public List<String> tapNames() {
    return backbone.tapNames();
  }

  /**
   * The backbone's part of a forward output: its main and pre-ReLU taps (no logits: the detector has none),
   * what distillation compares ({@link BackboneDistillation}).
   *
   * @param output an output of this detector's forward
   * @return the taps, as views of the output's arrays
   */
  public ModelOutput backboneOutput(NDList output) {
    List<String> main = backbone.tapNames();
    List<String> pre = backbone.preReluTapNames();
    if (output.size() != 3 + main.size() + pre.size()) {
      throw new IllegalArgumentException("a detector output of " + output.size() + " arrays, expected 3 heads and "
          + (main.size() + pre.size()) + " taps");
    }
    Map<String, NDArray> taps = new LinkedHashMap<>();
    for (int i = 0; i < main.size(); i++) {
      taps.put(main.get(i), output.get(3 + i));
    }
    Map<String, NDArray> preRelu = new LinkedHashMap<>();
    for (int i = 0; i < pre.size(); i++) {
      preRelu.put(pre.get(i), output.get(3 + main.size() + i));
    }
    return ModelOutput.of(null, taps, preRelu);
  }

  /** K. */
  public int classes() {
    return classes;
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDList out = backbone.forward(ps, inputs, training);
    NDList features = new NDList(out.get(1 + tapIndex));
    NDList result = new NDList(heat.forward(ps, features, training).singletonOrThrow(),
        size.forward(ps, features, training).singletonOrThrow(),
        offset.forward(ps, features, training).singletonOrThrow());
    result.addAll(out.subNDList(1));
    return result;
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape[] b = backbone.getOutputShapes(inputShapes);
    Shape f = b[1 + tapIndex];
    Shape[] out = new Shape[3 + b.length - 1];
    out[0] = new Shape(f.get(0), classes, f.get(2), f.get(3));
    out[1] = new Shape(f.get(0), 2, f.get(2), f.get(3));
    out[2] = new Shape(f.get(0), 2, f.get(2), f.get(3));
    System.arraycopy(b, 1, out, 3, b.length - 1);
    return out;
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    backbone.initialize(manager, dataType, inputShapes);
    Shape f = backbone.getOutputShapes(inputShapes)[1 + tapIndex];
    heat.initialize(manager, dataType, f);
    size.initialize(manager, dataType, f);
    offset.initialize(manager, dataType, f);
    for (SequentialBlock head : List.of(heat, size, offset)) {
      for (var p : head.getChildren().get(2).getValue().getParameters()) {
        NDArray a = p.getValue().getArray();
        if (p.getValue().getType() == Parameter.Type.WEIGHT) {
          // Kaiming's fan-out rule gives a 1×1 convolution to 2 or K channels weights of std √(2/K): logits of
          // ±4 at the start, a heatmap that is confidently wrong everywhere, and a first loss in the hundreds.
          // Shrunk, each head starts at its bias, as CenterNet's heads start from small weights.
          a.muli(FINAL_WEIGHT_SCALE);
        } else if (head == heat) {
          a.muli(0).addi((float) -Math.log((1 - PRIOR) / PRIOR));
        }
      }
    }
  }

  /**
   * The grid stride for an input size: how many input pixels one heatmap cell spans.
   *
   * @param inputShape an input shape (B, C, H, W)
   * @return H / h
   * @throws IllegalArgumentException if the tap's size does not divide the input's evenly
   */
  public int stride(Shape inputShape) {
    Shape f = backbone.getOutputShapes(new Shape[] {inputShape})[1 + tapIndex];
    long h = inputShape.get(2);
    long w = inputShape.get(3);
    if (h % f.get(2) != 0 || w % f.get(3) != 0 || h / f.get(2) != w / f.get(3)) {
      throw new IllegalArgumentException("input " + h + "×" + w + " does not map evenly onto the " + f.get(2) + "×"
          + f.get(3) + " grid of " + backbone.tapNames().get(tapIndex));
    }
    return (int) (h / f.get(2));
  }
}

package org.nst4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.List;

/**
 * BN-Inception (Ioffe &amp; Szegedy 2015, "Inception-BN"), the student of Huang &amp; Wang 2017, in two
 * variants.
 *
 * <p>{@code inception-bn} (ImageNet, 224×224 input) follows the official NST code's MXNet symbol
 * ({@code TuSimple/neuron-selectivity-transfer}, symbol/inception_bn.py, itself MXNet's Inception-BN):
 * 7×7/2 convolution to 64, 3×3/2 max pool; 1×1 to 64, 3×3 to 192, 3×3/2 max pool; Inception blocks 3a, 3b
 * (28×28), reduction block 3c; 4a–4d (14×14), reduction 4e; 5a, 5b (7×7, 1024 channels); global average
 * pool; linear. Every convolution is conv-BN-ReLU without bias. An Inception block concatenates four
 * branches: 1×1; 1×1 then 3×3; 1×1 then two 3×3 ("double 3×3"); 3×3 average (5b: max) pool, stride 1,
 * then 1×1 projection. A reduction block concatenates a 1×1 then 3×3/2 branch, a 1×1-3×3-3×3/2 branch and a
 * 3×3/2 max pool of its input. Pools use padding 1 (floor mode), so the maps are 112, 56, 28, 14, 7; the
 * MXNet symbol's unpadded stem pools give 55 and 27 instead and the same 14 and 7 after the reductions.
 * Average pools count the padding, as MXNet's and PyTorch's defaults do.
 *
 * <p>{@code inception-bn-cifar} keeps every Inception and reduction block with the same widths and
 * replaces the 7×7/2 stem and the two stem pools by stride-1 convolutions (3×3 to 64, 1×1 to 64, 3×3 to
 * 192), so a 32×32 image gives 32×32 maps in blocks 3a–3b, 16×16 in 4a–4d and 8×8 in 5a–5b — the spatial
 * sizes of the stages of the CIFAR teacher ({@link PreActResNet} ResNet-1001). The paper names this network
 * only "Inception-BN" and the official code publishes the ImageNet symbol alone, so this CIFAR stem is our
 * reconstruction (the MXNet example's 28×28 "inception-bn-small" has only 1×1/3×3 branches and is a
 * different, smaller network).
 *
 * <p>Taps, in order: {@code block3} (output of 3b: 320×28×28 on ImageNet, 320×32×32 on CIFAR), {@code
 * block4} (4d: 608×14×14 / 608×16×16), {@code block_last} (5b after its ReLUs: 1024×7×7 / 1024×8×8) and
 * {@code block_last_prerelu}, the same 1024 channels before the ReLU, i.e. the concatenated BatchNorm
 * outputs of 5b's four branches. The official NST code transfers from that pre-ReLU map ({@code in5b_bn},
 * fed to {@code mmd_poly}); being the last tap, it is what NST and FitNet use by default.
 *
 * <p>Pre-ReLU taps (OFD, ReviewKD) {@code block3_pre}, {@code block4_pre}, {@code block_last_pre}: the
 * concatenated BatchNorm outputs of 3b, 4d and 5b before their ReLUs ({@code block_last_pre} is the same map
 * as {@code block_last_prerelu}); {@link #preReluBatchNorm} concatenates the γ and β of the four branches'
 * last BatchNorms in the same order.
 */
public final class InceptionBn extends ChainedModel {
  private static final byte VERSION = 1;
  static final List<String> TAPS = List.of("block3", "block4", "block_last", "block_last_prerelu");
  static final List<String> PRE_RELU_TAPS = List.of("block3_pre", "block4_pre", "block_last_pre");
  private static final Shape K3 = new Shape(3, 3);
  private static final Shape S1 = new Shape(1, 1);
  private static final Shape S2 = new Shape(2, 2);
  private static final Shape P1 = new Shape(1, 1);

  /**
   * Builds an uninitialised Inception-BN.
   *
   * @param cifar true for {@code inception-bn-cifar} (stride-1 stem for 32×32 images), false for the ImageNet
   *     network
   * @param inputChannels image channels, ≥ 1
   * @param numClasses classes, ≥ 1
   * @throws IllegalArgumentException if a count is not positive
   */
  public InceptionBn(boolean cifar, int inputChannels, int numClasses) {
    super(VERSION, cifar ? "inception-bn-cifar" : "inception-bn", TAPS, PRE_RELU_TAPS, inputChannels, numClasses);
    ModelZoo.checkCounts(inputChannels, numClasses);
    layer("conv1", cifar ? new ConvBn(64, 3, 1) : new ConvBn(64, 7, 2));
    relu();
    if (!cifar) {
      maxPool(3, 2, 1);
    }
    layer("conv2red", new ConvBn(64, 1, 1));
    relu();
    layer("conv2", new ConvBn(192, 3, 1));
    relu();
    if (!cifar) {
      maxPool(3, 2, 1);
    }
    // Widths of symbol/inception_bn.py: 1×1, 3×3 reduce, 3×3, double-3×3 reduce, double 3×3, pool, proj.
    layer("in3a", new InceptionA(64, 64, 64, 64, 96, false, 32, false));
    InceptionA in3b = layer("in3b", new InceptionA(64, 64, 96, 64, 96, false, 64, true)); // block3
    tap(0);
    preReluTap(1, in3b.outputBatchNorms());
    layer("in3c", new Reduction(128, 160, 64, 96));
    layer("in4a", new InceptionA(224, 64, 96, 96, 128, false, 128, false));
    layer("in4b", new InceptionA(192, 96, 128, 96, 128, false, 128, false));
    layer("in4c", new InceptionA(160, 128, 160, 128, 160, false, 128, false));
    InceptionA in4d = layer("in4d", new InceptionA(96, 128, 192, 160, 192, false, 128, true)); // block4
    tap(0);
    preReluTap(1, in4d.outputBatchNorms());
    layer("in4e", new Reduction(128, 192, 192, 256));
    layer("in5a", new InceptionA(352, 192, 320, 160, 224, false, 128, false));
    // block_last and block_last_prerelu: 5b returns its output and its pre-ReLU concatenation.
    InceptionA in5b = layer("in5b", new InceptionA(352, 192, 320, 192, 224, true, 128, true));
    tap();
    preReluTap(1, in5b.outputBatchNorms());
    classifier();
  }

  /** Convolution (no bias) + BatchNorm; returns the BN output, BEFORE the ReLU (callers apply it). */
  static final class ConvBn extends AbstractBlock implements ConvBatchNorm.Holder, Traceable {
    private static final byte VERSION = 1;
    private final ConvBatchNorm pair;

    ConvBn(int filters, int kernel, int stride) {
      super(VERSION);
      Conv2d conv = addChildBlock("conv", Layers.conv(filters, kernel, stride));
      pair = new ConvBatchNorm(conv, addChildBlock("bn", Layers.batchNorm()));
    }

    @Override
    public List<ConvBatchNorm> convBatchNorms() {
      return List.of(pair);
    }

    @Override
    protected NDList forwardInternal(
        ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
      return new NDList(pair.forward(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    public <T> List<T> trace(GraphOps<T> ops, List<T> inputs) {
      return List.of(pair.trace(ops, inputs.get(0)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      return new Shape[] {pair.outputShape(inputShapes[0])};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
      pair.initialize(manager, dataType, inputShapes[0]);
    }
  }

  private static NDArray reluOf(ConvBn c, ParameterStore ps, NDArray x, boolean training) {
    return Activation.relu(Layers.run(c, ps, x, training));
  }

  private static <T> T reluOf(ConvBn c, GraphOps<T> ops, T x) {
    return ops.relu(c.pair.trace(ops, x));
  }

  /**
   * Inception block with four branches (1×1; 1×1-3×3; 1×1-3×3-3×3; 3×3 pool stride 1 then 1×1), all stride
   * 1, concatenated on the channel axis. Returns {@code [output]}, or {@code [output, pre-ReLU output]} when
   * built with {@code exposePreRelu}.
   */
  static final class InceptionA extends AbstractBlock implements Traceable {
    private static final byte VERSION = 1;
    private final ConvBn c1x1;
    private final ConvBn c3x3r;
    private final ConvBn c3x3;
    private final ConvBn cd3x3r;
    private final ConvBn cd3x3a;
    private final ConvBn cd3x3b;
    private final ConvBn proj;
    private final boolean maxPool;
    private final boolean exposePreRelu;
    private final int channels;

    InceptionA(int n1x1, int n3x3red, int n3x3, int nd3x3red, int nd3x3, boolean maxPool, int nProj,
        boolean exposePreRelu) {
      super(VERSION);
      c1x1 = addChildBlock("c1x1", new ConvBn(n1x1, 1, 1));
      c3x3r = addChildBlock("c3x3r", new ConvBn(n3x3red, 1, 1));
      c3x3 = addChildBlock("c3x3", new ConvBn(n3x3, 3, 1));
      cd3x3r = addChildBlock("cd3x3r", new ConvBn(nd3x3red, 1, 1));
      cd3x3a = addChildBlock("cd3x3a", new ConvBn(nd3x3, 3, 1));
      cd3x3b = addChildBlock("cd3x3b", new ConvBn(nd3x3, 3, 1));
      proj = addChildBlock("proj", new ConvBn(nProj, 1, 1));
      this.maxPool = maxPool;
      this.exposePreRelu = exposePreRelu;
      this.channels = n1x1 + n3x3 + nd3x3 + nProj;
    }

    /** The BatchNorms whose outputs, concatenated, are the block's pre-ReLU output, in concatenation order. */
    List<ai.djl.nn.norm.BatchNorm> outputBatchNorms() {
      return List.of(c1x1.pair.bn(), c3x3.pair.bn(), cd3x3b.pair.bn(), proj.pair.bn());
    }

    @Override
    protected NDList forwardInternal(
        ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
      NDArray x = inputs.singletonOrThrow();
      NDArray a = Layers.run(c1x1, ps, x, training);
      NDArray b = Layers.run(c3x3, ps, reluOf(c3x3r, ps, x, training), training);
      NDArray c = reluOf(cd3x3a, ps, reluOf(cd3x3r, ps, x, training), training);
      c = Layers.run(cd3x3b, ps, c, training);
      NDArray pooled = maxPool
          ? Pool.maxPool2d(x, K3, S1, P1, false)
          : Pool.avgPool2d(x, K3, S1, P1, false, true);
      NDArray d = Layers.run(proj, ps, pooled, training);
      NDList pre = new NDList(a, b, c, d);
      NDArray out = NDArrays.concat(new NDList(
          Activation.relu(a), Activation.relu(b), Activation.relu(c), Activation.relu(d)), 1);
      return exposePreRelu ? new NDList(out, NDArrays.concat(pre, 1)) : new NDList(out);
    }

    /** {@link #forwardInternal}'s graph, op for op. */
    @Override
    public <T> List<T> trace(GraphOps<T> ops, List<T> inputs) {
      T x = inputs.get(0);
      T a = c1x1.pair.trace(ops, x);
      T b = c3x3.pair.trace(ops, reluOf(c3x3r, ops, x));
      T c = cd3x3b.pair.trace(ops, reluOf(cd3x3a, ops, reluOf(cd3x3r, ops, x)));
      T pooled = maxPool ? ops.maxPool2d(x, 3, 1, 1) : ops.avgPool2d(x, 3, 1, 1, true);
      T d = proj.pair.trace(ops, pooled);
      T out = ops.concatChannels(List.of(ops.relu(a), ops.relu(b), ops.relu(c), ops.relu(d)));
      return exposePreRelu ? List.of(out, ops.concatChannels(List.of(a, b, c, d))) : List.of(out);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      Shape in = inputShapes[0];
      Shape out = new Shape(in.get(0), channels, in.get(2), in.get(3));
      return exposePreRelu ? new Shape[] {out, out} : new Shape[] {out};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
      Shape x = inputShapes[0];
      Layers.init(c1x1, manager, dataType, x);
      Layers.init(c3x3, manager, dataType, Layers.init(c3x3r, manager, dataType, x));
      Layers.init(cd3x3b, manager, dataType,
          Layers.init(cd3x3a, manager, dataType, Layers.init(cd3x3r, manager, dataType, x)));
      Layers.init(proj, manager, dataType, x);
    }
  }

  /**
   * Reduction block (MXNet's InceptionFactoryB): 1×1-3×3/2; 1×1-3×3-3×3/2; 3×3/2 max pool of the input
   * (padding 1); concatenated, so the width grows by the input's channels.
   */
  static final class Reduction extends AbstractBlock implements Traceable {
    private static final byte VERSION = 1;
    private final ConvBn c3x3r;
    private final ConvBn c3x3;
    private final ConvBn cd3x3r;
    private final ConvBn cd3x3a;
    private final ConvBn cd3x3b;
    private final int convChannels;

    Reduction(int n3x3red, int n3x3, int nd3x3red, int nd3x3) {
      super(VERSION);
      c3x3r = addChildBlock("c3x3r", new ConvBn(n3x3red, 1, 1));
      c3x3 = addChildBlock("c3x3", new ConvBn(n3x3, 3, 2));
      cd3x3r = addChildBlock("cd3x3r", new ConvBn(nd3x3red, 1, 1));
      cd3x3a = addChildBlock("cd3x3a", new ConvBn(nd3x3, 3, 1));
      cd3x3b = addChildBlock("cd3x3b", new ConvBn(nd3x3, 3, 2));
      convChannels = n3x3 + nd3x3;
    }

    @Override
    protected NDList forwardInternal(
        ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
      NDArray x = inputs.singletonOrThrow();
      NDArray a = reluOf(c3x3, ps, reluOf(c3x3r, ps, x, training), training);
      NDArray b = reluOf(cd3x3a, ps, reluOf(cd3x3r, ps, x, training), training);
      b = reluOf(cd3x3b, ps, b, training);
      NDArray c = Pool.maxPool2d(x, K3, S2, P1, false);
      return new NDList(NDArrays.concat(new NDList(a, b, c), 1));
    }

    /** {@link #forwardInternal}'s graph, op for op. */
    @Override
    public <T> List<T> trace(GraphOps<T> ops, List<T> inputs) {
      T x = inputs.get(0);
      T a = reluOf(c3x3, ops, reluOf(c3x3r, ops, x));
      T b = reluOf(cd3x3b, ops, reluOf(cd3x3a, ops, reluOf(cd3x3r, ops, x)));
      return List.of(ops.concatChannels(List.of(a, b, ops.maxPool2d(x, 3, 2, 1))));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      Shape in = inputShapes[0];
      return new Shape[] {new Shape(in.get(0), convChannels + in.get(1), (in.get(2) - 1) / 2 + 1,
          (in.get(3) - 1) / 2 + 1)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
      Shape x = inputShapes[0];
      Layers.init(c3x3, manager, dataType, Layers.init(c3x3r, manager, dataType, x));
      Layers.init(cd3x3b, manager, dataType,
          Layers.init(cd3x3a, manager, dataType, Layers.init(cd3x3r, manager, dataType, x)));
    }
  }
}

package org.nst4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@link TappedModel} whose forward pass is one chain from the image to the classifier: child blocks and
 * parameter-free steps (ReLU, max pool) run one after the other, some of them marked as taps, then a global
 * average pool and a linear layer {@code fc}. Every convolutional network of the zoo is such a chain. Given
 * an input in libtorch's MKLDNN layout, the links run in that layout and the pooled features are made dense
 * before {@code fc} ({@link MkldnnLayout}: libtorch's linear layer refuses MKLDNN tensors).
 *
 * <p>A subclass's constructor only lists its links, in forward order — {@link #layer}, {@link #relu},
 * {@link #maxPool}, {@link #tap} (or {@link #tapped}, or {@link #residualStages} for the stages of a ResNet)
 * — and ends with {@link #classifier}. The forward pass, the output shapes and the initialisation are all
 * derived from that one list, so they cannot disagree.
 *
 * <p>The links' blocks become child blocks in the order they are listed. DJL prefixes a child's parameter
 * names with its position ({@code 01stem_weight}, {@code 03stage1_...}), so that order fixes the parameter
 * names, hence the seeded initialisation ({@link SeededInit} seeds each parameter from its name) and the
 * layout of saved parameter files.
 */
public abstract class ChainedModel extends TappedModel implements ConvBatchNorm.Holder, Traceable {
  private final List<Link> links = new ArrayList<>();
  /** For each pre-ReLU tap, in chain order, the BatchNorm(s) whose output (concatenated) it is. */
  private final List<List<BatchNorm>> preReluBns = new ArrayList<>();
  private Linear fc;

  /**
   * See {@link TappedModel#TappedModel(byte, String, List, int, int)}.
   *
   * @param version DJL's parameter-file version of the subclass
   * @param architecture the name returned by {@link #architecture()}
   * @param tapNames the taps' names, one per {@link #tap} call, in chain order
   * @param inputChannels the number of input channels
   * @param numClasses the number of classes
   */
  protected ChainedModel(byte version, String architecture, List<String> tapNames, int inputChannels, int numClasses) {
    super(version, architecture, tapNames, inputChannels, numClasses);
  }

  /**
   * See {@link TappedModel#TappedModel(byte, String, List, List, int, int)}.
   *
   * @param version DJL's parameter-file version of the subclass
   * @param architecture the name returned by {@link #architecture()}
   * @param tapNames the main taps' names, in chain order
   * @param preReluTapNames the pre-ReLU taps' names, one per {@link #preReluTap} call, in chain order
   * @param inputChannels the number of input channels
   * @param numClasses the number of classes
   */
  protected ChainedModel(byte version, String architecture, List<String> tapNames, List<String> preReluTapNames,
      int inputChannels, int numClasses) {
    super(version, architecture, tapNames, preReluTapNames, inputChannels, numClasses);
  }

  @Override
  public BatchNormParameters preReluBatchNorm(String tap) {
    int i = preReluTapNames().indexOf(tap);
    if (i < 0 || i >= preReluBns.size()) {
      return super.preReluBatchNorm(tap);
    }
    List<float[]> gammas = new ArrayList<>();
    List<float[]> betas = new ArrayList<>();
    for (BatchNorm bn : preReluBns.get(i)) {
      for (String name : List.of("gamma", "beta")) {
        ai.djl.nn.Parameter p = bn.getParameters().get(name);
        if (p == null || !p.isInitialized()) {
          throw new IllegalStateException("initialise " + architecture() + " before reading its BatchNorm parameters");
        }
        (name.equals("gamma") ? gammas : betas).add(p.getArray().toType(DataType.FLOAT32, false).toFloatArray());
      }
    }
    return new BatchNormParameters(concat(gammas), concat(betas));
  }

  private static float[] concat(List<float[]> parts) {
    int n = parts.stream().mapToInt(a -> a.length).sum();
    float[] out = new float[n];
    int off = 0;
    for (float[] a : parts) {
      System.arraycopy(a, 0, out, off, a.length);
      off += a.length;
    }
    return out;
  }

  /**
   * A parameter-free link of the chain: its forward pass, its shape rule and its graph ({@link ModelGraph}),
   * written together.
   */
  private interface Op {
    NDArray forward(NDArray x);

    Shape shape(Shape x);

    <T> T trace(GraphOps<T> ops, T x);
  }

  /** A ReLU. */
  private record Relu() implements Op {
    @Override
    public NDArray forward(NDArray x) {
      return Activation.relu(x);
    }

    @Override
    public Shape shape(Shape x) {
      return x;
    }

    @Override
    public <T> T trace(GraphOps<T> ops, T x) {
      return ops.relu(x);
    }
  }

  /**
   * A k×k max pool with the given stride and padding, floor mode (PyTorch's {@code ceil_mode=False}): each
   * spatial size d becomes ⌊(d + 2·padding − k) / stride⌋ + 1.
   */
  private record MaxPool(int kernel, int stride, int padding) implements Op {
    @Override
    public NDArray forward(NDArray x) {
      return Pool.maxPool2d(x, new Shape(kernel, kernel), new Shape(stride, stride), new Shape(padding, padding),
          false);
    }

    @Override
    public Shape shape(Shape x) {
      return new Shape(x.get(0), x.get(1), Math.floorDiv(x.get(2) + 2 * padding - kernel, stride) + 1,
          Math.floorDiv(x.get(3) + 2 * padding - kernel, stride) + 1);
    }

    @Override
    public <T> T trace(GraphOps<T> ops, T x) {
      return ops.maxPool2d(x, kernel, stride, padding);
    }
  }

  /**
   * One link of the chain: a child block, a convolution and the BatchNorm that follows it ({@code pair}), a
   * parameter-free operation, or a pre-ReLU probe ({@code preBn}: returns its input and
   * that BatchNorm applied to it). {@code main} lists which of its outputs are main taps (null: all of them),
   * {@code pre} which are pre-ReLU taps.
   */
  private record Link(Block block, ConvBatchNorm pair, Op op, BatchNorm preBn, int[] main, int[] pre) {

    Link(Block block, ConvBatchNorm pair, Op op) {
      this(block, pair, op, null, new int[0], new int[0]);
    }

    boolean tapped() {
      return main == null || main.length > 0 || pre.length > 0;
    }

    boolean mainTapped() {
      return main == null || main.length > 0;
    }

    Link withMain(int[] outputs) {
      return new Link(block, pair, op, preBn, outputs, pre);
    }

    Link withPre(int output) {
      int[] p = java.util.Arrays.copyOf(pre, pre.length + 1);
      p[pre.length] = output;
      return new Link(block, pair, op, preBn, main, p);
    }

    NDList forward(ParameterStore ps, NDArray x, boolean training) {
      if (preBn != null) {
        return new NDList(x, preReluProbe(preBn, ps, x, training));
      }
      if (pair != null) {
        return new NDList(pair.forward(ps, x, training));
      }
      return block != null ? block.forward(ps, new NDList(x), training) : new NDList(op.forward(x));
    }

    /** {@link #forward}'s graph, in inference. */
    <T> List<T> trace(GraphOps<T> ops, T x) {
      if (preBn != null) {
        return List.of(x, ModelGraph.batchNorm(preBn, ops, x));
      }
      if (pair != null) {
        return List.of(pair.trace(ops, x));
      }
      return block != null ? ModelGraph.block(block, ops, List.of(x)) : List.of(op.trace(ops, x));
    }

    Shape[] outputShapes(Shape x) {
      if (preBn != null) {
        return new Shape[] {x, x};
      }
      if (pair != null) {
        return new Shape[] {pair.outputShape(x)};
      }
      return block != null ? block.getOutputShapes(new Shape[] {x}) : new Shape[] {op.shape(x)};
    }

    /** Initialises the block(s), if any; returns the shape of the first output. */
    Shape initialize(NDManager manager, DataType dataType, Shape x) {
      if (preBn != null) {
        return x; // the BatchNorm is a child of the block that owns it, initialised there
      }
      if (pair != null) {
        return pair.initialize(manager, dataType, x);
      }
      return block != null ? Layers.init(block, manager, dataType, x) : op.shape(x);
    }

    /** Adds this link's tapped outputs to the main and pre-ReLU lists. */
    <T> void collect(List<T> outputs, List<T> mainOut, List<T> preOut) {
      if (main == null) {
        mainOut.addAll(outputs);
      } else {
        for (int i : main) {
          mainOut.add(outputs.get(i));
        }
      }
      for (int i : pre) {
        preOut.add(outputs.get(i));
      }
    }
  }

  /**
   * A BatchNorm applied to {@code x} exactly as the block that owns it applies it (same kernel, same
   * parameters, batch statistics in training mode) but without moving its running statistics: in training
   * mode libtorch updates the statistics it is given in place, so it is given copies (in {@code x}'s manager,
   * freed with the batch). The owner still applies it once itself, so the model trains exactly as before.
   */
  private static NDArray preReluProbe(BatchNorm bn, ParameterStore ps, NDArray x, boolean training) {
    ai.djl.Device device = x.getDevice();
    NDArray gamma = ps.getValue(bn.getParameters().get("gamma"), device, training);
    NDArray beta = ps.getValue(bn.getParameters().get("beta"), device, training);
    NDArray mean = ps.getValue(bn.getParameters().get("runningMean"), device, training);
    NDArray var = ps.getValue(bn.getParameters().get("runningVar"), device, training);
    if (training) {
      mean = x.getManager().zeros(mean.getShape(), mean.getDataType()).addi(mean);
      var = x.getManager().zeros(var.getShape(), var.getDataType()).addi(var);
    }
    return BatchNorm.batchNorm(x, mean, var, gamma, beta, 1, Layers.BN_MOMENTUM_DJL, Layers.BN_EPS, training)
        .singletonOrThrow();
  }

  private void checkOpen() {
    if (fc != null) {
      throw new IllegalStateException("the classifier ends the chain of " + architecture());
    }
  }

  /**
   * Appends a block, added as child {@code name}. Its first output feeds the next link. A BatchNorm that
   * directly follows a convolution which is not a tap joins it as one link, so that {@link
   * TappedModel#foldBatchNorm()} can fold it; it runs exactly as the two blocks otherwise.
   *
   * @param name the child's name (DJL prefixes it with its position, e.g. {@code 01conv1})
   * @param block the block, uninitialised
   * @param <T> the block's type
   * @return the block
   * @throws IllegalStateException after {@link #classifier}
   */
  protected final <T extends Block> T layer(String name, T block) {
    checkOpen();
    T child = addChildBlock(name, block);
    Link last = links.isEmpty() ? null : links.get(links.size() - 1);
    if (child instanceof BatchNorm bn && last != null && !last.tapped() && last.block() instanceof Conv2d conv) {
      links.set(links.size() - 1, new Link(null, new ConvBatchNorm(conv, bn), null));
    } else {
      links.add(new Link(child, null, null));
    }
    return child;
  }

  @Override
  public List<ConvBatchNorm> convBatchNorms() {
    return links.stream().map(Link::pair).filter(Objects::nonNull).toList();
  }

  private void op(Op op) {
    checkOpen();
    links.add(new Link(null, null, op));
  }

  /** Appends a ReLU. */
  protected final void relu() {
    op(new Relu());
  }

  /**
   * Appends a k×k max pool with the given stride and padding, floor mode (PyTorch's {@code ceil_mode=False}):
   * each spatial size d becomes ⌊(d + 2·padding − k) / stride⌋ + 1.
   *
   * @param kernel k
   * @param stride the stride
   * @param padding the padding on each side
   */
  protected final void maxPool(int kernel, int stride, int padding) {
    op(new MaxPool(kernel, stride, padding));
  }

  /**
   * Marks the last link's outputs as main taps: all the arrays it returns, in order (a block may return more
   * than one, e.g. a map and its pre-ReLU version), or only the given ones. Taps are numbered in chain order and
   * named by {@link #tapNames()}.
   *
   * @param outputs which outputs of the link are taps (none given: all)
   * @throws IllegalStateException if there is no link yet, it is already a tap, or after {@link #classifier}
   */
  protected final void tap(int... outputs) {
    checkOpen();
    if (links.isEmpty() || links.get(links.size() - 1).mainTapped()) {
      throw new IllegalStateException("tap() must follow a link that is not a tap yet");
    }
    links.set(links.size() - 1, links.get(links.size() - 1).withMain(outputs.length == 0 ? null : outputs.clone()));
  }

  /**
   * Marks one output of the last link as the next pre-ReLU tap (named by {@link #preReluTapNames()} in chain
   * order), the output of the given BatchNorm(s) (concatenated on the channel axis when several).
   *
   * @param output which output of the link
   * @param batchNorms the BatchNorm(s) it is the output of, for {@link #preReluBatchNorm}
   */
  protected final void preReluTap(int output, List<BatchNorm> batchNorms) {
    checkOpen();
    if (links.isEmpty()) {
      throw new IllegalStateException("preReluTap() must follow a link");
    }
    links.set(links.size() - 1, links.get(links.size() - 1).withPre(output));
    preReluBns.add(List.copyOf(batchNorms));
  }

  /**
   * Appends a probe whose pre-ReLU tap is {@code bn} applied to the current map (the map passes through
   * unchanged): the pre-activation nets' pre-ReLU map of a stage is the next block's first BatchNorm of the
   * stage output (see {@link #preReluProbe}).
   */
  final void preReluOf(BatchNorm bn) {
    checkOpen();
    links.add(new Link(null, null, null, bn, new int[0], new int[] {1}));
    preReluBns.add(List.of(bn));
  }

  /**
   * {@link #layer} then {@link #tap}.
   *
   * @param name the child's name
   * @param block the block
   */
  protected final void tapped(String name, Block block) {
    layer(name, block);
    tap();
  }

  /** Makes one residual block of a stage. */
  @FunctionalInterface
  interface ResidualBlock {
    /**
     * @param in channels entering the block
     * @param stage the stage, 0-based
     * @param stride 2 for the first block of every stage but the first, else 1
     */
    Block create(int in, int stage, int stride);
  }

  /**
   * Appends the stages of a ResNet, each a tapped {@link SequentialBlock} of residual blocks named after its
   * tap; the stages give the model's first taps, so stage s is named {@code tapNames().get(s)}, e.g. {@code
   * stage1}. The first block of every stage but the first downsamples with stride 2, as in He et al. 2016.
   *
   * <p>Pre-ReLU taps, when the model names them ({@code preReluTapNames().get(s)}): for post-activation
   * blocks, the last block of each stage also returns its residual sum before the final ReLU, whose BatchNorm
   * (as mdistiller's {@code get_bn_before_relu}) is the last one of that block's branch; for pre-activation
   * blocks, stage s's pre-ReLU map is the first BatchNorm of stage s + 1's first block applied to the stage
   * output ({@link #preReluOf}), and the last stage's is left to the subclass (its final BatchNorm).
   *
   * @param in channels entering the first stage
   * @param blocks blocks per stage
   * @param outs channels leaving each stage (the next block's {@code in})
   * @param factory makes the blocks
   */
  final void residualStages(int in, int[] blocks, int[] outs, ResidualBlock factory) {
    boolean pre = !preReluTapNames().isEmpty();
    for (int s = 0; s < blocks.length; s++) {
      SequentialBlock stage = new SequentialBlock();
      Block first = null;
      Block last = null;
      for (int b = 0; b < blocks[s]; b++) {
        last = factory.create(in, s, (s > 0 && b == 0) ? 2 : 1);
        first = first == null ? last : first;
        stage.add(last);
        in = outs[s];
      }
      if (pre && s > 0 && first instanceof PreActivationBlock p) {
        preReluOf(p.firstBatchNorm());
      }
      layer(tapNames().get(s), stage);
      if (pre && last instanceof PostActivationBlock p) {
        p.exposePreRelu();
        tap(0);
        preReluTap(1, List.of(p.lastBatchNorm()));
      } else {
        tap();
      }
    }
  }

  /**
   * Ends the chain: global average pool of the last output, then a linear layer with bias to the classes,
   * added as child {@code fc}.
   *
   * @throws IllegalStateException if called twice
   */
  protected final void classifier() {
    checkOpen();
    fc = addChildBlock("fc", Layers.linear(numClasses()));
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    List<NDArray> main = new ArrayList<>();
    List<NDArray> pre = new ArrayList<>();
    NDList out = new NDList();
    try {
      for (Link link : links) {
        NDList y = link.forward(ps, x, training);
        x = y.head();
        if (link.tapped()) {
          link.collect(y, main, pre);
        }
      }
      // A teacher run on MKLDNN tensors (MkldnnLayout) gets this far in that layout; libtorch's linear layer
      // cannot take it ('aten::addmm.out'), so the pooled features go back to dense. A no-op otherwise.
      out.add(Layers.run(fc, ps, MkldnnLayout.toDense(Pool.globalAvgPool2d(x)), training));
    } catch (ai.djl.nn.UninitializedParameterException e) {
      throw notInitialised(e);
    }
    out.addAll(main);
    out.addAll(pre);
    return out;
  }

  /** {@link #forwardInternal}'s graph: the links, then the global average pool and {@code fc}. */
  @Override
  public <T> List<T> trace(GraphOps<T> ops, List<T> inputs) {
    T x = inputs.get(0);
    List<T> main = new ArrayList<>();
    List<T> pre = new ArrayList<>();
    for (Link link : links) {
      List<T> y = link.trace(ops, x);
      x = y.get(0);
      if (link.tapped()) {
        link.collect(y, main, pre);
      }
    }
    List<T> out = new ArrayList<>();
    out.add(ModelGraph.run(fc, ops, ops.globalAvgPool2d(x)));
    out.addAll(main);
    out.addAll(pre);
    return out;
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalStateException if the taps the chain returns are not as many as {@link #tapNames()} and
   *     {@link #preReluTapNames()}
   */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Layers.checkInput(inputShapes[0], inputChannels(), architecture());
    Shape x = inputShapes[0];
    List<Shape> main = new ArrayList<>();
    List<Shape> pre = new ArrayList<>();
    for (Link link : links) {
      Shape[] y = link.outputShapes(x);
      x = y[0];
      if (link.tapped()) {
        link.collect(List.of(y), main, pre);
      }
    }
    if (main.size() != tapNames().size() || pre.size() != preReluTapNames().size()) {
      throw new IllegalStateException(architecture() + " returns " + main.size() + " taps for the "
          + tapNames().size() + " names " + tapNames() + " and " + pre.size() + " pre-ReLU taps for the "
          + preReluTapNames().size() + " names " + preReluTapNames());
    }
    List<Shape> out = new ArrayList<>();
    out.add(new Shape(x.get(0), numClasses()));
    out.addAll(main);
    out.addAll(pre);
    return out.toArray(new Shape[0]);
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Layers.checkInput(inputShapes[0], inputChannels(), architecture());
    Shape x = inputShapes[0];
    for (Link link : links) {
      x = link.initialize(manager, dataType, x);
    }
    Layers.init(fc, manager, dataType, new Shape(x.get(0), x.get(1)));
  }
}

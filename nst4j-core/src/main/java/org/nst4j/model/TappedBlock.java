package org.nst4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Any DJL block seen as a {@link TappedModel}, without subclassing: a student or a teacher wherever a zoo model
 * is one (distillation, {@code ModelStore}, export, {@code Classifier}).
 *
 * <p>Two ways to name the taps:
 *
 * <ul>
 *   <li>{@link #wrap}: the block is a {@link SequentialBlock}; a tap is the output of one of its children, named
 *       by DJL's child name ({@code 03LambdaBlock}: position and class, as {@code block.getChildren()} lists
 *       them), or a path {@code 02SequentialBlock/01Conv2d} into nested sequential blocks, optionally given a
 *       name of its own ({@code conv1=03LambdaBlock}). The wrapper runs the children one after the other, as
 *       {@code SequentialBlock} does, and keeps the tapped outputs: the same computation, parameters and
 *       parameter file as the block alone.
 *   <li>{@link #ofOutputs}: the block's own forward returns {@code [logits, map_1, ..., map_n]} (a user's block
 *       whose forward is not a chain of children); the maps are given names.
 * </ul>
 *
 * <p>The block's last output is the B×K logits; each tap must be a B×C×H×W map. Both are checked when the
 * wrapper is initialised ({@link IllegalArgumentException} naming the tap and its shape). The wrapped block's
 * initialisers are kept (no {@link SeededInit}); a wrapper has no pre-ReLU taps (OFD and ReviewKD need them
 * from the teacher only).
 *
 * <p>To save and reload a wrapped model by name (card, export, teachers), {@link ModelZoo#register} a factory
 * that rebuilds the same block and wraps it under the same architecture name.
 */
public final class TappedBlock extends TappedModel {
  private static final byte VERSION = 1;

  private final Block block;
  /** The tap tree of {@link #wrap} (null for {@link #ofOutputs}). */
  private final Node taps;

  /** One level of tap paths: which children of a sequential block are tapped or descended into. */
  private static final class Node {
    final Map<String, Node> children = new LinkedHashMap<>();
    /** Index of the tap this child's output is, or -1. */
    int tap = -1;
  }

  private TappedBlock(String architecture, Block block, List<String> tapNames, Node taps, int inputChannels,
      int numClasses) {
    super(VERSION, architecture, tapNames, inputChannels, numClasses);
    this.block = addChildBlock("block", block);
    this.taps = taps;
  }

  /**
   * Wraps a {@link SequentialBlock}, exposing the outputs of some of its children as taps.
   *
   * @param architecture the model's name ({@link #architecture()}; the name to {@link ModelZoo#register} to
   *     reload it), e.g. {@code my-cnn}
   * @param block the sequential block (initialised or not); its last output must be B×numClasses logits
   * @param inputChannels the image channels it takes, ≥ 1
   * @param numClasses the width of its logits, ≥ 1
   * @param taps one entry per tap, in tap order: a child's name ({@code 03LambdaBlock}), a path into nested
   *     sequential blocks ({@code 02SequentialBlock/03LambdaBlock}), or {@code name=path} to name it; the tap is
   *     named after the path unless a name is given
   * @return the wrapper, not initialised: call {@code initialize} (or let a trainer do it), which allocates
   *     nothing for a block already initialised
   * @throws IllegalArgumentException if the block is not a {@code SequentialBlock}, a path names no child
   *     (listing the children there), a path passes through a block that is not sequential, tap names repeat or
   *     contain {@code :}, no tap is given, or a count is below 1
   */
  public static TappedBlock wrap(String architecture, Block block, int inputChannels, int numClasses,
      String... taps) {
    checkCommon(architecture, block, inputChannels, numClasses, taps);
    if (!(block instanceof SequentialBlock)) {
      throw new IllegalArgumentException("TappedBlock.wrap reads the outputs of a SequentialBlock's children, and "
          + block.getClass().getSimpleName() + " is not one; return the maps from its forward as [logits, maps...]"
          + " and use TappedBlock.ofOutputs");
    }
    Node root = new Node();
    List<String> names = new ArrayList<>();
    for (String spec : taps) {
      String entry = spec == null ? "" : spec.trim();
      int eq = entry.indexOf('=');
      String path = eq < 0 ? entry : entry.substring(eq + 1).trim();
      String name = eq < 0 ? path : entry.substring(0, eq).trim();
      Node node = root;
      Block level = block;
      String[] parts = path.split("/", -1);
      for (int i = 0; i < parts.length; i++) {
        if (!(level instanceof SequentialBlock)) {
          throw new IllegalArgumentException("tap '" + spec + "': " + String.join("/", List.of(parts).subList(0, i))
              + " is a " + level.getClass().getSimpleName() + ", not a SequentialBlock whose children can be tapped");
        }
        Block child = level.getChildren().get(parts[i]);
        if (child == null) {
          throw new IllegalArgumentException("tap '" + spec + "': no child '" + parts[i] + "'"
              + (i == 0 ? "" : " in " + String.join("/", List.of(parts).subList(0, i))) + "; its children are "
              + level.getChildren().keys());
        }
        node = node.children.computeIfAbsent(parts[i], k -> new Node());
        level = child;
      }
      if (node.tap >= 0) {
        throw new IllegalArgumentException("tap '" + spec + "': the path " + path + " is tapped twice");
      }
      node.tap = names.size();
      names.add(name);
    }
    checkNames(names);
    return new TappedBlock(architecture, block, names, root, inputChannels, numClasses);
  }

  /**
   * Wraps a block whose forward returns {@code [logits, map_1, ..., map_n]}, naming the maps.
   *
   * @param architecture the model's name (see {@link #wrap})
   * @param block the block (initialised or not)
   * @param inputChannels the image channels it takes, ≥ 1
   * @param numClasses the width of its logits, ≥ 1
   * @param tapNames the names of the maps after the logits, in output order
   * @return the wrapper, not initialised (see {@link #wrap})
   * @throws IllegalArgumentException if names repeat, are blank or contain {@code :}, none is given, or a count
   *     is below 1; the number of maps is checked at initialisation
   */
  public static TappedBlock ofOutputs(String architecture, Block block, int inputChannels, int numClasses,
      String... tapNames) {
    checkCommon(architecture, block, inputChannels, numClasses, tapNames);
    List<String> names = new ArrayList<>();
    for (String n : tapNames) {
      names.add(n == null ? "" : n.trim());
    }
    checkNames(names);
    return new TappedBlock(architecture, block, names, null, inputChannels, numClasses);
  }

  private static void checkCommon(String architecture, Block block, int inputChannels, int numClasses,
      String[] taps) {
    if (architecture == null || architecture.isBlank()) {
      throw new IllegalArgumentException("the architecture name must not be blank");
    }
    if (block == null) {
      throw new IllegalArgumentException("the block must not be null");
    }
    ModelZoo.checkCounts(inputChannels, numClasses);
    if (taps == null || taps.length == 0) {
      throw new IllegalArgumentException("name at least one tap (distillation methods read feature maps)");
    }
  }

  private static void checkNames(List<String> names) {
    Set<String> seen = new HashSet<>();
    for (String n : names) {
      if (n.isEmpty() || n.contains(":") || n.equals("logits") || !seen.add(n)) {
        throw new IllegalArgumentException("tap names must be distinct, non-blank, not 'logits' and without ':',"
            + " got " + names);
      }
    }
  }

  /** The wrapped block. */
  public Block block() {
    return block;
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDList out;
    try {
      if (taps == null) {
        out = block.forward(ps, inputs, training, params);
        checkCount(out.size());
      } else {
        NDArray[] tapped = new NDArray[tapNames().size()];
        NDList logits = run((SequentialBlock) block, taps, inputs, tapped, ps, training, params);
        out = new NDList(logits.singletonOrThrow());
        out.addAll(List.of(tapped));
      }
    } catch (ai.djl.nn.UninitializedParameterException e) {
      throw notInitialised(e);
    }
    return out;
  }

  /** Runs a sequential block's children in order, descending into tapped paths and keeping tapped outputs. */
  private static NDList run(SequentialBlock seq, Node node, NDList x, NDArray[] tapped, ParameterStore ps,
      boolean training, PairList<String, Object> params) {
    NDList current = x;
    for (Pair<String, Block> child : seq.getChildren()) {
      Node n = node.children.get(child.getKey());
      if (n != null && !n.children.isEmpty()) {
        current = run((SequentialBlock) child.getValue(), n, current, tapped, ps, training, params);
      } else {
        current = child.getValue().forward(ps, current, training, params);
      }
      if (n != null && n.tap >= 0) {
        tapped[n.tap] = current.singletonOrThrow();
      }
    }
    return current;
  }

  private static Shape[] shapes(SequentialBlock seq, Node node, Shape[] x, Shape[] tapped) {
    Shape[] current = x;
    for (Pair<String, Block> child : seq.getChildren()) {
      Node n = node.children.get(child.getKey());
      current = n != null && !n.children.isEmpty()
          ? shapes((SequentialBlock) child.getValue(), n, current, tapped)
          : child.getValue().getOutputShapes(current);
      if (n != null && n.tap >= 0) {
        tapped[n.tap] = current[0];
      }
    }
    return current;
  }

  private void checkCount(int arrays) {
    if (arrays != tapNames().size() + 1) {
      throw new IllegalArgumentException(architecture() + ": the block returns " + arrays + " array"
          + (arrays == 1 ? "" : "s") + ", expected the logits and the " + tapNames().size() + " maps " + tapNames());
    }
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    if (taps == null) {
      Shape[] out = block.getOutputShapes(inputShapes);
      checkCount(out.length);
      return out;
    }
    Shape[] tapped = new Shape[tapNames().size()];
    Shape[] logits = shapes((SequentialBlock) block, taps, inputShapes, tapped);
    Shape[] out = new Shape[tapped.length + 1];
    out[0] = logits[0];
    System.arraycopy(tapped, 0, out, 1, tapped.length);
    return out;
  }

  /** Initialises the block, then checks the logits and tap shapes for this input. */
  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Layers.checkInput(inputShapes[0], inputChannels(), architecture());
    block.initialize(manager, dataType, inputShapes);
    Shape[] out = getOutputShapes(inputShapes);
    Shape logits = out[0];
    if (logits.dimension() != 2 || logits.get(1) != numClasses()) {
      throw new IllegalArgumentException(architecture() + ": the block's last output has shape " + logits
          + " for input " + inputShapes[0] + ", expected B×" + numClasses() + " logits");
    }
    for (int i = 1; i < out.length; i++) {
      if (out[i].dimension() != 4) {
        throw new IllegalArgumentException(architecture() + ": tap " + tapNames().get(i - 1) + " has shape "
            + out[i] + " for input " + inputShapes[0] + ", expected a B×C×H×W map");
      }
    }
  }
}

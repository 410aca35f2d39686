package org.nst4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Convolution;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.Pair;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

/**
 * The seeded initialisation of the FMNIST-10k protocol ("Init"), independent of libtorch's RNG.
 *
 * <ul>
 *   <li>convolution weights: Kaiming-normal, fan_out mode, ReLU gain: N(0, 2 / (out·kH·kW)) — as
 *       PyTorch's {@code kaiming_normal_(w, mode='fan_out', nonlinearity='relu')}, whose fan_out is
 *       {@code size(0)·kH·kW} (not divided by groups); convolution biases, if any, U(±1/√fan_in) like
 *       PyTorch's default;
 *   <li>BatchNorm: γ = 1, β = 0, running mean 0, running variance 1;
 *   <li>linear weight and bias: U(−1/√fan_in, 1/√fan_in), fan_in = the weight's input width.
 * </ul>
 *
 * <p>Every parameter draws from its own {@link java.util.Random} seeded with {@link #parameterSeed(long,
 * String)} of the model seed and the parameter's path in the block tree (the name DJL's {@code
 * getParameters()} gives it). {@code java.util.Random} is used on purpose: its generator and its Gaussian
 * (polar method on {@code StrictMath}) are fixed by the Java specification, so a seed gives bit-identical
 * weights on every JVM and every machine, and the values do not depend on the order in which parameters are
 * initialised.
 *
 * <p>Arrays are created with {@code manager.create(float[], shape)}; only FLOAT32 is supported.
 */
public final class SeededInit {

  private SeededInit() {}

  /**
   * Sets seeded initialisers on every parameter of a block tree: on the parameters of each {@link
   * Convolution}, {@link Linear} and {@link BatchNorm} found by walking the children. Call before {@code
   * block.initialize(...)}.
   *
   * @param root the block (e.g. a whole model, or an auxiliary regressor)
   * @param seed the model seed
   * @throws IllegalArgumentException if the tree holds a parameter of a block kind this class does not
   *     know (it would silently keep DJL's default initialiser otherwise)
   */
  public static void apply(Block root, long seed) {
    Set<String> seen = new HashSet<>();
    walk(root, "", seed, seen);
  }

  private static void walk(Block block, String prefix, long seed, Set<String> seen) {
    if (block instanceof Convolution || block instanceof Linear) {
      Parameter weight = null;
      for (Pair<String, Parameter> p : block.getDirectParameters()) {
        if (p.getValue().getType() == Parameter.Type.WEIGHT) {
          weight = p.getValue();
        }
      }
      if (weight == null) {
        throw new IllegalArgumentException("block " + prefix + " has no weight parameter");
      }
      for (Pair<String, Parameter> p : block.getDirectParameters()) {
        Parameter param = p.getValue();
        long s = parameterSeed(seed, unique(prefix + p.getKey(), seen));
        boolean isConv = block instanceof Convolution;
        switch (param.getType()) {
          case WEIGHT:
            param.setInitializer(isConv ? new KaimingNormalFanOut(s) : new UniformFanIn(s, weight));
            break;
          case BIAS:
            param.setInitializer(new UniformFanIn(s, weight));
            break;
          default:
            throw new IllegalArgumentException(
                "unexpected parameter " + prefix + p.getKey() + " of type " + param.getType());
        }
      }
      return;
    }
    if (block instanceof BatchNorm) {
      for (Pair<String, Parameter> p : block.getDirectParameters()) {
        Parameter param = p.getValue();
        switch (param.getType()) {
          case GAMMA:
          case RUNNING_VAR:
            param.setInitializer(Initializer.ONES);
            break;
          case BETA:
          case RUNNING_MEAN:
            param.setInitializer(Initializer.ZEROS);
            break;
          default:
            throw new IllegalArgumentException(
                "unexpected parameter " + prefix + p.getKey() + " of type " + param.getType());
        }
      }
      return;
    }
    if (!block.getDirectParameters().isEmpty()) {
      throw new IllegalArgumentException(
          "block " + prefix + " (" + block.getClass().getSimpleName()
              + ") has parameters SeededInit does not know how to initialise");
    }
    for (Pair<String, Block> child : block.getChildren()) {
      walk(child.getValue(), prefix + child.getKey() + "_", seed, seen);
    }
  }

  private static String unique(String name, Set<String> seen) {
    if (!seen.add(name)) {
      // Two parameters with the same path would get the same stream of numbers.
      throw new IllegalArgumentException("duplicate parameter path " + name);
    }
    return name;
  }

  /**
   * The seed of one parameter's generator: the model seed mixed with a 64-bit FNV-1a hash of the
   * parameter's path through the SplitMix64 finaliser, so that neighbouring seeds and similar names give
   * unrelated streams.
   *
   * @param seed the model seed
   * @param path the parameter's path, e.g. {@code 03stage1_01BasicBlock_01conv1_weight}
   * @return the derived seed
   */
  public static long parameterSeed(long seed, String path) {
    long h = 0xcbf29ce484222325L;
    for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return mix(mix(seed) ^ h);
  }

  private static long mix(long z) {
    z += 0x9e3779b97f4a7c15L;
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  private static void checkFloat(DataType dataType) {
    if (dataType != DataType.FLOAT32) {
      throw new IllegalArgumentException("seeded initialisation supports FLOAT32 only, got " + dataType);
    }
  }

  /** N(0, 2 / fan_out), fan_out = shape[0]·(product of the kernel dimensions). */
  static final class KaimingNormalFanOut implements Initializer {
    private final long seed;

    KaimingNormalFanOut(long seed) {
      this.seed = seed;
    }

    @Override
    public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
      checkFloat(dataType);
      if (shape.dimension() < 2) {
        throw new IllegalArgumentException("Kaiming init needs a weight of rank >= 2, got " + shape);
      }
      long fanOut = shape.get(0);
      for (int i = 2; i < shape.dimension(); i++) {
        fanOut *= shape.get(i);
      }
      double std = Math.sqrt(2.0 / fanOut);
      Random random = new Random(seed);
      float[] values = new float[Math.toIntExact(shape.size())];
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) (std * random.nextGaussian());
      }
      return manager.create(values, shape);
    }
  }

  /**
   * U(−1/√fan_in, 1/√fan_in) where fan_in is read from the owning layer's weight (shape[1]·kernel size),
   * so that the same initialiser serves a weight and its bias. The weight's shape is known when this runs:
   * DJL sets every parameter's shape in {@code prepare} before initialising any of them.
   */
  static final class UniformFanIn implements Initializer {
    private final long seed;
    private final Parameter weight;

    UniformFanIn(long seed, Parameter weight) {
      this.seed = seed;
      this.weight = weight;
    }

    @Override
    public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
      checkFloat(dataType);
      Shape w = weight.getShape();
      if (w == null || w.dimension() < 2) {
        throw new IllegalStateException("weight shape unknown when initialising " + shape);
      }
      long fanIn = w.get(1);
      for (int i = 2; i < w.dimension(); i++) {
        fanIn *= w.get(i);
      }
      double bound = 1.0 / Math.sqrt(fanIn);
      Random random = new Random(seed);
      float[] values = new float[Math.toIntExact(shape.size())];
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) ((2.0 * random.nextDouble() - 1.0) * bound);
      }
      return manager.create(values, shape);
    }
  }
}

package org.nst4j.model;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Creates zoo models by name.
 *
 * <p>Names (case-insensitive, canonical form lower case):
 *
 * <ul>
 *   <li>{@code resnetN}, N = 6n + 2 (n = 1..{@value #MAX_BLOCKS}): CIFAR-style {@link ResNet}, e.g. resnet8,
 *       resnet14, resnet20, resnet32, resnet56, resnet110;
 *   <li>{@code wrn-D-K}, D = 6n + 4 (n = 1..{@value #MAX_BLOCKS}), K = 1..{@value #MAX_WIDEN}: {@link
 *       WideResNet}, e.g. wrn-16-2, wrn-40-2;
 *   <li>{@code preact-resnet-D}, D = 9n + 2 (n = 1..{@value #MAX_BLOCKS}): CIFAR pre-activation bottleneck
 *       {@link PreActResNet}, e.g. preact-resnet-164, preact-resnet-1001 (the paper's CIFAR teacher);
 *   <li>{@code imagenet-resnetD}, D = 18, 34, 50, 101, 152: torchvision-layout {@link ImageNetResNet}s for
 *       224×224 images (not {@code resnetD}: those names are the CIFAR family's, and 50 = 6·8 + 2 is one);
 *   <li>{@code inception-bn}: BN-Inception for 224×224 images, the paper's ImageNet student; {@code
 *       inception-bn-cifar}: the same blocks with a stride-1 stem for 32×32 images (see {@link InceptionBn});
 *   <li>{@code cnn-small}: {@link SmallCnn}.
 * </ul>
 */
public final class ModelZoo {
  /** Largest number of blocks per stage accepted in a name (resnet1202 has 200). */
  public static final int MAX_BLOCKS = 200;

  /** Largest WRN widening factor accepted in a name. */
  public static final int MAX_WIDEN = 16;

  private static final Pattern RESNET = Pattern.compile("resnet(\\d{1,4})");
  private static final Pattern WRN = Pattern.compile("wrn-(\\d{1,4})-(\\d{1,2})");
  private static final Pattern PREACT = Pattern.compile("preact-resnet-(\\d{1,4})");
  private static final Pattern IMAGENET_RESNET = Pattern.compile("imagenet-resnet(\\d{1,3})");

  private static final List<String> ARCHITECTURES =
      List.of(
          "resnet8",
          "resnet14",
          "resnet20",
          "resnet32",
          "resnet56",
          "resnet110",
          "resnetN (N = 6n+2, 1 <= n <= " + MAX_BLOCKS + ")",
          "wrn-D-K (D = 6n+4, 1 <= n <= " + MAX_BLOCKS + ", 1 <= K <= " + MAX_WIDEN
              + "; e.g. wrn-16-2, wrn-40-2)",
          "preact-resnet-D (D = 9n+2, 1 <= n <= " + MAX_BLOCKS + "; e.g. preact-resnet-164, preact-resnet-1001)",
          "imagenet-resnet18", "imagenet-resnet34", "imagenet-resnet50", "imagenet-resnet101", "imagenet-resnet152",
          "inception-bn",
          "inception-bn-cifar",
          "cnn-small");

  private static final List<String> EXAMPLES =
      List.of(
          "resnet8", "resnet14", "resnet20", "resnet32", "resnet56", "resnet110", "wrn-16-1", "wrn-16-2",
          "wrn-40-2", "preact-resnet-164", "preact-resnet-1001", "imagenet-resnet18", "imagenet-resnet34",
          "imagenet-resnet50", "imagenet-resnet101", "imagenet-resnet152", "inception-bn", "inception-bn-cifar",
          "cnn-small");

  private ModelZoo() {}

  /**
   * Creates an uninitialised model whose parameters carry the protocol's seeded initialisers ({@link
   * SeededInit}). The caller then initialises it, e.g. {@code model.initialize(manager, DataType.FLOAT32,
   * new Shape(1, C, H, W))}; the same arch and seed always give bit-identical weights.
   *
   * @param arch an architecture name (see the class comment)
   * @param inputChannels image channels, ≥ 1
   * @param numClasses classes, ≥ 1
   * @param seed the initialisation seed
   * @return the model
   * @throws IllegalArgumentException for an unknown name, listing the known ones, or a non-positive count
   */
  public static TappedModel create(String arch, int inputChannels, int numClasses, long seed) {
    TappedModel model = build(arch, inputChannels, numClasses);
    SeededInit.apply(model, seed);
    return model;
  }

  private static TappedModel build(String arch, int inputChannels, int numClasses) {
    String name = arch == null ? "" : arch.trim().toLowerCase(Locale.ROOT);
    Matcher m = RESNET.matcher(name);
    if (m.matches()) {
      int depth = Integer.parseInt(m.group(1));
      if (depth >= 8 && (depth - 2) % 6 == 0 && (depth - 2) / 6 <= MAX_BLOCKS) {
        return new ResNet(depth, inputChannels, numClasses);
      }
    }
    m = WRN.matcher(name);
    if (m.matches()) {
      int depth = Integer.parseInt(m.group(1));
      int widen = Integer.parseInt(m.group(2));
      if (depth >= 10 && (depth - 4) % 6 == 0 && (depth - 4) / 6 <= MAX_BLOCKS
          && widen >= 1 && widen <= MAX_WIDEN) {
        return new WideResNet(depth, widen, inputChannels, numClasses);
      }
    }
    m = PREACT.matcher(name);
    if (m.matches()) {
      int depth = Integer.parseInt(m.group(1));
      if (depth >= 11 && (depth - 2) % 9 == 0 && (depth - 2) / 9 <= MAX_BLOCKS) {
        return new PreActResNet(depth, inputChannels, numClasses);
      }
    }
    m = IMAGENET_RESNET.matcher(name);
    if (m.matches() && ImageNetResNet.isDepth(Integer.parseInt(m.group(1)))) {
      return new ImageNetResNet(Integer.parseInt(m.group(1)), inputChannels, numClasses);
    }
    if (name.equals("inception-bn") || name.equals("inception-bn-cifar")) {
      return new InceptionBn(name.endsWith("-cifar"), inputChannels, numClasses);
    }
    if (name.equals("cnn-small")) {
      return new SmallCnn(inputChannels, numClasses);
    }
    throw new IllegalArgumentException(
        "unknown architecture '" + arch + "'; known: " + String.join(", ", ARCHITECTURES));
  }

  /** Whether {@link #create} accepts this name. */
  public static boolean isKnown(String arch) {
    try {
      build(arch, 1, 1);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** The known architectures, with the patterns described (for help texts and error messages). */
  public static List<String> architectures() {
    return ARCHITECTURES;
  }

  /** Concrete names covering every family, each accepted by {@link #create} (for listings and tests). */
  public static List<String> examples() {
    return EXAMPLES;
  }

  static void checkCounts(int inputChannels, int numClasses) {
    if (inputChannels < 1) {
      throw new IllegalArgumentException("input channels must be >= 1, got " + inputChannels);
    }
    if (numClasses < 1) {
      throw new IllegalArgumentException("number of classes must be >= 1, got " + numClasses);
    }
  }
}

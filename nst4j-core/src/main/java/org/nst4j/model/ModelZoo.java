package org.nst4j.model;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
 *   <li>{@code cnn-small}: {@link SmallCnn};
 *   <li>any name given to {@link #register} for a custom model (e.g. a {@link TappedBlock}).
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

  /** Custom architectures by canonical (trimmed, lower-case) name; see {@link #register}. */
  private static final Map<String, TappedModelFactory> CUSTOM = new ConcurrentHashMap<>();

  private ModelZoo() {}

  /**
   * Registers a custom architecture, so that {@link #create} builds it by name: what {@code ModelStore.load},
   * {@code ModelExport}, {@code Classifier} and teachers use to rebuild a saved model from the architecture
   * its card names. Registration lasts for the JVM; register again under the same name to replace the factory.
   * The zoo's own names cannot be taken.
   *
   * @param name the architecture name, e.g. {@code my-cnn} (case-insensitive, at most 100 characters of
   *     letters, digits and {@code - _ . +}); the factory's models must report it as {@link
   *     TappedModel#architecture()}
   * @param factory builds the model from (channels, classes, seed)
   * @throws IllegalArgumentException if the name is malformed or is a zoo architecture
   * @throws NullPointerException if the factory is null
   */
  public static void register(String name, TappedModelFactory factory) {
    java.util.Objects.requireNonNull(factory, "factory");
    String key = canonical(name);
    if (!CUSTOM_NAME.matcher(key).matches()) {
      throw new IllegalArgumentException("a custom architecture name must be 1 to 100 letters, digits or '-_.+',"
          + " got '" + name + "'");
    }
    if (buildZoo(key, 1, 1) != null) {
      throw new IllegalArgumentException("'" + name + "' is a zoo architecture; register a custom model under"
          + " another name");
    }
    CUSTOM.put(key, factory);
  }

  /**
   * Removes a custom architecture registered with {@link #register} (nothing if it is not registered).
   *
   * @param name the name it was registered under
   */
  public static void unregister(String name) {
    CUSTOM.remove(canonical(name));
  }

  /** The names registered with {@link #register}, sorted. */
  public static List<String> registered() {
    return CUSTOM.keySet().stream().sorted().toList();
  }

  private static final Pattern CUSTOM_NAME = Pattern.compile("[a-z0-9._+-]{1,100}");

  private static String canonical(String arch) {
    return arch == null ? "" : arch.trim().toLowerCase(Locale.ROOT);
  }

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
   * <p>A name registered with {@link #register} is built by its factory, which owns the initialisation (no
   * {@link SeededInit} is applied to it).
   *
   * @throws IllegalArgumentException for an unknown name, listing the known ones and how to register a custom
   *     one, or a non-positive count; or if a registered factory returns a model of another name or counts
   */
  public static TappedModel create(String arch, int inputChannels, int numClasses, long seed) {
    TappedModel zoo = buildZoo(canonical(arch), inputChannels, numClasses);
    if (zoo != null) {
      SeededInit.apply(zoo, seed);
      return zoo;
    }
    TappedModelFactory factory = CUSTOM.get(canonical(arch));
    if (factory == null) {
      throw new IllegalArgumentException("unknown architecture '" + arch + "'; known: " + String.join(", ",
          ARCHITECTURES) + (CUSTOM.isEmpty() ? "" : "; registered: " + String.join(", ", registered())));
    }
    checkCounts(inputChannels, numClasses);
    TappedModel model = factory.create(inputChannels, numClasses, seed);
    if (model == null || !canonical(model.architecture()).equals(canonical(arch))
        || model.inputChannels() != inputChannels || model.numClasses() != numClasses) {
      throw new IllegalArgumentException("the factory registered for '" + canonical(arch) + "' returned "
          + (model == null ? "null" : model.architecture() + " (" + model.inputChannels() + " channels, "
              + model.numClasses() + " classes)") + " for " + inputChannels + " channels and " + numClasses
          + " classes; it must return a model of that name and those counts");
    }
    return model;
  }

  /** The zoo model of a canonical name, or null if the name is not the zoo's. */
  private static TappedModel buildZoo(String name, int inputChannels, int numClasses) {
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
    return null;
  }

  /** Whether {@link #create} accepts this name: a zoo name or one {@link #register}ed. */
  public static boolean isKnown(String arch) {
    return buildZoo(canonical(arch), 1, 1) != null || CUSTOM.containsKey(canonical(arch));
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

package org.nst4j.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Finds and loads a data set given by name or by path.
 *
 * <p>Names (case-insensitive):
 *
 * <ul>
 *   <li>{@code fashion-mnist} (also {@code fmnist}) and {@code mnist}: the four IDX files {@code
 *       train-images-idx3-ubyte[.gz]}, {@code train-labels-idx1-ubyte[.gz]}, {@code
 *       t10k-images-idx3-ubyte[.gz]}, {@code t10k-labels-idx1-ubyte[.gz]}, looked for in the data directory
 *       (its subfolder named like the data set first, then itself), then likewise in {@code $NST4J_DATA},
 *       then in {@code /usr/share/datasets/<name>} (Debian's {@code dataset-fashion-mnist} installs there).
 *   <li>{@code cifar10} (also {@code cifar-10}) and {@code cifar100} (also {@code cifar-100}): the binary
 *       version, in {@code cifar-10-batches-bin} resp. {@code cifar-100-binary} under the data directory or
 *       {@code $NST4J_DATA}, or directly in one of them.
 *   <li>{@code sample} (also {@code fashion-mnist-sample}): the Fashion-MNIST sample embedded in the jar,
 *       3,000 training images (the first 300 of each class) and 1,000 test images (the first 100 of each
 *       class), so that everything runs without a download.
 * </ul>
 *
 * <p>Anything else that contains '/' or names an existing folder is a path and is inspected: IDX files
 * mean IDX; {@code data_batch_1.bin} means CIFAR-10; {@code train.bin} with {@code test.bin} means
 * CIFAR-100; class folders or train/ and test/ (or val/) folders mean an ImageFolder tree (see {@link
 * ImageFolderReader#readSplits}). A path to a file inspects the folder holding it. IDX folders whose name
 * contains "fashion" get the Fashion-MNIST class names and normalisation, those whose name contains "mnist"
 * the MNIST ones; other IDX folders and ImageFolder trees get numbered or folder-named classes and a
 * normalisation computed from their training images.
 */
public final class DataSources {
  /** Fashion-MNIST. */
  public static final String FASHION_MNIST = "fashion-mnist";

  /** MNIST. */
  public static final String MNIST = "mnist";

  /** CIFAR-10, binary version. */
  public static final String CIFAR10 = "cifar10";

  /** CIFAR-100, binary version. */
  public static final String CIFAR100 = "cifar100";

  /** The embedded Fashion-MNIST sample. */
  public static final String SAMPLE = "sample";

  /** Name of the embedded sample's {@link DataSplits}. */
  public static final String SAMPLE_NAME = "fashion-mnist-sample";

  /** Environment variable naming a folder of data sets. */
  public static final String ENV_VAR = "NST4J_DATA";

  /** Class-path folder of the embedded sample. */
  public static final String SAMPLE_RESOURCE = "/org/nst4j/data/fashion-mnist-sample/";

  /** The Fashion-MNIST class names, by label. */
  public static final List<String> FASHION_MNIST_CLASSES =
      List.of(
          "T-shirt/top",
          "Trouser",
          "Pullover",
          "Dress",
          "Coat",
          "Sandal",
          "Shirt",
          "Sneaker",
          "Bag",
          "Ankle boot");

  /** The MNIST class names (the digits). */
  public static final List<String> MNIST_CLASSES = ImageDataset.numberedClasses(10);

  /** The IDX file names of training images, training labels, test images, test labels (without .gz). */
  public static final List<String> IDX_FILES =
      List.of(
          "train-images-idx3-ubyte",
          "train-labels-idx1-ubyte",
          "t10k-images-idx3-ubyte",
          "t10k-labels-idx1-ubyte");

  private static final Path SYSTEM_DATASETS = Path.of("/usr/share/datasets");

  private static final Map<String, String> ALIASES = new LinkedHashMap<>();

  static {
    ALIASES.put(FASHION_MNIST, FASHION_MNIST);
    ALIASES.put("fmnist", FASHION_MNIST);
    ALIASES.put("fashion_mnist", FASHION_MNIST);
    ALIASES.put(MNIST, MNIST);
    ALIASES.put(CIFAR10, CIFAR10);
    ALIASES.put("cifar-10", CIFAR10);
    ALIASES.put(CIFAR100, CIFAR100);
    ALIASES.put("cifar-100", CIFAR100);
    ALIASES.put(SAMPLE, SAMPLE);
    ALIASES.put(SAMPLE_NAME, SAMPLE);
  }

  private DataSources() {}

  /** The known data-set names (without aliases). */
  public static List<String> knownNames() {
    return List.of(FASHION_MNIST, MNIST, CIFAR10, CIFAR100, SAMPLE);
  }

  /**
   * The canonical name of a known data set given its name or an alias, case and surrounding blanks ignored
   * (e.g. {@code fashion-mnist} for {@code FMNIST}); null for anything else.
   */
  public static String canonicalName(String name) {
    return name == null ? null : ALIASES.get(name.strip().toLowerCase(Locale.ROOT));
  }

  /**
   * Whether {@link #resolve} can take this: a known name or alias, or a path (it contains a file separator
   * or names an existing folder). Whether the data is actually there is checked when it is loaded.
   */
  public static boolean isNameOrPath(String nameOrPath) {
    return canonicalName(nameOrPath) != null || looksLikePath(nameOrPath);
  }

  private static boolean looksLikePath(String s) {
    return s.contains("/") || s.contains(java.io.File.separator) || Files.isDirectory(Path.of(s));
  }

  /**
   * Resolves and loads a data set.
   *
   * @param nameOrPath a known name (see the class comment) or a path to a data-set folder
   * @param dataDir a folder to look in first for named data sets, or null
   * @return the splits with their normalisation
   * @throws IllegalArgumentException if {@code nameOrPath} is neither a known name nor a path
   * @throws DataFormatException if the data set cannot be found (the message says where it looked and how
   *     to install it) or its files are corrupt
   */
  public static DataSplits resolve(String nameOrPath, Path dataDir) {
    return resolve(nameOrPath, dataDir, ReadOptions.defaults());
  }

  /**
   * {@link #resolve(String, Path)} with read options.
   *
   * @param options the pixel limits (image folders, checked on the headers before decoding) and whether an
   *     IDX folder's labels may skip classes
   */
  public static DataSplits resolve(String nameOrPath, Path dataDir, ReadOptions options) {
    String env = System.getenv(ENV_VAR);
    Path envDir = env == null || env.isBlank() ? null : Path.of(env);
    return resolve(nameOrPath, dataDir, envDir, SYSTEM_DATASETS, options);
  }

  /** {@link #resolve(String, Path)} with the environment folder and the system folder given (for tests). */
  static DataSplits resolve(String nameOrPath, Path dataDir, Path envDir, Path systemDir) {
    return resolve(nameOrPath, dataDir, envDir, systemDir, ReadOptions.defaults());
  }

  private static DataSplits resolve(String nameOrPath, Path dataDir, Path envDir, Path systemDir,
      ReadOptions options) {
    if (nameOrPath == null || nameOrPath.isBlank()) {
      throw new IllegalArgumentException("no data set given; known names: " + String.join(", ", knownNames()));
    }
    String key = canonicalName(nameOrPath);
    if (key != null) {
      switch (key) {
        case SAMPLE:
          return sample();
        case FASHION_MNIST:
        case MNIST:
          return findIdx(key, dataDir, envDir, systemDir);
        case CIFAR10:
        case CIFAR100:
          return findCifar(key, dataDir, envDir);
        default:
          throw new AssertionError(key);
      }
    }
    boolean looksLikePath = nameOrPath.contains("/") || nameOrPath.contains(java.io.File.separator);
    Path path = Path.of(nameOrPath);
    if (looksLikePath || Files.isDirectory(path)) {
      return inspect(path, options);
    }
    throw new IllegalArgumentException(
        "unknown data set '"
            + nameOrPath
            + "'; known names: "
            + String.join(", ", knownNames())
            + " (or give the path of a data-set folder)");
  }

  /**
   * Loads the embedded Fashion-MNIST sample (see {@link SampleWriter}) from the class path, named {@value
   * #SAMPLE_NAME}, with the Fashion-MNIST normalisation.
   *
   * @return the sample's splits
   * @throws DataFormatException if the sample is missing from the class path or corrupt
   */
  public static DataSplits sample() {
    // Loaded once: the data sets are immutable, so every caller can share them. Not a holder class, so
    // that a failure surfaces as DataFormatException rather than ExceptionInInitializerError.
    DataSplits s = sample;
    if (s == null) {
      synchronized (DataSources.class) {
        s = sample;
        if (s == null) {
          s = loadSample();
          sample = s;
        }
      }
    }
    return s;
  }

  private static volatile DataSplits sample;

  private static DataSplits loadSample() {
    ImageDataset train = sampleSplit(0, SAMPLE_NAME + " train");
    ImageDataset test = sampleSplit(2, SAMPLE_NAME + " test");
    return new DataSplits(SAMPLE_NAME, train, test, Normalization.FASHION_MNIST);
  }

  private static ImageDataset sampleSplit(int first, String name) {
    String imagesName = SAMPLE_RESOURCE + IDX_FILES.get(first) + ".gz";
    String labelsName = SAMPLE_RESOURCE + IDX_FILES.get(first + 1) + ".gz";
    try (InputStream images = DataSources.class.getResourceAsStream(imagesName);
        InputStream labels = DataSources.class.getResourceAsStream(labelsName)) {
      if (images == null || labels == null) {
        throw new DataFormatException(
            "classpath:" + (images == null ? imagesName : labelsName)
                + ": embedded sample missing from the class path (incomplete build?)");
      }
      return IdxReader.read(
          images, "classpath:" + imagesName, labels, "classpath:" + labelsName, name, FASHION_MNIST_CLASSES);
    } catch (IOException e) {
      throw new DataFormatException("classpath:" + imagesName + ": cannot be read (" + e.getMessage() + ")", e);
    }
  }

  /**
   * Reads a folder holding the four IDX files (each plain or gzipped).
   *
   * @param dir the folder
   * @param name the name of the splits
   * @param classNames class names, or null for numbered classes
   * @param normalization the normalisation, or null to compute it from the training images
   * @return the splits, named {@code name}, with data sets "{@code name} train" and "{@code name} test"
   * @throws DataFormatException if a file is missing or bad
   */
  public static DataSplits readIdxFolder(
      Path dir, String name, List<String> classNames, Normalization normalization) {
    return readIdxFolder(dir, name, classNames, normalization, false);
  }

  /**
   * {@link #readIdxFolder(Path, String, List, Normalization)}, refusing numbered classes without a training
   * image unless allowed.
   *
   * @param allowEmptyClasses accept labels that skip classes
   * @throws DataFormatException if {@code classNames} is null (classes counted from the labels) and some
   *     class below the largest label has no training image, unless allowed
   */
  public static DataSplits readIdxFolder(
      Path dir, String name, List<String> classNames, Normalization normalization, boolean allowEmptyClasses) {
    Path[] files = new Path[4];
    for (int i = 0; i < 4; i++) {
      files[i] = idxFile(dir, IDX_FILES.get(i));
      if (files[i] == null) {
        throw new DataFormatException(dir.resolve(IDX_FILES.get(i)) + "[.gz]: no such file");
      }
    }
    ImageDataset train = IdxReader.read(files[0], files[1], name + " train", classNames);
    ImageDataset test = IdxReader.read(files[2], files[3], name + " test", classNames);
    if (classNames == null && train.numClasses() != test.numClasses()) {
      // Numbered classes come from the largest label; make both splits agree on the larger count.
      List<String> classes = ImageDataset.numberedClasses(Math.max(train.numClasses(), test.numClasses()));
      train = IdxReader.read(files[0], files[1], name + " train", classes);
      test = IdxReader.read(files[2], files[3], name + " test", classes);
    }
    if (classNames == null && !allowEmptyClasses) {
      checkNoGaps(train, files[1]);
    }
    Normalization norm = normalization != null ? normalization : Normalization.compute(train);
    return new DataSplits(name, train, test, norm);
  }

  /**
   * Refuses numbered classes without a training image: their count is the largest label plus one, so labels
   * that skip classes are almost always a damaged file (one label byte of 42 in a 10-class set: 43 classes).
   */
  private static void checkNoGaps(ImageDataset train, Path labels) {
    int[] counts = train.classCounts();
    List<Integer> empty = new ArrayList<>();
    for (int c = 0; c < counts.length; c++) {
      if (counts[c] == 0) {
        empty.add(c);
      }
    }
    if (empty.isEmpty()) {
      return;
    }
    String list = empty.size() <= 8 ? empty.toString().replaceAll("[\\[\\]]", "")
        : empty.subList(0, 8).toString().replaceAll("[\\[\\]]", "") + ", ... (" + empty.size() + " in all)";
    throw new DataFormatException(labels + ": " + empty.size() + " of " + counts.length + " classes have no"
        + " training image: " + list + " (the largest label, " + (counts.length - 1) + ", sets the number of"
        + " classes; a damaged label file? --allow-empty-classes reads it anyway)");
  }

  /** The IDX file {@code base} in {@code dir}, plain preferred over gzipped, or null if neither exists. */
  private static Path idxFile(Path dir, String base) {
    Path plain = dir.resolve(base);
    if (Files.isRegularFile(plain)) {
      return plain;
    }
    Path gz = dir.resolve(base + ".gz");
    return Files.isRegularFile(gz) ? gz : null;
  }

  /** How many of the four IDX files {@code dir} holds. */
  private static int idxFileCount(Path dir) {
    int n = 0;
    for (String base : IDX_FILES) {
      n += idxFile(dir, base) != null ? 1 : 0;
    }
    return n;
  }

  private static List<Path> candidates(String subfolder, Path dataDir, Path envDir) {
    List<Path> dirs = new ArrayList<>();
    for (Path base : new Path[] {dataDir, envDir}) {
      if (base != null) {
        dirs.add(base.resolve(subfolder));
        dirs.add(base);
      }
    }
    return dirs;
  }

  private static DataSplits findIdx(String key, Path dataDir, Path envDir, Path systemDir) {
    List<Path> dirs = candidates(key, dataDir, envDir);
    dirs.add(systemDir.resolve(key));
    List<String> looked = new ArrayList<>();
    for (Path dir : dirs) {
      int count = idxFileCount(dir);
      if (count == 4) {
        boolean fashion = key.equals(FASHION_MNIST);
        return readIdxFolder(
            dir,
            key,
            fashion ? FASHION_MNIST_CLASSES : MNIST_CLASSES,
            fashion ? Normalization.FASHION_MNIST : Normalization.MNIST);
      }
      looked.add(dir + (count > 0 ? " (incomplete: " + count + " of 4 files)" : ""));
    }
    String install =
        key.equals(FASHION_MNIST)
            ? "install it with `apt-get install dataset-fashion-mnist`, or put the four files in a folder"
                + " and pass it as data directory or in $" + ENV_VAR + " (or use the embedded 'sample')"
            : "download the four MNIST files into a folder named mnist under $" + ENV_VAR
                + " or the data directory";
    throw new DataFormatException(
        key
            + " not found: looked for "
            + String.join("[.gz], ", IDX_FILES)
            + "[.gz] in "
            + String.join(", ", looked)
            + "; "
            + install);
  }

  private static DataSplits findCifar(String key, Path dataDir, Path envDir) {
    boolean ten = key.equals(CIFAR10);
    String folder = ten ? "cifar-10-batches-bin" : "cifar-100-binary";
    String marker = ten ? "data_batch_1.bin" : "train.bin";
    List<String> looked = new ArrayList<>();
    for (Path dir : candidates(folder, dataDir, envDir)) {
      if (Files.isRegularFile(dir.resolve(marker))) {
        return ten ? CifarReader.readCifar10(dir) : CifarReader.readCifar100(dir);
      }
      looked.add(dir.toString());
    }
    String where = looked.isEmpty() ? "nowhere: no data directory given and $" + ENV_VAR + " is not set"
        : String.join(", ", looked);
    throw new DataFormatException(
        key
            + " not found: looked for "
            + folder
            + "/"
            + marker
            + " in "
            + where
            + "; download the "
            + (ten ? "CIFAR-10" : "CIFAR-100")
            + " binary version ("
            + (ten ? "cifar-10-binary.tar.gz" : "cifar-100-binary.tar.gz")
            + ") and extract it into the data directory or $"
            + ENV_VAR);
  }

  /** Inspects a path and reads whatever data set it holds. */
  private static DataSplits inspect(Path path, ReadOptions options) {
    if (!Files.exists(path)) {
      throw new DataFormatException(path + ": no such file or folder");
    }
    Path dir = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
    Path abs = dir.toAbsolutePath().normalize();
    String folderName = abs.getFileName() == null ? abs.toString() : abs.getFileName().toString();
    int idx = idxFileCount(dir);
    if (idx == 4) {
      String lower = folderName.toLowerCase(Locale.ROOT);
      if (lower.contains("fashion")) {
        return readIdxFolder(dir, folderName, FASHION_MNIST_CLASSES, Normalization.FASHION_MNIST);
      } else if (lower.contains("mnist")) {
        return readIdxFolder(dir, folderName, MNIST_CLASSES, Normalization.MNIST);
      }
      return readIdxFolder(dir, folderName, null, null, options.allowEmptyClasses());
    }
    if (idx > 0) {
      List<String> missing = new ArrayList<>();
      for (String base : IDX_FILES) {
        if (idxFile(dir, base) == null) {
          missing.add(base + "[.gz]");
        }
      }
      throw new DataFormatException(dir + ": incomplete IDX data set, missing " + String.join(", ", missing));
    }
    if (Files.isRegularFile(dir.resolve("data_batch_1.bin"))) {
      return CifarReader.readCifar10(dir);
    }
    if (Files.isRegularFile(dir.resolve("train.bin")) && Files.isRegularFile(dir.resolve("test.bin"))) {
      return CifarReader.readCifar100(dir);
    }
    if (ImageFolderReader.isSplitRoot(dir) || ImageFolderReader.hasSubfolders(dir)) {
      return ImageFolderReader.readSplits(dir, 0, 0, 0, options);
    }
    throw new DataFormatException(
        dir
            + ": not a recognised data-set folder: expected the IDX files "
            + String.join("[.gz], ", IDX_FILES)
            + "[.gz], CIFAR binaries (data_batch_1.bin … or train.bin and test.bin), or class folders"
            + " (optionally under train/ and test/)");
  }
}

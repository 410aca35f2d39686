package org.nst4j.cli;

import java.nio.file.Path;
import org.nst4j.data.DataSources;
import org.nst4j.data.DataSplits;
import picocli.CommandLine.Option;

/** Options choosing the data set. */
final class DataOptions {
  @Option(names = "--data", required = true, paramLabel = "NAME|PATH",
      description = "Data set: fashion-mnist, mnist, cifar10, cifar100, sample (embedded Fashion-MNIST slice), "
          + "or a folder (IDX files, CIFAR binary, or ImageFolder).")
  String data;

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "Where named data sets are looked for first (then $NST4J_DATA, then /usr/share/datasets).")
  Path dataDir;

  @Option(names = "--per-class", paramLabel = "N",
      description = "Keep only the first N training images of each class, in file order.")
  Integer perClass;

  @Option(names = "--allow-empty-classes",
      description = "Train even if some numbered classes (an IDX folder's labels) have no training image"
          + " (refused by default: labels that skip classes are usually a damaged file).")
  boolean allowEmptyClasses;

  @Option(names = "--max-image-pixels", paramLabel = "N",
      description = "Largest image (width × height) an image folder may hold, checked before decoding"
          + " (default 67108864, an 8192×8192 image).")
  Long maxImagePixels;

  @Option(names = "--max-total-pixels", paramLabel = "N",
      description = "Pixels an image folder may hold in all, checked on the headers before decoding (default:"
          + " what the Java heap holds at 8 bytes a pixel; NST4J_HEAP sets the heap).")
  Long maxTotalPixels;

  /** The data folder when --data names one (null for a named data set). */
  Path folder() {
    Path p = Path.of(data);
    return java.nio.file.Files.isDirectory(p) ? p : null;
  }

  /** Loads the data set, checking --per-class. */
  DataSplits load() {
    if (perClass != null && perClass < 1) {
      throw new IllegalArgumentException("--per-class must be ≥ 1, got " + perClass);
    }
    if (dataDir != null && !java.nio.file.Files.isDirectory(dataDir)) {
      throw new IllegalArgumentException("--data-dir " + dataDir + ": no such folder");
    }
    org.nst4j.data.ReadOptions limits = new org.nst4j.data.ReadOptions(
        maxImagePixels == null ? org.nst4j.data.ReadOptions.DEFAULT_MAX_IMAGE_PIXELS : maxImagePixels,
        maxTotalPixels == null ? org.nst4j.data.ReadOptions.defaultTotal() : maxTotalPixels, allowEmptyClasses);
    return DataSources.resolve(data, dataDir, limits);
  }
}

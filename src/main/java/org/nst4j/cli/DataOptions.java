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
      description = "Train even if some classes have no training image (refused by default: a label file whose"
          + " labels skip classes is usually damaged).")
  boolean allowEmptyClasses;

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
    return DataSources.resolve(data, dataDir);
  }
}

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

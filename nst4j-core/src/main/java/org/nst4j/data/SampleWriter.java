package org.nst4j.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Generates the embedded Fashion-MNIST sample from the full data set.
 *
 * <p>Takes the first {@value #TRAIN_PER_CLASS} images of each class of the training file (3,000 images)
 * and the first {@value #TEST_PER_CLASS} of each class of the test file (1,000 images), in file order, and
 * writes them as gzipped IDX files with the original names into the output folder. Run from the
 * repository root after {@code mvn compile}:
 *
 * <pre>
 *   java -cp nst4j-core/target/classes org.nst4j.data.SampleWriter \
 *       [/usr/share/datasets/fashion-mnist [nst4j-core/src/main/resources/org/nst4j/data/fashion-mnist-sample]]
 * </pre>
 *
 * <p>The output is deterministic (gzip without time stamp), so regenerating reproduces the committed
 * files; {@code SampleWriterTest} checks their content against the full data set when it is installed.
 */
public final class SampleWriter {
  /** Training images kept per class. */
  public static final int TRAIN_PER_CLASS = 300;

  /** Test images kept per class. */
  public static final int TEST_PER_CLASS = 100;

  /** Where Debian's dataset-fashion-mnist installs the full data set. */
  public static final Path DEFAULT_SOURCE = Path.of("/usr/share/datasets/fashion-mnist");

  /** The sample's folder in the source tree, relative to the repository root. */
  public static final Path DEFAULT_TARGET = Path.of("nst4j-core/src/main/resources/org/nst4j/data/fashion-mnist-sample");

  private SampleWriter() {}

  /**
   * Writes the sample.
   *
   * @param source a folder holding the four Fashion-MNIST IDX files
   * @param target the folder to write the four gzipped sample files into (created if needed)
   * @param trainPerClass training images per class, ≥ 1
   * @param testPerClass test images per class, ≥ 1
   * @return the sample as written
   * @throws DataFormatException if the source files are bad
   * @throws UncheckedIOException if the target cannot be written
   */
  public static DataSplits write(Path source, Path target, int trainPerClass, int testPerClass) {
    DataSplits full =
        DataSources.readIdxFolder(
            source, DataSources.FASHION_MNIST, DataSources.FASHION_MNIST_CLASSES, Normalization.FASHION_MNIST);
    ImageDataset train = full.train().firstPerClass(trainPerClass);
    ImageDataset test = full.test().firstPerClass(testPerClass);
    try {
      Files.createDirectories(target);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + target, e);
    }
    IdxWriter.writeImages(target.resolve(DataSources.IDX_FILES.get(0) + ".gz"), train);
    IdxWriter.writeLabels(target.resolve(DataSources.IDX_FILES.get(1) + ".gz"), train);
    IdxWriter.writeImages(target.resolve(DataSources.IDX_FILES.get(2) + ".gz"), test);
    IdxWriter.writeLabels(target.resolve(DataSources.IDX_FILES.get(3) + ".gz"), test);
    return new DataSplits(DataSources.SAMPLE_NAME, train, test, Normalization.FASHION_MNIST);
  }

  /**
   * Command-line entry point.
   *
   * @param args optional source folder and optional target folder
   */
  public static void main(String[] args) {
    if (args.length > 2) {
      System.err.println("usage: SampleWriter [source-folder [target-folder]]");
      System.exit(2);
    }
    Path source = args.length > 0 ? Path.of(args[0]) : DEFAULT_SOURCE;
    Path target = args.length > 1 ? Path.of(args[1]) : DEFAULT_TARGET;
    try {
      DataSplits s = write(source, target, TRAIN_PER_CLASS, TEST_PER_CLASS);
      System.out.println("wrote " + s.train().size() + " training and " + s.test().size()
          + " test images to " + target);
    } catch (DataFormatException | UncheckedIOException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(2);
    }
  }
}

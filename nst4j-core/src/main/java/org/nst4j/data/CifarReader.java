package org.nst4j.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads the binary versions of CIFAR-10 and CIFAR-100.
 *
 * <p>A CIFAR-10 file is a sequence of 3,073-byte records: one label byte, then 3 × 32 × 32 pixel bytes
 * (the red plane, the green plane, the blue plane, each row-major) — already the channel-major layout of
 * {@link ImageDataset}. A CIFAR-100 record has two label bytes, coarse then fine; nst4j uses the fine
 * label (100 classes), as is customary for CIFAR-100 benchmarks.
 *
 * <p>Layouts on disk (as the archives extract): {@code cifar-10-batches-bin/data_batch_1.bin ..
 * data_batch_5.bin, test_batch.bin, batches.meta.txt} and {@code cifar-100-binary/train.bin, test.bin,
 * fine_label_names.txt}.
 */
public final class CifarReader {
  /** The two CIFAR binary formats. */
  public enum Variant {
    /** CIFAR-10: one label byte per record, 10 classes. */
    CIFAR10("CIFAR-10", 1, 0, 10, "batches.meta.txt"),
    /** CIFAR-100: coarse and fine label bytes per record; the fine one (100 classes) is used. */
    CIFAR100("CIFAR-100", 2, 1, 100, "fine_label_names.txt");

    private final String displayName;
    private final int labelBytes;
    private final int labelIndex;
    private final int numClasses;
    private final String classNamesFile;

    Variant(String displayName, int labelBytes, int labelIndex, int numClasses, String classNamesFile) {
      this.displayName = displayName;
      this.labelBytes = labelBytes;
      this.labelIndex = labelIndex;
      this.numClasses = numClasses;
      this.classNamesFile = classNamesFile;
    }

    /** Bytes per record: the label bytes and 3 × 32 × 32 pixels. */
    public int recordSize() {
      return labelBytes + IMAGE_BYTES;
    }

    /** Number of classes of the label that is used. */
    public int numClasses() {
      return numClasses;
    }

    /** The file, beside the batches, that lists the class names one per line. */
    public String classNamesFile() {
      return classNamesFile;
    }
  }

  /** Channels × height × width of a CIFAR image. */
  public static final int CHANNELS = 3;

  /** Image side in pixels. */
  public static final int SIDE = 32;

  private static final int IMAGE_BYTES = CHANNELS * SIDE * SIDE;

  private CifarReader() {}

  /**
   * Reads and concatenates CIFAR binary files.
   *
   * @param files the files, read in this order
   * @param variant the format
   * @param name the name of the resulting data set
   * @param classNames one name per class ({@code variant.numClasses()} of them), or null for numbered
   *     classes
   * @return the data set, 3 × 32 × 32 images in file order
   * @throws DataFormatException if a file is missing, empty, not a whole number of records, or holds a
   *     label out of range
   */
  public static ImageDataset read(
      List<Path> files, Variant variant, String name, List<String> classNames) {
    Objects.requireNonNull(variant, "variant");
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no CIFAR files given");
    }
    List<String> classes =
        classNames != null ? classNames : ImageDataset.numberedClasses(variant.numClasses);
    if (classes.size() != variant.numClasses) {
      throw new IllegalArgumentException(
          variant.displayName + " has " + variant.numClasses + " classes, " + classes.size() + " names given");
    }
    List<byte[]> contents = new ArrayList<>();
    long records = 0;
    for (Path file : files) {
      byte[] bytes = readAll(file);
      int record = variant.recordSize();
      if (bytes.length == 0) {
        throw new DataFormatException(file + ": empty file");
      }
      if (bytes.length % record != 0) {
        throw new DataFormatException(
            file
                + ": "
                + bytes.length
                + " bytes are not a whole number of "
                + record
                + "-byte "
                + variant.displayName
                + " records ("
                + bytes.length / record
                + " records and "
                + bytes.length % record
                + " bytes left over; file truncated or not "
                + variant.displayName
                + "?)");
      }
      contents.add(bytes);
      records += bytes.length / record;
    }
    if (records * IMAGE_BYTES > Integer.MAX_VALUE - 16) {
      throw new DataFormatException(files.get(0) + ": too many images to hold in memory (" + records + ")");
    }
    int n = (int) records;
    byte[] pixels = new byte[n * IMAGE_BYTES];
    int[] labels = new int[n];
    int i = 0;
    for (int f = 0; f < contents.size(); f++) {
      byte[] bytes = contents.get(f);
      int record = variant.recordSize();
      for (int off = 0; off < bytes.length; off += record, i++) {
        int label = bytes[off + variant.labelIndex] & 0xFF;
        if (label >= variant.numClasses) {
          throw new DataFormatException(
              files.get(f)
                  + ": label "
                  + label
                  + " of record "
                  + off / record
                  + " is outside [0, "
                  + variant.numClasses
                  + ") of "
                  + variant.displayName
                  + (variant == Variant.CIFAR10 ? " (is this a CIFAR-100 file?)" : ""));
        }
        if (variant == Variant.CIFAR100 && (bytes[off] & 0xFF) >= 20) {
          throw new DataFormatException(
              files.get(f) + ": coarse label " + (bytes[off] & 0xFF) + " of record " + off / record
                  + " is outside [0, 20) of CIFAR-100 (is this a CIFAR-10 file?)");
        }
        labels[i] = label;
        System.arraycopy(bytes, off + variant.labelBytes, pixels, i * IMAGE_BYTES, IMAGE_BYTES);
      }
    }
    return ImageDataset.of(name, pixels, labels, CHANNELS, SIDE, SIDE, classes);
  }

  /**
   * Reads CIFAR-10 from its folder: data_batch_1..5.bin as training set, test_batch.bin as test set, class
   * names from batches.meta.txt if present, with the customary CIFAR-10 normalisation.
   *
   * @param dir the folder (usually cifar-10-batches-bin)
   * @return the splits, named "cifar10"
   * @throws DataFormatException if a file is missing or corrupt
   */
  public static DataSplits readCifar10(Path dir) {
    List<Path> train = new ArrayList<>();
    for (int b = 1; b <= 5; b++) {
      train.add(dir.resolve("data_batch_" + b + ".bin"));
    }
    List<String> classes = classNames(dir, Variant.CIFAR10);
    return new DataSplits(
        "cifar10",
        read(train, Variant.CIFAR10, "cifar10 train", classes),
        read(List.of(dir.resolve("test_batch.bin")), Variant.CIFAR10, "cifar10 test", classes),
        Normalization.CIFAR10);
  }

  /**
   * Reads CIFAR-100 from its folder: train.bin and test.bin, fine labels, class names from
   * fine_label_names.txt if present, with the customary CIFAR-100 normalisation.
   *
   * @param dir the folder (usually cifar-100-binary)
   * @return the splits, named "cifar100"
   * @throws DataFormatException if a file is missing or corrupt
   */
  public static DataSplits readCifar100(Path dir) {
    List<String> classes = classNames(dir, Variant.CIFAR100);
    return new DataSplits(
        "cifar100",
        read(List.of(dir.resolve("train.bin")), Variant.CIFAR100, "cifar100 train", classes),
        read(List.of(dir.resolve("test.bin")), Variant.CIFAR100, "cifar100 test", classes),
        Normalization.CIFAR100);
  }

  /**
   * Reads the class names that ship beside the batches ({@link Variant#classNamesFile()}: one per line,
   * blank lines ignored), or numbers the classes if that file is absent.
   *
   * @param dir the folder of the batches
   * @param variant the format
   * @return {@code variant.numClasses()} names
   * @throws DataFormatException if the file exists but lists another number of names
   */
  public static List<String> classNames(Path dir, Variant variant) {
    Path file = dir.resolve(variant.classNamesFile);
    if (!Files.isRegularFile(file)) {
      return ImageDataset.numberedClasses(variant.numClasses);
    }
    String text = new String(readAll(file), StandardCharsets.UTF_8);
    List<String> names = new ArrayList<>();
    for (String line : text.split("\r?\n")) {
      if (!line.isBlank()) {
        names.add(line.strip());
      }
    }
    if (names.size() != variant.numClasses) {
      throw new DataFormatException(
          file + ": lists " + names.size() + " class names, " + variant.displayName + " has "
              + variant.numClasses);
    }
    return names;
  }

  private static byte[] readAll(Path file) {
    if (Files.isDirectory(file)) {
      throw new DataFormatException(file + ": is a folder, expected a file");
    }
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new DataFormatException(file + ": no such file");
    } catch (IOException | OutOfMemoryError e) {
      throw new DataFormatException(file + ": cannot be read (" + e.getMessage() + ")", e);
    }
  }
}

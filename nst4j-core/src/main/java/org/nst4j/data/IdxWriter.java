package org.nst4j.data;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * Writes single-channel data sets as IDX files (the inverse of {@link IdxReader}), gzipped when the file
 * name ends in {@code .gz}.
 *
 * <p>Java's gzip writer puts no time stamp in the header, so writing the same data twice gives the same
 * bytes: the embedded sample can be regenerated and compared byte for byte.
 */
public final class IdxWriter {
  private IdxWriter() {}

  /**
   * Writes the images of {@code ds} as an IDX3 file (magic 0x00000803, N × H × W unsigned bytes).
   *
   * @param file the file to write; gzipped if its name ends in ".gz"
   * @param ds a single-channel data set
   * @throws IllegalArgumentException if {@code ds} has more than one channel
   * @throws UncheckedIOException if the file cannot be written
   */
  public static void writeImages(Path file, ImageDataset ds) {
    if (ds.channels() != 1) {
      throw new IllegalArgumentException(
          "IDX3 holds single-channel images, " + ds.name() + " has " + ds.channels() + " channels");
    }
    try (DataOutputStream out = open(file)) {
      out.writeInt(IdxReader.IMAGES_MAGIC);
      out.writeInt(ds.size());
      out.writeInt(ds.height());
      out.writeInt(ds.width());
      out.write(ds.pixelArray());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /**
   * Writes the labels of {@code ds} as an IDX1 file (magic 0x00000801, N unsigned bytes).
   *
   * @param file the file to write; gzipped if its name ends in ".gz"
   * @param ds a data set with fewer than 257 classes
   * @throws IllegalArgumentException if a label does not fit in a byte
   * @throws UncheckedIOException if the file cannot be written
   */
  public static void writeLabels(Path file, ImageDataset ds) {
    if (ds.numClasses() > 256) {
      throw new IllegalArgumentException(
          "IDX labels are bytes, " + ds.name() + " has " + ds.numClasses() + " classes");
    }
    try (DataOutputStream out = open(file)) {
      out.writeInt(IdxReader.LABELS_MAGIC);
      out.writeInt(ds.size());
      int[] labels = ds.labelArray();
      byte[] bytes = new byte[labels.length];
      for (int i = 0; i < labels.length; i++) {
        bytes[i] = (byte) labels[i];
      }
      out.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static DataOutputStream open(Path file) throws IOException {
    OutputStream raw = Files.newOutputStream(file);
    try {
      OutputStream out =
          file.getFileName().toString().endsWith(".gz")
              ? new GZIPOutputStream(raw, 1 << 16)
              : new BufferedOutputStream(raw, 1 << 16);
      return new DataOutputStream(out);
    } catch (IOException e) {
      raw.close();
      throw e;
    }
  }
}

package org.nst4j.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** Helpers shared by the data tests: the embedded sample as files, gzip, small synthetic data sets. */
final class TestFiles {
  /** The real Fashion-MNIST installation, used only by tests guarded with an assumption. */
  static final Path FULL_FMNIST = Path.of("/usr/share/datasets/fashion-mnist");

  private TestFiles() {}

  /** True if the full Fashion-MNIST files are installed. */
  static boolean fullFmnistInstalled() {
    for (String base : DataSources.IDX_FILES) {
      if (!Files.isRegularFile(FULL_FMNIST.resolve(base + ".gz"))
          && !Files.isRegularFile(FULL_FMNIST.resolve(base))) {
        return false;
      }
    }
    return true;
  }

  /** The raw (gzipped) bytes of one embedded sample file, e.g. "train-images-idx3-ubyte". */
  static byte[] sampleBytes(String base) {
    try (InputStream in = TestFiles.class.getResourceAsStream(DataSources.SAMPLE_RESOURCE + base + ".gz")) {
      if (in == null) {
        throw new IllegalStateException("sample file " + base + " missing from class path");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Copies the four gzipped sample files into {@code dir} (created if needed); returns {@code dir}. */
  static Path copySample(Path dir) throws IOException {
    Files.createDirectories(dir);
    for (String base : DataSources.IDX_FILES) {
      Files.write(dir.resolve(base + ".gz"), sampleBytes(base));
    }
    return dir;
  }

  /** Copies the four sample files into {@code dir}, decompressed, without .gz; returns {@code dir}. */
  static Path copySamplePlain(Path dir) throws IOException {
    Files.createDirectories(dir);
    for (String base : DataSources.IDX_FILES) {
      Files.write(dir.resolve(base), gunzip(sampleBytes(base)));
    }
    return dir;
  }

  static byte[] gunzip(byte[] gz) {
    try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] gzip(byte[] plain) {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bos)) {
      out.write(plain);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bos.toByteArray();
  }

  /** An IDX images file (plain) of n images of h×w with the given pixels. */
  static byte[] idxImages(int n, int h, int w, byte[] pixels) {
    ByteBuffer b = ByteBuffer.allocate(16 + pixels.length);
    b.putInt(IdxReader.IMAGES_MAGIC).putInt(n).putInt(h).putInt(w).put(pixels);
    return b.array();
  }

  /** An IDX labels file (plain). */
  static byte[] idxLabels(int... labels) {
    ByteBuffer b = ByteBuffer.allocate(8 + labels.length);
    b.putInt(IdxReader.LABELS_MAGIC).putInt(labels.length);
    for (int l : labels) {
      b.put((byte) l);
    }
    return b.array();
  }

  /**
   * A data set of n 1×h×w images whose pixels are (i·31 + y·w + x) mod 256 and whose labels are i mod k.
   */
  static ImageDataset synthetic(int n, int c, int h, int w, int k) {
    byte[] px = new byte[n * c * h * w];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % k;
      for (int j = 0; j < c * h * w; j++) {
        px[i * c * h * w + j] = (byte) (i * 31 + j);
      }
    }
    return ImageDataset.of("synthetic", px, labels, c, h, w, ImageDataset.numberedClasses(k));
  }

  static void write(Path file, byte[] bytes) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A CIFAR binary file of n records; record r has fine label (r·3) mod classes, coarse label r mod 20
   * (CIFAR-100 only) and pixels (r + j) mod 256 for pixel byte j.
   */
  static byte[] cifar(int n, CifarReader.Variant v, int firstRecord) {
    int rec = v.recordSize();
    byte[] b = new byte[n * rec];
    for (int i = 0; i < n; i++) {
      int r = firstRecord + i;
      int off = i * rec;
      if (v == CifarReader.Variant.CIFAR100) {
        b[off++] = (byte) (r % 20);
      }
      b[off++] = (byte) ((r * 3) % v.numClasses());
      for (int j = 0; j < 3072; j++) {
        b[off + j] = (byte) (r + j);
      }
    }
    return b;
  }

  /** Writes a CIFAR-10 folder of 5 training batches of {@code perBatch} records and a test batch. */
  static Path cifar10Dir(Path dir, int perBatch, int test) {
    for (int b = 1; b <= 5; b++) {
      write(dir.resolve("data_batch_" + b + ".bin"), cifar(perBatch, CifarReader.Variant.CIFAR10, (b - 1) * perBatch));
    }
    write(dir.resolve("test_batch.bin"), cifar(test, CifarReader.Variant.CIFAR10, 1000));
    return dir;
  }

  /** Writes a CIFAR-100 folder (train.bin, test.bin). */
  static Path cifar100Dir(Path dir, int train, int test) {
    write(dir.resolve("train.bin"), cifar(train, CifarReader.Variant.CIFAR100, 0));
    write(dir.resolve("test.bin"), cifar(test, CifarReader.Variant.CIFAR100, 1000));
    return dir;
  }

  /** Writes a w×h gray PNG whose pixel (x, y) is (value + x + y) mod 256. */
  static void grayPng(Path file, int w, int h, int value) {
    java.awt.image.BufferedImage img =
        new java.awt.image.BufferedImage(w, h, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.getRaster().setSample(x, y, 0, (value + x + y) & 0xFF);
      }
    }
    image(file, img, "png");
  }

  /** Writes an RGB image (png or jpg by format) whose pixel (x, y) is (r, g+x, b+y). */
  static void rgbImage(Path file, int w, int h, int r, int g, int b, String format) {
    java.awt.image.BufferedImage img =
        new java.awt.image.BufferedImage(w, h, java.awt.image.BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, (r << 16) | (((g + x) & 0xFF) << 8) | ((b + y) & 0xFF));
      }
    }
    image(file, img, format);
  }

  static void image(Path file, java.awt.image.BufferedImage img, String format) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      if (!javax.imageio.ImageIO.write(img, format, file.toFile())) {
        throw new IllegalStateException("no writer for " + format);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<String> classes(int k) {
    return ImageDataset.numberedClasses(k);
  }

  /**
   * Writes a PNG that is only a signature and an IHDR chunk declaring {@code w}×{@code h} 8-bit gray pixels
   * (57 bytes on disk, whatever the dimensions): what a reader must refuse from the header alone.
   */
  static void pngHeaderOnly(Path file, int w, int h) {
    java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(17);
    ihdr.put("IHDR".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(w).putInt(h)
        .put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(ihdr.array());
    java.nio.ByteBuffer png = java.nio.ByteBuffer.allocate(8 + 4 + 17 + 4 + 12);
    png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A}).putInt(13).put(ihdr.array())
        .putInt((int) crc.getValue());
    // IEND
    java.util.zip.CRC32 end = new java.util.zip.CRC32();
    end.update("IEND".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    png.putInt(0).put("IEND".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt((int) end.getValue());
    write(file, png.array());
  }
}

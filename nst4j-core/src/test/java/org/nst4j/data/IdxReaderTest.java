package org.nst4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
  @TempDir Path tmp;

  private static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
  private static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
  private static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
  private static final String TEST_LABELS = "t10k-labels-idx1-ubyte";

  private ImageDataset readSample(Path dir, String images, String labels) {
    return IdxReader.read(dir.resolve(images), dir.resolve(labels), "s", DataSources.FASHION_MNIST_CLASSES);
  }

  /** Reads and expects a DataFormatException whose single-line message names {@code named}. */
  private static String fails(Path images, Path labels, Path named, List<String> classes) {
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> IdxReader.read(images, labels, "x", classes));
    assertTrue(e.getMessage().startsWith(named.toString() + ": "), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    return e.getMessage();
  }

  @Test
  void readsEmbeddedSampleTrainFiles() throws Exception {
    Path dir = TestFiles.copySample(tmp.resolve("s"));
    ImageDataset train = readSample(dir, TRAIN_IMAGES + ".gz", TRAIN_LABELS + ".gz");
    assertEquals(3000, train.size());
    assertEquals(1, train.channels());
    assertEquals(28, train.height());
    assertEquals(28, train.width());
    assertEquals(DataSources.FASHION_MNIST_CLASSES, train.classNames());
    int[] expected = new int[10];
    Arrays.fill(expected, 300);
    assertArrayEquals(expected, train.classCounts());
    int min = 255;
    int max = 0;
    long sum = 0;
    for (int i = 0; i < train.size(); i++) {
      for (int y = 0; y < 28; y++) {
        for (int x = 0; x < 28; x++) {
          int v = train.pixel(i, 0, y, x);
          min = Math.min(min, v);
          max = Math.max(max, v);
          sum += v;
        }
      }
    }
    assertEquals(0, min);
    assertEquals(255, max);
    // Fashion-MNIST's mean pixel is 0.286·255 ≈ 73; a 3,000-image stratified sample is close to it.
    double mean = sum / (3000.0 * 784);
    assertTrue(mean > 60 && mean < 85, "mean pixel " + mean);
    // The first label of the Fashion-MNIST training file is 9 (ankle boot), the second 0 (T-shirt/top).
    assertEquals(9, train.label(0));
    assertEquals(0, train.label(1));
    // Border pixels of Fashion-MNIST images are background: the corner of image 0 is 0.
    assertEquals(0, train.pixel(0, 0, 0, 0));
  }

  @Test
  void readsEmbeddedSampleTestFiles() throws Exception {
    Path dir = TestFiles.copySample(tmp.resolve("s"));
    ImageDataset test = readSample(dir, TEST_IMAGES + ".gz", TEST_LABELS + ".gz");
    assertEquals(1000, test.size());
    int[] expected = new int[10];
    Arrays.fill(expected, 100);
    assertArrayEquals(expected, test.classCounts());
    // The first label of the Fashion-MNIST test file is 9, then 2, 1, 1.
    assertEquals(List.of(9, 2, 1, 1), List.of(test.label(0), test.label(1), test.label(2), test.label(3)));
  }

  @Test
  void plainAndGzippedGiveTheSameData() throws Exception {
    Path gz = TestFiles.copySample(tmp.resolve("gz"));
    Path plain = TestFiles.copySamplePlain(tmp.resolve("plain"));
    ImageDataset a = readSample(gz, TEST_IMAGES + ".gz", TEST_LABELS + ".gz");
    ImageDataset b = readSample(plain, TEST_IMAGES, TEST_LABELS);
    assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size(); i += 37) {
      assertEquals(a.label(i), b.label(i));
      for (int y = 0; y < 28; y++) {
        for (int x = 0; x < 28; x++) {
          assertEquals(a.pixel(i, 0, y, x), b.pixel(i, 0, y, x));
        }
      }
    }
  }

  @Test
  void compressionIsDetectedByMagicNotByName() throws Exception {
    Path src = TestFiles.copySample(tmp.resolve("s"));
    // gzipped content without .gz, plain content with .gz
    Files.copy(src.resolve(TEST_IMAGES + ".gz"), tmp.resolve("images.plain"));
    Files.write(tmp.resolve("labels.gz"), TestFiles.gunzip(Files.readAllBytes(src.resolve(TEST_LABELS + ".gz"))));
    ImageDataset ds = IdxReader.read(tmp.resolve("images.plain"), tmp.resolve("labels.gz"), "m", null);
    assertEquals(1000, ds.size());
    assertEquals(10, ds.numClasses(), "numbered classes from the largest label");
    assertEquals("9", ds.classNames().get(9));
  }

  @Test
  void readsFromStreams() {
    byte[] images = TestFiles.sampleBytes(TEST_IMAGES);
    byte[] labels = TestFiles.gunzip(TestFiles.sampleBytes(TEST_LABELS));
    ImageDataset ds =
        IdxReader.read(
            new ByteArrayInputStream(images), "img", new ByteArrayInputStream(labels), "lab", "st", null);
    assertEquals(1000, ds.size());
    assertEquals("st", ds.name());
  }

  @Test
  void smallHandMadeFileIsReadExactly() {
    byte[] px = {0, 1, 2, 3, 4, 5, (byte) 250, (byte) 251, (byte) 252, (byte) 253, (byte) 254, (byte) 255};
    Path img = tmp.resolve("i");
    Path lab = tmp.resolve("l");
    TestFiles.write(img, TestFiles.idxImages(2, 2, 3, px));
    TestFiles.write(lab, TestFiles.idxLabels(1, 0));
    ImageDataset ds = IdxReader.read(img, lab, "h", List.of("a", "b"));
    assertEquals(2, ds.size());
    assertEquals(2, ds.height());
    assertEquals(3, ds.width());
    assertEquals(5, ds.pixel(0, 0, 1, 2));
    assertEquals(250, ds.pixel(1, 0, 0, 0));
    assertEquals(255, ds.pixel(1, 0, 1, 2));
    assertEquals(1, ds.label(0));
    assertEquals(0, ds.label(1));
  }

  // ---- corrupted copies ----

  private Path[] plainSampleTest() throws Exception {
    Path dir = TestFiles.copySamplePlain(tmp.resolve("p"));
    return new Path[] {dir.resolve(TEST_IMAGES), dir.resolve(TEST_LABELS)};
  }

  @Test
  void truncatedPlainImagesAreReported() throws Exception {
    Path[] f = plainSampleTest();
    byte[] bytes = Files.readAllBytes(f[0]);
    Files.write(f[0], Arrays.copyOf(bytes, 16 + 512));
    String msg = fails(f[0], f[1], f[0], DataSources.FASHION_MNIST_CLASSES);
    assertEquals(
        f[0] + ": truncated: header declares 1000 images of 28×28 (784000 bytes) but only 512 follow", msg);
  }

  @Test
  void truncatedGzipIsReported() throws Exception {
    Path dir = TestFiles.copySample(tmp.resolve("g"));
    Path img = dir.resolve(TEST_IMAGES + ".gz");
    byte[] bytes = Files.readAllBytes(img);
    Files.write(img, Arrays.copyOf(bytes, bytes.length / 2));
    String msg = fails(img, dir.resolve(TEST_LABELS + ".gz"), img, null);
    assertTrue(msg.contains("gzip stream ends unexpectedly") && msg.contains("truncated"), msg);
  }

  @Test
  void gzipOfTruncatedContentIsReportedAsTruncated() throws Exception {
    Path[] f = plainSampleTest();
    byte[] bytes = Files.readAllBytes(f[0]);
    Path gz = tmp.resolve("cut.gz");
    Files.write(gz, TestFiles.gzip(Arrays.copyOf(bytes, 16 + 784 * 3)));
    String msg = fails(gz, f[1], gz, null);
    assertTrue(msg.endsWith("truncated: header declares 1000 images of 28×28 (784000 bytes) but only 2352 follow"), msg);
  }

  @Test
  void trailingGarbageIsReportedPlainAndGzipped() throws Exception {
    Path[] f = plainSampleTest();
    byte[] bytes = Files.readAllBytes(f[0]);
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 100);
    Files.write(f[0], longer);
    String msg = fails(f[0], f[1], f[0], null);
    assertTrue(msg.contains("trailing garbage") && msg.contains("but 100 more bytes follow"), msg);

    Path gz = tmp.resolve("long.gz");
    Files.write(gz, TestFiles.gzip(longer));
    msg = fails(gz, f[1], gz, null);
    assertTrue(msg.contains("trailing garbage") && msg.contains("100 more bytes"), msg);

    byte[] labels = Files.readAllBytes(f[1]);
    Files.write(f[1], Arrays.copyOf(labels, labels.length + 1));
    Files.write(f[0], bytes);
    msg = fails(f[0], f[1], f[1], null);
    assertTrue(msg.contains("header declares 1000 labels (1000 bytes) but 1 more bytes follow"), msg);
  }

  @Test
  void corruptGzipDataIsReported() throws Exception {
    Path dir = TestFiles.copySample(tmp.resolve("g"));
    Path img = dir.resolve(TEST_IMAGES + ".gz");
    byte[] bytes = Files.readAllBytes(img);
    for (int i = 100; i < 400; i++) {
      bytes[i] = (byte) (bytes[i] ^ 0x5A);
    }
    Files.write(img, bytes);
    String msg = fails(img, dir.resolve(TEST_LABELS + ".gz"), img, null);
    assertTrue(msg.contains("gzip"), msg);
  }

  @Test
  void corruptGzipTrailerIsReported() throws Exception {
    Path dir = TestFiles.copySample(tmp.resolve("g"));
    Path lab = dir.resolve(TEST_LABELS + ".gz");
    byte[] bytes = Files.readAllBytes(lab);
    bytes[bytes.length - 6] ^= 1; // inside the CRC-32 of the trailer
    Files.write(lab, bytes);
    String msg = fails(dir.resolve(TEST_IMAGES + ".gz"), lab, lab, null);
    assertTrue(msg.contains("corrupt gzip data"), msg);
  }

  @Test
  void emptyFilesAreReported() throws Exception {
    Path[] f = plainSampleTest();
    Path empty = tmp.resolve("empty");
    Files.write(empty, new byte[0]);
    assertEquals(empty + ": empty file", fails(empty, f[1], empty, null));
    Path emptyGz = tmp.resolve("empty.gz");
    Files.write(emptyGz, TestFiles.gzip(new byte[0]));
    assertEquals(emptyGz + ": empty after decompression", fails(emptyGz, f[1], emptyGz, null));
  }

  @Test
  void zeroImagesAreReported() {
    Path img = tmp.resolve("i");
    Path lab = tmp.resolve("l");
    TestFiles.write(img, TestFiles.idxImages(0, 28, 28, new byte[0]));
    TestFiles.write(lab, TestFiles.idxLabels());
    assertTrue(fails(img, lab, img, null).contains("declares 0 images"));
    TestFiles.write(img, TestFiles.idxImages(1, 0, 28, new byte[0]));
    assertTrue(fails(img, lab, img, null).contains("images of 0×28 pixels"));
  }

  @Test
  void wrongMagicNumbersAreReported() throws Exception {
    Path[] f = plainSampleTest();
    // labels passed as images and vice versa
    String msg = fails(f[1], f[0], f[1], null);
    assertTrue(msg.contains("declares 1 dimension, expected 3") && msg.contains("is this a labels file?"), msg);

    byte[] bytes = Files.readAllBytes(f[0]);
    bytes[0] = 0x12;
    Path notIdx = tmp.resolve("notidx");
    Files.write(notIdx, bytes);
    msg = fails(notIdx, f[1], notIdx, null);
    assertTrue(msg.contains("not an IDX file: magic number 0x12000803, expected 0x00000803"), msg);

    bytes = Files.readAllBytes(f[0]);
    bytes[2] = 0x0D;
    Path floats = tmp.resolve("floats");
    Files.write(floats, bytes);
    msg = fails(floats, f[1], floats, null);
    assertTrue(msg.contains("element type 0x0d (float) is not supported"), msg);

    bytes = Files.readAllBytes(f[0]);
    bytes[3] = 4;
    Path idx4 = tmp.resolve("idx4");
    Files.write(idx4, bytes);
    msg = fails(idx4, f[1], idx4, null);
    assertTrue(msg.contains("declares 4 dimensions, expected 3"), msg);
  }

  @Test
  void imagesFileAsLabelsIsReported() throws Exception {
    Path[] f = plainSampleTest();
    String msg = fails(f[0], f[0], f[0], null);
    // The images file read as labels fails on its dimensions.
    assertTrue(msg.contains("is this an images file?"), msg);
  }

  @Test
  void truncatedHeaderIsReported() {
    Path img = tmp.resolve("h");
    TestFiles.write(img, new byte[] {0, 0, 8, 3, 0, 0, 0, 1, 0});
    Path lab = tmp.resolve("l");
    TestFiles.write(lab, TestFiles.idxLabels(0));
    String msg = fails(img, lab, img, null);
    assertTrue(msg.contains("truncated header: 3 dimension sizes need 12 bytes after the magic number, only 5 follow"), msg);
    TestFiles.write(img, new byte[] {0, 0, 8});
    assertTrue(fails(img, lab, img, null).contains("truncated: only 3 bytes"));
  }

  @Test
  void implausibleSizesAreRefusedWithoutAllocating() {
    Path img = tmp.resolve("huge");
    ByteBuffer b = ByteBuffer.allocate(16 + 10);
    b.putInt(IdxReader.IMAGES_MAGIC).putInt(100_000_000).putInt(28).putInt(28);
    TestFiles.write(img, b.array());
    Path lab = tmp.resolve("l");
    TestFiles.write(lab, TestFiles.idxLabels(0));
    assertTrue(fails(img, lab, img, null).contains("more than 2 GB"));

    b = ByteBuffer.allocate(16 + 10);
    b.putInt(IdxReader.IMAGES_MAGIC).putInt(0xFFFFFFFF).putInt(28).putInt(28);
    TestFiles.write(img, b.array());
    assertTrue(fails(img, lab, img, null).contains("implausible size 4294967295"));

    // Large but possible declaration with little data: truncated, reported without a 1.9 GB allocation.
    b = ByteBuffer.allocate(16 + 10);
    b.putInt(IdxReader.IMAGES_MAGIC).putInt(2_000_000).putInt(28).putInt(28);
    TestFiles.write(img, b.array());
    assertTrue(fails(img, lab, img, null).contains("but only 10 follow"));
  }

  @Test
  void countMismatchNamesBothFiles() throws Exception {
    Path[] f = plainSampleTest();
    Path lab = tmp.resolve("few-labels");
    TestFiles.write(lab, TestFiles.idxLabels(1, 2, 3));
    String msg = fails(f[0], lab, f[0], null);
    assertEquals(f[0] + ": holds 1000 images but " + lab + " holds 3 labels; the two files do not belong together", msg);
  }

  @Test
  void labelsOutOfRangeAreReported() {
    Path img = tmp.resolve("i");
    Path lab = tmp.resolve("l");
    TestFiles.write(img, TestFiles.idxImages(3, 1, 1, new byte[3]));
    TestFiles.write(lab, TestFiles.idxLabels(0, 9, 10));
    String msg = fails(img, lab, lab, DataSources.FASHION_MNIST_CLASSES);
    assertEquals(lab + ": label 10 of item 2 is outside [0, 10) for 10 classes", msg);
    // Without class names the classes are numbered up to the largest label.
    assertEquals(11, IdxReader.read(img, lab, "n", null).numClasses());
  }

  @Test
  void missingFileAndFolderAreReported() throws Exception {
    Path[] f = plainSampleTest();
    Path missing = tmp.resolve("nope.gz");
    assertEquals(missing + ": no such file", fails(missing, f[1], missing, null));
    assertEquals(tmp + ": is a folder, expected an IDX file", fails(tmp, f[1], tmp, null));
  }

  @Test
  void sampleLoadsFast() throws Exception {
    Path dir = TestFiles.copySample(tmp.resolve("s"));
    readSample(dir, TRAIN_IMAGES + ".gz", TRAIN_LABELS + ".gz"); // warm-up
    long t0 = System.nanoTime();
    ImageDataset train = readSample(dir, TRAIN_IMAGES + ".gz", TRAIN_LABELS + ".gz");
    double ms = (System.nanoTime() - t0) / 1e6;
    assertEquals(3000, train.size());
    // 3,000 of 60,000 images: a twentieth of the full-set budget of 2 s.
    assertTrue(ms < 100, "sample train set took " + ms + " ms");
  }

  @Test
  void fullFashionMnistLoadsInUnderTwoSeconds() {
    assumeTrue(TestFiles.fullFmnistInstalled(), "full Fashion-MNIST not installed");
    Path d = TestFiles.FULL_FMNIST;
    long t0 = System.nanoTime();
    ImageDataset train =
        IdxReader.read(
            d.resolve(TRAIN_IMAGES + ".gz"), d.resolve(TRAIN_LABELS + ".gz"), "full", DataSources.FASHION_MNIST_CLASSES);
    double s = (System.nanoTime() - t0) / 1e9;
    assertEquals(60000, train.size());
    int[] expected = new int[10];
    Arrays.fill(expected, 6000);
    assertArrayEquals(expected, train.classCounts());
    assertTrue(s < 2.0, "60k training images took " + s + " s");
  }
}

package org.nst4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderReaderTest {
  @TempDir Path tmp;

  private static String fails(Path named, Runnable r) {
    DataFormatException e = assertThrows(DataFormatException.class, r::run);
    assertTrue(e.getMessage().startsWith(named + ": "), e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
    return e.getMessage();
  }

  @Test
  void grayImagesGiveOneChannelWithExactValues() throws Exception {
    Path root = tmp.resolve("r");
    // Classes sorted by name; within a class, files sorted by name.
    TestFiles.grayPng(root.resolve("b-class").resolve("2.png"), 4, 3, 200);
    TestFiles.grayPng(root.resolve("b-class").resolve("1.png"), 4, 3, 100);
    TestFiles.grayPng(root.resolve("a-class").resolve("x.PNG"), 4, 3, 7);
    Files.writeString(root.resolve("a-class").resolve("notes.txt"), "ignored");
    TestFiles.grayPng(root.resolve("a-class").resolve(".hidden.png"), 9, 9, 0);
    Files.createDirectories(root.resolve(".git"));
    ImageDataset ds = ImageFolderReader.read(root, "f");
    assertEquals(List.of("a-class", "b-class"), ds.classNames());
    assertEquals(3, ds.size());
    assertEquals(1, ds.channels());
    assertEquals(3, ds.height());
    assertEquals(4, ds.width());
    assertEquals(0, ds.label(0));
    assertEquals(1, ds.label(1));
    assertEquals(1, ds.label(2));
    // Gray samples are taken as they are (no gray → sRGB gamma conversion): pixel (x, y) = v + x + y.
    assertEquals(7, ds.pixel(0, 0, 0, 0));
    assertEquals(100 + 3 + 2, ds.pixel(1, 0, 2, 3));
    assertEquals(200 + 1, ds.pixel(2, 0, 0, 1));
  }

  @Test
  void sixteenBitGrayIsScaledToEightBits() throws Exception {
    BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
    img.getRaster().setSample(0, 0, 0, 65535);
    img.getRaster().setSample(1, 0, 0, 257 * 128);
    Path root = tmp.resolve("r");
    TestFiles.image(root.resolve("c").resolve("a.png"), img, "png");
    ImageDataset ds = ImageFolderReader.read(root, "f");
    assertEquals(1, ds.channels());
    assertEquals(255, ds.pixel(0, 0, 0, 0));
    assertEquals(128, ds.pixel(0, 0, 0, 1));
  }

  @Test
  void anyColourImageMakesRgb() throws Exception {
    Path root = tmp.resolve("r");
    TestFiles.grayPng(root.resolve("a").resolve("g.png"), 3, 2, 50);
    TestFiles.rgbImage(root.resolve("b").resolve("c.png"), 3, 2, 10, 20, 30, "png");
    ImageDataset ds = ImageFolderReader.read(root, "f");
    assertEquals(3, ds.channels());
    // Gray replicated into R, G, B.
    for (int c = 0; c < 3; c++) {
      assertEquals(50 + 2 + 1, ds.pixel(0, c, 1, 2));
    }
    // RGB planes: pixel (x, y) = (10, 20 + x, 30 + y).
    assertEquals(10, ds.pixel(1, 0, 1, 2));
    assertEquals(22, ds.pixel(1, 1, 1, 2));
    assertEquals(31, ds.pixel(1, 2, 1, 2));
  }

  @Test
  void requestedChannelsConvert() throws Exception {
    Path root = tmp.resolve("r");
    TestFiles.rgbImage(root.resolve("a").resolve("c.png"), 2, 2, 200, 100, 50, "png");
    TestFiles.grayPng(root.resolve("a").resolve("g.png"), 2, 2, 90);
    ImageDataset gray = ImageFolderReader.read(root, "f", 1, 0, 0);
    assertEquals(1, gray.channels());
    // ITU-R 601 luma of (200, 100, 50): 59.8 + 58.7 + 5.7 = 124.2
    assertEquals(124, gray.pixel(0, 0, 0, 0));
    assertEquals(90, gray.pixel(1, 0, 0, 0));
    ImageDataset rgb = ImageFolderReader.read(root, "f", 3, 0, 0);
    assertEquals(3, rgb.channels());
    assertEquals(91, rgb.pixel(1, 2, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> ImageFolderReader.read(root, "f", 2, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> ImageFolderReader.read(root, "f", 0, 5, 0));
  }

  @Test
  void jpegIsRead() throws Exception {
    Path root = tmp.resolve("r");
    TestFiles.rgbImage(root.resolve("a").resolve("c.jpg"), 16, 16, 128, 128, 128, "jpg");
    TestFiles.rgbImage(root.resolve("b").resolve("d.jpeg"), 16, 16, 250, 0, 0, "jpg");
    ImageDataset ds = ImageFolderReader.read(root, "f");
    assertEquals(2, ds.size());
    assertEquals(3, ds.channels());
    // Lossy, so only roughly: a red image stays red.
    assertTrue(ds.pixel(1, 0, 8, 8) > 200 && ds.pixel(1, 2, 8, 8) < 60);
  }

  @Test
  void differentSizesAreRefusedUnlessResizing() throws Exception {
    Path root = tmp.resolve("r");
    TestFiles.grayPng(root.resolve("a").resolve("1.png"), 4, 4, 0);
    TestFiles.grayPng(root.resolve("a").resolve("2.png"), 4, 4, 0);
    Path odd = root.resolve("b").resolve("3.png");
    TestFiles.grayPng(odd, 5, 3, 0);
    String m = fails(odd, () -> ImageFolderReader.read(root, "f"));
    assertTrue(m.contains("is 5×3 but " + root.resolve("a").resolve("1.png") + " is 4×4"), m);
    assertTrue(m.contains("unless a target size is given"), m);
    ImageDataset resized = ImageFolderReader.read(root, "f", 0, 8, 6);
    assertEquals(8, resized.height());
    assertEquals(6, resized.width());
    assertEquals(3, resized.size());
  }

  @Test
  void bilinearResizeUsesHalfPixelCentres() {
    // 1×2 row [0, 100] upsampled to 1×4: source x = (x + 0.5)/2 − 0.5 = −0.25, 0.25, 0.75, 1.25, clamped:
    // 0, 25, 75, 100 (PyTorch interpolate, align_corners=False).
    byte[] src = {0, 100};
    byte[] dst = new byte[4];
    ImageFolderReader.resizeBilinear(src, 0, 1, 2, dst, 0, 1, 4);
    assertEquals(List.of(0, 25, 75, 100), List.of(dst[0] & 0xFF, dst[1] & 0xFF, dst[2] & 0xFF, dst[3] & 0xFF));
    // 4×4 → 2×2 averages 2×2 blocks at half-pixel centres: source coordinate 0.5 and 2.5.
    byte[] big = new byte[16];
    for (int i = 0; i < 16; i++) {
      big[i] = (byte) (i * 10);
    }
    byte[] small = new byte[4];
    ImageFolderReader.resizeBilinear(big, 0, 4, 4, small, 0, 2, 2);
    // (y, x) = (0.5, 0.5): mean of 0, 10, 40, 50 = 25; (2.5, 2.5): mean of 100, 110, 140, 150 = 125.
    assertEquals(25, small[0] & 0xFF);
    assertEquals(125, small[3] & 0xFF);
    // Same size is the identity.
    byte[] same = new byte[16];
    ImageFolderReader.resizeBilinear(big, 0, 4, 4, same, 0, 4, 4);
    assertEquals(java.util.Arrays.toString(big), java.util.Arrays.toString(same));
  }

  @Test
  void undecodableImageIsNamed() throws Exception {
    Path root = tmp.resolve("r");
    TestFiles.grayPng(root.resolve("a").resolve("ok.png"), 2, 2, 0);
    Path bad = root.resolve("a").resolve("bad.png");
    Files.write(bad, new byte[] {1, 2, 3, 4, 5});
    String m = fails(bad, () -> ImageFolderReader.read(root, "f"));
    assertTrue(m.contains("not a decodable image"), m);
    // A PNG cut short is recognised as PNG but cannot be decoded.
    TestFiles.grayPng(bad, 30, 30, 5);
    byte[] bytes = Files.readAllBytes(bad);
    Files.write(bad, java.util.Arrays.copyOf(bytes, 60));
    m = fails(bad, () -> ImageFolderReader.read(root, "f"));
    assertTrue(m.contains("cannot decode image"), m);
  }

  @Test
  void layoutProblemsAreReported() throws Exception {
    Path none = tmp.resolve("none");
    assertEquals(none + ": no such folder", fails(none, () -> ImageFolderReader.read(none, "f")));
    Path flat = Files.createDirectories(tmp.resolve("flat"));
    TestFiles.grayPng(flat.resolve("x.png"), 2, 2, 0);
    assertTrue(fails(flat, () -> ImageFolderReader.read(flat, "f")).contains("no class folders"));
    Path emptyClass = Files.createDirectories(tmp.resolve("e").resolve("cls"));
    assertTrue(fails(emptyClass, () -> ImageFolderReader.read(tmp.resolve("e"), "f")).contains("no .png/.jpg/.jpeg"));
  }

  private static void fill(Path dir, String cls, int n, int value) {
    for (int i = 0; i < n; i++) {
      TestFiles.grayPng(dir.resolve(cls).resolve(String.format("%03d.png", i)), 3, 3, value + i);
    }
  }

  @Test
  void trainAndTestFolders() throws Exception {
    Path root = tmp.resolve("set");
    fill(root.resolve("train"), "cat", 3, 0);
    fill(root.resolve("train"), "dog", 2, 100);
    fill(root.resolve("val"), "dog", 1, 200);
    DataSplits s = ImageFolderReader.readSplits(root, 0, 0, 0);
    assertEquals("set", s.name());
    assertEquals(List.of("cat", "dog"), s.train().classNames());
    assertEquals(5, s.train().size());
    assertEquals(1, s.test().size());
    assertEquals(1, s.test().label(0), "test labels follow the training classes");
    assertEquals(200, s.test().pixel(0, 0, 0, 0));
    assertEquals(Normalization.compute(s.train()), s.normalization());

    fill(root.resolve("test"), "bird", 1, 0);
    Path bird = root.resolve("test").resolve("bird");
    assertTrue(fails(bird, () -> ImageFolderReader.readSplits(root, 0, 0, 0)).contains("class 'bird' has no folder"));

    Path lonely = tmp.resolve("lonely");
    fill(lonely.resolve("train"), "a", 1, 0);
    assertTrue(fails(lonely, () -> ImageFolderReader.readSplits(lonely, 0, 0, 0)).contains("no test/ or val/"));
    assertTrue(ImageFolderReader.isSplitRoot(root));
    assertFalse(ImageFolderReader.isSplitRoot(lonely));
  }

  @Test
  void classFoldersAloneHoldOutEveryFifthImage() throws Exception {
    Path root = tmp.resolve("plain");
    fill(root, "a", 11, 0);
    fill(root, "b", 4, 100);
    DataSplits s = ImageFolderReader.readSplits(root, 0, 0, 0);
    assertEquals(2, s.test().size(), "images 5 and 10 of class a");
    assertEquals(13, s.train().size());
    assertEquals(4, s.test().pixel(0, 0, 0, 0), "5th file, 004.png");
    assertEquals(9, s.test().pixel(1, 0, 0, 0), "10th file, 009.png");
    assertTrue(s.name().contains("held out"), s.name());

    Path tiny = tmp.resolve("tiny");
    fill(tiny, "a", 2, 0);
    assertTrue(fails(tiny, () -> ImageFolderReader.readSplits(tiny, 0, 0, 0)).contains("hold one out"));
  }

  @Test
  void imageDimensionsAreCheckedOnTheHeadersBeforeAnythingIsDecoded() {
    Path root = tmp.resolve("huge");
    fill(root.resolve("train"), "a", 3, 0);
    fill(root.resolve("train"), "b", 3, 100);
    fill(root.resolve("test"), "a", 1, 0);
    // 60,000 × 60,000 declared: 3.6 Gpx, 10 GiB decoded, 57 bytes on disk (an OutOfMemoryError before).
    Path bomb = root.resolve("train").resolve("b").resolve("zz.png");
    TestFiles.pngHeaderOnly(bomb, 60_000, 60_000);
    long start = System.nanoTime();
    String m = fails(bomb, () -> ImageFolderReader.readSplits(root, 0, 0, 0));
    assertTrue(m.contains("a 60000×60000 image (3,600,000,000 pixels) is over the limit of 67,108,864 pixels per"
        + " image (--max-image-pixels raises it)"), m);
    assertTrue(System.nanoTime() - start < 5_000_000_000L, "refused from the header, not after decoding");

    // Under a raised per-image limit, the total budget still refuses it, naming the folder.
    m = fails(root, () -> ImageFolderReader.readSplits(root, 0, 0, 0, new ReadOptions(1L << 32, 1L << 30, false)));
    assertTrue(m.contains("the 8 images hold 3,600,000,063 pixels in all") && m.contains("over the budget of"
        + " 1,073,741,824 pixels (--max-total-pixels"), m);

    // Without the bomb the same folder reads; a budget below its 72 pixels refuses it.
    TestFiles.grayPng(bomb, 3, 3, 7);
    assertEquals(7, ImageFolderReader.readSplits(root, 0, 0, 0).train().size());
    m = fails(root, () -> ImageFolderReader.readSplits(root, 0, 0, 0, new ReadOptions(100, 71, false)));
    assertTrue(m.contains("the 8 images hold 72 pixels in all"), m);
    assertThrows(IllegalArgumentException.class, () -> new ReadOptions(0, 10, false));
    assertThrows(IllegalArgumentException.class, () -> new ReadOptions(10, 0, false));
  }
}

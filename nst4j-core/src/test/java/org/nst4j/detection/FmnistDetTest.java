package org.nst4j.detection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.data.DataSources;
import org.nst4j.data.DataSplits;
import org.nst4j.data.ImageDataset;

/** FMNIST-Det: the construction's promises, checked on the written files; determinism; no overwriting. */
class FmnistDetTest {
  @TempDir static Path shared;
  @TempDir Path dir;
  private static FmnistDet.Result small;

  @BeforeAll
  static void generateOnce() throws IOException {
    small = FmnistDet.generate(DataSources.sample(), 7, 50, 20, shared.resolve("fd"));
  }

  @Test
  void theFilesReadBackAsACocoDataSetWithTheFashionMnistCategories() {
    CocoSplits s = CocoReader.readSplits(small.out());
    assertEquals(50, s.train().images().size());
    assertEquals(20, s.test().images().size());
    assertEquals(small.train().annotations(), s.train().annotations());
    assertEquals(small.test().annotations(), s.test().annotations());
    assertEquals(10, s.train().categories().size());
    for (int c = 0; c < 10; c++) {
      assertEquals(new CocoCategory(c + 1, DataSources.FASHION_MNIST_CLASSES.get(c)), s.test().categories().get(c));
    }
    for (CocoImage im : s.train().images()) {
      assertEquals(96, im.width());
      assertEquals(96, im.height());
    }
  }

  @Test
  void everySceneHoldsOneToFiveItemsOfTheRightSizeAndOverlap() {
    for (CocoDataset ds : List.of(small.train(), small.test())) {
      Map<Long, List<CocoAnnotation>> byImage = ds.annotationsByImage();
      assertEquals(ds.images().size(), byImage.size(), "every scene has an item");
      int total = 0;
      for (List<CocoAnnotation> items : byImage.values()) {
        assertTrue(items.size() >= 1 && items.size() <= 5, items.toString());
        total += items.size();
        for (int i = 0; i < items.size(); i++) {
          Box b = items.get(i).bbox();
          // The tight box lies inside the item's square of 20..56 px.
          assertTrue(b.width() >= 1 && b.width() <= 56 && b.height() <= 56, b.toString());
          assertEquals(b.area(), items.get(i).area(), 0);
          for (int j = 0; j < i; j++) {
            assertTrue(b.iou(items.get(j).bbox()) <= 0.3, "IoU ≤ 0.3: " + items);
          }
        }
      }
      assertTrue(total > 2 * ds.images().size(), "about 3 items per scene on average: " + total);
    }
  }

  @Test
  void boxesAreTheTightBoxesOfTheNonZeroPixels() {
    CocoDataset ds = CocoReader.read(small.out().resolve("test"));
    Map<Long, List<CocoAnnotation>> byImage = ds.annotationsByImage();
    for (CocoImage im : ds.images()) {
      byte[] px = CocoReader.loadImage(ds, im, 1);
      boolean[] covered = new boolean[96 * 96];
      for (CocoAnnotation a : byImage.get(im.id())) {
        Box b = a.bbox();
        int x0 = (int) b.x();
        int y0 = (int) b.y();
        int x1 = (int) b.right() - 1;
        int y1 = (int) b.bottom() - 1;
        // Each edge of a tight box touches a non-zero pixel (compositing by maximum keeps them non-zero).
        assertTrue(anyNonZero(px, x0, x0, y0, y1) && anyNonZero(px, x1, x1, y0, y1)
            && anyNonZero(px, x0, x1, y0, y0) && anyNonZero(px, x0, x1, y1, y1), "tight: " + a);
        for (int y = y0; y <= y1; y++) {
          for (int x = x0; x <= x1; x++) {
            covered[y * 96 + x] = true;
          }
        }
      }
      for (int k = 0; k < covered.length; k++) {
        assertTrue(covered[k] || px[k] == 0, "image " + im.id() + ": non-zero pixel outside every box at " + k);
      }
    }
  }

  private static boolean anyNonZero(byte[] px, int x0, int x1, int y0, int y1) {
    for (int y = y0; y <= y1; y++) {
      for (int x = x0; x <= x1; x++) {
        if (px[y * 96 + x] != 0) {
          return true;
        }
      }
    }
    return false;
  }

  @Test
  void sourceImagesAreNotReusedWhileTheSplitLasts() {
    ImageDataset seven = ImageDataset.of("seven", new byte[7 * 4], new int[7], 1, 2, 2, List.of("x"));
    FmnistDet.Source pool = new FmnistDet.Source(seven, new java.util.SplittableRandom(1));
    java.util.Set<Integer> first = new java.util.HashSet<>();
    for (int i = 0; i < 7; i++) {
      first.add(pool.next());
    }
    assertEquals(7, first.size(), "every image once before any repeats");
    java.util.Set<Integer> second = new java.util.HashSet<>();
    for (int i = 0; i < 7; i++) {
      second.add(pool.next());
    }
    assertEquals(7, second.size(), "and again in the next pass");
    assertEquals(14, pool.drawn());
    // In the generated set: every object was drawn, a few drawn items may have found no room.
    assertTrue(small.trainDrawn() >= small.train().annotations().size());
    assertTrue(small.trainDrawn() - small.train().annotations().size() <= 2, "rarely left out");
  }

  @Test
  void theSameSeedGivesByteIdenticalFilesAndAnotherSeedOthers() throws IOException {
    DataSplits sample = DataSources.sample();
    FmnistDet.generate(sample, 7, 50, 20, dir.resolve("again"));
    assertEquals(snapshot(small.out()), snapshot(dir.resolve("again")));
    FmnistDet.generate(sample, 8, 50, 20, dir.resolve("other"));
    assertNotEquals(snapshot(small.out()).get("train/images/000001.png"),
        snapshot(dir.resolve("other")).get("train/images/000001.png"));
  }

  @Test
  void theTestSplitDoesNotDependOnTheNumberOfTrainingScenes() throws IOException {
    FmnistDet.generate(DataSources.sample(), 7, 3, 20, dir.resolve("fewer"));
    TreeMap<String, String> a = snapshot(small.out().resolve("test"));
    TreeMap<String, String> b = snapshot(dir.resolve("fewer").resolve("test"));
    // The test split's info records its own counts only, so the whole split is byte-identical.
    assertEquals(a, b);
  }

  @Test
  void aNonEmptyFolderOrAFileIsRefusedAndLeftAlone() throws IOException {
    Path full = Files.createDirectories(dir.resolve("full"));
    Files.writeString(full.resolve("keep.txt"), "mine");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FmnistDet.generate(DataSources.sample(), 1, 2, 2, full));
    assertTrue(e.getMessage().contains("not empty"), e.getMessage());
    assertEquals("mine", Files.readString(full.resolve("keep.txt")));
    try (Stream<Path> s = Files.list(full)) {
      assertEquals(1, s.count());
    }
    Path file = Files.writeString(dir.resolve("file"), "x");
    assertThrows(IllegalArgumentException.class, () -> FmnistDet.generate(DataSources.sample(), 1, 2, 2, file));
    // An empty folder is fine, and nothing else is left beside it.
    Path empty = Files.createDirectories(dir.resolve("empty"));
    FmnistDet.generate(DataSources.sample(), 1, 2, 2, empty);
    assertTrue(Files.isRegularFile(empty.resolve("test/instances.json")));
    try (Stream<Path> s = Files.list(dir)) {
      assertFalse(s.anyMatch(p -> p.getFileName().toString().contains("partial")), "no partial folder left");
    }
  }

  @Test
  void badCountsAndColourSourcesAreRefused() {
    DataSplits sample = DataSources.sample();
    assertThrows(IllegalArgumentException.class, () -> FmnistDet.generate(sample, 1, 0, 2, dir.resolve("a")));
    assertThrows(IllegalArgumentException.class, () -> FmnistDet.generate(sample, 1, 2, 0, dir.resolve("b")));
    ImageDataset rgb = ImageDataset.of("rgb", new byte[3 * 28 * 28], new int[1], 3, 28, 28, List.of("x"));
    DataSplits colour = new DataSplits("rgb", rgb, rgb, org.nst4j.data.Normalization.compute(rgb));
    assertThrows(IllegalArgumentException.class, () -> FmnistDet.generate(colour, 1, 2, 2, dir.resolve("c")));
    assertFalse(Files.exists(dir.resolve("a")) || Files.exists(dir.resolve("c")));
  }

  @Test
  void resizingKeepsConstantImagesAndZeroBorders() {
    byte[] px = new byte[28 * 28];
    for (int y = 4; y < 24; y++) {
      for (int x = 8; x < 20; x++) {
        px[y * 28 + x] = (byte) 200;
      }
    }
    ImageDataset one = ImageDataset.of("one", px, new int[1], 1, 28, 28, List.of("x"));
    byte[] same = FmnistDet.resize(one, 0, 28);
    assertArrayEquals(px, same); // scale 1: the identity
    assertArrayEquals(new int[] {8, 4, 12, 20}, FmnistDet.tightBox(same, 28));
    byte[] up = FmnistDet.resize(one, 0, 56);
    int[] box = FmnistDet.tightBox(up, 56);
    // Doubling: the 12×20 block becomes about 24×40 (bilinear adds at most a pixel of ramp each side).
    assertTrue(box[2] >= 24 && box[2] <= 26 && box[3] >= 40 && box[3] <= 42, java.util.Arrays.toString(box));
    assertEquals(200, up[(box[1] + box[3] / 2) * 56 + box[0] + box[2] / 2] & 0xFF);
    assertNull(FmnistDet.tightBox(new byte[16], 4));
  }

  @Test
  void theFullFashionMnistGivesScenesFromItsOwnSplits() throws IOException {
    assumeTrue(Files.isRegularFile(Path.of("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")),
        "full Fashion-MNIST not installed");
    DataSplits full = DataSources.resolve(DataSources.FASHION_MNIST, null);
    FmnistDet.Result r = FmnistDet.generate(full, 13, 30, 10, dir.resolve("full"));
    CocoSplits s = CocoReader.readSplits(r.out());
    assertEquals(30, s.train().images().size());
    assertEquals(10, s.test().images().size());
    assertTrue(Files.readString(r.out().resolve("test/instances.json")).contains("\"source\":\"fashion-mnist test\""));
  }

  /** Relative path → SHA-256 of every file under {@code root}. */
  static TreeMap<String, String> snapshot(Path root) {
    TreeMap<String, String> m = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        m.put(root.relativize(p).toString(),
            HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    return m;
  }
}

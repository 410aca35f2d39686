package org.nst4j.detection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.data.DataFormatException;

/** COCO reading: the layouts, and every defect as a one-line DataFormatException naming file and entry. */
class CocoReaderTest {
  @TempDir Path dir;

  private static final String IMAGES = "\"images\": [{\"id\": 1, \"file_name\": \"a.png\", \"width\": 40, \"height\": 30},"
      + " {\"id\": 2, \"file_name\": \"b.png\", \"width\": 40, \"height\": 30}]";
  private static final String CATEGORIES = "\"categories\": [{\"id\": 3, \"name\": \"cat\"}, {\"id\": 7, \"name\": \"dog\"}]";

  private static String instances(String annotations) {
    return "{" + IMAGES + ", " + CATEGORIES + ", \"annotations\": [" + annotations + "]}";
  }

  private static final String GOOD = instances(
      "{\"id\": 10, \"image_id\": 1, \"category_id\": 3, \"bbox\": [0, 0, 10, 10]},"
          + " {\"id\": 11, \"image_id\": 2, \"category_id\": 7, \"bbox\": [5.5, 4, 34.5, 26], \"area\": 500,"
          + " \"iscrowd\": 1, \"segmentation\": []}");

  /** A split folder with the given JSON and the two 40×30 images in images/. */
  private Path split(String name, String json) throws IOException {
    Path s = Files.createDirectories(dir.resolve(name).resolve("images"));
    png(s.resolve("a.png"), 40, 30);
    png(s.resolve("b.png"), 40, 30);
    Files.writeString(s.getParent().resolve("instances.json"), json);
    return s.getParent();
  }

  private static void png(Path f, int w, int h) throws IOException {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    img.getRaster().setSample(1, 2, 0, 77);
    ImageIO.write(img, "png", f.toFile());
  }

  private DataFormatException bad(String json, String... fragments) throws IOException {
    Path s = split("bad" + System.nanoTime(), json);
    DataFormatException e = assertThrows(DataFormatException.class, () -> CocoReader.read(s));
    String m = e.getMessage();
    assertFalse(m.contains("\n"), "one line: " + m);
    assertTrue(m.startsWith(s.resolve("instances.json").toAbsolutePath().toString()) || m.contains("image "),
        "names the file: " + m);
    for (String f : fragments) {
      assertTrue(m.contains(f), "'" + f + "' in: " + m);
    }
    return e;
  }

  @Test
  void aGoodSplitIsReadWithAllItsFields() throws IOException {
    CocoDataset ds = CocoReader.read(split("val", GOOD));
    assertEquals("val", ds.name());
    assertEquals(dir.resolve("val/images").toAbsolutePath(), ds.imageDir());
    assertEquals(List.of(new CocoImage(1, "a.png", 40, 30), new CocoImage(2, "b.png", 40, 30)), ds.images());
    assertEquals(List.of(new CocoCategory(3, "cat"), new CocoCategory(7, "dog")), ds.categories());
    assertEquals(new CocoAnnotation(10, 1, 3, new Box(0, 0, 10, 10), 100, false), ds.annotations().get(0));
    assertEquals(new CocoAnnotation(11, 2, 7, new Box(5.5, 4, 34.5, 26), 500, true), ds.annotations().get(1));
    byte[] px = CocoReader.loadImage(ds, ds.images().get(0), 1);
    assertEquals(40 * 30, px.length);
    assertEquals(77, px[2 * 40 + 1] & 0xFF);
    // The JSON file itself may be given, and images may lie beside it.
    Path flat = Files.createDirectories(dir.resolve("flat"));
    png(flat.resolve("a.png"), 40, 30);
    png(flat.resolve("b.png"), 40, 30);
    Files.writeString(flat.resolve("my.json"), GOOD);
    CocoDataset f = CocoReader.read(flat.resolve("my.json"));
    assertEquals(flat.toAbsolutePath(), f.imageDir());
    assertEquals(ds.annotations(), f.annotations());
  }

  @Test
  void integralDoublesAreAcceptedAsIds() throws IOException {
    CocoDataset ds = CocoReader.readAnnotations(split("d", GOOD.replace("\"id\": 10,", "\"id\": 10.0,")));
    assertEquals(10, ds.annotations().get(0).id());
  }

  @Test
  void splitsAreTrainWithTestOrVal() throws IOException {
    split("set/train", GOOD);
    split("set/val", GOOD);
    CocoSplits s = CocoReader.readSplits(dir.resolve("set"));
    assertEquals("set", s.name());
    assertEquals("val", s.test().name());
    split("set/test", GOOD);
    assertEquals("test", CocoReader.readSplits(dir.resolve("set")).test().name());
    Files.createDirectories(dir.resolve("lonely/train"));
    DataFormatException e = assertThrows(DataFormatException.class, () -> CocoReader.readSplits(dir.resolve("lonely")));
    assertTrue(e.getMessage().contains("train/ and test/"), e.getMessage());
    assertThrows(DataFormatException.class, () -> CocoReader.readSplits(dir.resolve("none")));
  }

  @Test
  void brokenFilesAreRefused() throws IOException {
    bad("{\"images\": [", "not valid JSON", "line 1");
    bad("", "empty file");
    bad("[1, 2]", "expected a JSON object");
    bad("{" + IMAGES + ", " + CATEGORIES + "}", "no 'annotations' array");
    bad("{\"images\": 3, " + CATEGORIES + ", \"annotations\": []}", "'images' must be an array");
    bad(instances("") + "garbage", "not valid JSON");
    bad(GOOD.replace("\"id\": 1, \"file", "\"id\": 1, \"id\": 5, \"file"), "not valid JSON", "Duplicate field");
    DataFormatException e = assertThrows(DataFormatException.class, () -> CocoReader.read(dir.resolve("nothing")));
    assertTrue(e.getMessage().contains("no such file"), e.getMessage());
  }

  @Test
  void boxesOutsideTheirImageOrWithoutAreaAreRefused() throws IOException {
    bad(instances("{\"id\": 1, \"image_id\": 1, \"category_id\": 3, \"bbox\": [35, 0, 10, 10]}"),
        "annotations[0]", "annotation 1", "outside its image 1", "(40×30)");
    bad(instances("{\"id\": 1, \"image_id\": 1, \"category_id\": 3, \"bbox\": [-2, 0, 10, 10]}"), "outside");
    bad(instances("{\"id\": 1, \"image_id\": 1, \"category_id\": 3, \"bbox\": [0, 25, 10, 6.5]}"), "outside");
    bad(instances("{\"id\": 1, \"image_id\": 1, \"category_id\": 3, \"bbox\": [0, 0, 0, 10]}"), "no area");
    bad(instances("{\"id\": 1, \"image_id\": 1, \"category_id\": 3, \"bbox\": [0, 0, -3, 10]}"), "negative width");
    bad(instances("{\"id\": 1, \"image_id\": 1, \"category_id\": 3, \"bbox\": [0, 0, 10]}"), "[x, y, width, height]");
    bad(instances("{\"id\": 1, \"image_id\": 1, \"category_id\": 3, \"bbox\": [0, \"a\", 1, 10]}"), "four finite");
    bad(instances("{\"id\": 1, \"image_id\": 1, \"category_id\": 3, \"bbox\": [0, 1e999, 1, 10]}"), "four finite");
    // Within the tolerance of a pixel (exporters' inclusive boxes): accepted.
    CocoDataset ok = CocoReader.readAnnotations(split("tol",
        instances("{\"id\": 1, \"image_id\": 1, \"category_id\": 3, \"bbox\": [30.5, 0, 10.5, 30.5]}")));
    assertEquals(1, ok.annotations().size());
  }

  @Test
  void unknownIdsAndRepeatedIdsAreRefused() throws IOException {
    bad(instances("{\"id\": 1, \"image_id\": 1, \"category_id\": 4, \"bbox\": [0, 0, 1, 1]}"),
        "unknown category id 4", "known: 3, 7");
    bad(instances("{\"id\": 1, \"image_id\": 9, \"category_id\": 3, \"bbox\": [0, 0, 1, 1]}"), "unknown image id 9");
    bad(instances("{\"id\": 1, \"image_id\": 1, \"category_id\": 3, \"bbox\": [0, 0, 1, 1]},"
        + " {\"id\": 1, \"image_id\": 2, \"category_id\": 3, \"bbox\": [0, 0, 1, 1]}"), "annotation id 1 is used twice");
    bad(GOOD.replace("\"id\": 2, \"file_name\"", "\"id\": 1, \"file_name\""), "image id 1 is used twice");
    bad(GOOD.replace("\"id\": 7, \"name\"", "\"id\": 3, \"name\""), "category id 3 is used twice");
    bad(instances("{\"id\": 1, \"image_id\": 1, \"category_id\": 99999999999, \"bbox\": [0, 0, 1, 1]}"),
        "unknown category id");
  }

  @Test
  void missingAndMistypedFieldsAreRefused() throws IOException {
    bad(instances("{\"image_id\": 1, \"category_id\": 3, \"bbox\": [0, 0, 1, 1]}"), "annotations[0]", "missing field 'id'");
    bad(instances("{\"id\": 1, \"category_id\": 3, \"bbox\": [0, 0, 1, 1]}"), "missing field 'image_id'");
    bad(instances("{\"id\": \"x\", \"image_id\": 1, \"category_id\": 3, \"bbox\": [0, 0, 1, 1]}"), "must be an integer");
    bad(instances("{\"id\": 1.5, \"image_id\": 1, \"category_id\": 3, \"bbox\": [0, 0, 1, 1]}"), "must be an integer");
    bad(instances("{\"id\": 1, \"image_id\": 1, \"category_id\": 3, \"bbox\": [0, 0, 1, 1], \"iscrowd\": 2}"), "iscrowd");
    bad(instances("{\"id\": 1, \"image_id\": 1, \"category_id\": 3, \"bbox\": [0, 0, 1, 1], \"area\": \"big\"}"), "'area'");
    bad(instances("{\"id\": 1, \"image_id\": 1, \"category_id\": 3, \"bbox\": [0, 0, 1, 1], \"area\": -1}"), "area");
    bad(instances("7"), "annotations[0]", "expected an object");
    bad(GOOD.replace("\"width\": 40, \"height\": 30}]", "\"width\": 0, \"height\": 30}]"), "images[1]", "positive");
    bad(GOOD.replace("\"file_name\": \"a.png\"", "\"file_name\": 5"), "images[0]", "'file_name' must be a string");
    bad(GOOD.replace("\"name\": \"cat\"", "\"nom\": \"cat\""), "categories[0]", "missing field 'name'");
  }

  @Test
  void missingDamagedOrMisSizedImagesAreRefusedButNotWhenOnlyAnnotationsAreRead() throws IOException {
    Path s = split("imgs", GOOD);
    Files.delete(s.resolve("images/b.png"));
    DataFormatException e = assertThrows(DataFormatException.class, () -> CocoReader.read(s));
    assertTrue(e.getMessage().startsWith("image 2 (") && e.getMessage().contains("no such file"), e.getMessage());
    assertEquals(2, CocoReader.readAnnotations(s).images().size()); // evaluation needs no pixels
    Files.writeString(s.resolve("images/b.png"), "not a png");
    e = assertThrows(DataFormatException.class, () -> CocoReader.read(s));
    assertTrue(e.getMessage().contains("not a decodable image"), e.getMessage());
    png(s.resolve("images/b.png"), 41, 30);
    e = assertThrows(DataFormatException.class, () -> CocoReader.read(s));
    assertTrue(e.getMessage().contains("is 41×30") && e.getMessage().contains("says 40×30"), e.getMessage());
    // A PNG whose header is intact but whose data is cut short: found when the pixels are loaded.
    png(s.resolve("images/b.png"), 40, 30);
    byte[] full = Files.readAllBytes(s.resolve("images/b.png"));
    Files.write(s.resolve("images/b.png"), java.util.Arrays.copyOf(full, 40));
    CocoDataset ds = CocoReader.read(s);
    e = assertThrows(DataFormatException.class, () -> CocoReader.loadImage(ds, ds.images().get(1), 1));
    assertFalse(e.getMessage().contains("\n"));
  }

  @Test
  void randomDamageOnlyEverGivesOneLineDataFormatExceptions() throws IOException {
    byte[] seed = GOOD.getBytes(StandardCharsets.UTF_8);
    SplittableRandom rng = new SplittableRandom(2026);
    Path s = split("fuzz", GOOD);
    Path json = s.resolve("instances.json");
    int rejected = 0;
    List<String> failures = new ArrayList<>();
    for (int round = 0; round < 800; round++) {
      byte[] b = seed.clone();
      int kind = rng.nextInt(4);
      if (kind == 0) { // flip characters into JSON punctuation, digits or letters
        String alphabet = "{}[],:\"-.0123456789eE aZ";
        for (int f = 0, n = 1 + rng.nextInt(4); f < n; f++) {
          b[rng.nextInt(b.length)] = (byte) alphabet.charAt(rng.nextInt(alphabet.length()));
        }
      } else if (kind == 1) {
        b = java.util.Arrays.copyOf(b, rng.nextInt(b.length));
      } else if (kind == 2) { // a number replaced by another
        String t = GOOD.replaceFirst("\\b" + (rng.nextInt(40)) + "\\b", Long.toString(rng.nextLong(-50, 100)));
        b = t.getBytes(StandardCharsets.UTF_8);
      } else {
        b[rng.nextInt(b.length)] ^= (byte) (1 << rng.nextInt(8));
      }
      Files.write(json, b);
      try {
        CocoReader.read(s);
      } catch (DataFormatException e) {
        rejected++;
        if (e.getMessage() == null || e.getMessage().contains("\n")) {
          failures.add("round " + round + ": message " + e.getMessage());
        }
      } catch (RuntimeException e) {
        failures.add("round " + round + ": " + e);
      }
    }
    assertEquals(List.of(), failures);
    assertTrue(rejected > 250, "most damage is caught: " + rejected);
  }

  @Test
  void loadImageConvertsChannels() throws IOException {
    CocoDataset ds = CocoReader.read(split("rgb", GOOD));
    byte[] three = CocoReader.loadImage(ds, ds.images().get(0), 3);
    assertEquals(3 * 40 * 30, three.length);
    assertArrayEquals(new byte[] {77, 77, 77},
        new byte[] {three[2 * 40 + 1], three[1200 + 2 * 40 + 1], three[2400 + 2 * 40 + 1]});
  }
}

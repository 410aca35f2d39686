package org.nst4j.detection;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.nst4j.data.DataSplits;
import org.nst4j.data.ImageDataset;

/**
 * Generates FMNIST-Det, a detection benchmark composed of real Fashion-MNIST images whose boxes are known by
 * construction.
 *
 * <p>Each scene is a {@value #CANVAS}×{@value #CANVAS} gray canvas, black, holding 1 to {@value #MAX_ITEMS}
 * Fashion-MNIST items: the number is drawn uniformly, then each item is drawn from the source split, rescaled
 * (bilinear, half-pixel centres) to a side drawn uniformly from {@value #MIN_SIDE}..{@value #MAX_SIDE} px and
 * placed at a uniformly drawn position where its box has IoU ≤ {@value #MAX_IOU} with every box already placed
 * ({@value #PLACEMENT_ATTEMPTS} positions are tried; an item that fits nowhere is left out, so crowded draws
 * give fewer items). Items are composited by pixel maximum. An item's box is the tight box of its rescaled
 * image's non-zero pixels; its category is its Fashion-MNIST class, with category id = label + 1 (0 is left
 * free because common detection code reserves it for the background).
 *
 * <p>Training scenes take their items from the source's training split, test scenes from its test split, so
 * no item appears in both. Within a split every source image is used at most once until all have been used
 * (the split's images are drawn in a shuffled order, reshuffled when exhausted).
 *
 * <p>Everything is drawn from one {@link SplittableRandom} seeded with the given seed: the same seed, sizes
 * and source give byte-identical files. The test split is drawn from its own stream split off the seed's
 * before any training scene, so it does not change with the number of training scenes.
 */
public final class FmnistDet {
  /** Canvas side in pixels. */
  public static final int CANVAS = 96;

  /** Fewest items drawn for a scene. */
  public static final int MIN_ITEMS = 1;

  /** Most items drawn for a scene. */
  public static final int MAX_ITEMS = 5;

  /** Smallest side an item is rescaled to. */
  public static final int MIN_SIDE = 20;

  /** Largest side an item is rescaled to. */
  public static final int MAX_SIDE = 56;

  /** Largest IoU allowed between the boxes of two items of a scene. */
  public static final double MAX_IOU = 0.3;

  /** Positions tried for an item before it is left out. */
  public static final int PLACEMENT_ATTEMPTS = 50;

  /** Default number of training scenes. */
  public static final int DEFAULT_TRAIN = 10_000;

  /** Default number of test scenes. */
  public static final int DEFAULT_TEST = 2_000;

  /** Default seed. */
  public static final long DEFAULT_SEED = 13;

  /** Version of the construction, recorded in the files; bumped whenever the same seed would give other scenes. */
  public static final int VERSION = 1;

  private FmnistDet() {}

  /**
   * What was generated.
   *
   * @param out the data-set folder
   * @param train the training split as written
   * @param test the test split as written
   * @param trainDrawn items drawn for the training scenes: its objects and those left out for lack of room;
   *     all distinct source images as long as they do not outnumber the source's training images
   * @param testDrawn items drawn for the test scenes, likewise
   */
  public record Result(Path out, CocoDataset train, CocoDataset test, int trainDrawn, int testDrawn) {
    /** @throws NullPointerException if a part is null */
    public Result {
      Objects.requireNonNull(out, "out");
      Objects.requireNonNull(train, "train");
      Objects.requireNonNull(test, "test");
    }
  }

  /**
   * Writes FMNIST-Det into {@code out}: {@code train/} and {@code test/}, each with {@code instances.json} and
   * {@code images/NNNNNN.png} (8-bit gray), readable by {@link CocoReader#readSplits}. The folder is written
   * under a temporary name beside {@code out} and renamed at the end, so {@code out} is either absent, or
   * complete; nothing is left behind on failure.
   *
   * @param source the images to compose, one channel; training scenes use {@code source.train()}, test scenes
   *     {@code source.test()}
   * @param seed the seed
   * @param trainScenes the number of training scenes, ≥ 1
   * @param testScenes the number of test scenes, ≥ 1
   * @param out the folder to create; it must not exist or be an empty folder
   * @return what was written
   * @throws IllegalArgumentException if a count is not positive, the source has more than one channel, or
   *     {@code out} is a file or a non-empty folder
   * @throws IOException if writing fails
   */
  public static Result generate(DataSplits source, long seed, int trainScenes, int testScenes, Path out)
      throws IOException {
    Objects.requireNonNull(source, "source");
    if (trainScenes < 1 || testScenes < 1) {
      throw new IllegalArgumentException("scene counts must be ≥ 1, got " + trainScenes + " training and "
          + testScenes + " test scenes");
    }
    if (source.train().channels() != 1) {
      throw new IllegalArgumentException(source.name() + ": FMNIST-Det composes gray images, got "
          + source.train().channels() + " channels");
    }
    checkFreshFolder(out);
    SplittableRandom root = new SplittableRandom(seed);
    // Split off before anything is drawn, so each split's stream depends on the seed alone.
    SplittableRandom trainRng = root.split();
    SplittableRandom testRng = root.split();

    Path abs = out.toAbsolutePath().normalize();
    Path parent = abs.getParent();
    Files.createDirectories(parent);
    Path tmp = Files.createTempDirectory(parent, "." + abs.getFileName() + ".partial-");
    boolean done = false;
    try {
      Written train = writeSplit(source.train(), trainScenes, trainRng, tmp.resolve("train"), seed, "train");
      Written test = writeSplit(source.test(), testScenes, testRng, tmp.resolve("test"), seed, "test");
      if (Files.isDirectory(abs)) {
        Files.delete(abs); // empty, checked above
      }
      Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
      done = true;
      return new Result(abs, relocate(train.dataset(), abs.resolve("train")),
          relocate(test.dataset(), abs.resolve("test")), train.drawn(), test.drawn());
    } finally {
      if (!done) {
        deleteTree(tmp);
      }
    }
  }

  /**
   * Checks that {@code out} is absent or an empty folder, as {@link #generate} requires, so that a command can
   * refuse it before reading the source.
   *
   * @param out the folder to be created
   * @throws IllegalArgumentException if it is a file or a non-empty folder
   * @throws IOException if it cannot be listed
   */
  public static void checkFreshFolder(Path out) throws IOException {
    // Generation never overwrites anything.
    if (Files.isRegularFile(out) || (Files.exists(out) && !Files.isDirectory(out))) {
      throw new IllegalArgumentException(out + ": exists and is not a folder; give a new folder");
    }
    if (Files.isDirectory(out)) {
      try (DirectoryStream<Path> s = Files.newDirectoryStream(out)) {
        if (s.iterator().hasNext()) {
          throw new IllegalArgumentException(out + ": folder is not empty; give a new or empty folder (nothing"
              + " is overwritten)");
        }
      }
    }
  }

  private record Written(CocoDataset dataset, int drawn) {}

  /** One generated scene: its pixels and its items' annotations (ids still to be given). */
  private record Scene(byte[] pixels, List<Item> items) {}

  private record Item(int label, Box box) {}

  private static Written writeSplit(ImageDataset src, int scenes, SplittableRandom rng, Path dir, long seed,
      String split) throws IOException {
    Path imageDir = dir.resolve(CocoReader.IMAGES);
    Files.createDirectories(imageDir);
    Source pool = new Source(src, rng);
    List<Scene> generated = new ArrayList<>(scenes);
    for (int s = 0; s < scenes; s++) {
      generated.add(scene(pool, rng));
    }
    List<CocoImage> images = new ArrayList<>(scenes);
    List<CocoAnnotation> annotations = new ArrayList<>();
    for (int s = 0; s < scenes; s++) {
      long id = s + 1;
      images.add(new CocoImage(id, fileName(id), CANVAS, CANVAS));
      for (Item it : generated.get(s).items()) {
        annotations.add(CocoAnnotation.of(annotations.size() + 1, id, it.label() + 1, it.box()));
      }
    }
    // PNG encoding is most of the time and each file depends on its scene alone: encode in parallel.
    try {
      IntStream.range(0, scenes).parallel().forEach(s -> writePng(imageDir.resolve(fileName(s + 1)),
          generated.get(s).pixels()));
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    List<CocoCategory> categories = new ArrayList<>();
    for (int c = 0; c < src.numClasses(); c++) {
      categories.add(new CocoCategory(c + 1, src.classNames().get(c)));
    }
    CocoDataset ds = new CocoDataset("fmnist-det " + split, imageDir, images, categories, annotations);
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("description", "FMNIST-Det " + split + ": " + CANVAS + "x" + CANVAS + " composites of " + MIN_ITEMS
        + "-" + MAX_ITEMS + " real Fashion-MNIST images each, boxes known by construction (nst4j)");
    info.put("version", VERSION);
    info.put("seed", seed);
    info.put("split", split);
    info.put("source", src.name());
    info.put("scenes", scenes);
    info.put("objects", annotations.size());
    info.put("items_drawn", pool.drawn());
    info.put("items_left_out", pool.drawn() - annotations.size());
    CocoWriter.writeInstances(dir.resolve(CocoReader.INSTANCES), ds, info);
    return new Written(ds, (int) pool.drawn());
  }

  private static CocoDataset relocate(CocoDataset ds, Path dir) {
    return new CocoDataset(ds.name(), dir.resolve(CocoReader.IMAGES), ds.images(), ds.categories(),
        ds.annotations());
  }

  static String fileName(long id) {
    return String.format("%06d.png", id);
  }

  /** Draws one scene. */
  private static Scene scene(Source pool, SplittableRandom rng) {
    byte[] canvas = new byte[CANVAS * CANVAS];
    List<Item> items = new ArrayList<>();
    int wanted = MIN_ITEMS + rng.nextInt(MAX_ITEMS - MIN_ITEMS + 1);
    for (int n = 0; n < wanted; n++) {
      int index = pool.next();
      int side = MIN_SIDE + rng.nextInt(MAX_SIDE - MIN_SIDE + 1);
      byte[] patch = resize(pool.images, index, side);
      int[] tight = tightBox(patch, side);
      if (tight == null) {
        continue; // an all-black item has no box; Fashion-MNIST has none, but a custom source might
      }
      for (int attempt = 0; attempt < PLACEMENT_ATTEMPTS; attempt++) {
        int x = rng.nextInt(CANVAS - side + 1);
        int y = rng.nextInt(CANVAS - side + 1);
        Box box = new Box(x + tight[0], y + tight[1], tight[2], tight[3]);
        if (fits(box, items)) {
          composite(canvas, patch, side, x, y);
          items.add(new Item(pool.images.label(index), box));
          break;
        }
      }
    }
    return new Scene(canvas, items);
  }

  private static boolean fits(Box box, List<Item> items) {
    for (Item other : items) {
      if (box.iou(other.box()) > MAX_IOU) {
        return false;
      }
    }
    return true;
  }

  /**
   * Rescales one gray image to side × side, bilinear with half-pixel centres and clamped edges (so a
   * zero border stays zero and the item does not bleed).
   */
  static byte[] resize(ImageDataset images, int index, int side) {
    int h = images.height();
    int w = images.width();
    byte[] src = new byte[h * w];
    images.copyImage(index, src, 0);
    byte[] dst = new byte[side * side];
    double sy = (double) h / side;
    double sx = (double) w / side;
    for (int y = 0; y < side; y++) {
      double fy = Math.max(0, (y + 0.5) * sy - 0.5);
      int y0 = Math.min((int) fy, h - 1);
      int y1 = Math.min(y0 + 1, h - 1);
      double wy = fy - y0;
      for (int x = 0; x < side; x++) {
        double fx = Math.max(0, (x + 0.5) * sx - 0.5);
        int x0 = Math.min((int) fx, w - 1);
        int x1 = Math.min(x0 + 1, w - 1);
        double wx = fx - x0;
        double top = (src[y0 * w + x0] & 0xFF) * (1 - wx) + (src[y0 * w + x1] & 0xFF) * wx;
        double bottom = (src[y1 * w + x0] & 0xFF) * (1 - wx) + (src[y1 * w + x1] & 0xFF) * wx;
        long v = Math.round(top * (1 - wy) + bottom * wy);
        dst[y * side + x] = (byte) Math.max(0, Math.min(255, v));
      }
    }
    return dst;
  }

  /** {x, y, width, height} of the non-zero pixels of a side × side patch, or null if all are zero. */
  static int[] tightBox(byte[] patch, int side) {
    int minX = side;
    int minY = side;
    int maxX = -1;
    int maxY = -1;
    for (int y = 0; y < side; y++) {
      for (int x = 0; x < side; x++) {
        if (patch[y * side + x] != 0) {
          minX = Math.min(minX, x);
          maxX = Math.max(maxX, x);
          minY = Math.min(minY, y);
          maxY = Math.max(maxY, y);
        }
      }
    }
    return maxX < 0 ? null : new int[] {minX, minY, maxX - minX + 1, maxY - minY + 1};
  }

  private static void composite(byte[] canvas, byte[] patch, int side, int x0, int y0) {
    for (int y = 0; y < side; y++) {
      for (int x = 0; x < side; x++) {
        int c = (y0 + y) * CANVAS + x0 + x;
        canvas[c] = (byte) Math.max(canvas[c] & 0xFF, patch[y * side + x] & 0xFF);
      }
    }
  }

  private static void writePng(Path file, byte[] pixels) {
    BufferedImage img = new BufferedImage(CANVAS, CANVAS, BufferedImage.TYPE_BYTE_GRAY);
    byte[] data = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
    System.arraycopy(pixels, 0, data, 0, pixels.length);
    try {
      if (!ImageIO.write(img, "png", file.toFile())) {
        throw new IllegalStateException("no PNG writer in this JVM");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The source split's images in a shuffled order, reshuffled when all have been used. */
  static final class Source {
    final ImageDataset images;
    private final SplittableRandom rng;
    private final int[] order;
    private int next;
    private long draws;

    Source(ImageDataset images, SplittableRandom rng) {
      this.images = images;
      this.rng = rng;
      this.order = IntStream.range(0, images.size()).toArray();
      shuffle();
    }

    int next() {
      if (next == order.length) {
        shuffle();
        next = 0;
      }
      draws++;
      return order[next++];
    }

    private void shuffle() {
      for (int i = order.length - 1; i > 0; i--) {
        int j = rng.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }

    /** How many images were drawn. */
    long drawn() {
      return draws;
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // Best effort: a left-over hidden partial folder is harmless and the original error matters more.
    }
  }
}

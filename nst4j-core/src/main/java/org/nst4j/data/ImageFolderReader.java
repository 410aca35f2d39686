package org.nst4j.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads a folder of images sorted into one subfolder per class, as torchvision's {@code ImageFolder}:
 * {@code root/<class>/<image>.png|jpg|jpeg}.
 *
 * <p>Classes are the subfolders sorted by name (label 0 is the first); images within a class are taken
 * in file-name order, so the result does not depend on the file system. Hidden entries (names starting
 * with '.') and files with other extensions are ignored. Images are decoded with {@code javax.imageio}.
 *
 * <p>Channels are either requested (1 = grayscale, 3 = RGB) or inferred: grayscale if every image is gray
 * (a gray colour model, or R = G = B at every pixel), RGB otherwise. RGB is converted to gray with the
 * ITU-R 601 luma weights 0.299, 0.587, 0.114 (as PIL's {@code convert("L")}); gray is replicated into three
 * channels. Alpha is ignored. All images must have the same size unless a target size is given, in which
 * case each image is resized with bilinear interpolation (half-pixel centres, as PyTorch's {@code
 * interpolate(mode="bilinear", align_corners=False)}).
 */
public final class ImageFolderReader {

  /** Every {@code HOLDOUT_EVERY}-th image of a class is held out when no test folder exists. */
  static final int HOLDOUT_EVERY = 5;

  private ImageFolderReader() {}

  /**
   * Reads {@code root/<class>/<image>} with inferred channels and no resizing.
   *
   * @param root the folder of class folders
   * @param name the name of the data set
   * @return the images, in class then file-name order
   * @throws DataFormatException if the folder has no classes or images, an image cannot be decoded or the
   *     images differ in size
   */
  public static ImageDataset read(Path root, String name) {
    return read(root, name, 0, 0, 0);
  }

  /**
   * Reads {@code root/<class>/<image>}.
   *
   * @param root the folder of class folders
   * @param name the name of the data set
   * @param channels 1 (grayscale), 3 (RGB) or 0 (infer)
   * @param targetHeight the height to resize every image to, or 0 to require equal sizes
   * @param targetWidth the width to resize every image to, or 0 to require equal sizes
   * @return the images, in class then file-name order
   * @throws DataFormatException if the folder has no classes or images, an image cannot be decoded or
   *     (without target size) the images differ in size
   * @throws IllegalArgumentException if {@code channels} or the target size is invalid
   */
  public static ImageDataset read(
      Path root, String name, int channels, int targetHeight, int targetWidth) {
    checkOptions(channels, targetHeight, targetWidth);
    List<String> classes = listClasses(root);
    List<Entry> entries = listImages(root, classes, true);
    List<Decoded> decoded = decodeAll(root, entries, ReadOptions.defaults());
    int c = channels != 0 ? channels : inferChannels(decoded);
    int[] size = commonSize(root, entries, decoded, targetHeight, targetWidth);
    return build(name, entries, decoded, c, size[0], size[1], classes);
  }

  /**
   * Reads train and test splits: {@code root/train/<class>/…} with {@code root/test/<class>/…} (or
   * {@code root/val/…}); or, if the root holds class folders directly, every {@value #HOLDOUT_EVERY}th
   * image of each class (file-name positions 5, 10, …) as the test split and the rest as training split.
   * Classes come from the training folder; a test folder may lack classes but not add any. Channels are
   * inferred over both splits together; the normalisation is computed from the training images.
   *
   * @param root the folder
   * @param channels 1, 3 or 0 (infer)
   * @param targetHeight target height or 0
   * @param targetWidth target width or 0
   * @return the splits, named after the root folder
   * @throws DataFormatException if the folder layout or an image is bad
   */
  public static DataSplits readSplits(Path root, int channels, int targetHeight, int targetWidth) {
    return readSplits(root, channels, targetHeight, targetWidth, ReadOptions.defaults());
  }

  /**
   * {@link #readSplits(Path, int, int, int)} with limits on the pixels decoded.
   *
   * @param limits checked on every image's header before any image is decoded
   * @throws DataFormatException if an image, or all of them together, exceed {@code limits} (saying which
   *     option raises the limit)
   */
  public static DataSplits readSplits(Path root, int channels, int targetHeight, int targetWidth,
      ReadOptions limits) {
    checkOptions(channels, targetHeight, targetWidth);
    String name = root.toAbsolutePath().normalize().getFileName() == null
        ? root.toString()
        : root.toAbsolutePath().normalize().getFileName().toString();
    Path trainDir = root.resolve("train");
    Path testDir = splitTestDir(root);
    List<String> classes;
    List<Entry> train;
    List<Entry> test;
    Path sizeRoot;
    if (Files.isDirectory(trainDir)) {
      if (testDir == null) {
        throw new DataFormatException(root + ": has a train/ folder but no test/ or val/ folder beside it");
      }
      classes = listClasses(trainDir);
      train = listImages(trainDir, classes, true);
      List<String> testClasses = listClasses(testDir);
      for (String tc : testClasses) {
        if (!classes.contains(tc)) {
          throw new DataFormatException(
              testDir.resolve(tc) + ": class '" + tc + "' has no folder in " + trainDir);
        }
      }
      test = listImages(testDir, classes, false);
      if (test.isEmpty()) {
        throw new DataFormatException(testDir + ": contains no .png/.jpg/.jpeg images");
      }
      sizeRoot = root;
    } else {
      classes = listClasses(root);
      List<Entry> all = listImages(root, classes, true);
      train = new ArrayList<>();
      test = new ArrayList<>();
      int[] seen = new int[classes.size()];
      for (Entry e : all) {
        if (++seen[e.label] % HOLDOUT_EVERY == 0) {
          test.add(e);
        } else {
          train.add(e);
        }
      }
      if (test.isEmpty()) {
        throw new DataFormatException(
            root + ": no train/ and test/ folders, and no class has " + HOLDOUT_EVERY
                + " images to hold one out as test split");
      }
      name = name + " (every " + HOLDOUT_EVERY + "th image held out)";
      sizeRoot = root;
    }
    List<Entry> both = new ArrayList<>(train);
    both.addAll(test);
    List<Decoded> decoded = decodeAll(root, both, limits);
    int c = channels != 0 ? channels : inferChannels(decoded);
    int[] size = commonSize(sizeRoot, both, decoded, targetHeight, targetWidth);
    ImageDataset trainSet =
        build(name + " train", train, decoded.subList(0, train.size()), c, size[0], size[1], classes);
    ImageDataset testSet =
        build(name + " test", test, decoded.subList(train.size(), both.size()), c, size[0], size[1], classes);
    return new DataSplits(name, trainSet, testSet, Normalization.compute(trainSet));
  }

  /** True if {@code root} has a train/ folder and a test/ or val/ folder. */
  public static boolean isSplitRoot(Path root) {
    return Files.isDirectory(root.resolve("train")) && splitTestDir(root) != null;
  }

  /** True if {@code root} has at least one visible subfolder (a candidate class folder). */
  public static boolean hasSubfolders(Path root) {
    try (Stream<Path> s = Files.list(root)) {
      return s.anyMatch(p -> Files.isDirectory(p) && !hidden(p));
    } catch (IOException e) {
      return false;
    }
  }

  private static Path splitTestDir(Path root) {
    for (String n : new String[] {"test", "val"}) {
      if (Files.isDirectory(root.resolve(n))) {
        return root.resolve(n);
      }
    }
    return null;
  }

  private static void checkOptions(int channels, int targetHeight, int targetWidth) {
    if (channels != 0 && channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 1, 3 or 0 (infer), got " + channels);
    }
    if (targetHeight < 0 || targetWidth < 0 || (targetHeight == 0) != (targetWidth == 0)) {
      throw new IllegalArgumentException(
          "target size must be both positive or both 0 (no resizing), got " + targetHeight + "×" + targetWidth);
    }
  }

  /** An image file and its label. */
  private record Entry(Path file, int label) {}

  /** A decoded image: three planes of H·W bytes (equal if gray) and whether it is gray. */
  private record Decoded(int width, int height, byte[] rgb, boolean gray) {}

  private static boolean hidden(Path p) {
    return p.getFileName().toString().startsWith(".");
  }

  private static boolean isImageName(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
  }

  private static List<String> listClasses(Path root) {
    if (!Files.isDirectory(root)) {
      throw new DataFormatException(root + ": no such folder");
    }
    List<String> classes = new ArrayList<>();
    try (Stream<Path> s = Files.list(root)) {
      s.filter(p -> Files.isDirectory(p) && !hidden(p))
          .map(p -> p.getFileName().toString())
          .sorted()
          .forEach(classes::add);
    } catch (IOException e) {
      throw new DataFormatException(root + ": cannot be listed (" + e.getMessage() + ")", e);
    }
    if (classes.isEmpty()) {
      throw new DataFormatException(
          root + ": no class folders (expected " + root + "/<class>/<image>.png|jpg|jpeg)");
    }
    return classes;
  }

  private static List<Entry> listImages(Path root, List<String> classes, boolean requireEach) {
    List<Entry> entries = new ArrayList<>();
    for (int label = 0; label < classes.size(); label++) {
      Path dir = root.resolve(classes.get(label));
      if (!Files.isDirectory(dir)) {
        continue; // a test split may lack a class
      }
      List<Path> files = new ArrayList<>();
      try (Stream<Path> s = Files.list(dir)) {
        s.filter(p -> !hidden(p) && isImageName(p) && Files.isRegularFile(p)).sorted().forEach(files::add);
      } catch (IOException e) {
        throw new DataFormatException(dir + ": cannot be listed (" + e.getMessage() + ")", e);
      }
      if (files.isEmpty() && requireEach) {
        throw new DataFormatException(dir + ": class folder contains no .png/.jpg/.jpeg images");
      }
      for (Path f : files) {
        entries.add(new Entry(f, label));
      }
    }
    return entries;
  }

  /**
   * Decodes every image once their headers have shown that they fit the limits: a folder of a few huge
   * images is refused in milliseconds instead of ending in an OutOfMemoryError.
   */
  private static List<Decoded> decodeAll(Path root, List<Entry> entries, ReadOptions limits) {
    long total = 0;
    for (Entry e : entries) {
      long[] wh = withReader(e.file, limits, reader -> new long[] {reader.getWidth(0), reader.getHeight(0)});
      total += wh[0] * wh[1];
    }
    if (total > limits.maxTotalPixels()) {
      throw new DataFormatException(String.format(Locale.ROOT, "%s: the %d images hold %,d pixels in all (%,d MiB"
          + " decoded), over the budget of %,d pixels (--max-total-pixels; the default follows the Java heap,"
          + " NST4J_HEAP)", root, entries.size(), total, 3 * total >> 20, limits.maxTotalPixels()));
    }
    List<Decoded> out = new ArrayList<>(entries.size());
    for (Entry e : entries) {
      out.add(decode(e.file, limits));
    }
    return out;
  }

  /** Decodes one image file into RGB planes, refusing anything undecodable or implausibly large. */
  private static Decoded decode(Path file, ReadOptions limits) {
    return withReader(file, limits, reader -> {
      BufferedImage img = reader.read(0);
      if (img == null) {
        throw new DataFormatException(file + ": decoder returned no image");
      }
      return toPlanes(img);
    });
  }

  /** What {@link #withReader} does with a reader whose header was read and checked. */
  private interface ReaderTask<T> {
    T apply(ImageReader reader) throws IOException;
  }

  /**
   * Opens an image, reads its header, checks its dimensions against {@code limits} and applies {@code task};
   * any decoding failure becomes a {@link DataFormatException} naming the file.
   */
  private static <T> T withReader(Path file, ReadOptions limits, ReaderTask<T> task) {
    try (ImageInputStream iis = ImageIO.createImageInputStream(file.toFile())) {
      if (iis == null) {
        throw new DataFormatException(file + ": cannot be opened");
      }
      Iterator<ImageReader> readers = ImageIO.getImageReaders(iis);
      if (!readers.hasNext()) {
        throw new DataFormatException(file + ": not a decodable image (no PNG/JPEG signature recognised)");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(iis, true, true);
        int w = reader.getWidth(0);
        int h = reader.getHeight(0);
        if (w < 1 || h < 1) {
          throw new DataFormatException(file + ": image header declares " + w + "×" + h + " pixels");
        }
        if ((long) w * h > limits.maxImagePixels()) {
          throw new DataFormatException(String.format(Locale.ROOT, "%s: a %d×%d image (%,d pixels) is over the"
              + " limit of %,d pixels per image (--max-image-pixels raises it)", file, w, h, (long) w * h,
              limits.maxImagePixels()));
        }
        return task.apply(reader);
      } finally {
        reader.dispose();
      }
    } catch (DataFormatException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      // Corrupt files make ImageIO throw IIOException but also runtime exceptions (index out of bounds,
      // illegal argument, ...); all of them mean "undecodable".
      throw new DataFormatException(
          file + ": cannot decode image (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
    }
  }

  private static Decoded toPlanes(BufferedImage img) {
    int w = img.getWidth();
    int h = img.getHeight();
    int plane = w * h;
    byte[] rgb = new byte[3 * plane];
    ColorModel cm = img.getColorModel();
    if (cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY && !(cm instanceof IndexColorModel)) {
      // Read gray samples directly: getRGB() would pass them through a linear-gray → sRGB conversion and
      // change their values.
      Raster r = img.getRaster();
      int bits = cm.getComponentSize(0);
      double scale = 255.0 / ((1L << bits) - 1);
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int v = r.getSample(x, y, 0);
          int b = bits == 8 ? v : (int) Math.round(v * scale);
          int k = y * w + x;
          rgb[k] = rgb[plane + k] = rgb[2 * plane + k] = (byte) b;
        }
      }
      return new Decoded(w, h, rgb, true);
    }
    boolean gray = true;
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      img.getRGB(0, y, w, 1, row, 0, w);
      for (int x = 0; x < w; x++) {
        int p = row[x];
        int r = (p >> 16) & 0xFF;
        int g = (p >> 8) & 0xFF;
        int b = p & 0xFF;
        gray &= r == g && g == b;
        int k = y * w + x;
        rgb[k] = (byte) r;
        rgb[plane + k] = (byte) g;
        rgb[2 * plane + k] = (byte) b;
      }
    }
    return new Decoded(w, h, rgb, gray);
  }

  private static int inferChannels(List<Decoded> decoded) {
    for (Decoded d : decoded) {
      if (!d.gray) {
        return 3;
      }
    }
    return 1;
  }

  private static int[] commonSize(
      Path root, List<Entry> entries, List<Decoded> decoded, int targetHeight, int targetWidth) {
    if (targetHeight > 0) {
      return new int[] {targetHeight, targetWidth};
    }
    Decoded first = decoded.get(0);
    for (int i = 1; i < decoded.size(); i++) {
      Decoded d = decoded.get(i);
      if (d.width != first.width || d.height != first.height) {
        throw new DataFormatException(
            entries.get(i).file
                + ": is "
                + d.width
                + "×"
                + d.height
                + " but "
                + entries.get(0).file
                + " is "
                + first.width
                + "×"
                + first.height
                + "; images under "
                + root
                + " must share one size unless a target size is given");
      }
    }
    return new int[] {first.height, first.width};
  }

  private static ImageDataset build(
      String name,
      List<Entry> entries,
      List<Decoded> decoded,
      int channels,
      int height,
      int width,
      List<String> classes) {
    int plane = height * width;
    int image = channels * plane;
    if ((long) image * entries.size() > Integer.MAX_VALUE - 16) {
      throw new DataFormatException(name + ": too many pixels to hold in memory");
    }
    byte[] pixels = new byte[image * entries.size()];
    int[] labels = new int[entries.size()];
    for (int i = 0; i < entries.size(); i++) {
      labels[i] = entries.get(i).label;
      pixelsOf(decoded.get(i), channels, height, width, pixels, i * image);
    }
    return ImageDataset.of(name, pixels, labels, channels, height, width, classes);
  }

  /**
   * Writes one decoded image as {@code channels}×{@code height}×{@code width} bytes at {@code out[off]}: resized
   * bilinearly if its size differs, gray replicated to RGB or RGB converted to luma as needed.
   */
  private static void pixelsOf(Decoded d, int channels, int height, int width, byte[] out, int off) {
    int plane = height * width;
    byte[] rgb = d.rgb;
    int srcPlane = d.width * d.height;
    if (d.width != width || d.height != height) {
      rgb = new byte[3 * plane];
      for (int c = 0; c < 3; c++) {
        resizeBilinear(d.rgb, c * srcPlane, d.height, d.width, rgb, c * plane, height, width);
      }
    }
    if (channels == 3) {
      System.arraycopy(rgb, 0, out, off, 3 * plane);
    } else if (d.gray) {
      System.arraycopy(rgb, 0, out, off, plane);
    } else {
      for (int k = 0; k < plane; k++) {
        double luma =
            0.299 * (rgb[k] & 0xFF) + 0.587 * (rgb[plane + k] & 0xFF) + 0.114 * (rgb[2 * plane + k] & 0xFF);
        out[off + k] = (byte) Math.min(255, (int) Math.round(luma));
      }
    }
  }

  /**
   * The pixels of one image exactly as a data set read by this class with {@code channels} channels and
   * target size {@code height}×{@code width} holds them (same gray/RGB conversion, same bilinear resizing
   * when the size differs). For classifying single images with a model trained on such data.
   *
   * @param image the image
   * @param channels 1 (grayscale) or 3 (RGB)
   * @param height the target height, ≥ 1
   * @param width the target width, ≥ 1
   * @return channels·height·width bytes, channel-major
   * @throws IllegalArgumentException if channels is not 1 or 3 or a size is not positive
   */
  public static byte[] toPixels(BufferedImage image, int channels, int height, int width) {
    checkSingle(channels, height, width);
    byte[] out = new byte[channels * height * width];
    pixelsOf(toPlanes(image), channels, height, width, out, 0);
    return out;
  }

  /**
   * Decodes an image file (PNG or JPEG) and returns its pixels as {@link #toPixels} does.
   *
   * @param file the image file
   * @param channels 1 or 3
   * @param height the target height, ≥ 1
   * @param width the target width, ≥ 1
   * @return channels·height·width bytes, channel-major
   * @throws DataFormatException naming the file if it cannot be opened or decoded
   * @throws IllegalArgumentException if channels is not 1 or 3 or a size is not positive
   */
  public static byte[] readImage(Path file, int channels, int height, int width) {
    checkSingle(channels, height, width);
    if (!Files.isRegularFile(file)) {
      throw new DataFormatException(file + ": no such image file");
    }
    byte[] out = new byte[channels * height * width];
    pixelsOf(decode(file, ReadOptions.defaults()), channels, height, width, out, 0);
    return out;
  }

  private static void checkSingle(int channels, int height, int width) {
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
    }
    if (height < 1 || width < 1) {
      throw new IllegalArgumentException("image size must be positive, got " + height + "×" + width);
    }
  }

  /**
   * Bilinear resize of one plane with half-pixel centres and edge clamping, the convention of PyTorch's
   * {@code interpolate(mode="bilinear", align_corners=False, antialias=False)}.
   */
  static void resizeBilinear(
      byte[] src, int srcOff, int srcH, int srcW, byte[] dst, int dstOff, int dstH, int dstW) {
    double sy = (double) srcH / dstH;
    double sx = (double) srcW / dstW;
    for (int y = 0; y < dstH; y++) {
      double fy = Math.max(0, (y + 0.5) * sy - 0.5);
      int y0 = Math.min((int) fy, srcH - 1);
      int y1 = Math.min(y0 + 1, srcH - 1);
      double wy = Math.min(1.0, fy - y0);
      for (int x = 0; x < dstW; x++) {
        double fx = Math.max(0, (x + 0.5) * sx - 0.5);
        int x0 = Math.min((int) fx, srcW - 1);
        int x1 = Math.min(x0 + 1, srcW - 1);
        double wx = Math.min(1.0, fx - x0);
        double top = (src[srcOff + y0 * srcW + x0] & 0xFF) * (1 - wx) + (src[srcOff + y0 * srcW + x1] & 0xFF) * wx;
        double bottom =
            (src[srcOff + y1 * srcW + x0] & 0xFF) * (1 - wx) + (src[srcOff + y1 * srcW + x1] & 0xFF) * wx;
        double v = top * (1 - wy) + bottom * wy;
        dst[dstOff + y * dstW + x] = (byte) Math.min(255, Math.max(0, (int) Math.round(v)));
      }
    }
  }
}

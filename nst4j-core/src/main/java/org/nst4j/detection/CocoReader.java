package org.nst4j.detection;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.nst4j.data.DataFormatException;
import org.nst4j.data.ImageFolderReader;

/**
 * Reads COCO-style detection data sets.
 *
 * <p>Layout of one split: a folder holding {@code instances.json} and the images, either in an {@code
 * images/} subfolder or beside the JSON file (the {@code images/} folder wins when it exists); image file
 * names in the JSON are relative to that folder. A data set is a folder with {@code train/} and {@code
 * test/} (or {@code val/}) splits of that layout.
 *
 * <p>{@code instances.json} is an object with arrays {@code images} ({@code id}, {@code file_name}, {@code
 * width}, {@code height}), {@code categories} ({@code id}, {@code name}) and {@code annotations} ({@code id},
 * {@code image_id}, {@code category_id}, {@code bbox} = {@code [x, y, width, height]}, optional {@code area}
 * and {@code iscrowd}); other fields (info, licenses, segmentation, ...) are ignored. Every defect — a
 * broken file, a missing or mistyped field, a repeated id, an unknown image or category id, a box of no area
 * or outside its image — is a {@link DataFormatException} naming the file and the entry.
 */
public final class CocoReader {
  /** The annotation file of a split folder. */
  public static final String INSTANCES = "instances.json";

  /** The image subfolder of a split folder. */
  public static final String IMAGES = "images";

  // Strict: a repeated field or anything after the top-level value means a damaged or hand-mangled file.
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** Largest image accepted, checked from the header so a corrupt one cannot exhaust memory. */
  private static final long MAX_PIXELS = 1L << 26;

  private CocoReader() {}

  /**
   * Reads a data set's train and test splits.
   *
   * @param root a folder holding {@code train/} and {@code test/} (or {@code val/}) split folders
   * @return the splits, named after the root folder, their image files checked as by {@link #read}
   * @throws DataFormatException if a split is missing or bad
   */
  public static CocoSplits readSplits(Path root) {
    if (!Files.isDirectory(root)) {
      throw new DataFormatException(root + ": no such folder");
    }
    Path train = root.resolve("train");
    Path test = Files.isDirectory(root.resolve("test")) ? root.resolve("test") : root.resolve("val");
    if (!Files.isDirectory(train) || !Files.isDirectory(test)) {
      throw new DataFormatException(root + ": expected split folders train/ and test/ (or val/), each with "
          + INSTANCES + " and " + IMAGES + "/");
    }
    Path abs = root.toAbsolutePath().normalize();
    String name = abs.getFileName() == null ? abs.toString() : abs.getFileName().toString();
    return new CocoSplits(name, read(train), read(test));
  }

  /**
   * Reads one split and checks its image files: each must exist and its header must declare the width and
   * height the JSON gives (pixels are decoded later, by {@link #loadImage}).
   *
   * @param path a split folder, or its {@code instances.json} (or another COCO JSON file) directly
   * @return the split, named after its folder
   * @throws DataFormatException if the JSON or an image file is bad
   */
  public static CocoDataset read(Path path) {
    CocoDataset ds = readAnnotations(path);
    for (CocoImage im : ds.images()) {
      checkImageFile(ds, im);
    }
    return ds;
  }

  /**
   * Reads one split's JSON only, without touching the image files (all evaluation needs).
   *
   * @param path a split folder, or a COCO JSON file
   * @return the split, named after its folder
   * @throws DataFormatException if the JSON is missing, broken or inconsistent
   */
  public static CocoDataset readAnnotations(Path path) {
    Path json = Files.isDirectory(path) ? path.resolve(INSTANCES) : path;
    Path dir = json.toAbsolutePath().normalize().getParent();
    Path imageDir = Files.isDirectory(dir.resolve(IMAGES)) ? dir.resolve(IMAGES) : dir;
    String name = dir.getFileName() == null ? dir.toString() : dir.getFileName().toString();
    JsonNode root = parse(json);
    String file = json.toString();
    if (!root.isObject()) {
      throw new DataFormatException(file + ": expected a JSON object with images, categories and annotations, got "
          + kind(root));
    }
    List<CocoImage> images = new ArrayList<>();
    Map<Long, CocoImage> imagesById = new HashMap<>();
    int i = 0;
    for (JsonNode n : array(root, "images", file)) {
      String at = file + ": images[" + i++ + "]";
      long id = integer(n, "id", at);
      CocoImage im;
      try {
        im = new CocoImage(id, string(n, "file_name", at), positiveInt(n, "width", at), positiveInt(n, "height", at));
      } catch (IllegalArgumentException e) {
        throw new DataFormatException(at + ": " + e.getMessage(), e);
      }
      if (imagesById.put(id, im) != null) {
        throw new DataFormatException(at + ": image id " + id + " is used twice");
      }
      images.add(im);
    }
    List<CocoCategory> categories = new ArrayList<>();
    Set<Integer> categoryIds = new HashSet<>();
    i = 0;
    for (JsonNode n : array(root, "categories", file)) {
      String at = file + ": categories[" + i++ + "]";
      long id = integer(n, "id", at);
      if (id != (int) id) {
        throw new DataFormatException(at + ": category id " + id + " is too large");
      }
      if (!categoryIds.add((int) id)) {
        throw new DataFormatException(at + ": category id " + id + " is used twice");
      }
      categories.add(new CocoCategory((int) id, string(n, "name", at)));
    }
    List<CocoAnnotation> annotations = new ArrayList<>();
    i = 0;
    for (JsonNode n : array(root, "annotations", file)) {
      String at = file + ": annotations[" + i++ + "]";
      long id = integer(n, "id", at);
      long imageId = integer(n, "image_id", at);
      long categoryId = integer(n, "category_id", at);
      Box box = box(n, at);
      double area = n.has("area") ? number(n, "area", at) : box.area();
      boolean crowd = false;
      JsonNode c = n.get("iscrowd");
      if (c != null && !c.isNull()) {
        if (c.isBoolean()) {
          crowd = c.booleanValue();
        } else if (c.isIntegralNumber() && (c.longValue() == 0 || c.longValue() == 1)) {
          crowd = c.longValue() == 1;
        } else {
          throw new DataFormatException(at + ": field 'iscrowd' must be 0 or 1, got " + c);
        }
      }
      if (categoryId != (int) categoryId) {
        throw new DataFormatException(at + ": annotation " + id + ": unknown category id " + categoryId);
      }
      try {
        CocoAnnotation a = new CocoAnnotation(id, imageId, (int) categoryId, box, area, crowd);
        CocoDataset.checkAnnotation(a, imagesById, categoryIds, categories);
        annotations.add(a);
      } catch (IllegalArgumentException e) {
        throw new DataFormatException(at + ": " + e.getMessage(), e);
      }
    }
    try {
      return new CocoDataset(name, imageDir, images, categories, annotations);
    } catch (IllegalArgumentException e) {
      throw new DataFormatException(file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Decodes one image of a data set.
   *
   * @param ds the data set
   * @param image one of its images
   * @param channels 1 (gray, ITU-R 601 luma from colour) or 3 (RGB, gray replicated)
   * @return channels × height × width bytes, channel-major, at the size the JSON declares
   * @throws DataFormatException if the file is missing, undecodable or of another size than declared
   */
  public static byte[] loadImage(CocoDataset ds, CocoImage image, int channels) {
    // Checked first: ImageFolderReader would silently resize an image of the wrong size.
    checkImageFile(ds, image);
    return ImageFolderReader.readImage(ds.imageFile(image), channels, image.height(), image.width());
  }

  /** Checks that an image's file exists and its header declares the size the JSON gives. */
  private static void checkImageFile(CocoDataset ds, CocoImage im) {
    Path f = ds.imageFile(im);
    String at = "image " + im.id() + " (" + f + ")";
    if (!Files.isRegularFile(f)) {
      throw new DataFormatException(at + ": no such file");
    }
    try (ImageInputStream iis = ImageIO.createImageInputStream(f.toFile())) {
      Iterator<ImageReader> readers = iis == null ? null : ImageIO.getImageReaders(iis);
      if (readers == null || !readers.hasNext()) {
        throw new DataFormatException(at + ": not a decodable image (no PNG/JPEG signature recognised)");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(iis, true, true);
        int w = reader.getWidth(0);
        int h = reader.getHeight(0);
        if ((long) w * h > MAX_PIXELS) {
          throw new DataFormatException(at + ": header declares " + w + "×" + h + " pixels, too large");
        }
        if (w != im.width() || h != im.height()) {
          throw new DataFormatException(at + ": is " + w + "×" + h + " but " + ds.name() + "'s " + INSTANCES
              + " says " + im.width() + "×" + im.height());
        }
      } finally {
        reader.dispose();
      }
    } catch (DataFormatException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      // ImageIO reports corrupt headers with IIOException but also with runtime exceptions.
      throw new DataFormatException(at + ": cannot read image header (" + e.getClass().getSimpleName() + ": "
          + e.getMessage() + ")", e);
    }
  }

  /** Parses a JSON file, turning every failure into a one-line DataFormatException. */
  static JsonNode parse(Path json) {
    if (Files.isDirectory(json)) {
      throw new DataFormatException(json + ": is a folder, expected a JSON file");
    }
    try {
      JsonNode root = JSON.readTree(json.toFile());
      if (root == null || root.isMissingNode()) {
        throw new DataFormatException(json + ": empty file, expected JSON");
      }
      return root;
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? ""
          : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
      throw new DataFormatException(json + ": not valid JSON" + where + " (" + firstLine(e.getOriginalMessage())
          + ")", e);
    } catch (IOException e) {
      if (e instanceof NoSuchFileException || !Files.exists(json)) {
        throw new DataFormatException(json + ": no such file", e);
      }
      throw new DataFormatException(json + ": cannot be read (" + e.getMessage() + ")", e);
    }
  }

  private static String firstLine(String m) {
    if (m == null) {
      return "";
    }
    int nl = m.indexOf('\n');
    return (nl < 0 ? m : m.substring(0, nl)).strip();
  }

  static String kind(JsonNode n) {
    return n == null || n.isMissingNode() ? "nothing" : n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
  }

  private static JsonNode array(JsonNode root, String field, String file) {
    JsonNode a = root.get(field);
    if (a == null) {
      throw new DataFormatException(file + ": no '" + field + "' array (not a COCO instances file?)");
    }
    if (!a.isArray()) {
      throw new DataFormatException(file + ": '" + field + "' must be an array, got " + kind(a));
    }
    return a;
  }

  private static JsonNode field(JsonNode n, String field, String at) {
    if (!n.isObject()) {
      throw new DataFormatException(at + ": expected an object, got " + kind(n));
    }
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      throw new DataFormatException(at + ": missing field '" + field + "'");
    }
    return v;
  }

  /** An integral field; integral doubles such as 3.0 (some exporters write them) are accepted. */
  static long integer(JsonNode n, String field, String at) {
    JsonNode v = field(n, field, at);
    if (v.isIntegralNumber() && v.canConvertToLong()) {
      return v.longValue();
    }
    if (v.isNumber() && v.doubleValue() == Math.rint(v.doubleValue()) && Math.abs(v.doubleValue()) < 1e15) {
      return (long) v.doubleValue();
    }
    throw new DataFormatException(at + ": field '" + field + "' must be an integer, got " + v);
  }

  private static int positiveInt(JsonNode n, String field, String at) {
    long v = integer(n, field, at);
    if (v < 1 || v > Integer.MAX_VALUE) {
      throw new DataFormatException(at + ": field '" + field + "' must be a positive integer, got " + v);
    }
    return (int) v;
  }

  static double number(JsonNode n, String field, String at) {
    JsonNode v = field(n, field, at);
    if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
      throw new DataFormatException(at + ": field '" + field + "' must be a finite number, got " + v);
    }
    return v.doubleValue();
  }

  private static String string(JsonNode n, String field, String at) {
    JsonNode v = field(n, field, at);
    if (!v.isTextual()) {
      throw new DataFormatException(at + ": field '" + field + "' must be a string, got " + v);
    }
    return v.textValue();
  }

  /** A {@code bbox} field: four finite numbers, width and height ≥ 0. */
  static Box box(JsonNode n, String at) {
    JsonNode b = field(n, "bbox", at);
    if (!b.isArray() || b.size() != 4) {
      throw new DataFormatException(at + ": field 'bbox' must be [x, y, width, height], got " + b);
    }
    double[] v = new double[4];
    for (int k = 0; k < 4; k++) {
      if (!b.get(k).isNumber() || !Double.isFinite(b.get(k).doubleValue())) {
        throw new DataFormatException(at + ": field 'bbox' must hold four finite numbers, got " + b);
      }
      v[k] = b.get(k).doubleValue();
    }
    try {
      return new Box(v[0], v[1], v[2], v[3]);
    } catch (IllegalArgumentException e) {
      throw new DataFormatException(at + ": " + e.getMessage(), e);
    }
  }
}

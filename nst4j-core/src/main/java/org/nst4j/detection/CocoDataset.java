package org.nst4j.detection;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A COCO-style detection data set (one split): images, categories and box annotations, with the folder its
 * image files live in. Immutable and consistent: the constructor refuses anything a reader must refuse.
 *
 * @param name the data set's name, for messages
 * @param imageDir the folder the images' file names are relative to
 * @param images the images, ids unique
 * @param categories the categories, ids unique
 * @param annotations the objects: ids unique, each on a known image, of a known category, with a box of
 *     positive size inside its image (give or take {@link #BOX_TOLERANCE})
 */
public record CocoDataset(
    String name, Path imageDir, List<CocoImage> images, List<CocoCategory> categories,
    List<CocoAnnotation> annotations) {
  /**
   * How far (in pixels) a ground-truth box may reach past its image's edges. Exporters write inclusive pixel
   * boxes ({@code x2 - x1 + 1}) or round coordinates, so a box can overshoot by up to a pixel without being
   * wrong; further out it is.
   */
  public static final double BOX_TOLERANCE = 1.0;

  /**
   * Checks consistency and copies the lists.
   *
   * @throws IllegalArgumentException naming the first offending entry, if an image, category or annotation
   *     id repeats, an annotation refers to an unknown image or category, or its box has no area or lies
   *     outside its image
   * @throws NullPointerException if an argument is null
   */
  public CocoDataset {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(imageDir, "imageDir");
    images = List.copyOf(images);
    categories = List.copyOf(categories);
    annotations = List.copyOf(annotations);
    Map<Long, CocoImage> byId = new HashMap<>();
    for (CocoImage im : images) {
      if (byId.put(im.id(), im) != null) {
        throw new IllegalArgumentException("image id " + im.id() + " is used twice");
      }
    }
    Set<Integer> catIds = new HashSet<>();
    for (CocoCategory c : categories) {
      if (!catIds.add(c.id())) {
        throw new IllegalArgumentException("category id " + c.id() + " is used twice");
      }
    }
    Set<Long> annIds = new HashSet<>();
    for (CocoAnnotation a : annotations) {
      if (!annIds.add(a.id())) {
        throw new IllegalArgumentException("annotation id " + a.id() + " is used twice");
      }
      checkAnnotation(a, byId, catIds, categories);
    }
  }

  /**
   * Checks one annotation against the images and categories (shared with the reader, which reports the
   * entry's position in the file too).
   *
   * @throws IllegalArgumentException if its image or category is unknown, or its box has no area or lies
   *     outside its image
   */
  static void checkAnnotation(CocoAnnotation a, Map<Long, CocoImage> images, Set<Integer> categoryIds,
      List<CocoCategory> categories) {
    String what = "annotation " + a.id();
    CocoImage im = images.get(a.imageId());
    if (im == null) {
      throw new IllegalArgumentException(what + ": unknown image id " + a.imageId());
    }
    if (!categoryIds.contains(a.categoryId())) {
      throw new IllegalArgumentException(what + ": unknown category id " + a.categoryId() + " (known: "
          + describeIds(categories) + ")");
    }
    Box b = a.bbox();
    if (b.width() <= 0 || b.height() <= 0) {
      throw new IllegalArgumentException(what + ": bbox " + b + " has no area");
    }
    if (!b.within(im.width(), im.height(), BOX_TOLERANCE)) {
      throw new IllegalArgumentException(what + ": bbox " + b + " lies outside its image " + im.id() + " ("
          + im.width() + "×" + im.height() + ")");
    }
  }

  /** The images by id, in file order (built on each call: O(images)). */
  public Map<Long, CocoImage> imagesById() {
    Map<Long, CocoImage> m = new LinkedHashMap<>();
    for (CocoImage im : images) {
      m.put(im.id(), im);
    }
    return m;
  }

  /** The category of each id, in file order (built on each call). */
  public Map<Integer, CocoCategory> categoriesById() {
    Map<Integer, CocoCategory> m = new LinkedHashMap<>();
    for (CocoCategory c : categories) {
      m.put(c.id(), c);
    }
    return m;
  }

  /** The annotations of each image id, in file order; images without any are absent (built on each call). */
  public Map<Long, List<CocoAnnotation>> annotationsByImage() {
    Map<Long, List<CocoAnnotation>> m = new LinkedHashMap<>();
    for (CocoAnnotation a : annotations) {
      m.computeIfAbsent(a.imageId(), k -> new ArrayList<>()).add(a);
    }
    return m;
  }

  /** The path of an image's file. */
  public Path imageFile(CocoImage image) {
    return imageDir.resolve(image.fileName());
  }

  /** "1..10" for contiguous ids, else the list, shortened: for messages. */
  static String describeIds(List<CocoCategory> categories) {
    if (categories.isEmpty()) {
      return "none";
    }
    int min = Integer.MAX_VALUE;
    int max = Integer.MIN_VALUE;
    for (CocoCategory c : categories) {
      min = Math.min(min, c.id());
      max = Math.max(max, c.id());
    }
    if ((long) max - min + 1 == categories.size()) {
      return min == max ? Integer.toString(min) : min + ".." + max;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < categories.size() && i < 12; i++) {
      sb.append(i > 0 ? ", " : "").append(categories.get(i).id());
    }
    return categories.size() > 12 ? sb + ", …" : sb.toString();
  }
}

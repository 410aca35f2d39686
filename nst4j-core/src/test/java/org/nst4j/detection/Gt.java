package org.nst4j.detection;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test support: builds small ground truths and detections by hand (never a test class itself). Images are
 * 200×200 with ids 1, 2, …; categories 1..{@code categories} are named "c1", "c2", ….
 */
final class Gt {
  private final int categories;
  private final int images;
  private final List<CocoAnnotation> objects = new ArrayList<>();

  private Gt(int images, int categories) {
    this.images = images;
    this.categories = categories;
  }

  static Gt of(int images, int categories) {
    return new Gt(images, categories);
  }

  /** Adds an object of category {@code cat} with box [x, y, w, h] to image {@code image}. */
  Gt box(long image, int cat, double x, double y, double w, double h) {
    objects.add(CocoAnnotation.of(objects.size() + 1, image, cat, new Box(x, y, w, h)));
    return this;
  }

  /** Adds an object whose {@code area} field differs from its box's. */
  Gt boxWithArea(long image, int cat, double x, double y, double w, double h, double area) {
    objects.add(new CocoAnnotation(objects.size() + 1, image, cat, new Box(x, y, w, h), area, false));
    return this;
  }

  /** Adds a crowd region. */
  Gt crowd(long image, int cat, double x, double y, double w, double h) {
    objects.add(new CocoAnnotation(objects.size() + 1, image, cat, new Box(x, y, w, h), w * h, true));
    return this;
  }

  CocoDataset build() {
    List<CocoImage> ims = new ArrayList<>();
    for (int i = 1; i <= images; i++) {
      ims.add(new CocoImage(i, i + ".png", 200, 200));
    }
    List<CocoCategory> cats = new ArrayList<>();
    for (int c = 1; c <= categories; c++) {
      cats.add(new CocoCategory(c, "c" + c));
    }
    return new CocoDataset("hand-built", Path.of("."), ims, cats, objects);
  }

  static Detection det(long image, int cat, double x, double y, double w, double h, double score) {
    return new Detection(image, cat, new Box(x, y, w, h), score);
  }

  /** Perfect detections of every (non-crowd) object of {@code gt}, scores descending in file order. */
  static List<Detection> perfect(CocoDataset gt) {
    List<Detection> out = new ArrayList<>();
    int n = gt.annotations().size();
    for (CocoAnnotation a : gt.annotations()) {
      if (!a.crowd()) {
        out.add(new Detection(a.imageId(), a.categoryId(), a.bbox(), 1.0 - (double) out.size() / (n + 1)));
      }
    }
    return out;
  }
}

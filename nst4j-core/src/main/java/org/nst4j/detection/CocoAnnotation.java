package org.nst4j.detection;

import java.util.Objects;

/**
 * One ground-truth object of a COCO data set.
 *
 * @param id the annotation id, unique within the data set
 * @param imageId the id of the image it belongs to
 * @param categoryId the id of its category
 * @param bbox its box
 * @param area the area used for COCO's small/medium/large ranges: the file's {@code area} field if present
 *     (for COCO proper the segmentation's area, not the box's), else the box's width × height
 * @param crowd COCO's {@code iscrowd}: a region of many objects, which detections may match without counting
 *     as true or false positives
 */
public record CocoAnnotation(long id, long imageId, int categoryId, Box bbox, double area, boolean crowd) {
  /**
   * Checks the values.
   *
   * @throws IllegalArgumentException if the box is null or the area negative or not finite
   */
  public CocoAnnotation {
    Objects.requireNonNull(bbox, "bbox");
    if (!(area >= 0) || Double.isInfinite(area)) {
      throw new IllegalArgumentException("annotation " + id + ": area " + area + " is not a finite number ≥ 0");
    }
  }

  /** An ordinary (not crowd) annotation whose area is its box's. */
  public static CocoAnnotation of(long id, long imageId, int categoryId, Box bbox) {
    return new CocoAnnotation(id, imageId, categoryId, bbox, bbox.area(), false);
  }
}

package org.nst4j.detection;

import java.util.Objects;

/**
 * One detection, as an entry of a COCO results file ({@code {image_id, category_id, bbox, score}}).
 *
 * @param imageId the image it was found in
 * @param categoryId the predicted category
 * @param bbox the predicted box
 * @param score the confidence; detections are ranked by it, higher first
 */
public record Detection(long imageId, int categoryId, Box bbox, double score) {
  /**
   * Checks the values.
   *
   * @throws IllegalArgumentException if the box is null or the score is not finite
   */
  public Detection {
    Objects.requireNonNull(bbox, "bbox");
    if (!Double.isFinite(score)) {
      throw new IllegalArgumentException("detection in image " + imageId + ": score " + score + " is not finite");
    }
  }
}

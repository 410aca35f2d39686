package org.nst4j.detection;

import java.util.Objects;

/**
 * One image entry of a COCO data set.
 *
 * @param id the image id, unique within the data set
 * @param fileName the image file, relative to the data set's image folder
 * @param width width in pixels, ≥ 1
 * @param height height in pixels, ≥ 1
 */
public record CocoImage(long id, String fileName, int width, int height) {
  /**
   * Checks the values.
   *
   * @throws IllegalArgumentException if the file name is empty or a size is not positive
   */
  public CocoImage {
    Objects.requireNonNull(fileName, "fileName");
    if (fileName.isBlank()) {
      throw new IllegalArgumentException("image " + id + ": empty file name");
    }
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException("image " + id + ": size " + width + "×" + height + " is not positive");
    }
  }
}

package org.nst4j.detection;

import java.util.Objects;

/**
 * One category of a COCO data set.
 *
 * @param id the category id, unique within the data set (COCO's ids need not be contiguous)
 * @param name the category's name
 */
public record CocoCategory(int id, String name) {
  /** @throws NullPointerException if the name is null */
  public CocoCategory {
    Objects.requireNonNull(name, "name");
  }
}

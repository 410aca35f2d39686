package org.nst4j.transfer;

/**
 * What to do when a student map and its teacher map differ in height or width (spec, "Spatial alignment").
 */
public enum SpatialPolicy {
  /** Adaptive-average-pool the larger map down to the smaller size (the default). */
  POOL,
  /** Refuse with an {@link IllegalArgumentException} naming both shapes. */
  REFUSE;

  /**
   * Parses {@code pool} or {@code refuse} (case-insensitive).
   *
   * @param text the policy name
   * @return the policy
   * @throws IllegalArgumentException for any other text
   */
  public static SpatialPolicy parse(String text) {
    if (text != null) {
      for (SpatialPolicy p : values()) {
        if (p.name().equalsIgnoreCase(text.trim())) {
          return p;
        }
      }
    }
    throw new IllegalArgumentException("unknown spatial policy '" + text + "'; known: pool, refuse");
  }
}

package org.nst4j.detection;

import java.util.Objects;

/**
 * The training and test splits of a COCO-style data set.
 *
 * @param name the data set's name (its folder's)
 * @param train the training split ({@code train/})
 * @param test the evaluation split ({@code test/}, or {@code val/} when there is no test folder)
 */
public record CocoSplits(String name, CocoDataset train, CocoDataset test) {
  /** @throws NullPointerException if a part is null */
  public CocoSplits {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(test, "test");
  }
}

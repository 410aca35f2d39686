package org.nst4j.data;

import java.util.Objects;

/**
 * A data set's training and test splits with the normalisation that goes with them.
 *
 * @param name the data set's name ("fashion-mnist", "fashion-mnist-sample", a folder name, ...)
 * @param train the training split
 * @param test the test split, evaluated after training
 * @param normalization the per-channel normalisation for both splits (fixed by protocol for the known data
 *     sets, computed from {@code train} otherwise)
 */
public record DataSplits(String name, ImageDataset train, ImageDataset test, Normalization normalization) {
  /**
   * Checks that the parts fit together.
   *
   * @throws IllegalArgumentException if a part is null, or the splits differ in image shape or classes,
   *     or the normalisation has another number of channels
   */
  public DataSplits {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(test, "test");
    Objects.requireNonNull(normalization, "normalization");
    if (train.channels() != test.channels()
        || train.height() != test.height()
        || train.width() != test.width()) {
      throw new IllegalArgumentException(
          name + ": train images are " + shape(train) + " but test images are " + shape(test));
    }
    if (!train.classNames().equals(test.classNames())) {
      throw new IllegalArgumentException(name + ": train and test splits have different classes");
    }
    if (normalization.channels() != train.channels()) {
      throw new IllegalArgumentException(
          name + ": normalisation has " + normalization.channels() + " channels, images have "
              + train.channels());
    }
  }

  /** Number of classes (the same in both splits). */
  public int numClasses() {
    return train.numClasses();
  }

  private static String shape(ImageDataset ds) {
    return ds.channels() + "×" + ds.height() + "×" + ds.width();
  }

  @Override
  public String toString() {
    return name + " (train " + train + ", test " + test + ", " + normalization + ")";
  }
}

package org.nst4j.model;

/**
 * Builds a custom (non-zoo) model by its counts, for {@link ModelZoo#register}: what lets a saved custom model be
 * rebuilt from its card, so that {@code ModelStore.load}, export, {@code Classifier} and "use it as a teacher"
 * work for it as for a zoo model.
 *
 * <p>The factory must build the same architecture every time (same parameter names and shapes for the same
 * counts): saved parameters are read into what it returns.
 */
@FunctionalInterface
public interface TappedModelFactory {

  /**
   * Creates an uninitialised model.
   *
   * @param inputChannels image channels, ≥ 1
   * @param numClasses classes, ≥ 1
   * @param seed the initialisation seed (a factory may ignore it; loading replaces the parameters anyway)
   * @return the model, whose {@link TappedModel#architecture()} is the name it was registered under
   */
  TappedModel create(int inputChannels, int numClasses, long seed);
}

package org.nst4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The logits and named feature maps of one forward pass of a {@link TappedModel}.
 *
 * <p>A view over arrays owned by the caller's NDManager; it closes nothing.
 */
public final class ModelOutput {
  private final NDArray logits;
  private final Map<String, NDArray> taps;

  private ModelOutput(NDArray logits, Map<String, NDArray> taps) {
    this.logits = logits;
    this.taps = Collections.unmodifiableMap(taps);
  }

  /**
   * Reads a forward output {@code [logits, tap_0, ...]}.
   *
   * @param output the NDList returned by the model's forward
   * @param tapNames the model's tap names in order
   * @return the output view
   * @throws IllegalArgumentException if the list does not hold 1 + tapNames.size() arrays
   */
  public static ModelOutput of(NDList output, List<String> tapNames) {
    if (output.size() != tapNames.size() + 1) {
      throw new IllegalArgumentException(
          "model returned " + output.size() + " arrays, expected logits and " + tapNames.size() + " taps");
    }
    Map<String, NDArray> taps = new LinkedHashMap<>();
    for (int i = 0; i < tapNames.size(); i++) {
      taps.put(tapNames.get(i), output.get(i + 1));
    }
    return new ModelOutput(output.get(0), taps);
  }

  /** Creates an output from logits and taps given directly (used for saved tensors and tests). */
  public static ModelOutput of(NDArray logits, Map<String, NDArray> taps) {
    return new ModelOutput(logits, new LinkedHashMap<>(taps));
  }

  /** B×K logits (may be null when only feature maps were supplied, e.g. by the {@code loss} command). */
  public NDArray logits() {
    return logits;
  }

  /** Tap names in order. */
  public List<String> tapNames() {
    return List.copyOf(taps.keySet());
  }

  /**
   * The feature map of a tap.
   *
   * @param name the tap's name
   * @return the B×C×H×W map
   * @throws IllegalArgumentException naming the known taps if there is no such tap
   */
  public NDArray tap(String name) {
    NDArray map = taps.get(name);
    if (map == null) {
      throw new IllegalArgumentException("no tap '" + name + "'; this model has " + taps.keySet());
    }
    return map;
  }

  /** All taps, name to map, in order. */
  public Map<String, NDArray> taps() {
    return taps;
  }

  /** A copy whose arrays are cut from the autograd graph (used for the frozen teacher). */
  public ModelOutput stopGradient() {
    Map<String, NDArray> detached = new LinkedHashMap<>();
    taps.forEach((k, v) -> detached.put(k, v.stopGradient()));
    return new ModelOutput(logits == null ? null : logits.stopGradient(), detached);
  }
}

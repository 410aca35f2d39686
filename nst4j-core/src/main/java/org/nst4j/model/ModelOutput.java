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
 * <p>Two kinds of taps: the <em>main</em> taps ({@link #tapNames()}, e.g. {@code stage1..stage3}), which
 * every method's default tap choice reads, and the <em>pre-ReLU</em> taps ({@link #preReluTapNames()}, e.g.
 * {@code stage1_pre..stage3_pre}), which only methods that ask for them read (OFD, ReviewKD) and which a tap
 * named explicitly may also be ({@link #tap} finds both). Keeping them apart keeps the defaults of AT, KDSVD,
 * NST, VID, ... exactly what they were before the zoo exposed pre-ReLU maps.
 *
 * <p>A view over arrays owned by the caller's NDManager; it closes nothing.
 */
public final class ModelOutput {
  private final NDArray logits;
  private final Map<String, NDArray> taps;
  private final Map<String, NDArray> preReluTaps;

  private ModelOutput(NDArray logits, Map<String, NDArray> taps, Map<String, NDArray> preReluTaps) {
    this.logits = logits;
    this.taps = Collections.unmodifiableMap(taps);
    this.preReluTaps = Collections.unmodifiableMap(preReluTaps);
  }

  /**
   * Reads a forward output {@code [logits, tap_0, ...]} of a model without pre-ReLU taps.
   *
   * @param output the NDList returned by the model's forward
   * @param tapNames the model's tap names in order
   * @return the output view
   * @throws IllegalArgumentException if the list does not hold 1 + tapNames.size() arrays
   */
  public static ModelOutput of(NDList output, List<String> tapNames) {
    return of(output, tapNames, List.of());
  }

  /**
   * Reads the forward output of a model: {@code [logits, its main taps, its pre-ReLU taps]}.
   *
   * @param output the NDList returned by {@code model.forward}
   * @param model the model
   * @return the output view
   */
  public static ModelOutput of(NDList output, TappedModel model) {
    return of(output, model.tapNames(), model.preReluTapNames());
  }

  /**
   * Reads a forward output {@code [logits, tap_0, ..., tap_{n-1}, pre_0, ..., pre_{m-1}]}.
   *
   * @param output the NDList returned by the model's forward
   * @param tapNames the main tap names in order
   * @param preReluTapNames the pre-ReLU tap names in order (after the main ones)
   * @return the output view
   * @throws IllegalArgumentException if the list does not hold 1 + n + m arrays
   */
  public static ModelOutput of(NDList output, List<String> tapNames, List<String> preReluTapNames) {
    if (output.size() != tapNames.size() + preReluTapNames.size() + 1) {
      throw new IllegalArgumentException("model returned " + output.size() + " arrays, expected logits and "
          + tapNames.size() + " taps" + (preReluTapNames.isEmpty() ? ""
              : " and " + preReluTapNames.size() + " pre-ReLU taps"));
    }
    Map<String, NDArray> taps = new LinkedHashMap<>();
    for (int i = 0; i < tapNames.size(); i++) {
      taps.put(tapNames.get(i), output.get(i + 1));
    }
    Map<String, NDArray> pre = new LinkedHashMap<>();
    for (int i = 0; i < preReluTapNames.size(); i++) {
      pre.put(preReluTapNames.get(i), output.get(i + 1 + tapNames.size()));
    }
    return new ModelOutput(output.get(0), taps, pre);
  }

  /** Creates an output from logits and taps given directly (used for saved tensors and tests). */
  public static ModelOutput of(NDArray logits, Map<String, NDArray> taps) {
    return of(logits, taps, Map.of());
  }

  /** Creates an output from logits, main taps and pre-ReLU taps given directly (tests). */
  public static ModelOutput of(NDArray logits, Map<String, NDArray> taps, Map<String, NDArray> preReluTaps) {
    return new ModelOutput(logits, new LinkedHashMap<>(taps), new LinkedHashMap<>(preReluTaps));
  }

  /** B×K logits (may be null when only feature maps were supplied, e.g. by the {@code loss} command). */
  public NDArray logits() {
    return logits;
  }

  /** Main tap names in order (what methods' default taps choose from). */
  public List<String> tapNames() {
    return List.copyOf(taps.keySet());
  }

  /** Pre-ReLU tap names in order ({@code stage1_pre, ...}); empty for a model without them. */
  public List<String> preReluTapNames() {
    return List.copyOf(preReluTaps.keySet());
  }

  /** Main then pre-ReLU tap names: every name {@link #tap} accepts. */
  public List<String> allTapNames() {
    List<String> all = new java.util.ArrayList<>(taps.keySet());
    all.addAll(preReluTaps.keySet());
    return List.copyOf(all);
  }

  /**
   * The feature map of a tap, main or pre-ReLU.
   *
   * @param name the tap's name
   * @return the B×C×H×W map
   * @throws IllegalArgumentException naming the known taps if there is no such tap
   */
  public NDArray tap(String name) {
    NDArray map = taps.get(name);
    if (map == null) {
      map = preReluTaps.get(name);
    }
    if (map == null) {
      throw new IllegalArgumentException("no tap '" + name + "'; this model has " + allTapNames());
    }
    return map;
  }

  /** The main taps, name to map, in order. */
  public Map<String, NDArray> taps() {
    return taps;
  }

  /** The pre-ReLU taps, name to map, in order. */
  public Map<String, NDArray> preReluTaps() {
    return preReluTaps;
  }

  /** A copy whose arrays are cut from the autograd graph (used for the frozen teacher). */
  public ModelOutput stopGradient() {
    Map<String, NDArray> detached = new LinkedHashMap<>();
    taps.forEach((k, v) -> detached.put(k, v.stopGradient()));
    Map<String, NDArray> pre = new LinkedHashMap<>();
    preReluTaps.forEach((k, v) -> pre.put(k, v.stopGradient()));
    return new ModelOutput(logits == null ? null : logits.stopGradient(), detached, pre);
  }
}

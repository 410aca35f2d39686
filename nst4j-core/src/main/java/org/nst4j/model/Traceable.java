package org.nst4j.model;

import java.util.List;

/**
 * A block of the zoo that describes its inference forward pass through {@link GraphOps}: the one place, next
 * to its {@code forwardInternal}, where a block kind says what it computes for exporters ({@link
 * ModelGraph}). The description must compute what {@code forward(..., training = false)} computes; the ONNX
 * tests run both and compare.
 */
interface Traceable {
  /**
   * The block's inference graph.
   *
   * @param ops the graph being built
   * @param inputs the block's inputs, as its forward receives them
   * @return its outputs, as its forward returns them
   */
  <T> List<T> trace(GraphOps<T> ops, List<T> inputs);
}

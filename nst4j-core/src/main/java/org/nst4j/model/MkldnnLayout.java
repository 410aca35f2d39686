package org.nst4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * libtorch's MKLDNN (oneDNN blocked) tensor layout, as far as nst4j's models meet it: a frozen teacher may run
 * its forward on MKLDNN tensors (DJL 0.36 creates every CPU tensor in that layout while its system property
 * {@value #PROPERTY} is true; see {@code org.nst4j.bench.TeacherLayout} and docs/performance.md, "oneDNN's
 * blocked layout for the frozen teacher"). Convolutions, ReLU, additions, BatchNorm and pooling accept such
 * tensors; libtorch's linear layer ({@code aten::addmm}) and every strided view do not, so a chain brings its
 * pooled features back to the dense layout before its head ({@link ChainedModel}).
 *
 * <p>Nothing here switches the layout on; it only recognises it and leaves it.
 */
public final class MkldnnLayout {
  /** DJL 0.36's switch, read by its JNI layout mapper at each CPU tensor creation. */
  public static final String PROPERTY = "ai.djl.pytorch.use_mkldnn";

  /** The layout code DJL's JNI reports for an MKLDNN tensor ({@code PtNDArray.toDense} tests the same code). */
  private static final int MKLDNN = 2;

  private MkldnnLayout() {}

  /**
   * Whether {@code x} is a libtorch tensor in the MKLDNN layout.
   *
   * @param x any array (other engines' arrays are never MKLDNN)
   * @return true for an MKLDNN tensor
   */
  public static boolean isMkldnn(NDArray x) {
    return x instanceof PtNDArray pt && JniUtils.getLayout(pt) == MKLDNN;
  }

  /**
   * {@code x} in the dense (strided) layout: {@code x} itself if it already is (no copy, unlike DJL's {@code
   * toDense}, which duplicates a dense array), else a dense copy in {@code x}'s manager.
   *
   * @param x any array
   * @return a dense array with the same values
   */
  public static NDArray toDense(NDArray x) {
    return isMkldnn(x) ? x.toDense() : x;
  }
}

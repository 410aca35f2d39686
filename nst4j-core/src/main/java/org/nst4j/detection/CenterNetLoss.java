package org.nst4j.detection;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.List;

/**
 * CenterNet's training loss: the penalty-reduced focal loss on the heatmap plus L1 losses on size and offset
 * at the objects' centre cells, {@code heat + λ_size·size + λ_offset·offset} with λ_size = {@value #SIZE_WEIGHT},
 * λ_offset = {@value #OFFSET_WEIGHT} (the paper's weights).
 *
 * <p>Focal loss, with p the predicted probability and y the Gaussian target: −(1 − p)^α log p where y = 1,
 * −(1 − y)^β p^α log(1 − p) elsewhere, α = 2, β = 4, summed and divided by the number of objects (at least 1).
 * The Gaussian's (1 − y)^β lowers the penalty near a centre, where a detection is almost right.
 */
public final class CenterNetLoss {
  /** Weight of the size loss. */
  public static final float SIZE_WEIGHT = 0.1f;

  /** Weight of the offset loss. */
  public static final float OFFSET_WEIGHT = 1f;

  /** Probabilities are clipped to [ε, 1 − ε] before the logarithms, so that the loss stays finite. */
  private static final float EPS = 1e-4f;

  private CenterNetLoss() {}

  /**
   * The targets of a batch as arrays: heatmap (B×K×h×w), index (B×N, int64), mask (B×N, 1 for a real object,
   * 0 for padding), size and offset (B×N×2); N is the largest number of objects in an image (at least 1).
   *
   * @param manager where to create the arrays
   * @param targets one per image, all of the same grid and class count
   * @return {@code [heatmap, index, mask, size, offset]}
   * @throws IllegalArgumentException if the list is empty or the targets differ in grid or classes
   */
  public static NDList batch(NDManager manager, List<CenterNetTargets> targets) {
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("no targets");
    }
    CenterNetTargets first = targets.get(0);
    int b = targets.size();
    int plane = first.classes() * first.height() * first.width();
    int n = 1;
    for (CenterNetTargets t : targets) {
      if (t.classes() != first.classes() || t.height() != first.height() || t.width() != first.width()) {
        throw new IllegalArgumentException("targets of one batch must share classes and grid");
      }
      n = Math.max(n, t.objects());
    }
    float[] heat = new float[b * plane];
    long[] index = new long[b * n];
    float[] mask = new float[b * n];
    float[] size = new float[b * n * 2];
    float[] offset = new float[b * n * 2];
    for (int i = 0; i < b; i++) {
      CenterNetTargets t = targets.get(i);
      System.arraycopy(t.heatmap(), 0, heat, i * plane, plane);
      for (int j = 0; j < t.objects(); j++) {
        index[i * n + j] = t.index()[j];
        mask[i * n + j] = 1;
      }
      System.arraycopy(t.size(), 0, size, i * n * 2, 2 * t.objects());
      System.arraycopy(t.offset(), 0, offset, i * n * 2, 2 * t.objects());
    }
    return new NDList(
        manager.create(heat, new Shape(b, first.classes(), first.height(), first.width())),
        manager.create(index, new Shape(b, n)),
        manager.create(mask, new Shape(b, n)),
        manager.create(size, new Shape(b, n, 2)),
        manager.create(offset, new Shape(b, n, 2)));
  }

  /**
   * The loss of a forward output against a batch of targets.
   *
   * @param output the detector's output, {@code [heat logits, size, offset, …]}
   * @param targets {@link #batch}'s arrays
   * @return {@code [total, heat, size, offset]}, scalars
   */
  public static NDList loss(NDList output, NDList targets) {
    NDArray focal = focal(output.get(0), targets.get(0));
    NDArray size = regression(output.get(1), targets.get(1), targets.get(2), targets.get(3));
    NDArray offset = regression(output.get(2), targets.get(1), targets.get(2), targets.get(4));
    // The weights are libtorch-allocated 0-d arrays, not Java numbers: x.mul(0.1f) wraps the number in a
    // Java buffer that autograd keeps for the backward pass and the garbage collector may free before it
    // (see org.nst4j.transfer.Scalars), which made losses NaN now and then in classification runs.
    NDManager m = focal.getManager();
    NDArray total = focal.add(size.mul(m.full(new Shape(), SIZE_WEIGHT, DataType.FLOAT32)))
        .add(offset.mul(m.full(new Shape(), OFFSET_WEIGHT, DataType.FLOAT32)));
    return new NDList(total, focal, size, offset);
  }

  /** The penalty-reduced focal loss (see the class comment). */
  static NDArray focal(NDArray logits, NDArray target) {
    NDArray p = Activation.sigmoid(logits).clip(EPS, 1 - EPS);
    NDArray pos = target.eq(1).toType(DataType.FLOAT32, false);
    NDArray neg = pos.neg().add(1);
    NDArray oneMinusP = p.neg().add(1);
    NDArray posLoss = p.log().mul(oneMinusP.square()).mul(pos);
    NDArray negWeight = target.neg().add(1).pow(4);
    NDArray negLoss = oneMinusP.log().mul(p.square()).mul(negWeight).mul(neg);
    NDArray count = pos.sum().maximum(1);
    return posLoss.sum().add(negLoss.sum()).neg().div(count);
  }

  /**
   * L1 between a B×2×h×w prediction, read at each object's cell, and the B×N×2 targets; padding entries are
   * masked out; the sum is divided by the number of values compared.
   */
  static NDArray regression(NDArray pred, NDArray index, NDArray mask, NDArray target) {
    long b = pred.getShape().get(0);
    long cells = pred.getShape().get(2) * pred.getShape().get(3);
    long n = index.getShape().get(1);
    NDArray flat = pred.reshape(b, 2, cells).transpose(0, 2, 1); // B × cells × 2
    NDArray idx = index.reshape(b, n, 1).repeat(2, 2); // B × N × 2
    NDArray picked = flat.gather(idx, 1);
    NDArray m = mask.reshape(b, n, 1).repeat(2, 2);
    NDArray diff = picked.sub(target).abs().mul(m);
    return diff.sum().div(m.sum().add(1e-4f));
  }
}

package org.nst4j.transfer;

import ai.djl.ndarray.NDArray;
import java.util.List;
import org.nst4j.model.ModelOutput;

/**
 * Relational knowledge distillation (Park et al., CVPR 2019; spec part 2, "RKD") on pooled features:
 * {@code w_d · SmoothL1(d_s, d_t) + w_a · SmoothL1(angle_s, angle_t)}, summed over the tap pairs.
 *
 * <p>Distances: d_ij = sqrt(max(‖p_i − p_j‖², 1e-12)), diagonal 0, divided by the mean of the B(B − 1)
 * off-diagonal d_ij of the batch (the teacher's without gradient). ‖p_i − p_j‖² is summed from the
 * differences themselves rather than from the Gram matrix as the authors' {@code pdist} does (same value,
 * no cancellation). Angles: for every triple the cosine ⟨e_ij, e_kj⟩, e_ij = (p_i − p_j)/max(‖p_i − p_j‖,
 * 1e-12) (0 for i = j), all B³ entries, as RepDistiller's and mdistiller's {@code F.normalize} and bmm.
 * SmoothL1 has β = 1 and averages over all entries (B² and B³, diagonals included, as the authors'
 * {@code F.smooth_l1_loss}). Student and teacher widths may differ.
 *
 * <p>Memory: the angle part holds B×B×D differences and a B×B×B cosine array.
 */
public final class RkdTerm implements TransferTerm {
  /** Term name in {@link LossTerms} (proposed method token {@code rkd}). */
  public static final String NAME = "rkd";

  /** Default distance weight w_d = 25; proposed option {@code --rkd-distance-weight}. */
  public static final double DEFAULT_DISTANCE_WEIGHT = 25;

  /** Default angle weight w_a = 50; proposed option {@code --rkd-angle-weight}. */
  public static final double DEFAULT_ANGLE_WEIGHT = 50;

  /** Floor of the squared distances (and of the norms for the angles), from the spec and the authors. */
  static final double EPS = 1e-12;

  private final double distanceWeight;
  private final double angleWeight;
  private final List<String> taps;

  /** Creates the term with the default weights on the last tap. */
  public RkdTerm() {
    this(DEFAULT_DISTANCE_WEIGHT, DEFAULT_ANGLE_WEIGHT, null);
  }

  /**
   * Creates the term.
   *
   * @param distanceWeight w_d ≥ 0
   * @param angleWeight w_a ≥ 0
   * @param taps tap pairs ({@code name} or {@code student:teacher}, summed), or null for the last tap of each
   *     model (proposed option {@code --rkd-taps}, or the shared {@code --taps})
   */
  public RkdTerm(double distanceWeight, double angleWeight, List<String> taps) {
    if (!(distanceWeight >= 0) || !Double.isFinite(distanceWeight)) {
      throw new IllegalArgumentException("RKD distance weight must be a finite number ≥ 0, got " + distanceWeight);
    }
    if (!(angleWeight >= 0) || !Double.isFinite(angleWeight)) {
      throw new IllegalArgumentException("RKD angle weight must be a finite number ≥ 0, got " + angleWeight);
    }
    this.distanceWeight = distanceWeight;
    this.angleWeight = angleWeight;
    this.taps = taps == null ? null : List.copyOf(taps);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public NDArray compute(ModelOutput student, ModelOutput teacher, NDArray labels, boolean training) {
    NDArray sum = null;
    for (TapPairs.Pair p : TapPairs.resolve(student, teacher, taps, TapPairs.Default.LAST, NAME)) {
      NDArray ps = Features.pooled(student.tap(p.student()), NAME + " " + p.label());
      NDArray pt = Features.pooled(teacher.tap(p.teacher()), NAME + " " + p.label()).stopGradient();
      Features.checkBatch(ps, pt, 2, NAME + " " + p.label());
      NDArray term = null;
      if (distanceWeight != 0) {
        term = Scalars.times(distanceLoss(ps, pt), distanceWeight);
      }
      if (angleWeight != 0) {
        NDArray a = Scalars.times(angleLoss(ps, pt), angleWeight);
        term = term == null ? a : term.add(a);
      }
      if (term == null) {
        term = Scalars.times(ps.sum(), 0);
      }
      sum = sum == null ? term : sum.add(term);
    }
    return sum;
  }

  /** SmoothL1 of the normalised distance matrices, unweighted. */
  static NDArray distanceLoss(NDArray ps, NDArray pt) {
    return Features.smoothL1(distances(ps), distances(pt));
  }

  /** SmoothL1 of the B³ angle cosines, unweighted. */
  static NDArray angleLoss(NDArray ps, NDArray pt) {
    return Features.smoothL1(angles(ps), angles(pt));
  }

  /** Pairwise differences {@code [j][i] = p_i − p_j}, B×B×D. */
  private static NDArray differences(NDArray p) {
    return p.expandDims(0).sub(p.expandDims(1));
  }

  /**
   * The B×B distance matrix divided by its off-diagonal mean.
   *
   * @param p B×D pooled features, B ≥ 2
   * @return B×B, zero diagonal
   */
  static NDArray distances(NDArray p) {
    long b = p.getShape().get(0);
    NDArray sq = differences(p).square().sum(new int[] {2});
    NDArray offDiagonal = p.getManager().eye((int) b).neg().add(p.getManager().ones(sq.getShape()))
        .toType(p.getDataType(), false);
    NDArray d = Scalars.atLeast(sq, EPS).sqrt().mul(offDiagonal);
    NDArray mean = Scalars.over(d.sum(), (double) b * (b - 1));
    return d.div(mean);
  }

  /**
   * Cosines of all B³ angles, {@code [j][i][k] = ⟨e_ij, e_kj⟩}.
   *
   * @param p B×D pooled features
   * @return B×B×B
   */
  static NDArray angles(NDArray p) {
    NDArray e = differences(p).normalize(2, 2, EPS);
    return e.matMul(e.transpose(0, 2, 1));
  }
}

package org.nst4j.transfer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.stream.IntStream;
import org.nst4j.model.ModelOutput;

/**
 * Self-supervised KD with singular value decomposition (Lee, Kim &amp; Song, ECCV 2018; spec part 2, "KDSVD"),
 * as RepDistiller's port of the authors' code ({@code distiller_zoo/KDSVD.py}), which the public CIFAR-100
 * tables use: {@code w · Σ_{i ≥ 1} Σ (RBF_s(i) − RBF_t(i))² / B} over consecutive tap pairs.
 *
 * <p>Per tap pair and image the map is read as x = HW×C (positions × channels) and decomposed x = UΣVᵀ. The
 * teacher keeps its top k right singular vectors v_t (C-dimensional) and singular values σ, normalised to
 * s = σ/‖σ‖ over the k; the student keeps its top k + 3. Each teacher vector is matched with the student
 * vector of largest |cosine|, whose sign is flipped to make the cosine ≥ 0 ("sign-aligned to the teacher's");
 * both are multiplied by s. Between consecutive pairs i − 1, i the RBF correlations
 * {@code exp(−(v(i)_c − v(i−1)_c')² / 8)} of every channel c of pair i with every channel c' of pair i − 1,
 * per singular vector, are compared: squared difference summed over c, c', the k vectors and the batch,
 * divided by B. The teacher's side carries no gradient.
 *
 * <p>Choices where the code leaves room, all documented:
 *
 * <ul>
 *   <li>Student and teacher must have equal channel counts at each pair (the alignment compares C-vectors);
 *       spatial sizes may differ (V lives in channel space). Default taps: every tap of both models
 *       ({@link TapPairs.Default#ALL}; RepDistiller uses the three stage outputs of its CIFAR ResNets); at
 *       least two pairs are needed.
 *   <li>Vectors are limited to min(HW, C) (the thin SVD's count, so k + 3 may be fewer).
 *   <li>A singular vector's sign is arbitrary (LAPACK's choice); the loss depends on the teacher's through
 *       the RBF between pairs, so the teacher's vectors are made deterministic: the component of largest
 *       magnitude is positive (scikit-learn's {@code svd_flip} convention). The student's sign never matters
 *       (aligned).
 *   <li>Only student vectors of nonzero singular value (λ above 1e-12 of the largest) are candidates: the
 *       others span a null space in which the SVD's basis is arbitrary (a ReLU map with dead channels, or HW
 *       &lt; k + 3). An all-zero student map gives a zero vector without gradient.
 *   <li>A tie in the alignment's |cosine| picks the first student vector (RepDistiller's mask would add the
 *       tied vectors); a zero cosine counts as positive (the TF original's {@code greater_equal}).
 * </ul>
 *
 * <p><b>How the SVD is differentiated.</b> DJL 0.36 exposes no SVD or eigensolver, so the decomposition is
 * computed in Java, in double precision, from the eigenvectors of the smaller of xᵀx (C×C) and xxᵀ (HW×HW)
 * (Householder tridiagonalisation and implicit QR). The gradient is the exact first-order derivative of the
 * selected eigenvector v_i of A = xᵀx, dv_i = P_i·dA·v_i with P_i = Σ_{j≠i} v_j v_jᵀ/(λ_i − λ_j) + (I − Σ_j
 * v_j v_jᵀ)/λ_i (the last term the zero eigenvalues of a rank-deficient A), which is what {@code torch.svd}'s
 * backward gives for V. It enters the graph through the surrogate v_i + P_i·(A − stopGradient(A))·v_i, whose
 * value is v_i exactly. As in the authors' "removenan", terms with λ_i ≈ λ_j (relative gap below 1e-12) are
 * dropped and a vector of zero singular value gets no gradient. Cost: O(B·min(C, HW)³) Java work per pair
 * and batch, spread over cores: about 3 ms per 64×64 decomposition, some 0.5–1 s per batch of 64 at CIFAR
 * ResNet stage shapes (16/32/64 channels) on this project's 2 busy cores; a LAPACK eigensolver would remove
 * it if DJL exposed one.
 */
public final class KdsvdTerm implements TransferTerm {
  /** Term name in {@link LossTerms} (proposed method token {@code kdsvd}). */
  public static final String NAME = "kdsvd";

  /** Default number of teacher singular vectors k = 1; proposed option {@code --kdsvd-k}. */
  public static final int DEFAULT_K = 1;

  /** Default weight w = 1; proposed option {@code --kdsvd-weight}. */
  public static final double DEFAULT_WEIGHT = 1;

  /** The student keeps k + 3 vectors to choose from (RepDistiller, and the authors' code). */
  static final int STUDENT_EXTRA = 3;

  /** The RBF's denominator. */
  static final double RBF_SCALE = 8;

  /** Relative size below which an eigenvalue gap (or an eigenvalue) counts as zero. */
  static final double GAP_TOL = 1e-12;

  private final int k;
  private final double weight;
  private final List<String> taps;

  /** Creates the term with the default k and weight on every tap. */
  public KdsvdTerm() {
    this(DEFAULT_K, DEFAULT_WEIGHT, null);
  }

  /**
   * Creates the term.
   *
   * @param k teacher singular vectors ≥ 1
   * @param weight w ≥ 0
   * @param taps tap pairs in order ({@code name} or {@code student:teacher}, at least two), or null for every
   *     tap of both models
   */
  public KdsvdTerm(int k, double weight, List<String> taps) {
    if (k < 1) {
      throw new IllegalArgumentException("KDSVD k must be ≥ 1, got " + k);
    }
    if (!(weight >= 0) || !Double.isFinite(weight)) {
      throw new IllegalArgumentException("KDSVD weight must be a finite number ≥ 0, got " + weight);
    }
    this.k = k;
    this.weight = weight;
    this.taps = taps == null ? null : List.copyOf(taps);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public NDArray compute(ModelOutput student, ModelOutput teacher, NDArray labels, boolean training) {
    List<TapPairs.Pair> pairs = TapPairs.resolve(student, teacher, taps, TapPairs.Default.ALL, NAME);
    if (pairs.size() < 2) {
      throw new IllegalArgumentException(
          NAME + " compares consecutive tap pairs and needs at least two, got " + pairs.size()
              + "; student taps " + student.tapNames() + ", teacher taps " + teacher.tapNames());
    }
    NDArray sum = null;
    NDArray[] prev = null;
    long batch = 0;
    for (TapPairs.Pair p : pairs) {
      NDArray[] cur = aligned(student.tap(p.student()), teacher.tap(p.teacher()).stopGradient(), k,
          NAME + " " + p.label());
      batch = cur[0].getShape().get(0);
      if (prev != null) {
        long kk = Math.min(cur[0].getShape().get(2), prev[0].getShape().get(2));
        NDArray d = rbf(cols(cur[0], kk), cols(prev[0], kk))
            .sub(rbf(cols(cur[1], kk), cols(prev[1], kk))).square().sum();
        sum = sum == null ? d : sum.add(d);
      }
      prev = cur;
    }
    return Scalars.times(sum, weight / batch);
  }

  private static NDArray cols(NDArray v, long kk) {
    return v.getShape().get(2) == kk ? v : v.get(":, :, 0:" + kk);
  }

  /** RBF correlations exp(−(a_c − b_c')²/8), B×C_a×C_b×k, of B×C_a×k and B×C_b×k. */
  static NDArray rbf(NDArray a, NDArray b) {
    NDArray diff = a.expandDims(2).sub(b.expandDims(1));
    return Scalars.over(diff.square(), RBF_SCALE).neg().exp();
  }

  /**
   * The aligned, s-weighted singular vectors of one tap pair: {student B×C×k', teacher B×C×k'}, k' = min(k,
   * HW_t, C); the student's differentiable (see the class comment).
   */
  static NDArray[] aligned(NDArray fs, NDArray ft, int k, String where) {
    Shape ss = fs.getShape();
    Shape ts = ft.getShape();
    if (ss.dimension() != 4 || ts.dimension() != 4) {
      throw new IllegalArgumentException(where + ": feature maps must be B×C×H×W, got " + ss + " and " + ts);
    }
    Features.checkBatch(fs, ft, 1, where);
    if (ss.get(1) != ts.get(1)) {
      throw new IllegalArgumentException(
          where + ": KDSVD aligns singular vectors over channels, so student and teacher need equal channel"
              + " counts; got " + ss + " and " + ts);
    }
    int b = Math.toIntExact(ss.get(0));
    int c = Math.toIntExact(ss.get(1));
    int hws = Math.toIntExact(ss.get(2) * ss.get(3));
    int hwt = Math.toIntExact(ts.get(2) * ts.get(3));
    int kt = Math.min(k, Math.min(hwt, c));
    int m = Math.min(k + STUDENT_EXTRA, Math.min(hws, c));
    double[] xs = fs.toType(DataType.FLOAT64, false).toDoubleArray();
    double[] xt = ft.toType(DataType.FLOAT64, false).toDoubleArray();
    double[] vs0 = new double[b * c * kt]; // B×C×kt, the aligned student vectors (signed)
    double[] vt = new double[b * c * kt]; // B×C×kt, the teacher's vectors times s
    double[] scale = new double[b * kt]; // B×1×kt, s
    double[] proj = new double[b * kt * c * c]; // B×kt×C×C, P of each selected student vector
    IntStream.range(0, b).parallel().forEach(img -> {
      Decomposition t = Decomposition.of(xt, img * c * hwt, c, hwt);
      Decomposition s = Decomposition.of(xs, img * c * hws, c, hws);
      double norm = 0;
      for (int j = 0; j < kt; j++) {
        norm += t.values[j];
      }
      norm = Math.max(Math.sqrt(norm), 1e-12); // ‖σ‖ over the top kt, σ² = λ
      for (int j = 0; j < kt; j++) {
        double[] tv = t.vector(j);
        flipToLargestPositive(tv);
        double sj = Math.sqrt(Math.max(t.values[j], 0)) / norm;
        scale[img * kt + j] = sj;
        int best = -1;
        double bestAbs = -1;
        double bestCos = 0;
        for (int i = 0; i < m; i++) {
          if (!s.isNonzero(i)) {
            continue; // a null-space vector is arbitrary: never a candidate
          }
          double cos = dot(s.vector(i), tv);
          if (Math.abs(cos) > bestAbs) {
            bestAbs = Math.abs(cos);
            best = i;
            bestCos = cos;
          }
        }
        double sign = bestCos >= 0 ? 1 : -1;
        for (int ch = 0; ch < c; ch++) {
          vt[(img * c + ch) * kt + j] = tv[ch] * sj;
        }
        if (best < 0) {
          continue; // an all-zero student map: its aligned vector is 0, without gradient
        }
        double[] sv = s.vector(best);
        for (int ch = 0; ch < c; ch++) {
          vs0[(img * c + ch) * kt + j] = sign * sv[ch];
        }
        s.projector(best, proj, (img * kt + j) * c * c);
      }
    });
    NDManager mgr = fs.getManager();
    DataType type = fs.getDataType();
    NDArray v0 = mgr.create(vs0, new Shape(b, c, kt)).toType(type, false);
    NDArray p = mgr.create(proj, new Shape(b, kt, c, c)).toType(type, false);
    NDArray sw = mgr.create(scale, new Shape(b, 1, kt)).toType(type, false);
    // Surrogate v0 + P·(A − A₀)·v0: value v0, gradient P·dA·v0.
    NDArray x = fs.reshape(b, c, hws);
    NDArray a = x.matMul(x.transpose(0, 2, 1));
    NDArray w = a.sub(a.stopGradient()).matMul(v0); // B×C×kt, zeros that carry dA·v0
    NDArray corr = p.matMul(w.transpose(0, 2, 1).reshape(b, kt, c, 1)).reshape(b, kt, c).transpose(0, 2, 1);
    NDArray student = v0.add(corr).mul(sw);
    NDArray teacher = mgr.create(vt, new Shape(b, c, kt)).toType(type, false);
    return new NDArray[] {student, teacher};
  }

  private static double dot(double[] a, double[] b) {
    double v = 0;
    for (int i = 0; i < a.length; i++) {
      v += a[i] * b[i];
    }
    return v;
  }

  /** Flips v in place so that its component of largest magnitude (the first such) is positive. */
  static void flipToLargestPositive(double[] v) {
    int arg = 0;
    for (int i = 1; i < v.length; i++) {
      if (Math.abs(v[i]) > Math.abs(v[arg])) {
        arg = i;
      }
    }
    if (v[arg] < 0) {
      for (int i = 0; i < v.length; i++) {
        v[i] = -v[i];
      }
    }
  }

  /**
   * Eigenpairs of A = xᵀx for one image's map (x = HW×C, stored as C rows of HW), largest first: λ = σ², the
   * right singular vectors v (C each). Built from the smaller Gram matrix; with HW &lt; C only the HW
   * vectors of the nonzero eigenvalues are known, the rest being the null space.
   */
  static final class Decomposition {
    final int c;
    final double[] values;
    /** The known eigenvectors, each of length C (rows). */
    final double[][] vectors;

    private Decomposition(int c, double[] values, double[][] vectors) {
      this.c = c;
      this.values = values;
      this.vectors = vectors;
    }

    double[] vector(int i) {
      return vectors[i].clone();
    }

    /** Whether σ_i is nonzero (λ_i above {@link #GAP_TOL} times the largest). */
    boolean isNonzero(int i) {
      double top = Math.max(values[0], 0);
      return values[i] > GAP_TOL * top && values[i] > 0;
    }

    /**
     * The decomposition of the C×HW block at {@code off} of {@code data}.
     *
     * @param data B×C×HW values
     * @param off offset of the image
     * @param c channels
     * @param hw positions
     */
    static Decomposition of(double[] data, int off, int c, int hw) {
      if (c <= hw) {
        double[][] a = new double[c][c];
        for (int i = 0; i < c; i++) {
          for (int j = 0; j <= i; j++) {
            double v = 0;
            for (int p = 0; p < hw; p++) {
              v += data[off + i * hw + p] * data[off + j * hw + p];
            }
            a[i][j] = v;
            a[j][i] = v;
          }
        }
        Eigen e = Eigen.symmetric(a);
        double[][] vec = new double[c][];
        for (int i = 0; i < c; i++) {
          vec[i] = e.vector(i);
        }
        return new Decomposition(c, e.values, vec);
      }
      double[][] g = new double[hw][hw];
      for (int p = 0; p < hw; p++) {
        for (int q = 0; q <= p; q++) {
          double v = 0;
          for (int i = 0; i < c; i++) {
            v += data[off + i * hw + p] * data[off + i * hw + q];
          }
          g[p][q] = v;
          g[q][p] = v;
        }
      }
      Eigen e = Eigen.symmetric(g);
      double top = Math.max(e.values[0], 0);
      double[][] vec = new double[hw][];
      for (int j = 0; j < hw; j++) {
        double[] u = e.vector(j);
        double[] v = new double[c];
        double lambda = e.values[j];
        if (lambda > GAP_TOL * top && lambda > 0) {
          double sigma = Math.sqrt(lambda);
          for (int i = 0; i < c; i++) {
            double s = 0;
            for (int p = 0; p < hw; p++) {
              s += data[off + i * hw + p] * u[p];
            }
            v[i] = s / sigma; // v = xᵀu/σ
          }
        }
        vec[j] = v; // zero for a (numerically) zero singular value
      }
      return new Decomposition(c, e.values, vec);
    }

    /** Writes P_i (C×C, row-major) at {@code out[off]}; all zero if λ_i is (numerically) 0. */
    void projector(int i, double[] out, int off) {
      double top = Math.max(values[0], 0);
      double li = values[i];
      if (!isNonzero(i)) {
        return;
      }
      // (I − Σ_j v_j v_jᵀ)/λ_i + Σ_{j≠i} v_j v_jᵀ/(λ_i − λ_j)
      for (int r = 0; r < c; r++) {
        out[off + r * c + r] += 1 / li;
      }
      for (int j = 0; j < vectors.length; j++) {
        double[] v = vectors[j];
        double f = -1 / li;
        if (j != i) {
          double gap = li - values[j];
          if (Math.abs(gap) > GAP_TOL * top) {
            f += 1 / gap;
          }
        }
        for (int r = 0; r < c; r++) {
          if (v[r] == 0) {
            continue;
          }
          double fr = f * v[r];
          for (int q = 0; q < c; q++) {
            out[off + r * c + q] += fr * v[q];
          }
        }
      }
    }
  }

  /**
   * Eigen-decomposition of a symmetric matrix, values in descending order: Householder reduction to
   * tridiagonal form, then implicit QR steps with Wilkinson shifts (Golub &amp; Van Loan, algorithms 8.3.1 and
   * 8.3.2), the rotations accumulated into the eigenvectors. {@link #jacobi} is a slower independent solver.
   */
  static final class Eigen {
    final double[] values;
    /** Column j of this n×n matrix is the eigenvector of values[j]. */
    final double[][] columns;

    private Eigen(double[] values, double[][] columns) {
      this.values = values;
      this.columns = columns;
    }

    double[] vector(int j) {
      double[] v = new double[columns.length];
      for (int i = 0; i < v.length; i++) {
        v[i] = columns[i][j];
      }
      return v;
    }

    /**
     * Decomposes a symmetric matrix (which is overwritten).
     *
     * @param a n×n symmetric
     * @return eigenvalues (descending) and eigenvectors
     */
    static Eigen symmetric(double[][] a) {
      int n = a.length;
      // zt[j] is column j of Z, the accumulated orthogonal transformation (A = Z·T·Zᵀ).
      double[][] zt = new double[n][n];
      for (int i = 0; i < n; i++) {
        zt[i][i] = 1;
      }
      // 1. Householder tridiagonalisation: T = Hᵀ…A…H, Z = H_0·H_1·…
      for (int k = 0; k < n - 2; k++) {
        int m = n - k - 1;
        double norm = 0;
        for (int i = 0; i < m; i++) {
          norm += a[k + 1 + i][k] * a[k + 1 + i][k];
        }
        norm = Math.sqrt(norm);
        if (norm == 0) {
          continue;
        }
        double alpha = a[k + 1][k] > 0 ? -norm : norm;
        double[] v = new double[m];
        double vv = 0;
        for (int i = 0; i < m; i++) {
          v[i] = a[k + 1 + i][k];
        }
        v[0] -= alpha;
        for (double x : v) {
          vv += x * x;
        }
        if (vv == 0) {
          continue;
        }
        double beta = 2 / vv;
        // p = β·A₂₂·v, w = p − (β·pᵀv/2)·v, A₂₂ −= v·wᵀ + w·vᵀ
        double[] p = new double[m];
        double pv = 0;
        for (int i = 0; i < m; i++) {
          double sum = 0;
          double[] row = a[k + 1 + i];
          for (int j = 0; j < m; j++) {
            sum += row[k + 1 + j] * v[j];
          }
          p[i] = beta * sum;
          pv += p[i] * v[i];
        }
        double kk = beta * pv / 2;
        for (int i = 0; i < m; i++) {
          p[i] -= kk * v[i];
        }
        for (int i = 0; i < m; i++) {
          double[] row = a[k + 1 + i];
          for (int j = 0; j < m; j++) {
            row[k + 1 + j] -= v[i] * p[j] + p[i] * v[j];
          }
        }
        a[k + 1][k] = alpha;
        a[k][k + 1] = alpha;
        for (int i = k + 2; i < n; i++) {
          a[i][k] = 0;
          a[k][i] = 0;
        }
        // Z ← Z·H, H = I − β·v·vᵀ on coordinates k+1 …: for every row r of Z, z_r −= β·(z_r·v)·v.
        for (int r = 0; r < n; r++) {
          double zv = 0;
          for (int i = 0; i < m; i++) {
            zv += zt[k + 1 + i][r] * v[i];
          }
          zv *= beta;
          for (int i = 0; i < m; i++) {
            zt[k + 1 + i][r] -= zv * v[i];
          }
        }
      }
      // 2. Implicit symmetric QR on the tridiagonal a (kept dense; only a band is ever nonzero).
      double eps = Math.ulp(1.0);
      int hi = n - 1;
      int iterations = 0;
      while (hi > 0) {
        if (Math.abs(a[hi][hi - 1]) <= eps * (Math.abs(a[hi][hi]) + Math.abs(a[hi - 1][hi - 1]))) {
          a[hi][hi - 1] = 0;
          a[hi - 1][hi] = 0;
          hi--;
          continue;
        }
        int lo = hi - 1;
        while (lo > 0 && Math.abs(a[lo][lo - 1]) > eps * (Math.abs(a[lo][lo]) + Math.abs(a[lo - 1][lo - 1]))) {
          lo--;
        }
        if (++iterations > 100 * n) {
          throw new IllegalStateException("symmetric QR did not converge");
        }
        // Wilkinson shift from the trailing 2×2 block.
        double d = (a[hi - 1][hi - 1] - a[hi][hi]) / 2;
        double b = a[hi][hi - 1];
        double mu = a[hi][hi] - b * b / (d + (d >= 0 ? 1 : -1) * Math.hypot(d, b));
        double x = a[lo][lo] - mu;
        double z = a[lo + 1][lo];
        for (int k = lo; k < hi; k++) {
          double r = Math.hypot(x, z);
          double c = r == 0 ? 1 : x / r;
          double sn = r == 0 ? 0 : z / r;
          int from = Math.max(lo, k - 1);
          int to = Math.min(hi, k + 2);
          // T ← M·T·Mᵀ with M = [[c, s], [−s, c]] on rows/columns k, k+1.
          for (int j = from; j <= to; j++) {
            double t1 = a[k][j];
            double t2 = a[k + 1][j];
            a[k][j] = c * t1 + sn * t2;
            a[k + 1][j] = -sn * t1 + c * t2;
          }
          for (int j = from; j <= to; j++) {
            double t1 = a[j][k];
            double t2 = a[j][k + 1];
            a[j][k] = c * t1 + sn * t2;
            a[j][k + 1] = -sn * t1 + c * t2;
          }
          double[] zk = zt[k];
          double[] zk1 = zt[k + 1];
          for (int rr = 0; rr < n; rr++) {
            double t1 = zk[rr];
            double t2 = zk1[rr];
            zk[rr] = c * t1 + sn * t2;
            zk1[rr] = -sn * t1 + c * t2;
          }
          if (k < hi - 1) {
            x = a[k + 1][k];
            z = a[k + 2][k];
          }
        }
      }
      return sorted(a, zt);
    }

    /**
     * Cyclic Jacobi rotations (slower; kept as an independent check of {@link #symmetric}).
     *
     * @param a n×n symmetric, overwritten
     * @return eigenvalues (descending) and eigenvectors
     */
    static Eigen jacobi(double[][] a) {
      int n = a.length;
      double[][] vt = new double[n][n]; // row j: the j-th column of the accumulated rotations
      for (int i = 0; i < n; i++) {
        vt[i][i] = 1;
      }
      double total = 0;
      for (double[] row : a) {
        for (double x : row) {
          total += x * x;
        }
      }
      for (int sweep = 0; sweep < 100 && total > 0; sweep++) {
        double off = 0;
        for (int p = 0; p < n; p++) {
          for (int q = p + 1; q < n; q++) {
            off += a[p][q] * a[p][q];
          }
        }
        if (off <= 1e-32 * total) {
          break;
        }
        for (int p = 0; p < n; p++) {
          for (int q = p + 1; q < n; q++) {
            double apq = a[p][q];
            if (apq == 0) {
              continue;
            }
            double theta = (a[q][q] - a[p][p]) / (2 * apq);
            double t = Math.abs(theta) > 1e150
                ? 1 / (2 * theta)
                : (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
            double cs = 1 / Math.sqrt(t * t + 1);
            double sn = t * cs;
            for (int r = 0; r < n; r++) {
              if (r == p || r == q) {
                continue;
              }
              double arp = a[r][p];
              double arq = a[r][q];
              a[r][p] = cs * arp - sn * arq;
              a[p][r] = a[r][p];
              a[r][q] = sn * arp + cs * arq;
              a[q][r] = a[r][q];
            }
            a[p][p] -= t * apq;
            a[q][q] += t * apq;
            a[p][q] = 0;
            a[q][p] = 0;
            double[] vp = vt[p];
            double[] vq = vt[q];
            for (int r = 0; r < n; r++) {
              double vrp = vp[r];
              double vrq = vq[r];
              vp[r] = cs * vrp - sn * vrq;
              vq[r] = sn * vrp + cs * vrq;
            }
          }
        }
      }
      return sorted(a, vt);
    }

    /** The diagonal of {@code a} and the vectors {@code vt[j]}, sorted by value, largest first. */
    private static Eigen sorted(double[][] a, double[][] vt) {
      int n = a.length;
      Integer[] order = new Integer[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      double[] diag = new double[n];
      for (int i = 0; i < n; i++) {
        diag[i] = a[i][i];
      }
      java.util.Arrays.sort(order, (x, y) -> Double.compare(diag[y], diag[x]));
      double[] values = new double[n];
      double[][] cols = new double[n][n];
      for (int j = 0; j < n; j++) {
        values[j] = diag[order[j]];
        for (int i = 0; i < n; i++) {
          cols[i][j] = vt[order[j]][i];
        }
      }
      return new Eigen(values, cols);
    }
  }
}

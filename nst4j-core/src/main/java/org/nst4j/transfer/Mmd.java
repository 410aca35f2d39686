package org.nst4j.transfer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import java.util.Locale;

/**
 * Squared Maximum Mean Discrepancy between the channel "selectivity patterns" of two feature maps (Huang &amp;
 * Wang 2017, eq. 3–5; spec, "NST").
 *
 * <p>Per image, a map is reshaped to C×HW and every row is L2-normalised (ε = 1e-12); the rows of the
 * student (ŝ_1..ŝ_Cs) and of the teacher (t̂_1..t̂_Ct) are two samples and
 *
 * <pre>MMD² = 1/Cs² ΣΣ k(ŝ_i, ŝ_i') + 1/Ct² ΣΣ k(t̂_j, t̂_j') − 2/(Cs·Ct) ΣΣ k(ŝ_i, t̂_j).</pre>
 *
 * <p>The fast forms below work on batches of normalised rows (B×C×N, N = H·W) and return one MMD² per image
 * (a B vector). None of them builds a B×C×C×N tensor: the polynomial and Gaussian kernels go through
 * C×C (or N×N) Gram matrices made by batched matMul. With {@code keepTeacherTerm = false} the
 * teacher–teacher sum is not computed at all (it carries no gradient for the student).
 *
 * <p>The {@code naive} methods are pairwise references for tests and the benchmark only; no loss uses
 * them.
 */
public final class Mmd {
  /** ε of the row normalisation f / max(‖f‖, ε) (spec). */
  public static final double EPS = 1e-12;

  private Mmd() {}

  /** The NST kernels. */
  public enum Kernel {
    /** k(x, y) = xᵀy. */
    LINEAR,
    /** k(x, y) = (xᵀy + c)^d. */
    POLY,
    /** k(x, y) = exp(−‖x − y‖² / (2σ²)). */
    GAUSS;

    /** The lower-case name used in method strings ({@code nst-linear} ...). */
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** How the polynomial MMD² is evaluated. */
  public enum PolyForm {
    /** The cheaper of the two Gram forms for d = 2, c = 0 (see {@link #channelGramCheaper}); else C×C. */
    AUTO,
    /** C×C Gram matrices ŜŜᵀ, T̂T̂ᵀ, ŜT̂ᵀ, kernel applied element-wise; valid for every d and c. */
    CHANNEL_GRAM,
    /** ‖ŜᵀŜ/Cs − T̂ᵀT̂/Ct‖²_F with N×N matrices; only for d = 2, c = 0. */
    SPATIAL_GRAM
  }

  /**
   * Reshapes B×C×H×W maps (or B×C×N) to B×C×N and L2-normalises every row: f / max(‖f‖₂, ε).
   *
   * @param maps B×C×H×W or B×C×N
   * @return B×C×N normalised rows; an all-zero row stays zero
   */
  public static NDArray normalizeRows(NDArray maps) {
    Shape s = maps.getShape();
    NDArray x;
    if (s.dimension() == 4) {
      x = maps.reshape(s.get(0), s.get(1), s.get(2) * s.get(3));
    } else if (s.dimension() == 3) {
      x = maps;
    } else {
      throw new IllegalArgumentException("feature maps must be B×C×H×W or B×C×N, got " + s);
    }
    return x.normalize(2, 2, EPS);
  }

  /**
   * Linear-kernel MMD² in closed form, ‖mean_i ŝ_i − mean_j t̂_j‖², O(C·N) per image.
   *
   * @param s B×Cs×N normalised student rows
   * @param t B×Ct×N normalised teacher rows
   * @param keepTeacherTerm false drops ‖mean t̂‖² (the teacher–teacher sum)
   * @return B values
   */
  public static NDArray linear(NDArray s, NDArray t, boolean keepTeacherTerm) {
    checkPair(s, t);
    NDArray ms = s.mean(new int[] {1});
    NDArray mt = t.mean(new int[] {1});
    if (keepTeacherTerm) {
      return ms.sub(mt).square().sum(new int[] {1});
    }
    // ‖ms‖² − 2 msᵀmt: the expansion of ‖ms − mt‖² without ‖mt‖².
    return ms.mul(ms.sub(Scalars.times(mt, 2))).sum(new int[] {1});
  }

  /**
   * Polynomial-kernel MMD², k(x, y) = (xᵀy + c)^d.
   *
   * @param s B×Cs×N normalised student rows
   * @param t B×Ct×N normalised teacher rows
   * @param degree d ≥ 1
   * @param c offset c ≥ 0
   * @param keepTeacherTerm false skips the teacher–teacher sum (in the HW×HW form T̂ᵀT̂ is still needed for
   *     the cross term; only its squared norm is skipped)
   * @param form which evaluation to use; {@link PolyForm#SPATIAL_GRAM} needs d = 2 and c = 0
   * @return B values
   */
  public static NDArray poly(
      NDArray s, NDArray t, int degree, double c, boolean keepTeacherTerm, PolyForm form) {
    checkPair(s, t);
    if (degree < 1) {
      throw new IllegalArgumentException("polynomial kernel degree d must be >= 1, got " + degree);
    }
    boolean squareKernel = degree == 2 && c == 0;
    if (form == PolyForm.SPATIAL_GRAM && !squareKernel) {
      throw new IllegalArgumentException(
          "the HW×HW Gram form needs d = 2 and c = 0, got d = " + degree + ", c = " + c);
    }
    PolyForm f = form;
    if (f == PolyForm.AUTO) {
      long cs = s.getShape().get(1);
      long ct = t.getShape().get(1);
      long n = s.getShape().get(2);
      f =
          squareKernel && !channelGramCheaper(cs, ct, n, keepTeacherTerm)
              ? PolyForm.SPATIAL_GRAM
              : PolyForm.CHANNEL_GRAM;
    }
    if (f == PolyForm.SPATIAL_GRAM) {
      // ‖ŜŜᵀ‖²_F = ‖ŜᵀŜ‖²_F and ‖ŜT̂ᵀ‖²_F = ⟨ŜᵀŜ, T̂ᵀT̂⟩ (trace identities), so
      // MMD² = ‖ŜᵀŜ/Cs − T̂ᵀT̂/Ct‖²_F.
      NDArray a = Scalars.over(s.transpose(0, 2, 1).matMul(s), s.getShape().get(1));
      NDArray b = Scalars.over(t.transpose(0, 2, 1).matMul(t), t.getShape().get(1));
      NDArray e = keepTeacherTerm ? a.sub(b).square() : a.mul(a.sub(Scalars.times(b, 2)));
      return meanOrSumLast2(e, false);
    }
    NDArray mmd =
        meanOrSumLast2(polyKernel(gram(s, s), degree, c), true)
            .sub(Scalars.times(meanOrSumLast2(polyKernel(gram(s, t), degree, c), true), 2));
    if (keepTeacherTerm) {
      mmd = mmd.add(meanOrSumLast2(polyKernel(gram(t, t), degree, c), true));
    }
    return mmd;
  }

  /**
   * Whether the C×C Gram form of the d = 2, c = 0 polynomial MMD² costs no more than the N×N form.
   *
   * <p>Cost in multiply-adds of the matrix products, forward (the backward pass scales alike): the C×C form
   * builds ŜŜᵀ, ŜT̂ᵀ and (if kept) T̂T̂ᵀ, i.e. {@code N·(Cs² + Cs·Ct + Ct²)}; the N×N form builds ŜᵀŜ and
   * T̂ᵀT̂, i.e. {@code N²·(Cs + Ct)}. Memory follows the same ratio (C² vs N² Gram entries). For Cs = Ct = C
   * with the teacher term kept, the C×C form wins iff 3C ≤ 2N.
   *
   * @param cs student channels
   * @param ct teacher channels
   * @param n positions H·W
   * @param keepTeacherTerm whether T̂T̂ᵀ is needed
   * @return true to use C×C Grams
   */
  public static boolean channelGramCheaper(long cs, long ct, long n, boolean keepTeacherTerm) {
    double channel = (double) n * ((double) cs * cs + (double) cs * ct + (keepTeacherTerm ? (double) ct * ct : 0));
    double spatial = (double) n * n * (cs + ct);
    return channel <= spatial;
  }

  /**
   * Gaussian-kernel MMD², k(x, y) = exp(−‖x − y‖² / (2σ²)).
   *
   * <p>‖x − y‖² is computed as ‖x‖² + ‖y‖² − 2xᵀy from the Gram matrices: this is the spec's 2 − 2xᵀy for
   * unit rows and stays exact for all-zero rows (dead channels, which normalisation leaves at zero).
   *
   * @param s B×Cs×N normalised student rows
   * @param t B×Ct×N normalised teacher rows
   * @param sigma2 a fixed σ² &gt; 0, or null for {@link #autoSigma2} per image (a constant for the gradient)
   * @param keepTeacherTerm false skips the teacher–teacher sum (σ² is unaffected)
   * @return B values
   */
  public static NDArray gauss(NDArray s, NDArray t, Double sigma2, boolean keepTeacherTerm) {
    checkPair(s, t);
    long batch = s.getShape().get(0);
    NDArray ns = s.square().sum(new int[] {2});
    NDArray nt = t.square().sum(new int[] {2});
    // The divisor −2σ², per image (B×1×1, broadcast over a C×C' block) or fixed. A degenerate image whose
    // rows all coincide has σ² = 0; it is floored at ε, which gives k = 1 everywhere and MMD² = 0.
    NDArray divisor;
    if (sigma2 != null) {
      if (!(sigma2 > 0)) {
        throw new IllegalArgumentException("Gaussian kernel sigma^2 must be > 0, got " + sigma2);
      }
      divisor = null;
    } else {
      divisor = Scalars.times(Scalars.atLeast(autoSigma2(s, t), EPS), -2).reshape(batch, 1, 1);
    }
    double fixed = sigma2 == null ? 0 : -2 * sigma2;
    NDArray kss = gaussBlock(ns, ns, gram(s, s), divisor, fixed);
    NDArray kst = gaussBlock(ns, nt, gram(s, t), divisor, fixed);
    NDArray mmd = meanOrSumLast2(kss, true).sub(Scalars.times(meanOrSumLast2(kst, true), 2));
    if (keepTeacherTerm) {
      mmd = mmd.add(meanOrSumLast2(gaussBlock(nt, nt, gram(t, t), divisor, fixed), true));
    }
    return mmd;
  }

  /**
   * The default Gaussian σ² of each image: the mean of all pairwise squared distances in the ss, tt and st
   * blocks together (each block's C·C' entries once, diagonals included), detached from the graph.
   *
   * <p>Computed in O(C·N) from row sums, without the Gram matrices:
   * Σ_ss = 2Cs·Σ‖ŝ‖² − 2‖Σŝ‖², Σ_tt likewise, Σ_st = Ct·Σ‖ŝ‖² + Cs·Σ‖t̂‖² − 2(Σŝ)ᵀ(Σt̂), divided by
   * Cs² + Ct² + Cs·Ct.
   *
   * @param s B×Cs×N normalised student rows
   * @param t B×Ct×N normalised teacher rows
   * @return B values, without gradient
   */
  public static NDArray autoSigma2(NDArray s, NDArray t) {
    NDArray sd = s.stopGradient();
    NDArray td = t.stopGradient();
    double cs = sd.getShape().get(1);
    double ct = td.getShape().get(1);
    NDArray sumNs = sd.square().sum(new int[] {1, 2});
    NDArray sumNt = td.square().sum(new int[] {1, 2});
    NDArray rs = sd.sum(new int[] {1});
    NDArray rt = td.sum(new int[] {1});
    NDArray ss = Scalars.times(sumNs, 2 * cs).sub(Scalars.times(rs.square().sum(new int[] {1}), 2));
    NDArray tt = Scalars.times(sumNt, 2 * ct).sub(Scalars.times(rt.square().sum(new int[] {1}), 2));
    NDArray st = Scalars.times(sumNs, ct).add(Scalars.times(sumNt, cs)).sub(Scalars.times(rs.mul(rt).sum(new int[] {1}), 2));
    return Scalars.over(ss.add(tt).add(st), cs * cs + ct * ct + cs * ct).stopGradient();
  }

  /**
   * MMD² per image of raw maps with the given kernel, through the fast forms (normalisation included).
   *
   * @param student B×Cs×H×W
   * @param teacher B×Ct×H×W (same H, W)
   * @param kernel the kernel
   * @param options d, c, σ² and keepTeacherTerm are read from here
   * @return B values
   */
  public static NDArray mmd2(NDArray student, NDArray teacher, Kernel kernel, LossOptions options) {
    NDArray s = normalizeRows(student);
    NDArray t = normalizeRows(teacher);
    boolean keep = options.get(NstMethod.KEEP_TEACHER_TERM);
    switch (kernel) {
      case LINEAR:
        return linear(s, t, keep);
      case POLY:
        return poly(s, t, options.get(NstPolyMethod.DEGREE), options.get(NstPolyMethod.C), keep, PolyForm.AUTO);
      case GAUSS:
        return gauss(s, t, options.get(NstGaussMethod.SIGMA2), keep);
      default:
        throw new IllegalStateException(kernel.toString());
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Naive pairwise references (tests and benchmark only).

  /**
   * Naive MMD² of one image with explicit loops over every pair of rows, in double precision.
   *
   * <p>Rows are normalised here (f / max(‖f‖, ε)); the Gaussian uses ‖x − y‖² summed element by element and,
   * when σ² is null, the mean of those distances over the ss, tt and st blocks.
   *
   * @param s Cs rows of N raw values (one channel each)
   * @param t Ct rows of N raw values
   * @param kernel the kernel
   * @param degree d (poly)
   * @param c offset (poly)
   * @param sigma2 σ² (gauss), or null for the automatic value
   * @param keepTeacherTerm whether to add the teacher–teacher sum
   * @return MMD²
   */
  public static double naive(
      double[][] s,
      double[][] t,
      Kernel kernel,
      int degree,
      double c,
      Double sigma2,
      boolean keepTeacherTerm) {
    double[][] a = normalized(s);
    double[][] b = normalized(t);
    double sig = sigma2 == null ? 0 : sigma2;
    if (kernel == Kernel.GAUSS && sigma2 == null) {
      double sum = 0;
      long count = 0;
      double[][][][] blocks = {{a, a}, {b, b}, {a, b}};
      for (double[][][] blk : blocks) {
        for (double[] x : blk[0]) {
          for (double[] y : blk[1]) {
            sum += sqDist(x, y);
            count++;
          }
        }
      }
      sig = Math.max(sum / count, EPS);
    }
    double v = meanKernel(a, a, kernel, degree, c, sig) - 2 * meanKernel(a, b, kernel, degree, c, sig);
    if (keepTeacherTerm) {
      v += meanKernel(b, b, kernel, degree, c, sig);
    }
    return v;
  }

  /**
   * Naive MMD² per image of B×C×H×W maps through {@link #naive(double[][], double[][], Kernel, int, double,
   * Double, boolean)}.
   *
   * @return B values
   */
  public static double[] naive(
      NDArray student, NDArray teacher, Kernel kernel, int degree, double c, Double sigma2,
      boolean keepTeacherTerm) {
    double[][][] s = rows(student);
    double[][][] t = rows(teacher);
    double[] out = new double[s.length];
    for (int i = 0; i < s.length; i++) {
      out[i] = naive(s[i], t[i], kernel, degree, c, sigma2, keepTeacherTerm);
    }
    return out;
  }

  /**
   * Naive differentiable MMD² by broadcasting every pair of rows, one image at a time (a C×C'×N tensor per
   * image, as simple PyTorch implementations do for the whole batch). For the benchmark and tests only.
   *
   * @param s B×Cs×N normalised student rows
   * @param t B×Ct×N normalised teacher rows
   * @param kernel the kernel
   * @param degree d (poly)
   * @param c offset (poly)
   * @param sigma2 σ² (gauss), or null for {@link #autoSigma2}
   * @return B values
   */
  public static NDArray naiveBroadcast(
      NDArray s, NDArray t, Kernel kernel, int degree, double c, Double sigma2) {
    checkPair(s, t);
    long batch = s.getShape().get(0);
    double[] sig =
        kernel == Kernel.GAUSS && sigma2 == null
            ? Scalars.atLeast(autoSigma2(s, t), EPS).toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray()
            : null;
    NDList per = new NDList();
    for (long i = 0; i < batch; i++) {
      NDArray si = s.get(i);
      NDArray ti = t.get(i);
      double sg = sigma2 != null ? sigma2 : sig == null ? 1 : sig[(int) i];
      NDArray v =
          pairMean(si, si, kernel, degree, c, sg)
              .add(pairMean(ti, ti, kernel, degree, c, sg))
              .sub(Scalars.times(pairMean(si, ti, kernel, degree, c, sg), 2));
      per.add(v);
    }
    return NDArrays.stack(per);
  }

  private static NDArray pairMean(NDArray x, NDArray y, Kernel kernel, int degree, double c, double sg) {
    NDArray xe = x.expandDims(1); // C×1×N
    NDArray ye = y.expandDims(0); // 1×C'×N
    NDArray k;
    switch (kernel) {
      case LINEAR:
        k = xe.mul(ye).sum(new int[] {2});
        break;
      case POLY:
        k = Scalars.power(xe.mul(ye).sum(new int[] {2}).add(c), degree);
        break;
      case GAUSS:
        k = Scalars.over(xe.sub(ye).square().sum(new int[] {2}), -2 * sg).exp();
        break;
      default:
        throw new IllegalStateException(kernel.toString());
    }
    return k.mean();
  }

  // ---------------------------------------------------------------------------------------------------

  private static void checkPair(NDArray s, NDArray t) {
    Shape a = s.getShape();
    Shape b = t.getShape();
    if (a.dimension() != 3 || b.dimension() != 3 || a.get(0) != b.get(0) || a.get(2) != b.get(2)) {
      throw new IllegalArgumentException(
          "MMD² needs B×Cs×N and B×Ct×N rows of one batch size and N, got " + a + " and " + b);
    }
  }

  /** Batched Gram matrix a·bᵀ: B×Ca×N, B×Cb×N → B×Ca×Cb. */
  private static NDArray gram(NDArray a, NDArray b) {
    return a.matMul(b.transpose(0, 2, 1));
  }

  private static NDArray polyKernel(NDArray g, int degree, double c) {
    NDArray x = c == 0 ? g : g.add(c);
    if (degree == 1) {
      return x;
    }
    return degree == 2 ? x.square() : Scalars.power(x, degree);
  }

  private static NDArray gaussBlock(NDArray na, NDArray nb, NDArray g, NDArray divisor, double fixed) {
    NDArray d = na.expandDims(2).add(nb.expandDims(1)).sub(Scalars.times(g, 2));
    return (divisor == null ? Scalars.over(d, fixed) : d.div(divisor)).exp();
  }

  /** Per-image mean (or sum) over the last two axes of a B×P×Q array (PtNDArray.mean takes one axis). */
  private static NDArray meanOrSumLast2(NDArray x, boolean mean) {
    NDArray flat = x.reshape(x.getShape().get(0), -1);
    return mean ? flat.mean(new int[] {1}) : flat.sum(new int[] {1});
  }

  private static double[][] normalized(double[][] rows) {
    double[][] out = new double[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      double n = 0;
      for (double v : rows[i]) {
        n += v * v;
      }
      double d = Math.max(Math.sqrt(n), EPS);
      out[i] = new double[rows[i].length];
      for (int j = 0; j < rows[i].length; j++) {
        out[i][j] = rows[i][j] / d;
      }
    }
    return out;
  }

  private static double sqDist(double[] x, double[] y) {
    double s = 0;
    for (int k = 0; k < x.length; k++) {
      double d = x[k] - y[k];
      s += d * d;
    }
    return s;
  }

  private static double meanKernel(
      double[][] x, double[][] y, Kernel kernel, int degree, double c, double sigma2) {
    double sum = 0;
    for (double[] a : x) {
      for (double[] b : y) {
        double dot = 0;
        for (int k = 0; k < a.length; k++) {
          dot += a[k] * b[k];
        }
        switch (kernel) {
          case LINEAR:
            sum += dot;
            break;
          case POLY:
            sum += Math.pow(dot + c, degree);
            break;
          case GAUSS:
            sum += Math.exp(-sqDist(a, b) / (2 * sigma2));
            break;
          default:
            throw new IllegalStateException(kernel.toString());
        }
      }
    }
    return sum / ((double) x.length * y.length);
  }

  /** B×C×H×W (or B×C×N) array → [B][C][N] doubles. */
  static double[][][] rows(NDArray maps) {
    Shape s = maps.getShape();
    int b = Math.toIntExact(s.get(0));
    int c = Math.toIntExact(s.get(1));
    int n = Math.toIntExact(s.size() / ((long) b * c));
    double[] flat = maps.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray();
    double[][][] out = new double[b][c][n];
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < c; j++) {
        System.arraycopy(flat, (i * c + j) * n, out[i][j], 0, n);
      }
    }
    return out;
  }
}

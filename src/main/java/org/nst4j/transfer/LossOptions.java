package org.nst4j.transfer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every weight and switch of the transfer losses, with the defaults of {@code transfer-losses.md}.
 *
 * <p>Immutable; build with {@link #builder()} ({@code optX} setters) and {@link Builder#build()}, which
 * validates every option and throws an {@link IllegalArgumentException} naming the option and the bad value.
 */
public final class LossOptions {
  /** NST weight λ (spec default 50). */
  public static final double DEFAULT_LAMBDA = 50;
  /** KD temperature T (spec default 4). */
  public static final double DEFAULT_KD_TEMPERATURE = 4;
  /** KD mixing weight α (spec default 0.9). */
  public static final double DEFAULT_KD_ALPHA = 0.9;
  /** FitNet weight β (spec default 100). */
  public static final double DEFAULT_FITNET_BETA = 100;
  /** AT weight β (spec default 1000). */
  public static final double DEFAULT_AT_BETA = 1000;
  /** AT exponent p (spec default 2). */
  public static final double DEFAULT_AT_P = 2;
  /** Polynomial NST kernel degree d (spec default 2). */
  public static final int DEFAULT_NST_DEGREE = 2;

  private final double lambda;
  private final boolean nstHalf;
  private final boolean keepTeacherTerm;
  private final int nstDegree;
  private final double nstC;
  private final Double nstSigma2;
  private final double kdTemperature;
  private final double kdAlpha;
  private final double fitnetBeta;
  private final double atBeta;
  private final double atP;
  private final List<String> taps;
  private final SpatialPolicy spatial;

  private LossOptions(Builder b) {
    this.lambda = b.lambda;
    this.nstHalf = b.nstHalf;
    this.keepTeacherTerm = b.keepTeacherTerm;
    this.nstDegree = b.nstDegree;
    this.nstC = b.nstC;
    this.nstSigma2 = b.nstSigma2;
    this.kdTemperature = b.kdTemperature;
    this.kdAlpha = b.kdAlpha;
    this.fitnetBeta = b.fitnetBeta;
    this.atBeta = b.atBeta;
    this.atP = b.atP;
    this.taps = b.taps == null ? null : List.copyOf(b.taps);
    this.spatial = b.spatial;
  }

  /** The spec defaults. */
  public static LossOptions defaults() {
    return builder().build();
  }

  /** A builder holding the spec defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this object's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.lambda = lambda;
    b.nstHalf = nstHalf;
    b.keepTeacherTerm = keepTeacherTerm;
    b.nstDegree = nstDegree;
    b.nstC = nstC;
    b.nstSigma2 = nstSigma2;
    b.kdTemperature = kdTemperature;
    b.kdAlpha = kdAlpha;
    b.fitnetBeta = fitnetBeta;
    b.atBeta = atBeta;
    b.atP = atP;
    b.taps = taps;
    b.spatial = spatial;
    return b;
  }

  /** NST weight λ ≥ 0. */
  public double lambda() {
    return lambda;
  }

  /** True for the paper's λ/2 factor, false for λ as in the official MXNet code ({@code grad_scale=λ}). */
  public boolean nstHalf() {
    return nstHalf;
  }

  /** The factor in front of the batch-mean MMD²: λ/2 or λ. */
  public double nstScale() {
    return nstHalf ? lambda / 2 : lambda;
  }

  /** Whether the NST teacher–teacher term is computed (true: the reported value is the true MMD² ≥ 0). */
  public boolean keepTeacherTerm() {
    return keepTeacherTerm;
  }

  /** Polynomial kernel degree d ≥ 1. */
  public int nstDegree() {
    return nstDegree;
  }

  /** Polynomial kernel offset c ≥ 0. */
  public double nstC() {
    return nstC;
  }

  /** Fixed Gaussian σ² &gt; 0, or null for the per-image mean pairwise squared distance. */
  public Double nstSigma2() {
    return nstSigma2;
  }

  /** KD temperature T &gt; 0. */
  public double kdTemperature() {
    return kdTemperature;
  }

  /** KD weight α in [0, 1] (the CE gets 1 − α). */
  public double kdAlpha() {
    return kdAlpha;
  }

  /** FitNet weight β ≥ 0. */
  public double fitnetBeta() {
    return fitnetBeta;
  }

  /** AT weight β ≥ 0 (the term is β/2 · Σ_taps ...). */
  public double atBeta() {
    return atBeta;
  }

  /** AT exponent p &gt; 0. */
  public double atP() {
    return atP;
  }

  /**
   * Requested taps, or null for each method's default (NST and FitNet: the last tap; AT: every tap present in
   * both models). An entry is a tap name present in both models, or {@code student:teacher} to pair taps of
   * different names.
   */
  public List<String> taps() {
    return taps;
  }

  /** The spatial-mismatch policy. */
  public SpatialPolicy spatial() {
    return spatial;
  }

  /** The options as an ordered name → value map (for reports). */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("lambda", lambda);
    m.put("nstScale", nstHalf ? "half" : "full");
    m.put("keepTeacherTerm", keepTeacherTerm);
    m.put("nstDegree", nstDegree);
    m.put("nstC", nstC);
    m.put("nstSigma2", nstSigma2 == null ? "auto" : nstSigma2);
    m.put("kdTemperature", kdTemperature);
    m.put("kdAlpha", kdAlpha);
    m.put("fitnetBeta", fitnetBeta);
    m.put("atBeta", atBeta);
    m.put("atP", atP);
    m.put("taps", taps == null ? "default" : taps);
    m.put("spatial", spatial.name().toLowerCase(java.util.Locale.ROOT));
    return m;
  }

  @Override
  public String toString() {
    return "LossOptions" + toMap();
  }

  /** Mutable builder; {@link #build()} validates. */
  public static final class Builder {
    private double lambda = DEFAULT_LAMBDA;
    private boolean nstHalf = true;
    private boolean keepTeacherTerm = true;
    private int nstDegree = DEFAULT_NST_DEGREE;
    private double nstC = 0;
    private Double nstSigma2;
    private double kdTemperature = DEFAULT_KD_TEMPERATURE;
    private double kdAlpha = DEFAULT_KD_ALPHA;
    private double fitnetBeta = DEFAULT_FITNET_BETA;
    private double atBeta = DEFAULT_AT_BETA;
    private double atP = DEFAULT_AT_P;
    private List<String> taps;
    private SpatialPolicy spatial = SpatialPolicy.POOL;

    private Builder() {}

    /** Sets the NST weight λ (≥ 0). */
    public Builder optLambda(double v) {
      lambda = v;
      return this;
    }

    /** True: (λ/2)·MMD² as in the paper; false: λ·MMD² as in the official MXNet code. */
    public Builder optNstHalf(boolean v) {
      nstHalf = v;
      return this;
    }

    /** Whether to compute the NST teacher–teacher term. */
    public Builder optKeepTeacherTerm(boolean v) {
      keepTeacherTerm = v;
      return this;
    }

    /** Sets the polynomial degree d (≥ 1). */
    public Builder optNstDegree(int v) {
      nstDegree = v;
      return this;
    }

    /** Sets the polynomial offset c (≥ 0). */
    public Builder optNstC(double v) {
      nstC = v;
      return this;
    }

    /** Sets a fixed Gaussian σ² (&gt; 0), or null for the per-image automatic value. */
    public Builder optNstSigma2(Double v) {
      nstSigma2 = v;
      return this;
    }

    /** Sets the KD temperature T (&gt; 0). */
    public Builder optKdTemperature(double v) {
      kdTemperature = v;
      return this;
    }

    /** Sets the KD weight α (in [0, 1]). */
    public Builder optKdAlpha(double v) {
      kdAlpha = v;
      return this;
    }

    /** Sets the FitNet weight β (≥ 0). */
    public Builder optFitnetBeta(double v) {
      fitnetBeta = v;
      return this;
    }

    /** Sets the AT weight β (≥ 0). */
    public Builder optAtBeta(double v) {
      atBeta = v;
      return this;
    }

    /** Sets the AT exponent p (&gt; 0). */
    public Builder optAtP(double v) {
      atP = v;
      return this;
    }

    /** Sets the taps (null or empty: each method's default). */
    public Builder optTaps(List<String> v) {
      taps = v == null || v.isEmpty() ? null : new ArrayList<>(v);
      return this;
    }

    /** Sets the spatial-mismatch policy. */
    public Builder optSpatial(SpatialPolicy v) {
      spatial = v;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @return the options
     * @throws IllegalArgumentException naming the first invalid option
     */
    public LossOptions build() {
      requireFinite("lambda", lambda);
      if (lambda < 0) {
        throw new IllegalArgumentException("NST weight lambda must be >= 0, got " + lambda);
      }
      if (nstDegree < 1) {
        throw new IllegalArgumentException("polynomial kernel degree d must be >= 1, got " + nstDegree);
      }
      requireFinite("nst c", nstC);
      if (nstC < 0) {
        // (xᵀy + c)^d is a positive-definite kernel only for c >= 0; MMD² could go negative otherwise.
        throw new IllegalArgumentException("polynomial kernel offset c must be >= 0, got " + nstC);
      }
      if (nstSigma2 != null && !(nstSigma2 > 0 && Double.isFinite(nstSigma2))) {
        throw new IllegalArgumentException("Gaussian kernel sigma^2 must be > 0, got " + nstSigma2);
      }
      requireFinite("KD temperature", kdTemperature);
      if (kdTemperature <= 0) {
        throw new IllegalArgumentException("KD temperature T must be > 0, got " + kdTemperature);
      }
      if (!(kdAlpha >= 0 && kdAlpha <= 1)) {
        throw new IllegalArgumentException("KD alpha must be in [0, 1], got " + kdAlpha);
      }
      requireFinite("FitNet beta", fitnetBeta);
      if (fitnetBeta < 0) {
        throw new IllegalArgumentException("FitNet beta must be >= 0, got " + fitnetBeta);
      }
      requireFinite("AT beta", atBeta);
      if (atBeta < 0) {
        throw new IllegalArgumentException("AT beta must be >= 0, got " + atBeta);
      }
      requireFinite("AT p", atP);
      if (atP <= 0) {
        throw new IllegalArgumentException("AT exponent p must be > 0, got " + atP);
      }
      if (spatial == null) {
        throw new IllegalArgumentException("spatial policy must be pool or refuse, got null");
      }
      if (taps != null) {
        for (String t : taps) {
          if (t == null || t.isBlank()) {
            throw new IllegalArgumentException("tap names must not be blank, got " + taps);
          }
        }
      }
      return new LossOptions(this);
    }

    private static void requireFinite(String what, double v) {
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException(what + " must be a finite number, got " + v);
      }
    }
  }
}

package org.nst4j.cli;

import java.util.List;
import org.nst4j.transfer.LossOptions;
import org.nst4j.transfer.SpatialPolicy;
import picocli.CommandLine.Option;

/**
 * The transfer-loss options shared by {@code loss} and {@code distill}; {@link #toOptions()} validates them
 * (an invalid value is an {@link IllegalArgumentException}, which the CLI reports as {@code error: ...}).
 */
final class LossOptionsMixin {
  @Option(names = "--lambda", paramLabel = "λ", defaultValue = "50",
      description = "NST weight λ (default: ${DEFAULT-VALUE}).")
  double lambda;

  @Option(names = "--nst-scale", paramLabel = "half|full", defaultValue = "half",
      description = "NST factor: half = λ/2 as in the paper, full = λ as in the official MXNet code"
          + " (default: ${DEFAULT-VALUE}).")
  String nstScale;

  @Option(names = "--drop-teacher-term",
      description = "Skip the NST teacher–teacher term (same gradient, cheaper; the value is then not MMD²).")
  boolean dropTeacherTerm;

  @Option(names = "--nst-degree", paramLabel = "D", defaultValue = "2",
      description = "Polynomial kernel degree d (default: ${DEFAULT-VALUE}).")
  int nstDegree;

  @Option(names = "--nst-c", paramLabel = "C", defaultValue = "0",
      description = "Polynomial kernel offset c (default: ${DEFAULT-VALUE}).")
  double nstC;

  @Option(names = "--nst-sigma2", paramLabel = "S2",
      description = "Fixed Gaussian kernel σ² (default: per image, the mean pairwise squared distance).")
  Double nstSigma2;

  @Option(names = "--kd-temperature", paramLabel = "T", defaultValue = "4",
      description = "KD temperature T (default: ${DEFAULT-VALUE}).")
  double kdTemperature;

  @Option(names = "--kd-alpha", paramLabel = "α", defaultValue = "0.9",
      description = "KD weight α; the CE gets 1 − α (default: ${DEFAULT-VALUE}).")
  double kdAlpha;

  @Option(names = "--fitnet-beta", paramLabel = "β", defaultValue = "100",
      description = "FitNet weight β (default: ${DEFAULT-VALUE}).")
  double fitnetBeta;

  @Option(names = "--at-beta", paramLabel = "β", defaultValue = "1000",
      description = "AT weight β; the term is β/2 · Σ_taps (default: ${DEFAULT-VALUE}).")
  double atBeta;

  @Option(names = "--at-p", paramLabel = "P", defaultValue = "2",
      description = "AT exponent p (default: ${DEFAULT-VALUE}).")
  double atP;

  @Option(names = "--taps", split = ",", paramLabel = "TAP",
      description = "Taps to compare, comma-separated: NAME, or STUDENT:TEACHER (default: NST and FitNet the"
          + " last tap, AT every tap both models have).")
  List<String> taps;

  @Option(names = "--spatial", paramLabel = "pool|refuse", defaultValue = "pool",
      description = "Maps of different size: pool the larger one (adaptive average) or refuse"
          + " (default: ${DEFAULT-VALUE}).")
  String spatial;

  /**
   * The validated options.
   *
   * @return the loss options
   * @throws IllegalArgumentException naming the invalid option
   */
  LossOptions toOptions() {
    boolean half;
    switch (nstScale == null ? "" : nstScale.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "half":
        half = true;
        break;
      case "full":
        half = false;
        break;
      default:
        throw new IllegalArgumentException("--nst-scale must be half or full, got '" + nstScale + "'");
    }
    return LossOptions.builder()
        .optLambda(lambda)
        .optNstHalf(half)
        .optKeepTeacherTerm(!dropTeacherTerm)
        .optNstDegree(nstDegree)
        .optNstC(nstC)
        .optNstSigma2(nstSigma2)
        .optKdTemperature(kdTemperature)
        .optKdAlpha(kdAlpha)
        .optFitnetBeta(fitnetBeta)
        .optAtBeta(atBeta)
        .optAtP(atP)
        .optTaps(taps)
        .optSpatial(SpatialPolicy.parse(spatial))
        .build();
  }
}

package org.nst4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import org.nst4j.train.RunSummary;
import picocli.CommandLine;

/** Small helpers shared by the commands. */
final class Commands {
  private Commands() {}

  /** The command line as typed, for model cards and summaries. */
  static String commandLine(CommandLine.Model.CommandSpec spec) {
    StringBuilder sb = new StringBuilder("nst4j");
    for (String a : originalArgs(spec)) {
      sb.append(' ').append(a.matches("[\\w@%+=:,./-]+") ? a : "'" + a.replace("'", "'\\''") + "'");
    }
    return sb.toString();
  }

  private static java.util.List<String> originalArgs(CommandLine.Model.CommandSpec spec) {
    CommandLine top = spec.commandLine();
    while (top.getParent() != null) {
      top = top.getParent();
    }
    return top.getParseResult() == null ? java.util.List.of() : top.getParseResult().originalArgs();
  }

  /** Prints the outcome of a run on stdout. */
  static void printSummary(PrintWriter out, RunSummary s, Path dir) {
    double mean = s.secondsPerEpoch().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    out.printf(Locale.ROOT, "%s %s (%s, seed %d): test accuracy %.2f%% after %d epochs (best %.2f%% at epoch %d)%n",
        s.role(), s.arch(), s.method(), s.seed(), 100 * s.testAccuracy(), s.epochs(), 100 * s.bestTestAccuracy(),
        s.bestEpoch());
    out.printf(Locale.ROOT, "  %.1f s per epoch, %.0f s in all, peak RSS %.0f MiB; run folder %s%n", mean,
        s.wallSeconds(), s.peakRssMb(), dir);
    out.flush();
  }
}

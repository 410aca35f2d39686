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

  /**
   * Refuses an output folder inside the data folder: an ImageFolder root would read it as one more class
   * on the next run.
   */
  static void checkOutsideData(Path out, DataOptions data) throws java.io.IOException {
    Path folder = data.folder();
    if (folder == null) {
      return;
    }
    Path root = folder.toRealPath();
    Path o = out.toAbsolutePath().normalize();
    // The longest existing ancestor is resolved through symbolic links like the data folder.
    Path existing = o;
    while (existing != null && !java.nio.file.Files.exists(existing)) {
      existing = existing.getParent();
    }
    Path real = existing == null ? o : existing.toRealPath().resolve(existing.relativize(o));
    if (real.startsWith(root)) {
      throw new IllegalArgumentException("--out " + out + " is inside the data folder " + folder + "; the next run"
          + " would read it as data (an ImageFolder class); choose a folder outside it");
    }
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

  /**
   * Completes a run with what {@code train} and {@code distill} share (data, schedule, output folder,
   * device, command line), runs it and prints its summary. Options are all checked before the data is read.
   *
   * @param spec the command's picocli spec
   * @param run the command-specific part (architecture, method, teacher)
   * @param config the validated hyper-parameters
   * @param training the hyper-parameter options (for the divergence guard)
   * @param defaultOut the run folder's name under {@code runs/} when {@code --out} is not given
   * @return the exit code
   */
  static int runAndReport(CommandLine.Model.CommandSpec spec, org.nst4j.train.RunSpec.Builder run, DataOptions data,
      org.nst4j.train.TrainingRecipe config, TrainingOptions training, OutputOptions output, RuntimeOptions runtime, String defaultOut)
      throws java.io.IOException {
    var device = runtime.device();
    runtime.applyThreads();
    org.nst4j.train.StopSignal.process().installHandlers();
    double divergenceFactor = training.divergenceFactor();
    Path out = output.outOr(defaultOut);
    if (out.toString().isEmpty()) {
      throw new IllegalArgumentException("--out is empty (an unset shell variable?); give the run folder's path");
    }
    checkOutsideData(out, data);
    PrintWriter err = spec.commandLine().getErr();
    org.nst4j.train.RunSpec built = run
        .setData(data.load())
        .optPerClass(data.perClass)
        .setConfig(config)
        .setOut(out)
        .optDivergenceFactor(divergenceFactor)
        .optWarnings(w -> {
          err.println("warning: " + w);
          err.flush();
        })
        .optResume(output.resume)
        .optOverwrite(output.overwrite)
        .optDevice(device)
        .optProgress(!output.quiet)
        .optCommand(commandLine(spec))
        .build();
    RunSummary summary = org.nst4j.train.TrainingRun.execute(built);
    printSummary(spec.commandLine().getOut(), summary, built.out());
    return 0;
  }
}

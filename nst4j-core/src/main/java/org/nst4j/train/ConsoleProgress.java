package org.nst4j.train;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * Progress on the terminal: a live bar redrawn in place when stderr is a terminal, plain lines otherwise
 * (logs, CI), and one summary line per epoch in both cases.
 */
public final class ConsoleProgress implements LoopListener {
  private static final long REDRAW_NANOS = 250_000_000L;
  private final PrintStream out;
  private final boolean live;
  private final String label;
  private int epochs;
  private int batches;
  private long epochStart;
  private long lastDraw;
  private double runningLoss = Double.NaN;

  /**
   * Creates the display.
   *
   * @param out where to print (stderr: stdout stays free for results)
   * @param live whether to redraw a bar in place (true on a terminal)
   * @param label a prefix naming the run, e.g. {@code student nst-poly seed 0}
   */
  public ConsoleProgress(PrintStream out, boolean live, String label) {
    this.out = out;
    this.live = live;
    this.label = label;
  }

  /** A display that draws a live bar only when the JVM has a console. */
  public static ConsoleProgress forStderr(String label) {
    return new ConsoleProgress(System.err, System.console() != null, label);
  }

  @Override
  public void onStart(int epochs, int batchesPerEpoch, int firstEpoch) {
    this.epochs = epochs;
    this.batches = batchesPerEpoch;
    this.epochStart = System.nanoTime();
    if (firstEpoch > 1) {
      out.printf(Locale.ROOT, "%s: resuming at epoch %d of %d%n", label, firstEpoch, epochs);
    }
  }

  @Override
  public void onBatch(int epoch, int batch, double loss) {
    if (batch == 1) {
      epochStart = System.nanoTime();
      runningLoss = loss;
    } else {
      runningLoss = 0.98 * runningLoss + 0.02 * loss;
    }
    long now = System.nanoTime();
    if (!live || (now - lastDraw < REDRAW_NANOS && batch != batches)) {
      return;
    }
    lastDraw = now;
    double elapsed = (now - epochStart) / 1e9;
    double rate = batch / Math.max(elapsed, 1e-9);
    int width = 24;
    int filled = (int) Math.round(width * (double) batch / batches);
    String bar = "#".repeat(filled) + "-".repeat(width - filled);
    out.printf(Locale.ROOT, "\r%s  epoch %d/%d [%s] %d/%d  loss %.4f  %.1f it/s  eta %s   ", label, epoch, epochs,
        bar, batch, batches, runningLoss, rate, duration((batches - batch) / rate));
    out.flush();
  }

  @Override
  public void onEpoch(EpochRecord r) {
    if (live) {
      out.print("\r\033[K");
    }
    StringBuilder terms = new StringBuilder();
    if (r.terms().size() > 1) {
      terms.append(" (");
      int i = 0;
      for (Map.Entry<String, Double> e : r.terms().entrySet()) {
        terms.append(i++ == 0 ? "" : ", ").append(e.getKey()).append(' ')
            .append(String.format(Locale.ROOT, "%.4f", e.getValue()));
      }
      terms.append(')');
    }
    // A detector's epochs have no accuracy (NaN): "-" as for an epoch without a test set.
    out.printf(Locale.ROOT, "%s  epoch %d/%d  loss %.4f%s  train %s  test %s  %.1f s%n", label, r.epoch(),
        epochs, r.loss(), terms,
        Double.isNaN(r.trainAccuracy()) ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * r.trainAccuracy()),
        Double.isNaN(r.testAccuracy()) ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * r.testAccuracy()),
        r.seconds());
    out.flush();
  }

  /**
   * Formats seconds as m:ss or h:mm:ss ("?" when not finite), for ETAs and elapsed times.
   *
   * @param seconds a duration
   * @return e.g. {@code 4:05} or {@code 1:02:03}
   */
  public static String duration(double seconds) {
    if (!Double.isFinite(seconds)) {
      return "?";
    }
    long s = Math.round(seconds);
    return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}

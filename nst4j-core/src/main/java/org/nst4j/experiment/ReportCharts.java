package org.nst4j.experiment;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Draws the PNG plots of experiment and sweep reports.
 *
 * <p>nst4j-core carries no chart library (a library should not put one on its users' class path), so it has no
 * implementation of its own: it finds one with {@link ServiceLoader}. The nst4j command line ({@code nst4j-cli})
 * provides one drawn with JFreeChart; a Java user who wants the plots adds that module, or registers an
 * implementation of their own under {@code META-INF/services/org.nst4j.experiment.ReportCharts}. Without one,
 * reports are written complete except for the pictures, and say so.
 */
public interface ReportCharts {
  /**
   * Line plot of each group's mean test accuracy (over its seeds) after every epoch.
   *
   * @param groups the groups; those without finished runs are left out
   * @param title the chart's title
   * @param yLabel the value axis' label (e.g. "test accuracy (%)")
   * @param png where to write (atomically: never half a file)
   * @throws IOException if the file cannot be written
   */
  void accuracyPerEpoch(List<ResultGroup> groups, String title, String yLabel, Path png) throws IOException;

  /**
   * Bar chart of each group's mean final accuracy with error bars of ± one sample standard deviation.
   *
   * @param groups the groups; those without finished runs are left out
   * @param title the chart's title
   * @param yLabel the value axis' label
   * @param png where to write (atomically)
   * @throws IOException if the file cannot be written
   */
  void finalAccuracy(List<ResultGroup> groups, String title, String yLabel, Path png) throws IOException;

  /**
   * The implementation on the class path, if any (the first {@link ServiceLoader} finds).
   *
   * @return the charts, or empty when no module provides them
   */
  static Optional<ReportCharts> installed() {
    return ServiceLoader.load(ReportCharts.class, ReportCharts.class.getClassLoader()).findFirst();
  }

  /** One plot to draw. */
  @FunctionalInterface
  interface Drawing {
    /**
     * Draws it.
     *
     * @throws IOException if the file cannot be written
     */
    void draw() throws IOException;
  }

  /**
   * Draws a plot, or warns on {@code log} when the JVM cannot render text (a machine without fonts or
   * fontconfig): the training results and the tables matter more than a picture, and the plots can be drawn
   * later with {@code --report-only}.
   *
   * @param log where the warning goes
   * @param png the file the drawing writes (named in the warning)
   * @param drawing the drawing
   * @throws IOException if the file cannot be written
   */
  static void drawOrWarn(PrintWriter log, Path png, Drawing drawing) throws IOException {
    try {
      drawing.draw();
    } catch (RuntimeException | LinkageError | java.awt.AWTError | InternalError e) {
      log.println("warning: " + png + " not drawn (" + e + "); the tables are complete. Fix the cause (e.g. a"
          + " system without fonts: apt-get install fontconfig fonts-dejavu-core) and rebuild with --report-only");
      log.flush();
    }
  }

  /** The sentence a report carries instead of its pictures when no implementation is installed. */
  String NOT_INSTALLED = "Plots: not drawn (no `org.nst4j.experiment.ReportCharts` on the class path; the nst4j"
      + " command line draws them: the same experiment with `--report-only`).";
}

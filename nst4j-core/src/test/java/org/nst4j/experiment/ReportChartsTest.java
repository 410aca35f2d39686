package org.nst4j.experiment;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plot hook of the reports: a plot that cannot be drawn is a warning, and nst4j-core ships no renderer. */
class ReportChartsTest {
  @Test
  void aPlotThatCannotBeDrawnIsAWarningNotAFailure(@TempDir Path dir) throws Exception {
    StringWriter log = new StringWriter();
    ReportCharts.drawOrWarn(new PrintWriter(log), dir.resolve("x.png"), () -> {
      throw new InternalError("Fontconfig head is null");
    });
    assertTrue(log.toString().startsWith("warning: " + dir.resolve("x.png") + " not drawn"), log.toString());
    assertTrue(log.toString().contains("--report-only"), log.toString());
  }

  @Test
  void theCoreLibraryBringsNoChartLibrary() {
    // nst4j-core's own class path (its tests) has no implementation: reports say so instead of drawing.
    assertTrue(ReportCharts.installed().isEmpty());
  }
}

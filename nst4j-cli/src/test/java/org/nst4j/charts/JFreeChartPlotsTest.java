package org.nst4j.charts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.experiment.ReportCharts;
import org.nst4j.experiment.ResultGroup;
import org.nst4j.experiment.RunResult;
import org.nst4j.train.EpochRecord;
import org.nst4j.train.RunSummary;

/** The plots from hand-made results (no training): sizes, one-seed and empty groups, and the service registration. */
class JFreeChartPlotsTest {
  static RunResult run(long seed, double... accuracies) {
    List<EpochRecord> epochs = new ArrayList<>();
    for (int i = 0; i < accuracies.length; i++) {
      epochs.add(new EpochRecord(i + 1, 1.0, Map.of("ce", 1.0), 0.5, accuracies[i], 0.01, 2.0, 0.1, 100));
    }
    double last = accuracies[accuracies.length - 1];
    RunSummary s = new RunSummary("student", "resnet8", "ce", "t", "d", seed, accuracies.length, 10, 100, last, last,
        accuracies.length, 10, List.of(2.0), 100, "cfg", "cmd");
    return new RunResult(seed, Path.of("r" + seed), s, epochs, null, null);
  }

  @Test
  void drawsBothPlotsIncludingOneSeedAndEmptyGroups(@TempDir Path dir) throws Exception {
    List<ResultGroup> groups = List.of(
        new ResultGroup("ce", "ce", "", Map.of(), List.of(0L, 1L), List.of(run(0, 0.80, 0.84), run(1, 0.81, 0.85))),
        new ResultGroup("kd", "kd", "T=4", Map.of(), List.of(0L, 1L), List.of(run(0, 0.82, 0.86))),
        new ResultGroup("at", "at", "", Map.of(), List.of(0L, 1L), List.of()));
    assertEquals(Map.of(1, 0.805, 2, 0.845).keySet(), groups.get(0).meanAccuracyPerEpoch().keySet());
    assertEquals(0.845, groups.get(0).meanAccuracyPerEpoch().get(2), 1e-12);
    Path line = dir.resolve("line.png");
    Path bars = dir.resolve("sub/bars.png");
    JFreeChartPlots plots = new JFreeChartPlots();
    plots.accuracyPerEpoch(groups, "t", "test accuracy (%)", line);
    plots.finalAccuracy(groups, "t", "test accuracy (%)", bars);
    for (Path p : List.of(line, bars)) {
      BufferedImage img = ImageIO.read(p.toFile());
      assertEquals(JFreeChartPlots.WIDTH, img.getWidth());
      assertEquals(JFreeChartPlots.HEIGHT, img.getHeight());
    }
    try (var files = Files.list(dir)) {
      assertFalse(files.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file left");
    }
  }

  @Test
  void aBarWithMissingSeedsSaysHowManyRunsItHas() {
    ResultGroup full = new ResultGroup("ce", "ce", "", Map.of(), List.of(0L, 1L), List.of(run(0, 0.8), run(1, 0.8)));
    ResultGroup partial = new ResultGroup("kd", "kd", "", Map.of(), List.of(0L, 1L, 2L), List.of(run(0, 0.8)));
    assertEquals("ce", JFreeChartPlots.barLabel(full));
    assertEquals("kd (n=1)", JFreeChartPlots.barLabel(partial));
  }

  @Test
  void isTheImplementationThatNst4jCoreFinds() {
    assertTrue(ReportCharts.installed().orElseThrow() instanceof JFreeChartPlots);
  }
}

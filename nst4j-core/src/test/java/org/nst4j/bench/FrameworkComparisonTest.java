package org.nst4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameworkComparisonTest {

  @Test
  void medianOfOddAndEvenCounts() {
    assertEquals(2.0, FrameworkComparison.median(List.of(3.0, 1.0, 2.0)));
    assertEquals(2.5, FrameworkComparison.median(List.of(4.0, 1.0, 3.0, 2.0)));
  }

  @Test
  void theReportGivesBothEpochsMediansAndTheirRatio() {
    List<FrameworkComparison.Sample> samples = List.of(
        new FrameworkComparison.Sample("nst4j", "ce", 10, 8, 500),
        new FrameworkComparison.Sample("pytorch", "ce", 7, 7, 600),
        new FrameworkComparison.Sample("nst4j", "ce", 12, 6, 520),
        new FrameworkComparison.Sample("pytorch", "ce", 9, 5, 610),
        new FrameworkComparison.Sample("nst4j", "ce", 11, 7, 510),
        new FrameworkComparison.Sample("pytorch", "ce", 8, 10, 605));
    String md = FrameworkComparison.report(samples, "header\n");
    // steady state: nst4j median 7 of [8, 6, 7], PyTorch median 7 of [7, 5, 10]; per-repetition ratios
    // 8/7, 6/5, 7/10 have the median 8/7
    assertTrue(md.contains("| ce | 2nd (steady state) | 7.00 | 7.00 | 1.000 | 1.143 | [8.00, 6.00, 7.00] |"
        + " [7.00, 5.00, 10.00] | 520 | 610 |"), md);
    // warm-up: ratios 10/7, 12/9, 11/8 -> 1.375, which is also 11/8 of the medians
    assertTrue(md.contains("| ce | 1st (with warm-up) | 11.00 | 8.00 | 1.375 | 1.375 |"), md);
    assertTrue(md.startsWith("# One FMNIST-10k distillation epoch: nst4j vs PyTorch-Python\n\nheader\n"), md);
  }

  @Test
  void aMissingInterpreterIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FrameworkComparison.run(
        List.of("ce"), 1, 1, Path.of("/nonexistent/python3"), Path.of("bench/pytorch/fmnist_epoch.py"), List.of(), List.of(), null));
    assertTrue(e.getMessage().contains("no Python interpreter"), e.getMessage());
  }

  @Test
  void aFailedChildIsOneLineWithItsErrorAndNotItsStackTrace(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path log = dir.resolve("py.log");
    java.util.List<String> cmd = java.util.List.of("sh", "-c", "echo 'Traceback (most recent call last):';"
        + " echo '  File \"fmnist_epoch.py\", line 3, in <module>'; echo '    import torch';"
        + " echo \"ModuleNotFoundError: No module named 'torch'\"; exit 1");
    java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
        () -> FrameworkComparison.exec(cmd, log, java.util.Map.of()));
    assertEquals(1, e.getMessage().split("\n").length, e.getMessage());
    assertTrue(e.getMessage().startsWith("benchmark process failed (exit 1): ModuleNotFoundError: No module named"
        + " 'torch'; its output is in " + log), e.getMessage());
    // A Java child: its "error:" line, not the frames after it.
    assertEquals("error: the loss diverged", FrameworkComparison.childError(java.util.List.of("rep 1",
        "error: the loss diverged", "java.lang.IllegalArgumentException: x", "\tat org.nst4j.X.y(X.java:3)")));
  }
}

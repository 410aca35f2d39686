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
}

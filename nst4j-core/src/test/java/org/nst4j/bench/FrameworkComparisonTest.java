package org.nst4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameworkComparisonTest {

  @Test
  void medianOfOddAndEvenCountsAndOfNone() {
    assertEquals(2.0, FrameworkComparison.median(List.of(3.0, 1.0, 2.0)));
    assertEquals(2.5, FrameworkComparison.median(List.of(4.0, 1.0, 3.0, 2.0)));
    assertTrue(Double.isNaN(FrameworkComparison.median(List.of())));
  }

  private static FrameworkComparison.Sample s(String side, String method, String teacher, int rep, double first,
      double second, double rss) {
    return new FrameworkComparison.Sample(side, method, teacher, rep, first, second, rss);
  }

  @Test
  void theReportGivesBothEpochsMediansAndTheirRatio() {
    List<FrameworkComparison.Sample> samples = List.of(
        s("nst4j", "ce", "none", 0, 10, 8, 500),
        s("pytorch", "ce", "none", 0, 7, 7, 600),
        s("pytorch", "ce", "none", 1, 9, 5, 610),
        s("nst4j", "ce", "none", 1, 12, 6, 520),
        s("nst4j", "ce", "none", 2, 11, 7, 510),
        s("pytorch", "ce", "none", 2, 8, 10, 605));
    String md = FrameworkComparison.report(samples, "header\n");
    // steady state: nst4j median 7 of [8, 6, 7], PyTorch median 7 of [7, 5, 10]; per-repetition ratios
    // 8/7, 6/5, 7/10 have the median 8/7 (repetition 1 ran PyTorch first: pairs go by repetition, not order)
    assertTrue(md.contains("| ce | — | 2nd (steady state) | 7.00 | 7.00 | 1.000 | 1.143 | [8.00, 6.00, 7.00] |"
        + " [7.00, 5.00, 10.00] | 520 | 610 |"), md);
    // warm-up: ratios 10/7, 12/9, 11/8 -> 1.375, which is also 11/8 of the medians
    assertTrue(md.contains("| ce | — | 1st (with warm-up) | 11.00 | 8.00 | 1.375 | 1.375 |"), md);
    assertTrue(md.startsWith("# One FMNIST-10k distillation epoch: nst4j vs PyTorch-Python\n\nheader\n"), md);
  }

  @Test
  void aMethodWithATeacherHasOneRowPerTeacherSettingAndTheFloat32RowsShareNst4jsRuns() {
    String kd = "kd+nst-poly";
    List<FrameworkComparison.Sample> samples = List.of(
        s("nst4j", kd, "folded", 0, 13, 10, 700),
        s("pytorch", kd, "eager", 0, 12, 12, 650),
        s("pytorch", kd, "frozen", 0, 11, 9, 640),
        s("nst4j", kd, "bf16", 0, 9, 6, 720),
        s("pytorch", kd, "bf16", 0, 10, 8, 630),
        s("pytorch", kd, "bf16", 1, 10, 12, 631),
        s("nst4j", kd, "bf16", 1, 9, 9, 721),
        s("pytorch", kd, "frozen", 1, 11, 11, 641),
        s("pytorch", kd, "eager", 1, 12, 14, 651),
        s("nst4j", kd, "folded", 1, 13, 12, 701));
    String md = FrameworkComparison.report(samples, "h\n");
    // Rows in the order repetition 0 measured them; the folded nst4j runs [10, 12] serve eager and frozen.
    int eager = md.indexOf("| kd+nst-poly | folded fp32 / eager fp32 | 2nd (steady state) | 11.00 | 13.00 | 0.846 |"
        + " 0.845 | [10.00, 12.00] | [12.00, 14.00] | 701 | 651 |");
    int frozen = md.indexOf("| kd+nst-poly | folded fp32 / frozen fp32 | 2nd (steady state) | 11.00 | 10.00 |"
        + " 1.100 | 1.101 | [10.00, 12.00] | [9.00, 11.00] | 701 | 641 |");
    // bf16: 6/8 and 9/12 are both 0.75; the medians 7.5 / 10
    int bf16 = md.indexOf("| kd+nst-poly | bf16 TorchScript / bf16 TorchScript | 2nd (steady state) | 7.50 |"
        + " 10.00 | 0.750 | 0.750 | [6.00, 9.00] | [8.00, 12.00] | 721 | 631 |");
    assertTrue(eager > 0 && frozen > eager && bf16 > frozen, md);
    assertTrue(md.contains("| kd+nst-poly | folded fp32 / frozen fp32 | 1st (with warm-up) | 13.00 | 11.00 | 1.182 |"),
        md);
    assertEquals(6, md.lines().filter(l -> l.startsWith("| kd+nst-poly |")).count(), md);
  }

  @Test
  void eachRepetitionRunsEveryProcessOnceAndOddOnesInReverse() {
    List<FrameworkComparison.TeacherSetting> all = List.of(FrameworkComparison.TeacherSetting.EAGER,
        FrameworkComparison.TeacherSetting.FROZEN, FrameworkComparison.TeacherSetting.BF16);
    List<FrameworkComparison.Job> even = FrameworkComparison.jobs(List.of("ce", "kd+nst-poly"), all, 0);
    assertEquals(List.of(
        new FrameworkComparison.Job("nst4j", "ce", "none"),
        new FrameworkComparison.Job("pytorch", "ce", "none"),
        new FrameworkComparison.Job("nst4j", "kd+nst-poly", "folded"),
        new FrameworkComparison.Job("pytorch", "kd+nst-poly", "eager"),
        new FrameworkComparison.Job("pytorch", "kd+nst-poly", "frozen"),
        new FrameworkComparison.Job("nst4j", "kd+nst-poly", "bf16"),
        new FrameworkComparison.Job("pytorch", "kd+nst-poly", "bf16")), even);
    List<FrameworkComparison.Job> odd = new java.util.ArrayList<>(
        FrameworkComparison.jobs(List.of("ce", "kd+nst-poly"), all, 3));
    java.util.Collections.reverse(odd);
    assertEquals(even, odd);
    assertEquals(List.of(new FrameworkComparison.Job("nst4j", "kd+nst-poly", "folded"),
            new FrameworkComparison.Job("pytorch", "kd+nst-poly", "frozen")),
        FrameworkComparison.jobs(List.of("kd+nst-poly"), List.of(FrameworkComparison.TeacherSetting.FROZEN), 0));
  }

  @Test
  void teacherSettingsByName() {
    assertEquals(FrameworkComparison.TeacherSetting.FROZEN, FrameworkComparison.TeacherSetting.of("frozen"));
    assertEquals("bf16", FrameworkComparison.TeacherSetting.BF16.nst4jTeacher());
    assertEquals("folded", FrameworkComparison.TeacherSetting.EAGER.nst4jTeacher());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FrameworkComparison.TeacherSetting.of("fp16"));
    assertEquals("unknown teacher setting 'fp16'; expected eager, frozen or bf16", e.getMessage());
  }

  @Test
  void aMissingInterpreterOrBadSettingsAreRefused(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    List<FrameworkComparison.TeacherSetting> eager = List.of(FrameworkComparison.TeacherSetting.EAGER);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FrameworkComparison.run(
        List.of("ce"), eager, 1, 1, 1000, Path.of("/nonexistent/python3"), Path.of("bench/pytorch/fmnist_epoch.py"),
        List.of(), List.of(), null));
    assertTrue(e.getMessage().contains("no Python interpreter"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> FrameworkComparison.run(List.of("ce"), List.of(), 1, 1,
        1000,
        Path.of("/usr/bin/python3"), Path.of("bench/pytorch/fmnist_epoch.py"), List.of(), List.of(), null));
    assertTrue(e.getMessage().startsWith("--teacher-settings must name"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> FrameworkComparison.run(List.of("ce"), eager, 1, 1, 6,
        Path.of("/usr/bin/python3"), Path.of("bench/pytorch/fmnist_epoch.py"), List.of(), List.of(), null));
    assertEquals("--per-class must be ≥ 7 (one batch of 64 images), got 6", e.getMessage());
    // bf16 with a teacher method needs the export script beside the PyTorch script; ce alone does not.
    Path script = java.nio.file.Files.writeString(dir.resolve("fmnist_epoch.py"), "");
    e = assertThrows(IllegalArgumentException.class, () -> FrameworkComparison.run(List.of("kd+nst-poly"),
        List.of(FrameworkComparison.TeacherSetting.BF16), 1, 1, 1000, dir.resolve("python3"), script, List.of(),
        List.of(), null));
    assertEquals(dir.resolve("export_teacher.py") + ": the teacher export script is missing (needed by the bf16"
        + " row)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> FrameworkComparison.run(List.of("ce"),
        List.of(FrameworkComparison.TeacherSetting.BF16), 1, 1, 1000, dir.resolve("python3"), script, List.of(),
        List.of(), null));
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

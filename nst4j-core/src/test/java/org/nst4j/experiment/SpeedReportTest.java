package org.nst4j.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.bench.MachineInfo;

class SpeedReportTest {
  @TempDir Path dir;

  @BeforeAll
  static void oneThread() {
    Fixtures.oneThread();
  }

  @AfterAll
  static void restore() {
    Fixtures.restoreThreads();
  }

  private static SpeedReport sample() {
    return new SpeedReport("2026-01-02", 2, new MachineInfo(2, "cpu", 1024, "Linux", "17"), List.of(
        new SpeedReport.Row("teacher", "resnet20", 270_000, 1, 250, 4.0),
        new SpeedReport.Row("teacher", "resnet20", 270_000, 64, 1000, 64.0),
        new SpeedReport.Row("student", "resnet8", 78_000, 1, 750, 1.333),
        new SpeedReport.Row("student", "resnet8", 78_000, 64, 4000, 16.0)));
  }

  @Test
  void theTableShowsEachStudentRowsSpeedUpOverTheTeacherAtTheSameBatch() {
    String md = sample().markdown();
    assertTrue(md.startsWith("## Inference speed\n"), md);
    assertTrue(md.contains("| student | resnet8 | 78,000 | 1 | 750 | 1.33 | 3.00× |"), md);
    assertTrue(md.contains("| student | resnet8 | 78,000 | 64 | 4000 | 16.00 | 4.00× |"), md);
    assertTrue(md.contains("| teacher | resnet20 | 270,000 | 64 | 1000 | 64.00 | 1.00× |"), md);
    assertTrue(md.contains("2 intra-op thread(s); measured on 2026-01-02"), md);
  }

  @Test
  void writtenAndReadBackUnchanged() throws IOException {
    assertNull(SpeedReport.read(dir));
    sample().write(dir);
    assertEquals(sample(), SpeedReport.read(dir));
  }

  @Test
  void aDamagedFileIsRefusedSayingHowToMeasureAgain() throws IOException {
    Files.writeString(dir.resolve(SpeedReport.FILE), "{\"rows\": 3");
    IOException e = assertThrows(IOException.class, () -> SpeedReport.read(dir));
    assertTrue(e.getMessage().contains("not a speed report") && e.getMessage().contains("delete it"),
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new SpeedReport("d", 1, null, List.of()));
  }

  /** A complete one-run grid measures once; rebuilding its report reuses the file and writes the same bytes. */
  @Test
  void aCompleteGridIsMeasuredOnceAndItsReportRebuiltIdentically() throws Exception {
    ExperimentSpec spec = ExperimentFile.parse("""
        name: speed
        data: {name: %s, per_class: 5}
        teacher: %s
        student: cnn-small
        schedule: {epochs: 1, batch: 10, lr: 0.05}
        methods: [ce]
        seeds: [0]
        out: %s
        """.formatted(Fixtures.data(), Fixtures.teacher(), dir.resolve("out")), dir.resolve("speed.yaml"));
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Experiment.Options options = new Experiment.Options(false, false, ai.djl.Device.cpu(), "t",
        new PrintWriter(new java.io.OutputStreamWriter(log, StandardCharsets.UTF_8), true), () -> {}, true);
    Experiment.run(spec, options);
    SpeedReport speed = SpeedReport.read(dir.resolve("out"));
    assertEquals(List.of("teacher", "teacher", "student", "student"),
        speed.rows().stream().map(SpeedReport.Row::role).toList());
    assertEquals(List.of(1, 64, 1, 64), speed.rows().stream().map(SpeedReport.Row::batch).toList());
    assertTrue(speed.rows().stream().allMatch(r -> r.imagesPerSecond() > 0 && r.parameters() > 0), speed.toString());
    byte[] md = Files.readAllBytes(dir.resolve("out").resolve(Experiment.RESULTS_MD));
    assertTrue(new String(md, StandardCharsets.UTF_8).contains("## Inference speed"));
    assertTrue(log.toString(StandardCharsets.UTF_8).contains("measuring inference speed"));

    ByteArrayOutputStream again = new ByteArrayOutputStream();
    Experiment.run(spec, new Experiment.Options(true, false, ai.djl.Device.cpu(), "t",
        new PrintWriter(new java.io.OutputStreamWriter(again, StandardCharsets.UTF_8), true), () -> {}, true));
    assertArrayEquals(md, Files.readAllBytes(dir.resolve("out").resolve(Experiment.RESULTS_MD)));
    assertTrue(!again.toString(StandardCharsets.UTF_8).contains("measuring"), "measured once");
  }
}

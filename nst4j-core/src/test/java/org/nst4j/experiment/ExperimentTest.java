package org.nst4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.bench.MachineInfo;
import org.nst4j.store.Json;
import org.nst4j.train.RunFolder;
import org.nst4j.train.RunSummary;

/**
 * A 2-method × 2-seed grid on the embedded sample against a tiny teacher trained here: it completes, its
 * report matches the summaries, a rerun trains nothing and rewrites the same bytes, and an interrupted grid
 * reruns only the missing run. The tests share one grid and run in order. Then a grid against the tiny
 * TorchScript teacher of the model tests, with its maps named by {@code teacher_taps}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExperimentTest {
  @TempDir static Path dir;
  private static Path yaml;
  private static ExperimentSpec spec;
  private static Experiment.Result first;
  private static String firstLog;

  static String teacherRecipe(Path out) {
    return """
        name: tiny-teacher
        role: teacher
        data: {name: %s}
        arch: cnn-small
        schedule: {epochs: 1, batch: 20, lr: 0.05}
        out: %s
        """.formatted(Fixtures.data(), out);
  }

  static String grid(Path teacher, Path out) {
    return """
        name: tiny-grid
        protocol: a test protocol
        data: {name: %s, per_class: 10}
        teacher: %s
        student: cnn-small
        schedule: {epochs: 2, batch: 20, lr: 0.05}
        methods:
          - ce
          - method: nst-poly
            lambda: 50
        seeds: [0, 1]
        out: %s
        """.formatted(Fixtures.data(), teacher, out);
  }

  static Experiment.Options options(ByteArrayOutputStream log) {
    return new Experiment.Options(false, false, ai.djl.Device.cpu(), "nst4j experiment grid.yaml",
        new PrintWriter(new java.io.OutputStreamWriter(log, StandardCharsets.UTF_8), true), () -> {});
  }

  @BeforeAll
  static void trainTeacherAndGrid() throws Exception {
    Fixtures.oneThread();
    Path recipe = dir.resolve("teacher.yaml");
    Files.writeString(recipe, teacherRecipe(dir.resolve("teacher")));
    ExperimentSpec t = ExperimentFile.read(recipe);
    Experiment.Result tr = Experiment.run(t, options(new ByteArrayOutputStream()));
    assertEquals(1, tr.outcome().trained());
    assertTrue(Files.isRegularFile(dir.resolve("teacher/model/model.json")), "the recipe's out holds the model");

    yaml = dir.resolve("grid.yaml");
    Files.writeString(yaml, grid(dir.resolve("teacher"), dir.resolve("out")));
    spec = ExperimentFile.read(yaml);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    first = Experiment.run(spec, options(log));
    firstLog = log.toString(StandardCharsets.UTF_8);
  }

  @AfterAll
  static void threads() {
    Fixtures.restoreThreads();
  }

  private static Path run(String method, long seed) {
    return dir.resolve("out/runs").resolve(method).resolve("seed-" + seed);
  }

  @Test
  @Order(1)
  void theGridCompletesWithOneFolderPerRunAndAProgressLineEach() throws Exception {
    assertEquals(new GridRunner.Outcome(4, 0), first.outcome());
    for (String m : List.of("ce", "nst-poly")) {
      for (long s : List.of(0L, 1L)) {
        RunSummary summary = new RunFolder(run(m, s)).readSummary();
        assertEquals(m, summary.method());
        assertEquals(s, summary.seed());
        assertEquals("student", summary.role());
        assertEquals(100, summary.trainImages());
        assertTrue(Files.isRegularFile(run(m, s).resolve(MachineInfo.FILE)));
      }
    }
    assertTrue(firstLog.contains("[tiny-grid] run 1/4: ce seed 0 (1 of 4 to train; ETA after the first run)"),
        firstLog);
    assertTrue(firstLog.matches("(?s).*\\[tiny-grid] run 4/4: nst-poly seed 1 \\(4 of 4 to train; ETA \\d+:\\d\\d\\).*"),
        firstLog);
  }

  @Test
  @Order(2)
  void theReportsNumbersAreTheSummariesMeanAndSampleStd() throws Exception {
    List<String> lines = Files.readAllLines(dir.resolve("out/results.csv"));
    assertEquals(3, lines.size(), "header + one row per method");
    assertTrue(lines.get(0).startsWith("label,method,options,n,seeds,final_test_acc_mean_pct"), lines.get(0));
    String[] methods = {"ce", "nst-poly"};
    for (int i = 0; i < 2; i++) {
      double[] fin = new double[2];
      double[] best = new double[2];
      double spe = 0;
      for (int s = 0; s < 2; s++) {
        // Read the JSON directly, independently of the report's own code path.
        var node = Json.PRETTY.readTree(run(methods[i], s).resolve("summary.json").toFile());
        fin[s] = 100 * node.get("test_accuracy").asDouble();
        best[s] = 100 * node.get("best_test_accuracy").asDouble();
        double sum = 0;
        for (var e : node.get("seconds_per_epoch")) {
          sum += e.asDouble();
        }
        spe += sum / node.get("seconds_per_epoch").size() / 2;
      }
      Map<String, String> row = row(lines.get(0), lines.get(i + 1));
      assertEquals(methods[i], row.get("label"));
      assertEquals("2", row.get("n"));
      assertEquals("0 1", row.get("seeds"));
      assertEquals((fin[0] + fin[1]) / 2, Double.parseDouble(row.get("final_test_acc_mean_pct")), 1e-4);
      // Sample std of two values: |a − b| / √2.
      assertEquals(Math.abs(fin[0] - fin[1]) / Math.sqrt(2), Double.parseDouble(row.get("final_test_acc_std_pct")),
          1e-4);
      assertEquals((best[0] + best[1]) / 2, Double.parseDouble(row.get("best_test_acc_mean_pct")), 1e-4);
      assertEquals(Math.abs(best[0] - best[1]) / Math.sqrt(2), Double.parseDouble(row.get("best_test_acc_std_pct")),
          1e-4);
      assertEquals(spe, Double.parseDouble(row.get("seconds_per_epoch_mean")), 1e-3);
    }
    String md = Files.readString(dir.resolve("out/results.md"));
    Stats ce = first.groups().get(0).finalAccuracy();
    assertTrue(md.contains(String.format(Locale.ROOT, "| ce |  | 2 | %.2f ± %.2f |", 100 * ce.mean(), 100 * ce.std())),
        md);
    // nst4j-core has no chart library: no pictures, and the report says how to get them (nst4j-cli's
    // JFreeChartPlotsTest and ExperimentCommandTest check the drawn plots).
    assertFalse(md.contains("!["), md);
    assertTrue(md.contains(ReportCharts.NOT_INSTALLED), md);
    assertTrue(md.contains("- Command: `nst4j experiment grid.yaml`"), md);
    // Wall / run: the mean of the two summaries' wall_seconds in minutes; the grid's line: their sum in hours.
    double wall = 0;
    for (ResultGroup g : first.groups()) {
      double w = 0;
      for (RunResult r : g.runs()) {
        w += r.summary().wallSeconds();
      }
      wall += w;
      assertTrue(md.contains(String.format(Locale.ROOT, " | %.1f |\n", w / g.runs().size() / 60)), g.label());
    }
    assertTrue(md.contains(String.format(Locale.ROOT, "- Wall time: %.1f h, the sum", wall / 3600)), md);
    assertTrue(md.contains("- Machine: " + Runtime.getRuntime().availableProcessors() + " CPUs ("), md);
    assertTrue(md.contains("Protocol: a test protocol"), md);
    assertTrue(md.contains("```yaml\nname: tiny-grid"), md);
    assertTrue(md.contains("| nst-poly | 1 |") && md.contains("runs/nst-poly/seed-1 |"), md);
    for (String png : List.of("accuracy-per-epoch.png", "final-accuracy.png")) {
      assertFalse(Files.exists(dir.resolve("out").resolve(png)), png);
    }
  }

  @Test
  @Order(3)
  void aRerunTrainsNothingAndRewritesTheSameReport() throws Exception {
    Map<Path, FileTime> times = summaryTimes();
    byte[] csv = Files.readAllBytes(dir.resolve("out/results.csv"));
    byte[] md = Files.readAllBytes(dir.resolve("out/results.md"));
    Files.delete(dir.resolve("out/results.csv"));
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Experiment.Result again = Experiment.run(ExperimentFile.read(yaml), options(log));
    assertEquals(new GridRunner.Outcome(0, 4), again.outcome());
    assertTrue(log.toString(StandardCharsets.UTF_8).contains("all 4 runs are complete; nothing to train"));
    assertEquals(times, summaryTimes(), "no summary was rewritten");
    assertEquals(new String(csv, StandardCharsets.UTF_8),
        Files.readString(dir.resolve("out/results.csv")));
    assertTrue(java.util.Arrays.equals(csv, Files.readAllBytes(dir.resolve("out/results.csv"))));
    assertTrue(java.util.Arrays.equals(md, Files.readAllBytes(dir.resolve("out/results.md"))));

    // Report-only likewise, and it never needs the data or the teacher.
    Experiment.Result report = Experiment.run(ExperimentFile.read(yaml).withOverrides(null, null, null, null,
        dir.resolve("no-such-teacher")), options(new ByteArrayOutputStream()).withReportOnly(true));
    assertEquals(new GridRunner.Outcome(0, 0), report.outcome());
    assertTrue(java.util.Arrays.equals(csv, Files.readAllBytes(dir.resolve("out/results.csv"))));
  }

  @Test
  @Order(4)
  void anInterruptedGridRerunsOnlyTheMissingRun() throws Exception {
    Files.delete(run("nst-poly", 0).resolve("summary.json"));
    Map<Path, FileTime> before = summaryTimes();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Experiment.Result again = Experiment.run(ExperimentFile.read(yaml), options(log));
    assertEquals(new GridRunner.Outcome(1, 3), again.outcome());
    String text = log.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("run 3/4: nst-poly seed 0 (1 of 1 to train, 3 already complete"), text);
    assertFalse(text.contains("ce seed"), text);
    Map<Path, FileTime> after = summaryTimes();
    for (Path p : before.keySet()) {
      assertEquals(before.get(p), after.get(p), p + " untouched");
    }
    assertTrue(after.containsKey(run("nst-poly", 0).resolve("summary.json")));
    assertEquals(2, again.groups().get(1).runs().size());
  }

  @Test
  @Order(5)
  void aFolderOfAnotherConfigurationIsRefusedBeforeTraining() throws Exception {
    Map<Path, FileTime> before = summaryTimes();
    ExperimentSpec other = ExperimentFile.read(yaml).withOverrides(null, null, 3, null, null);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Experiment.run(other, options(new ByteArrayOutputStream())));
    assertTrue(e.getMessage().contains("holds another run: its epochs 2 (now 3)"), e.getMessage());
    assertEquals(before, summaryTimes());
  }

  @Test
  @Order(6)
  void aMissingTeacherSaysHowToTrainIt() throws Exception {
    Path recipe = Path.of("experiments/teacher-x.yaml");
    ExperimentSpec s = ExperimentFile.parse(grid(dir.resolve("nowhere"), dir.resolve("out2"))
        .replace("student: cnn-small", "student: cnn-small\nteacher_recipe: " + recipe), yaml);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Experiment.run(s, options(new ByteArrayOutputStream())));
    assertTrue(e.getMessage().contains("the teacher " + dir.resolve("nowhere") + " is missing"), e.getMessage());
    assertTrue(e.getMessage().contains("train it with `./nst4j experiment " + recipe + "`"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("out2/runs")), "nothing trained");
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
        () -> Experiment.run(s, options(new ByteArrayOutputStream()).withReportOnly(true)));
    assertTrue(none.getMessage().contains("no finished run"), none.getMessage());
  }

  /** The tiny TorchScript teacher of the model tests (made by make_teacher.py beside it): maps 8×14×14, 16×7×7. */
  static Path torchScriptTeacher() throws Exception {
    return Path.of(ExperimentTest.class.getResource("/org/nst4j/model/torchscript/teacher.pt").toURI());
  }

  static String torchScriptGrid(Path teacher, String teacherTaps, String nstTaps, Path out) {
    return """
        name: ts-grid
        data: {name: %s, per_class: 10}
        teacher: %s
        teacher_taps: %s
        student: cnn-small
        schedule: {epochs: 1, batch: 20, lr: 0.05}
        methods:
          - method: kd
            kd_temperature: 4
          - method: at
            taps: [block1:map1, block3:map2]
          - method: nst-poly
            lambda: 50
            taps: [%s]
        out: %s
        """.formatted(Fixtures.data(), teacher, teacherTaps, nstTaps, out);
  }

  @Test
  @Order(7)
  void aGridDistilsFromATorchScriptTeacherWithNamedTaps() throws Exception {
    Path out = dir.resolve("ts-out");
    Path file = dir.resolve("ts.yaml");
    // teacher_taps as comma-separated text; the list form is read in ExperimentFileTest.
    Files.writeString(file, torchScriptGrid(torchScriptTeacher(), "\"map1, map2\"", "block3:map2", out));
    ExperimentSpec ts = ExperimentFile.read(file);
    assertEquals(List.of("map1", "map2"), ts.teacherTaps());
    Experiment.Result r = Experiment.run(ts, options(new ByteArrayOutputStream()));
    assertEquals(new GridRunner.Outcome(3, 0), r.outcome());
    for (String m : List.of("kd", "at", "nst-poly")) {
      Path run = out.resolve("runs").resolve(m).resolve("seed-0");
      var config = Json.PRETTY.readTree(run.resolve("config.json").toFile());
      assertEquals(torchScriptTeacher().toString(), config.get("teacher").asText());
      assertEquals("[\"map1\",\"map2\"]", config.get("teacher_taps").toString(), m);
      RunSummary summary = new RunFolder(run).readSummary();
      assertEquals("student", summary.role());
      assertEquals(m, summary.method());
      // The transfer term was computed against the teacher's outputs: present, finite and positive.
      double term = new RunFolder(run).readEpochLog().get(0).terms().get(m);
      assertTrue(Double.isFinite(term) && term > 0, m + " term " + term);
    }
    String md = Files.readString(out.resolve(Experiment.RESULTS_MD));
    assertTrue(md.contains("distilled from `" + torchScriptTeacher() + "` (TorchScript; its maps: map1, map2)"), md);
  }

  @Test
  @Order(8)
  void badTeacherTapsAreRefusedBeforeAnythingIsWritten() throws Exception {
    Path out = dir.resolve("ts-bad");
    // One name for two maps: found when the module is loaded, before the first run.
    ExperimentSpec one = ExperimentFile.parse(torchScriptGrid(torchScriptTeacher(), "[map2]", "block3:map2", out),
        Path.of("ts.yaml"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Experiment.run(one, options(new ByteArrayOutputStream())));
    assertEquals("ts.yaml: teacher_taps: names 1 map [map2], but the forward of " + torchScriptTeacher()
        + " returns 2 after its logits", e.getMessage());
    assertFalse(Files.exists(out), "nothing written");
    // A method's tap that the names do not include.
    ExperimentSpec unknown = ExperimentFile.parse(torchScriptGrid(torchScriptTeacher(), "[map1, map2]",
        "block3:tap2", out), Path.of("ts.yaml"));
    e = assertThrows(IllegalArgumentException.class,
        () -> Experiment.run(unknown, options(new ByteArrayOutputStream())));
    assertTrue(e.getMessage().contains("method nst-poly: unknown tap 'tap2' for the teacher; its taps are [map1,"
        + " map2]"), e.getMessage());
    assertFalse(Files.exists(out), "nothing written");
    // Names for a teacher saved by nst4j: refused when the file is read.
    e = assertThrows(IllegalArgumentException.class, () -> ExperimentFile.parse(
        torchScriptGrid(dir.resolve("teacher"), "[map1, map2]", "block3:map2", out), Path.of("ts.yaml")));
    assertTrue(e.getMessage().startsWith("ts.yaml: teacher_taps: names the maps of a TorchScript teacher"),
        e.getMessage());
    assertTrue(e.getMessage().contains("is a model saved by nst4j"), e.getMessage());
    // Without names, the maps are tap1, tap2.
    ExperimentSpec unnamed = ExperimentFile.parse(torchScriptGrid(torchScriptTeacher(), "[map1, map2]",
        "block3:map2", out).replace("teacher_taps: [map1, map2]\n", ""), Path.of("ts.yaml"));
    e = assertThrows(IllegalArgumentException.class,
        () -> Experiment.run(unnamed, options(new ByteArrayOutputStream())));
    assertTrue(e.getMessage().contains("unknown tap 'map1' for the teacher; its taps are [tap1, tap2]"),
        e.getMessage());
    assertFalse(Files.exists(out), "nothing written");
  }

  private static Map<Path, FileTime> summaryTimes() throws Exception {
    Map<Path, FileTime> m = new LinkedHashMap<>();
    for (String method : List.of("ce", "nst-poly")) {
      for (long s : List.of(0L, 1L)) {
        Path p = run(method, s).resolve("summary.json");
        if (Files.exists(p)) {
          m.put(p, Files.getLastModifiedTime(p));
        }
      }
    }
    return m;
  }

  private static Map<String, String> row(String header, String line) {
    String[] h = header.split(",");
    List<String> cells = Fixtures.csvFields(line);
    assertEquals(h.length, cells.size(), line);
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < h.length; i++) {
      m.put(h[i], cells.get(i));
    }
    return m;
  }
}

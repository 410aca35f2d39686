package org.nst4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.train.RunFolder;
import org.nst4j.train.RunSummary;

/** {@code nst4j experiment} on the embedded sample: a teacher recipe, a grid with overrides, errors. */
class ExperimentCommandTest {
  @TempDir static Path dir;
  private static Path teacher;
  private static int threads;
  private String out;
  private String err;

  @BeforeAll
  static void trainTheTeacherFromItsRecipe() throws Exception {
    ai.djl.engine.Engine.getEngine("PyTorch");
    threads = ai.djl.pytorch.jni.JniUtils.getNumThreads();
    teacher = dir.resolve("teacher");
    Path recipe = dir.resolve("teacher.yaml");
    Files.writeString(recipe, """
        name: t
        role: teacher
        data: {name: sample, per_class: 10}
        arch: cnn-small
        schedule: {epochs: 1, batch: 20}
        out: %s
        """.formatted(teacher));
    ExperimentCommandTest t = new ExperimentCommandTest();
    assertEquals(0, t.run("experiment", recipe.toString(), "--quiet", "--threads", "1"), t.err);
    assertTrue(t.out.contains("t: 1 run, 1 trained now, 0 already complete"), t.out);
    assertTrue(Files.isRegularFile(teacher.resolve("model/model.json")));
    assertTrue(Files.isRegularFile(teacher.resolve("results.md")));
  }

  @AfterAll
  static void restoreThreads() {
    ai.djl.pytorch.jni.JniUtils.setNumThreads(threads);
  }

  /** Runs {@code nst4j args...} here ({@link Cli#run}), keeping what it printed in {@link #out} and {@link #err}. */
  int run(String... args) {
    Cli.Result r = Cli.run(args);
    out = r.out();
    err = r.err();
    return r.code();
  }

  private static Path grid(String name, Path teacherPath, String extra) throws Exception {
    Path f = dir.resolve(name + ".yaml");
    Files.writeString(f, """
        name: %s
        data: {name: sample, per_class: 10}
        teacher: %s
        student: cnn-small
        schedule: {epochs: 1, batch: 20}
        methods: [ce, kd, nst-poly]
        seeds: [0, 1]
        out: %s
        """.formatted(name, teacherPath, dir.resolve(name)) + extra);
    return f;
  }

  @Test
  void runsTheSelectedMethodsAndSeedsThenRebuildsTheReportWithoutTraining() throws Exception {
    Path f = grid("g", teacher, "");
    assertEquals(0, run("experiment", f.toString(), "--methods", "nst-poly,ce", "--seeds", "1", "--quiet", "--no-speed",
        "--threads", "1"), err);
    assertTrue(out.contains("g: 2 runs, 2 trained now, 0 already complete"), out);
    assertTrue(out.matches("(?s).*\\n  ce        n=1  final test \\d+\\.\\d\\d %  best \\d+\\.\\d\\d %\\n.*"), out);
    assertTrue(out.contains("report: " + dir.resolve("g/results.md")), out);
    // By default the runs of a seed train side by side with one teacher pass (--shared-teacher).
    assertTrue(err.contains("[g] runs 1,2/2 side by side, one teacher pass: ce, nst-poly seed 1 (1-2 of 2 to train;"),
        err);
    RunSummary s = new RunFolder(dir.resolve("g/runs/nst-poly/seed-1")).readSummary();
    assertEquals("nst-poly", s.method());
    assertTrue(s.command().startsWith("nst4j experiment " + f), s.command());
    assertFalse(Files.exists(dir.resolve("g/runs/kd")), "kd was not selected");
    assertFalse(Files.exists(dir.resolve("g/runs/ce/seed-0")), "seed 0 was not selected");
    byte[] csv = Files.readAllBytes(dir.resolve("g/results.csv"));

    assertEquals(0, run("experiment", f.toString(), "--methods", "ce,kd", "--seeds", "1", "--quiet", "--no-speed",
        "--threads", "1", "--no-shared-teacher"), err);
    assertTrue(out.contains("g: 2 runs, 1 trained now, 1 already complete"), out);
    assertTrue(err.contains("[g] run 2/2: kd seed 1 (1 of 1 to train, 1 already complete;"), err);
    assertFalse(err.contains("side by side"), err);

    assertEquals(0, run("experiment", f.toString(), "--methods", "ce,nst-poly", "--seeds", "1", "--report-only"), err);
    assertTrue(out.contains("g: report rebuilt from 2 finished of 2 runs (nothing trained)"), out);
    assertTrue(java.util.Arrays.equals(csv, Files.readAllBytes(dir.resolve("g/results.csv"))));
    // The command line has the chart library that nst4j-core leaves out: both plots drawn and shown.
    String md = Files.readString(dir.resolve("g/results.md"));
    for (String png : List.of(org.nst4j.experiment.Experiment.ACCURACY_PNG, org.nst4j.experiment.Experiment.FINAL_PNG)) {
      java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(dir.resolve("g").resolve(png).toFile());
      assertEquals(org.nst4j.charts.JFreeChartPlots.WIDTH, img.getWidth(), png);
      assertTrue(md.contains("](" + png + ")"), md);
    }
  }

  @Test
  void badInputIsOneLineAndExitCode2() throws Exception {
    Path bad = grid("bad", teacher, "colour: blue\n");
    assertEquals(2, run("experiment", bad.toString()));
    assertEquals("error: " + bad + ": unknown key 'colour'", err.lines().findFirst().orElse("").split(";")[0]);

    Path noTeacher = grid("nt", dir.resolve("missing-teacher"), "teacher_recipe: experiments/t.yaml\n");
    assertEquals(2, run("experiment", noTeacher.toString(), "--quiet"));
    assertTrue(err.startsWith("error: " + noTeacher + ": the teacher " + dir.resolve("missing-teacher")
        + " is missing"), err);
    assertTrue(err.contains("train it with `./nst4j experiment experiments/t.yaml`"), err);
    assertFalse(Files.exists(dir.resolve("nt/runs")));

    assertEquals(2, run("experiment", grid("m", teacher, "").toString(), "--methods", "at"));
    assertTrue(err.startsWith("error: --methods: 'at' is not a method of"), err);
    assertEquals(2, run("experiment", dir.resolve("none.yaml").toString()));
    assertTrue(err.startsWith("error: " + dir.resolve("none.yaml") + ": no such experiment file"), err);
    assertEquals(2, run("experiment", grid("s", teacher, "").toString(), "--seeds", "x"));
    assertTrue(err.startsWith("error: "), err);
  }

  @Test
  void slurmOptionsAndModesAreCheckedBeforeAnythingRuns() throws Exception {
    Path f = grid("modes", teacher, "");
    assertEquals(2, run("experiment", f.toString(), "--cell", "0", "--executor", "slurm"));
    assertEquals("error: --cell, --status, --report-only and --executor slurm exclude each other", err.strip());
    assertEquals(2, run("experiment", f.toString(), "--status", "--report-only"));
    assertTrue(err.startsWith("error: --cell, --status"), err);
    assertEquals(2, run("experiment", f.toString(), "--partition", "gpu"));
    assertTrue(err.startsWith("error: --partition, --time, --cpus-per-task, --gpus-per-task, --mem, --sbatch-arg and"
        + " --max-parallel need --executor slurm"), err);
    assertEquals(2, run("experiment", f.toString(), "--executor", "slurm", "--max-parallel", "0"));
    assertEquals("error: --max-parallel must be ≥ 1, got 0", err.strip());
    assertEquals(2, run("experiment", f.toString(), "--executor", "pbs"));
    assertTrue(err.startsWith("error: ") && err.contains("pbs"), err);
    assertEquals(2, run("experiment", f.toString(), "--cell", "6", "--quiet"));
    assertEquals("error: --cell 6: the grid has 6 runs, numbered 0 to 5", err.strip());
    assertFalse(Files.exists(dir.resolve("modes")), "nothing written");
  }

  @Test
  void oneCellTrainsThatCellOnlyThenReportsItFinishedAndStatusShowsIt() throws Exception {
    Path f = grid("cells", teacher, "");
    assertEquals(0, run("experiment", f.toString(), "--status"), err);
    assertTrue(out.endsWith("6 cells: 6 not started\n"), out);
    assertEquals(0, run("experiment", f.toString(), "--cell", "3", "--quiet", "--threads", "1"), err);
    assertEquals("cells: cell 3 (kd seed 1) trained", out.strip());
    assertTrue(new RunFolder(dir.resolve("cells/runs/kd/seed-1")).isComplete());
    assertFalse(Files.exists(dir.resolve("cells/runs/ce")), "no other cell");
    assertFalse(Files.exists(dir.resolve("cells/results.md")), "a cell writes no report");
    assertEquals(0, run("experiment", f.toString(), "--cell", "3", "--quiet"), err);
    assertEquals("cells: cell 3 (kd seed 1) was already finished", out.strip());
    assertEquals(0, run("experiment", f.toString(), "--status"), err);
    assertTrue(out.contains("   3  kd        seed 1     done         1 epoch, final accuracy "), out);
    assertTrue(out.endsWith("6 cells: 1 done, 5 not started\n"), out);

    // The report of a partly finished grid lists the others.
    assertEquals(0, run("experiment", f.toString(), "--report-only", "--no-speed"), err);
    String md = Files.readString(dir.resolve("cells/results.md"));
    assertTrue(md.contains("## Unfinished runs\n\n5 of 6 runs did not finish"), md);
    assertTrue(md.contains("| 0 | ce | 0 | not started |  |\n"), md);
  }
}

package org.nst4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.train.RunFolder;

/** {@code nst4j sweep} on the embedded sample. */
class SweepCommandTest {
  @TempDir static Path dir;
  private static Path teacher;
  private static int threads;
  private String out;
  private String err;

  @BeforeAll
  static void trainATeacher() {
    ai.djl.engine.Engine.getEngine("PyTorch");
    threads = ai.djl.pytorch.jni.JniUtils.getNumThreads();
    teacher = dir.resolve("teacher");
    SweepCommandTest t = new SweepCommandTest();
    assertEquals(0, t.run("train", "--data", "sample", "--per-class", "10", "--arch", "cnn-small", "--epochs", "1",
        "--batch", "20", "--out", teacher.toString(), "--quiet", "--threads", "1"), t.err);
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

  @Test
  void sweepsLambdasOnTheValidationSplitAndPrintsTheBest() throws Exception {
    Path sweep = dir.resolve("sweep");
    String[] args = {"sweep", "--data", "sample", "--per-class", "10", "--val-per-class", "3", "--student",
        "cnn-small", "--teacher", teacher.toString(), "--method", "nst-poly", "--lambdas", "5,50", "--taps",
        "block3", "--epochs", "1", "--batch", "14", "--out", sweep.toString(), "--quiet", "--threads", "1"};
    assertEquals(0, run(args), err);
    assertTrue(out.contains("sweep of nst-poly: 2 settings × 1 seeds, 2 trained now, 0 already complete"), out);
    assertTrue(out.matches("(?s).*\\nbest: lambda-(5|50)_taps-block3 \\(λ (5|50), taps block3\\): validation"
        + " accuracy \\d+\\.\\d\\d % \\(n=1\\)\\n.*"), out);
    for (String s : new String[] {"lambda-5_taps-block3", "lambda-50_taps-block3"}) {
      var summary = new RunFolder(sweep.resolve("runs").resolve(s).resolve("seed-0")).readSummary();
      assertEquals(70, summary.trainImages(), "7 of the first 10 per class train");
      assertTrue(summary.dataset().contains("the last 3 held out as validation"), summary.dataset());
    }
    assertTrue(Files.readString(sweep.resolve("sweep.md")).contains("the test split is never used"));

    assertEquals(0, run(args), err);
    assertTrue(out.contains("0 trained now, 2 already complete"), out);
    String[] reportOnly = java.util.Arrays.copyOf(args, args.length + 1);
    reportOnly[args.length] = "--report-only";
    assertEquals(0, run(reportOnly), err);
    assertTrue(out.contains("report rebuilt from 2 finished of 2 runs (nothing trained)"), out);
  }

  @Test
  void badSweepsExitWith2() {
    assertEquals(2, run("sweep", "--data", "sample", "--per-class", "10", "--student", "cnn-small", "--teacher",
        teacher.toString(), "--method", "kd", "--lambdas", "5", "--out", dir.resolve("x").toString()));
    assertTrue(err.startsWith("error: --lambdas sets the NST weight λ, but method 'kd' has no NST term"), err);
    assertEquals(2, run("sweep", "--data", "sample", "--student", "cnn-small", "--teacher", teacher.toString(),
        "--out", dir.resolve("y").toString()));
    assertTrue(err.startsWith("error: --val-per-class is required"), err);
    assertEquals(2, run("sweep", "--data", "sample", "--per-class", "10", "--student", "cnn-small", "--teacher",
        teacher.toString(), "--taps", "nope", "--epochs", "1", "--out", dir.resolve("z").toString(), "--quiet"));
    assertTrue(err.startsWith("error: --taps: unknown tap 'nope' for the student"), err);
  }
}

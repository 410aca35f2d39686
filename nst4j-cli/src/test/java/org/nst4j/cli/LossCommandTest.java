package org.nst4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.data.NpyFile;
import org.nst4j.transfer.LossOptions;
import org.nst4j.transfer.Objectives;
import picocli.CommandLine;
import org.nst4j.transfer.KdMethod;
import org.nst4j.transfer.NstMethod;

class LossCommandTest {
  @TempDir Path dir;
  private Path s0;
  private Path s1;
  private Path t0;
  private Path t1;
  private Path zs;
  private Path zt;
  private Path y;
  private String out;
  private String err;

  private static float[] random(long seed, int n, boolean relu) {
    Random r = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      float g = (float) r.nextGaussian();
      v[i] = relu ? Math.max(g, 0) : g;
    }
    return v;
  }

  @BeforeEach
  void files() {
    s0 = dir.resolve("s0.npy");
    NpyFile.write(s0, random(1, 2 * 3 * 8 * 8, true), new long[] {2, 3, 8, 8});
    s1 = dir.resolve("s1.npy");
    NpyFile.write(s1, random(2, 2 * 4 * 4 * 4, true), new long[] {2, 4, 4, 4});
    t0 = dir.resolve("t0.npy");
    NpyFile.write(t0, random(3, 2 * 5 * 8 * 8, true), new long[] {2, 5, 8, 8});
    t1 = dir.resolve("t1.npy");
    NpyFile.write(t1, random(4, 2 * 6 * 2 * 2, true), new long[] {2, 6, 2, 2});
    zs = dir.resolve("zs.npy");
    NpyFile.write(zs, random(5, 2 * 10, false), new long[] {2, 10});
    zt = dir.resolve("zt.npy");
    NpyFile.write(zt, random(6, 2 * 10, false), new long[] {2, 10});
    y = dir.resolve("y.npy");
    NpyFile.write(y, new int[] {3, 7}, new long[] {2});
  }

  /** Runs the command with the CLI's error convention (message after "error:", exit 2). */
  private int run(String... args) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    CommandLine cli = LossOptionsMixin.install(new CommandLine(new LossCommand()));
    cli.setOut(new PrintWriter(o, true));
    cli.setErr(new PrintWriter(e, true));
    cli.setExecutionExceptionHandler((ex, c, p) -> {
      c.getErr().println("error: " + ex.getMessage());
      return 2;
    });
    cli.setParameterExceptionHandler((ex, a) -> {
      ex.getCommandLine().getErr().println("error: " + ex.getMessage());
      return 2;
    });
    int code = cli.execute(args);
    out = o.toString();
    err = e.toString();
    return code;
  }

  private List<String> maps() {
    List<String> a = new ArrayList<>();
    for (Path p : List.of(s0, s1)) {
      a.add("--student-features");
      a.add(p.toString());
    }
    for (Path p : List.of(t0, t1)) {
      a.add("--teacher-features");
      a.add(p.toString());
    }
    return a;
  }

  @Test
  void printsTheSameNumbersAsTheService() throws Exception {
    List<String> args = new ArrayList<>(maps());
    args.addAll(List.of("--method", "kd+nst-poly", "--student-logits", zs.toString(), "--teacher-logits",
        zt.toString(), "--labels", y.toString(), "--nst-scale", "full", "--lambda", "10", "--kd-alpha", "0.5"));
    assertEquals(0, run(args.toArray(new String[0])), err);
    JsonNode j = new ObjectMapper().readTree(out);
    assertEquals("kd+nst-poly", j.get("method").asText());
    try (NDManager m = NDManager.newBaseManager()) {
      List<NDArray> sf = List.of(LossCommand.read(m, s0), LossCommand.read(m, s1));
      List<NDArray> tf = List.of(LossCommand.read(m, t0), LossCommand.read(m, t1));
      LossOptions o = LossOptions.builder().set(NstMethod.SCALE, "full").set(NstMethod.LAMBDA, 10.0).set(KdMethod.ALPHA, 0.5)
          .build();
      var r = Objectives.evaluate(m, "kd+nst-poly", o, sf, tf, LossCommand.read(m, zs), LossCommand.read(m, zt),
          LossCommand.read(m, y));
      assertEquals(r.total(), j.get("total").asDouble(), 0);
      assertEquals(r.terms().get("nst-poly"), j.get("terms").get("nst-poly").asDouble(), 0);
      assertEquals(r.terms().get("ce"), j.get("terms").get("ce").asDouble(), 0);
    }
    assertEquals(1, out.strip().lines().count());
  }

  @Test
  void everyLossOptionIsAccepted() throws Exception {
    List<String> args = new ArrayList<>(maps());
    args.addAll(List.of("--method", "at+nst-gauss+fitnet", "--drop-teacher-term", "--nst-degree", "3", "--nst-c",
        "1", "--nst-sigma2", "0.5", "--kd-temperature", "2", "--at-beta", "10", "--at-p", "2", "--fitnet-beta",
        "1", "--taps", "tap0,tap1:tap1", "--spatial", "pool"));
    assertEquals(0, run(args.toArray(new String[0])), err);
    JsonNode j = new ObjectMapper().readTree(out);
    assertEquals(List.of("at", "nst-gauss", "fitnet"), iterator(j.get("terms").fieldNames()));
    assertTrue(j.get("notes").get(0).asText().startsWith("ce omitted"));
    assertEquals(false, j.get("options").get("keep_teacher_term").asBoolean());
    assertEquals(0.5, j.get("options").get("nst_sigma2").asDouble());
  }

  private static List<String> iterator(java.util.Iterator<String> it) {
    List<String> l = new ArrayList<>();
    it.forEachRemaining(l::add);
    return l;
  }

  /**
   * The five parameter-free methods of part 2 agree with the independent NumPy implementation of the spec's
   * formulas ({@code reference_losses.py}) to 1e-4 relative, through the whole command: options, tap order,
   * pooling, weights. Skipped, with a message, where python3 with NumPy is missing.
   */
  @Test
  void parameterFreeMethodsAgreeWithTheNumpyReference() throws Exception {
    boolean numpy;
    try {
      Process p = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      numpy = p.waitFor() == 0;
    } catch (java.io.IOException e) {
      numpy = false;
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(numpy, "python3 with numpy is not installed: cross-check skipped");
    // Three tap pairs of equal channels (KDSVD pairs channels), 8 images, ReLU maps of different sizes.
    List<String> maps = new ArrayList<>();
    List<String> sFiles = new ArrayList<>();
    List<String> tFiles = new ArrayList<>();
    int[][] dims = {{4, 6, 7}, {8, 3, 4}, {16, 2, 3}};
    for (int i = 0; i < 3; i++) {
      Path s = dir.resolve("rs" + i + ".npy");
      Path t = dir.resolve("rt" + i + ".npy");
      int c = dims[i][0];
      NpyFile.write(s, random(20 + i, 8 * c * dims[i][1] * dims[i][1], true), new long[] {8, c, dims[i][1], dims[i][1]});
      NpyFile.write(t, random(30 + i, 8 * c * dims[i][2] * dims[i][2], true), new long[] {8, c, dims[i][2], dims[i][2]});
      maps.addAll(List.of("--student-features", s.toString(), "--teacher-features", t.toString()));
      sFiles.add(s.toString());
      tFiles.add(t.toString());
    }
    Path ls = dir.resolve("ls.npy");
    Path lt = dir.resolve("lt.npy");
    Path ly = dir.resolve("ly.npy");
    NpyFile.write(ls, random(40, 8 * 10, false), new long[] {8, 10});
    NpyFile.write(lt, random(41, 8 * 10, false), new long[] {8, 10});
    NpyFile.write(ly, new long[] {0, 3, 9, 3, 1, 7, 7, 2}, new long[] {8});
    List<String> python = new ArrayList<>(List.of("python3",
        Path.of(Objectives.class.getResource("reference_losses.py").toURI()).toString(),
        "--student-logits", ls.toString(), "--teacher-logits", lt.toString(), "--labels", ly.toString(),
        "--dkd-alpha", "1.5", "--pkt-weight", "20000", "--student-maps"));
    python.addAll(sFiles);
    python.add("--teacher-maps");
    python.addAll(tFiles);
    Process p = new ProcessBuilder(python).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), text);
    JsonNode ref = new ObjectMapper().readTree(text);
    String[][] cases = {
      {"dkd", "dkd", "--dkd-alpha", "1.5"},
      {"dkd", "dkd_logit_std", "--dkd-alpha", "1.5", "--logit-std"},
      {"rkd", "rkd"},
      {"pkt", "pkt", "--pkt-weight", "20000"},
      {"sp", "sp"},
      {"kdsvd", "kdsvd"},
    };
    for (String[] c : cases) {
      List<String> args = new ArrayList<>(List.of("--method", c[0], "--student-logits", ls.toString(),
          "--teacher-logits", lt.toString(), "--labels", ly.toString()));
      args.addAll(maps);
      args.addAll(List.of(c).subList(2, c.length));
      assertEquals(0, run(args.toArray(new String[0])), err);
      double got = new ObjectMapper().readTree(out).get("terms").get(c[0]).asDouble();
      double want = ref.get(c[1]).asDouble();
      assertTrue(want > 0 && Math.abs(got - want) <= 1e-4 * want, c[1] + ": nst4j " + got + ", NumPy " + want);
    }
  }

  @Test
  void errorsAreOneLineMessages() throws Exception {
    assertEquals(2, run("--method", "kd", "--student-logits", zs.toString(), "--teacher-logits", zt.toString()));
    assertTrue(err.contains("error: kd needs") && err.contains("missing: labels"), err);
    List<String> args = new ArrayList<>(maps());
    args.addAll(List.of("--method", "nst-poly", "--spatial", "refuse"));
    assertEquals(2, run(args.toArray(new String[0])));
    assertTrue(err.contains("refuse"), err);
    assertEquals(2, run("--method", "nst-poly", "--kd-alpha", "2"));
    assertTrue(err.contains("alpha must be in [0, 1]"), err);
    assertEquals(2, run("--method", "nst-poly", "--nst-scale", "double"));
    assertTrue(err.contains("--nst-scale: NST scale must be half (λ/2, the paper) or full"), err);
    assertEquals(2, run("--method", "nst-cubic"));
    assertTrue(err.contains("known methods"), err);
    Path bad = dir.resolve("bad.npy");
    Files.writeString(bad, "not numpy");
    assertEquals(2, run("--method", "nst-poly", "--student-features", bad.toString(), "--teacher-features",
        t0.toString()));
    assertTrue(err.contains(bad.toString()) && err.contains("magic"), err);
    // Methods whose term needs a training run (the teacher's BatchNorms, the training set) are refused.
    List<String> ofd = new ArrayList<>(maps());
    ofd.addAll(List.of("--method", "kd+ofd"));
    assertEquals(2, run(ofd.toArray(new String[0])));
    assertTrue(err.startsWith("error: ofd cannot be evaluated on saved tensors") && err.contains("distill"), err);
  }

  @Test
  void tensorsThatCannotGiveALossAreRefusedThroughTheCli() {
    float[] v = random(1, 2 * 3 * 8 * 8, true);
    v[17] = Float.NaN;
    v[40] = Float.POSITIVE_INFINITY;
    Path nan = dir.resolve("nan.npy");
    NpyFile.write(nan, v, new long[] {2, 3, 8, 8});
    Cli.assertBadInput(Cli.run("loss", "--method", "nst-poly", "--student-features", nan.toString(),
        "--teacher-features", t0.toString()), "nan.npy: 2 of 384 values are NaN or infinite");

    Path empty = dir.resolve("zero-channels.npy");
    NpyFile.write(empty, new float[0], new long[] {2, 0, 8, 8});
    Cli.assertBadInput(Cli.run("loss", "--method", "nst-poly", "--student-features", empty.toString(),
        "--teacher-features", t0.toString()), "zero-channels.npy: shape (2, 0, 8, 8) holds no values");

    // Finite logits whose differences overflow (float64, the precision of the command): the cross-entropy of
    // label 3 would print as Infinity.
    double[] logits = new double[2 * 10];
    for (int i = 0; i < logits.length; i++) {
      logits[i] = i % 10 == 3 ? -1.7e308 : 1.7e308;
    }
    Path wild = dir.resolve("wild.npy");
    NpyFile.write(wild, logits, new long[] {2, 10});
    NpyFile.write(y, new int[] {3, 3}, new long[] {2});
    Cli.Result r = Cli.run("loss", "--method", "ce", "--student-logits", wild.toString(), "--labels",
        y.toString());
    Cli.assertBadInput(r, "the term ce is", "no loss is printed");
    assertEquals("", r.out());
  }
}

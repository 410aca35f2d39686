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
}

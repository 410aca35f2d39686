package org.nst4j.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nst4j.data.NpyFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.model.ModelOutput;

/**
 * The NumPy reference ({@code reference_losses.py}, an independent implementation of the spec's formulas)
 * and the Java terms agree on saved tensors. Skipped, saying why, when python3 with NumPy is not installed.
 */
class ReferenceLossesScriptTest {

  private static boolean pythonWithNumpy() {
    try {
      Process p = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static double[] random(Random r, int n, double scale, boolean relu) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      double g = r.nextGaussian() * scale;
      v[i] = relu ? Math.max(g, 0) : g;
    }
    return v;
  }

  private static Map<String, Double> parse(String json) {
    Map<String, Double> out = new LinkedHashMap<>();
    Matcher m = Pattern.compile("\"([a-z_]+)\"\\s*:\\s*([-+0-9.eE]+|NaN|-?Infinity)").matcher(json);
    while (m.find()) {
      out.put(m.group(1), Double.parseDouble(m.group(2)));
    }
    return out;
  }

  @Test
  void javaTermsAgreeWithTheNumpyReference(@TempDir Path dir) throws Exception {
    assumeTrue(pythonWithNumpy(), "python3 with numpy is not installed: the NumPy cross-check is skipped");
    Path script = Path.of(getClass().getResource("reference_losses.py").toURI());
    Random r = new Random(2024);
    int b = 6;
    int k = 10;
    double[] zs = random(r, b * k, 2, false);
    double[] zt = random(r, b * k, 3, false);
    long[] y = {0, 9, 3, 3, 5, 1};
    NpyFile.write(dir.resolve("zs.npy"), zs, new long[] {b, k});
    NpyFile.write(dir.resolve("zt.npy"), zt, new long[] {b, k});
    NpyFile.write(dir.resolve("y.npy"), y, new long[] {b});
    // Three tap pairs, equal channels per pair (KDSVD); sizes differ; the last has HW < C for the student.
    long[][] sShapes = {{b, 4, 4, 4}, {b, 6, 2, 3}, {b, 8, 1, 3}};
    long[][] tShapes = {{b, 4, 3, 3}, {b, 6, 2, 2}, {b, 8, 2, 2}};
    List<String> command = new ArrayList<>(List.of("python3", script.toString(),
        "--student-logits", dir.resolve("zs.npy").toString(), "--teacher-logits", dir.resolve("zt.npy").toString(),
        "--labels", dir.resolve("y.npy").toString(), "--dkd-alpha", "1.5", "--kdsvd-k", "2"));
    List<String> sFiles = new ArrayList<>();
    List<String> tFiles = new ArrayList<>();
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> sMaps = new LinkedHashMap<>();
      Map<String, NDArray> tMaps = new LinkedHashMap<>();
      for (int i = 0; i < 3; i++) {
        double[] s = random(r, Math.toIntExact(new Shape(sShapes[i]).size()), 1, true);
        double[] t = random(r, Math.toIntExact(new Shape(tShapes[i]).size()), 1, true);
        Path sp = dir.resolve("s" + i + ".npy");
        Path tp = dir.resolve("t" + i + ".npy");
        NpyFile.write(sp, s, sShapes[i]);
        NpyFile.write(tp, t, tShapes[i]);
        sFiles.add(sp.toString());
        tFiles.add(tp.toString());
        sMaps.put("stage" + (i + 1), m.create(s, new Shape(sShapes[i])));
        tMaps.put("stage" + (i + 1), m.create(t, new Shape(tShapes[i])));
      }
      command.add("--student-maps");
      command.addAll(sFiles);
      command.add("--teacher-maps");
      command.addAll(tFiles);
      Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      String json = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), "reference_losses.py did not finish");
      assertEquals(0, p.exitValue(), "reference_losses.py failed:\n" + json);
      Map<String, Double> ref = parse(json);

      ModelOutput s = ModelOutput.of(m.create(zs, new Shape(b, k)), sMaps);
      ModelOutput t = ModelOutput.of(m.create(zt, new Shape(b, k)), tMaps);
      NDArray labels = m.create(y);
      Map<String, Double> java = new LinkedHashMap<>();
      java.put("dkd", new DkdTerm(1.5, 8, 4, 20, false).compute(s, t, labels, true).getDouble());
      java.put("dkd_logit_std", new DkdTerm(1.5, 8, 4, 20, true).compute(s, t, labels, true).getDouble());
      java.put("rkd_distance", new RkdTerm(25, 0, null).compute(s, t, null, true).getDouble());
      java.put("rkd_angle", new RkdTerm(0, 50, null).compute(s, t, null, true).getDouble());
      java.put("rkd", new RkdTerm().compute(s, t, null, true).getDouble());
      java.put("pkt", new PktTerm().compute(s, t, null, true).getDouble());
      java.put("sp", new SpTerm().compute(s, t, null, true).getDouble());
      java.put("kdsvd", new KdsvdTerm(2, 1, null).compute(s, t, null, true).getDouble());
      for (Map.Entry<String, Double> e : java.entrySet()) {
        Double expected = ref.get(e.getKey());
        assertTrue(expected != null, "the script printed no " + e.getKey() + ":\n" + json);
        assertTrue(expected > 0, e.getKey() + " " + expected);
        assertEquals(expected, e.getValue(), 1e-4 * Math.abs(expected), e.getKey());
      }
      assertEquals(java.keySet(), ref.keySet());
    }
  }
}

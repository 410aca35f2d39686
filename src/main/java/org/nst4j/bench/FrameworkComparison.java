package org.nst4j.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.nst4j.train.Json;

/**
 * One FMNIST-10k student epoch in nst4j against the same epoch in the PyTorch-Python script
 * {@code bench/pytorch/fmnist_epoch.py}, on the same machine, alternating the two so that drifts in machine
 * load hit both alike. Each measurement is its own process (a JVM running {@code nst4j bench profile}, or
 * the Python script), so peak RSS is per process and nothing is shared between runs.
 */
public final class FrameworkComparison {
  /** The environment the {@code nst4j} launcher sets (glibc malloc thresholds; see the launcher). */
  static final Map<String, String> LAUNCHER_ENV =
      Map.of("MALLOC_MMAP_THRESHOLD_", "33554432", "MALLOC_TRIM_THRESHOLD_", "1073741824");

  private FrameworkComparison() {}

  /**
   * One measured process.
   *
   * @param side {@code nst4j} or {@code pytorch}
   * @param method the objective
   * @param seconds training time of the epoch (evaluation excluded on both sides)
   * @param peakRssMb the process's peak RSS
   */
  public record Sample(String side, String method, double seconds, double peakRssMb) {}

  /**
   * Runs the comparison.
   *
   * @param methods objectives, e.g. {@code ce}, {@code kd+nst-poly}
   * @param reps measurements of each side per method (alternating), ≥ 1
   * @param threads intra-op threads on both sides
   * @param python the Python interpreter with torch (Debian's: /usr/bin/python3)
   * @param script the PyTorch script
   * @param javaOptions JVM options of the nst4j child (heap cap, offline flag)
   * @param log progress lines go here
   * @return every sample, in the order measured
   */
  public static List<Sample> run(List<String> methods, int reps, int threads, Path python, Path script,
      List<String> javaOptions, java.io.PrintWriter log) throws IOException, InterruptedException {
    if (reps < 1) {
      throw new IllegalArgumentException("--reps must be ≥ 1, got " + reps);
    }
    if (!Files.isRegularFile(script)) {
      throw new IllegalArgumentException(script + ": PyTorch script not found");
    }
    if (!Files.isExecutable(python)) {
      throw new IllegalArgumentException(python + ": no Python interpreter (install python3-torch: "
          + "bench/pytorch/install.sh)");
    }
    List<Sample> samples = new ArrayList<>();
    Path tmp = Files.createTempDirectory("nst4j-compare");
    boolean done = false;
    try {
      for (int r = 0; r < reps; r++) {
        for (String method : methods) {
          // Alternate which side goes first, so neither always runs on a warmer machine.
          List<String> order = r % 2 == 0 ? List.of("nst4j", "pytorch") : List.of("pytorch", "nst4j");
          for (String side : order) {
            Sample s = side.equals("nst4j") ? java(method, threads, javaOptions, tmp) : python(method, threads,
                python, script, tmp);
            samples.add(s);
            log.printf(Locale.ROOT, "rep %d/%d %-7s %-12s %.2f s/epoch, peak RSS %.0f MiB%n", r + 1, reps, side,
                method, s.seconds(), s.peakRssMb());
            log.flush();
          }
        }
      }
      done = true;
    } finally {
      // A failed run keeps its folder: the child's log is the only account of what went wrong.
      try (var walk = done ? Files.walk(tmp) : java.util.stream.Stream.<Path>empty()) {
        for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
    return samples;
  }

  private static Sample java(String method, int threads, List<String> javaOptions, Path tmp)
      throws IOException, InterruptedException {
    Path md = tmp.resolve("java-" + method.replace('+', '_') + ".md");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(javaOptions);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.nst4j.cli.Main", "bench", "profile",
        "--methods", method, "--epochs", "1", "--threads", Integer.toString(threads), "--out", md.toString()));
    exec(cmd, tmp.resolve("java.log"), LAUNCHER_ENV);
    JsonNode result = Json.PRETTY.readTree(tmp.resolve(md.getFileName().toString().replace(".md", ".json")).toFile())
        .get(0);
    return new Sample("nst4j", method, result.get("seconds_per_epoch").get(0).asDouble(),
        result.get("peak_rss_mb").asDouble());
  }

  private static Sample python(String method, int threads, Path python, Path script, Path tmp)
      throws IOException, InterruptedException {
    Path json = tmp.resolve("py.json");
    exec(List.of(python.toString(), script.toString(), "--method", method, "--epochs", "1", "--threads",
        Integer.toString(threads), "--json", json.toString()), tmp.resolve("py.log"), Map.of());
    JsonNode result = Json.PRETTY.readTree(json.toFile());
    return new Sample("pytorch", method, result.get("seconds_per_epoch").get(0).asDouble(),
        result.get("peak_rss_mb").asDouble());
  }

  private static void exec(List<String> cmd, Path log, Map<String, String> env)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    boolean finished = p.waitFor(2, TimeUnit.HOURS);
    if (!finished || p.exitValue() != 0) {
      p.destroyForcibly();
      List<String> lines = Files.readAllLines(log);
      throw new IOException("benchmark process " + (finished ? "failed (exit " + p.exitValue() + ")" : "timed out")
          + ", its output is in " + log
          + ": " + String.join(" ", cmd) + "\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size())));
    }
  }

  /** Median of the values. */
  static double median(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /**
   * The Markdown report: per method the median seconds per epoch of each side, their ratio, and peak RSS.
   *
   * @param samples the measurements
   * @param header machine, versions and command, already formatted
   * @return the report
   */
  public static String report(List<Sample> samples, String header) {
    Map<String, List<Sample>> byMethod = new LinkedHashMap<>();
    for (Sample s : samples) {
      byMethod.computeIfAbsent(s.method(), k -> new ArrayList<>()).add(s);
    }
    StringBuilder md = new StringBuilder("# One FMNIST-10k distillation epoch: nst4j vs PyTorch-Python\n\n");
    md.append(header).append('\n');
    md.append("| method | nst4j s/epoch (median) | PyTorch s/epoch (median) | nst4j / PyTorch | nst4j runs |")
        .append(" PyTorch runs | nst4j peak RSS MiB | PyTorch peak RSS MiB |\n|---|---|---|---|---|---|---|---|\n");
    for (Map.Entry<String, List<Sample>> e : byMethod.entrySet()) {
      List<Double> j = e.getValue().stream().filter(s -> s.side().equals("nst4j")).map(Sample::seconds).toList();
      List<Double> p = e.getValue().stream().filter(s -> s.side().equals("pytorch")).map(Sample::seconds).toList();
      double jr = e.getValue().stream().filter(s -> s.side().equals("nst4j")).mapToDouble(Sample::peakRssMb).max()
          .orElse(Double.NaN);
      double pr = e.getValue().stream().filter(s -> s.side().equals("pytorch")).mapToDouble(Sample::peakRssMb).max()
          .orElse(Double.NaN);
      md.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.3f | %s | %s | %.0f | %.0f |%n", e.getKey(),
          median(j), median(p), median(j) / median(p), fmt(j), fmt(p), jr, pr));
    }
    return md.toString();
  }

  private static String fmt(List<Double> v) {
    return Arrays.toString(v.stream().mapToDouble(Double::doubleValue)
        .mapToObj(x -> String.format(Locale.ROOT, "%.2f", x)).toArray());
  }
}

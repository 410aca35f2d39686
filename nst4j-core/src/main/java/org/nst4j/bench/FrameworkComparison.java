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
import org.nst4j.store.Json;

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
   * @param firstEpoch training seconds of the process's first epoch, warm-up included (libtorch's allocator
   *     and oneDNN primitives, the JIT on the Java side); evaluation excluded on both sides
   * @param secondEpoch training seconds of its second epoch: the steady state every later epoch runs at
   * @param peakRssMb the process's peak RSS
   */
  public record Sample(String side, String method, double firstEpoch, double secondEpoch, double peakRssMb) {}

  /** Epochs each process trains: the first shows the warm-up, the second the steady state. */
  public static final int EPOCHS = 2;

  /**
   * Runs the comparison.
   *
   * @param methods objectives, e.g. {@code ce}, {@code kd+nst-poly}
   * @param reps measurements of each side per method (alternating), ≥ 1
   * @param threads intra-op threads on both sides
   * @param python the Python interpreter with torch (Debian's: /usr/bin/python3)
   * @param script the PyTorch script
   * @param scriptArgs extra arguments of the script (e.g. {@code --channels-last})
   * @param javaOptions JVM options of the nst4j child (heap cap, offline flag)
   * @param log progress lines go here
   * @return every sample, in the order measured
   */
  public static List<Sample> run(List<String> methods, int reps, int threads, Path python, Path script,
      List<String> scriptArgs, List<String> javaOptions, java.io.PrintWriter log) throws IOException, InterruptedException {
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
                python, script, scriptArgs, tmp);
            samples.add(s);
            log.printf(Locale.ROOT, "rep %d/%d %-7s %-12s epoch 1 %.2f s, epoch 2 %.2f s, peak RSS %.0f MiB%n",
                r + 1, reps, side, method, s.firstEpoch(), s.secondEpoch(), s.peakRssMb());
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
        "--methods", method, "--epochs", Integer.toString(EPOCHS), "--threads", Integer.toString(threads), "--out", md.toString()));
    exec(cmd, tmp.resolve("java.log"), LAUNCHER_ENV);
    JsonNode result = Json.PRETTY.readTree(tmp.resolve(md.getFileName().toString().replace(".md", ".json")).toFile())
        .get(0);
    return sample("nst4j", method, result);
  }

  private static Sample python(String method, int threads, Path python, Path script, List<String> scriptArgs,
      Path tmp)
      throws IOException, InterruptedException {
    Path json = tmp.resolve("py.json");
    exec(List.of(python.toString(), script.toString(), "--method", method, "--epochs", Integer.toString(EPOCHS),
        "--threads",
        Integer.toString(threads), "--json", json.toString()), tmp.resolve("py.log"), Map.of());
    JsonNode result = Json.PRETTY.readTree(json.toFile());
    return sample("pytorch", method, result);
  }

  private static Sample sample(String side, String method, JsonNode result) throws IOException {
    JsonNode epochs = result.get("seconds_per_epoch");
    if (epochs == null || epochs.size() != EPOCHS) {
      throw new IOException(side + " reported " + epochs + " as seconds per epoch, expected " + EPOCHS + " values");
    }
    return new Sample(side, method, epochs.get(0).asDouble(), epochs.get(1).asDouble(),
        result.get("peak_rss_mb").asDouble());
  }

  /**
   * Runs a benchmark process with its output in {@code log}; a failure is one line naming the child's own
   * error (its last "error:" or "...Error:"/"...Exception:" line, not its stack trace) and the log's path.
   */
  static void exec(List<String> cmd, Path log, Map<String, String> env)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    boolean finished = p.waitFor(2, TimeUnit.HOURS);
    if (!finished || p.exitValue() != 0) {
      p.destroyForcibly();
      String cause = childError(Files.readAllLines(log));
      throw new IOException("benchmark process " + (finished ? "failed (exit " + p.exitValue() + ")" : "timed out")
          + (cause == null ? "" : ": " + cause) + "; its output is in " + log + " (command: " + String.join(" ", cmd)
          + ")");
    }
  }

  /** The line of a child's output that says what went wrong, or null: never a stack frame. */
  static String childError(List<String> lines) {
    // nst4j's own one-line error first (a --debug child prints its stack trace after it), then Python's or
    // Java's exception line.
    for (String pattern : List.of("error: .*", "[\\w.$]*(Error|Exception)(: .*)?")) {
      for (int i = lines.size() - 1; i >= 0; i--) {
        String l = lines.get(i).strip();
        if (l.matches(pattern)) {
          return l;
        }
      }
    }
    for (int i = lines.size() - 1; i >= 0; i--) {
      String l = lines.get(i);
      if (!l.isBlank() && !Character.isWhitespace(l.charAt(0)) && !l.startsWith("Traceback")) {
        return l.strip();
      }
    }
    return null;
  }

  /** Median of the values. */
  static double median(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /**
   * The Markdown report: per method the median seconds of each side's second epoch (steady state) and their
   * ratio, the same for the first epoch (warm-up included), every run's values, and peak RSS. Beside the ratio
   * of the medians, the median of the per-repetition ratios: the two runs of one repetition follow each other,
   * so their ratio is little affected by the machine's slow drifts (on the development VM the same run took
   * from 12 to 17 s within an hour), which move the medians of each side.
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
    md.append("| method | epoch | nst4j s (median) | PyTorch s (median) | nst4j / PyTorch | median of per-repetition")
        .append(" ratios | nst4j runs | PyTorch runs | nst4j peak RSS MiB | PyTorch peak RSS MiB |\n")
        .append("|---|---|--:|--:|--:|--:|---|---|--:|--:|\n");
    for (Map.Entry<String, List<Sample>> e : byMethod.entrySet()) {
      List<Sample> j = e.getValue().stream().filter(s -> s.side().equals("nst4j")).toList();
      List<Sample> p = e.getValue().stream().filter(s -> s.side().equals("pytorch")).toList();
      double jr = j.stream().mapToDouble(Sample::peakRssMb).max().orElse(Double.NaN);
      double pr = p.stream().mapToDouble(Sample::peakRssMb).max().orElse(Double.NaN);
      for (boolean steady : new boolean[] {true, false}) {
        java.util.function.Function<Sample, Double> f = steady ? Sample::secondEpoch : Sample::firstEpoch;
        List<Double> js = j.stream().map(f).toList();
        List<Double> ps = p.stream().map(f).toList();
        List<Double> paired = new ArrayList<>();
        for (int i = 0; i < Math.min(js.size(), ps.size()); i++) {
          paired.add(js.get(i) / ps.get(i)); // run() makes repetition i's pair the i-th sample of each side
        }
        md.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %.2f | %.3f | %.3f | %s | %s | %.0f | %.0f |%n",
            e.getKey(), steady ? "2nd (steady state)" : "1st (with warm-up)", median(js), median(ps),
            median(js) / median(ps), paired.isEmpty() ? Double.NaN : median(paired), fmt(js), fmt(ps), jr, pr));
      }
    }
    return md.toString();
  }

  private static String fmt(List<Double> v) {
    return Arrays.toString(v.stream().mapToDouble(Double::doubleValue)
        .mapToObj(x -> String.format(Locale.ROOT, "%.2f", x)).toArray());
  }
}

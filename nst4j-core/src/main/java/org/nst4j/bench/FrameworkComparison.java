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
   * What the teacher is on each side of a row of the comparison (issue 17, item 1: a fair peer). nst4j always
   * folds its frozen teacher's BatchNorm into the convolutions; the PyTorch script's {@code --teacher-mode} picks
   * how a PyTorch user runs theirs.
   */
  public enum TeacherSetting {
    /** nst4j's folded float32 ResNet-20 against the script's plain eager module in eval mode (the first peer). */
    EAGER("eager", "folded"),
    /**
     * nst4j's folded float32 ResNet-20 against {@code torch.jit.freeze(torch.jit.script(teacher))} (BatchNorm
     * folded into the convolutions by the freeze) under {@code torch.inference_mode()}: the careful peer.
     */
    FROZEN("frozen", "folded"),
    /**
     * The same bfloat16 TorchScript teacher on both sides: BatchNorm folded in float32, weights and activations
     * in bfloat16 inside its forward, outputs cast back to float32 (DJL 0.36 cannot hold bfloat16 tensors).
     * nst4j loads the file {@code export_teacher.py --bf16} writes; the script builds the same module.
     */
    BF16("bf16", "bf16");

    private final String pytorchMode;
    private final String nst4jTeacher;

    TeacherSetting(String pytorchMode, String nst4jTeacher) {
      this.pytorchMode = pytorchMode;
      this.nst4jTeacher = nst4jTeacher;
    }

    /** @return the script's {@code --teacher-mode} value, which is also this setting's name on the command line */
    public String pytorchMode() {
      return pytorchMode;
    }

    /** @return the nst4j side's teacher: {@code folded} (its own ResNet-20) or {@code bf16} (TorchScript) */
    public String nst4jTeacher() {
      return nst4jTeacher;
    }

    /**
     * The setting named {@code name}.
     *
     * @param name {@code eager}, {@code frozen} or {@code bf16}
     * @return the setting
     * @throws IllegalArgumentException naming the accepted values
     */
    public static TeacherSetting of(String name) {
      for (TeacherSetting t : values()) {
        if (t.pytorchMode.equals(name)) {
          return t;
        }
      }
      throw new IllegalArgumentException("unknown teacher setting '" + name + "'; expected eager, frozen or bf16");
    }
  }

  /** The teacher label of a method that trains without one ({@code ce}). */
  public static final String NO_TEACHER = "none";

  /**
   * One measured process.
   *
   * @param side {@code nst4j} or {@code pytorch}
   * @param method the objective
   * @param teacher the side's teacher: for nst4j {@code folded} or {@code bf16}, for PyTorch the script's teacher
   *     mode ({@code eager}, {@code frozen}, {@code bf16}); {@link #NO_TEACHER} for a method without a teacher
   * @param rep the repetition it belongs to, from 0: a row's per-repetition ratio pairs the two sides' samples of
   *     one repetition
   * @param firstEpoch training seconds of the process's first epoch, warm-up included (libtorch's allocator
   *     and oneDNN primitives, the JIT on the Java side, TorchScript's profiling runs); evaluation excluded on
   *     both sides
   * @param secondEpoch training seconds of its second epoch: the steady state every later epoch runs at
   * @param peakRssMb the process's peak RSS
   */
  public record Sample(String side, String method, String teacher, int rep, double firstEpoch, double secondEpoch,
      double peakRssMb) {}

  /**
   * One process to run in a repetition.
   *
   * @param side {@code nst4j} or {@code pytorch}
   * @param method the objective
   * @param teacher as in {@link Sample#teacher()}
   */
  record Job(String side, String method, String teacher) {}

  /** Epochs each process trains: the first shows the warm-up, the second the steady state. */
  public static final int EPOCHS = 2;

  /** Training images per class of the FMNIST-10k protocol. */
  public static final int PER_CLASS = 1000;

  /** The batch size both sides train with (the protocol's). */
  static final int BATCH = 64;

  /** The script beside {@code fmnist_epoch.py} that exports the bench's teacher as TorchScript. */
  public static final String EXPORT_SCRIPT = "export_teacher.py";

  /** Whether a method runs a teacher; the script knows {@code ce} (none) and {@code kd+nst-poly}. */
  static boolean usesTeacher(String method) {
    return !method.equals("ce");
  }

  /**
   * The processes of one repetition, in the order they run: per method, the distinct (side, teacher) processes
   * its rows need (a method without a teacher has one row: nst4j against the script), nst4j's before the
   * PyTorch ones they are compared with; odd repetitions run the reverse order, so that neither side always goes
   * first on a warmer machine.
   *
   * @param methods the objectives
   * @param settings the teacher settings (rows) of methods that use a teacher, non-empty
   * @param rep the repetition, from 0
   * @return the jobs
   */
  static List<Job> jobs(List<String> methods, List<TeacherSetting> settings, int rep) {
    List<Job> jobs = new ArrayList<>();
    for (String method : methods) {
      if (!usesTeacher(method)) {
        jobs.add(new Job("nst4j", method, NO_TEACHER));
        jobs.add(new Job("pytorch", method, NO_TEACHER));
        continue;
      }
      for (TeacherSetting t : settings) {
        Job own = new Job("nst4j", method, t.nst4jTeacher());
        if (!jobs.contains(own)) {
          jobs.add(own);
        }
        jobs.add(new Job("pytorch", method, t.pytorchMode()));
      }
    }
    if (rep % 2 == 1) {
      java.util.Collections.reverse(jobs);
    }
    return jobs;
  }

  /**
   * Runs the comparison.
   *
   * @param methods objectives, e.g. {@code ce}, {@code kd+nst-poly}
   * @param settings teacher settings (rows) of the methods that use a teacher, non-empty, no repeats
   * @param reps measurements of each process per method and setting (alternating), ≥ 1
   * @param threads intra-op threads on both sides
   * @param perClass training images per class on both sides: {@value #PER_CLASS} (the FMNIST-10k protocol), or
   *     fewer (at least 7: one batch) for a quick smoke run that only proves every row runs
   * @param python the Python interpreter with torch (Debian's: /usr/bin/python3)
   * @param script the PyTorch script; {@value #EXPORT_SCRIPT} must sit beside it when {@code settings} has
   *     {@link TeacherSetting#BF16}
   * @param scriptArgs extra arguments of the script (e.g. {@code --channels-last})
   * @param javaOptions JVM options of the nst4j child (heap cap, offline flag)
   * @param log progress lines go here
   * @return every sample, in the order measured
   * @throws IllegalArgumentException if reps &lt; 1, perClass &lt; 7, settings is empty or repeats one, or the interpreter or a
   *     script is missing
   */
  public static List<Sample> run(List<String> methods, List<TeacherSetting> settings, int reps, int threads,
      int perClass, Path python, Path script, List<String> scriptArgs, List<String> javaOptions,
      java.io.PrintWriter log) throws IOException, InterruptedException {
    return run(methods, settings, reps, threads, perClass, python, script, scriptArgs, javaOptions, null, log);
  }

  /**
   * As {@link #run(List, List, int, int, int, Path, Path, List, List, java.io.PrintWriter)}, with the runtime of
   * nst4j's folded teacher ({@code bench profile --teacher-runtime}); null for nst4j's default. The bf16 rows'
   * TorchScript teacher always runs in libtorch.
   */
  public static List<Sample> run(List<String> methods, List<TeacherSetting> settings, int reps, int threads,
      int perClass, Path python, Path script, List<String> scriptArgs, List<String> javaOptions,
      org.nst4j.train.TeacherRuntime foldedTeacherRuntime, java.io.PrintWriter log)
      throws IOException, InterruptedException {
    if (reps < 1) {
      throw new IllegalArgumentException("--reps must be ≥ 1, got " + reps);
    }
    if (perClass * 10 < BATCH) {
      throw new IllegalArgumentException("--per-class must be ≥ 7 (one batch of " + BATCH + " images), got "
          + perClass);
    }
    if (settings.isEmpty() || new java.util.HashSet<>(settings).size() != settings.size()) {
      throw new IllegalArgumentException("--teacher-settings must name each of eager, frozen, bf16 at most once,"
          + " and at least one; got " + settings);
    }
    if (!Files.isRegularFile(script)) {
      throw new IllegalArgumentException(script + ": PyTorch script not found");
    }
    boolean bf16 = settings.contains(TeacherSetting.BF16) && methods.stream().anyMatch(FrameworkComparison::usesTeacher);
    Path exporter = script.resolveSibling(EXPORT_SCRIPT);
    if (bf16 && !Files.isRegularFile(exporter)) {
      throw new IllegalArgumentException(exporter + ": the teacher export script is missing (needed by the bf16"
          + " row)");
    }
    if (!Files.isExecutable(python)) {
      throw new IllegalArgumentException(python + ": no Python interpreter (install python3-torch: "
          + "bench/pytorch/install.sh)");
    }
    List<Sample> samples = new ArrayList<>();
    Path tmp = Files.createTempDirectory("nst4j-compare");
    boolean done = false;
    try {
      Path bf16Teacher = tmp.resolve("teacher-bf16.pt");
      if (bf16) {
        // The script's teacher (its seeded random ResNet-20), exported once: nst4j loads exactly the module the
        // script builds for its own bf16 row.
        exec(List.of(python.toString(), exporter.toString(), "--bf16", "--seed", "0", "--out",
            bf16Teacher.toString()), tmp.resolve("export.log"), Map.of());
      }
      for (int r = 0; r < reps; r++) {
        for (Job job : jobs(methods, settings, r)) {
          Sample s = job.side().equals("nst4j")
              ? java(job, r, threads, perClass, javaOptions, job.teacher().equals("bf16") ? bf16Teacher : null,
                  job.teacher().equals("folded") ? foldedTeacherRuntime : null, tmp)
              : python(job, r, threads, perClass, python, script, scriptArgs, tmp);
          samples.add(s);
          log.printf(Locale.ROOT, "rep %d/%d %-7s %-12s teacher %-6s epoch 1 %.2f s, epoch 2 %.2f s, peak RSS %.0f"
              + " MiB%n", r + 1, reps, s.side(), s.method(), s.teacher(), s.firstEpoch(), s.secondEpoch(),
              s.peakRssMb());
          log.flush();
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

  private static Sample java(Job job, int rep, int threads, int perClass, List<String> javaOptions, Path teacher,
      org.nst4j.train.TeacherRuntime runtime, Path tmp)
      throws IOException, InterruptedException {
    Path md = tmp.resolve("java-" + job.method().replace('+', '_') + ".md");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(javaOptions);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.nst4j.cli.Main", "bench", "profile",
        "--methods", job.method(), "--epochs", Integer.toString(EPOCHS), "--threads", Integer.toString(threads),
        "--per-class", Integer.toString(perClass), "--out", md.toString()));
    if (teacher != null) {
      cmd.addAll(List.of("--teacher", teacher.toString()));
    }
    if (runtime != null) {
      cmd.addAll(List.of("--teacher-runtime", runtime.cliName()));
    }
    exec(cmd, tmp.resolve("java.log"), LAUNCHER_ENV);
    JsonNode result = Json.PRETTY.readTree(tmp.resolve(md.getFileName().toString().replace(".md", ".json")).toFile())
        .get(0);
    return sample(job, rep, result);
  }

  private static Sample python(Job job, int rep, int threads, int perClass, Path python, Path script,
      List<String> scriptArgs, Path tmp) throws IOException, InterruptedException {
    Path json = tmp.resolve("py.json");
    List<String> cmd = new ArrayList<>(List.of(python.toString(), script.toString(), "--method", job.method(),
        "--epochs", Integer.toString(EPOCHS), "--threads", Integer.toString(threads), "--per-class",
        Integer.toString(perClass), "--json", json.toString()));
    if (!job.teacher().equals(NO_TEACHER)) {
      cmd.addAll(List.of("--teacher-mode", job.teacher()));
    }
    if (perClass != PER_CLASS) {
      // A smoke run: the script's untimed test-set evaluations (10,000 images after each epoch) would take
      // longer than its training; nst4j's bench profile does not evaluate at all.
      cmd.add("--no-eval");
    }
    cmd.addAll(scriptArgs);
    exec(cmd, tmp.resolve("py.log"), Map.of());
    return sample(job, rep, Json.PRETTY.readTree(json.toFile()));
  }

  private static Sample sample(Job job, int rep, JsonNode result) throws IOException {
    JsonNode epochs = result.get("seconds_per_epoch");
    if (epochs == null || epochs.size() != EPOCHS) {
      throw new IOException(job.side() + " reported " + epochs + " as seconds per epoch, expected " + EPOCHS
          + " values");
    }
    return new Sample(job.side(), job.method(), job.teacher(), rep, epochs.get(0).asDouble(),
        epochs.get(1).asDouble(), result.get("peak_rss_mb").asDouble());
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

  /** Median of the values; NaN for none. */
  static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /**
   * The Markdown report, one row per method, teacher setting and epoch: the median seconds of each side's second
   * epoch (steady state) and their ratio, the same for the first epoch (warm-up included), every run's values,
   * and peak RSS. A method without a teacher has one setting ({@code —}); the others have one row per setting
   * measured, in the order measured (the two float32 rows share nst4j's runs). Beside the ratio of the medians,
   * the median of the per-repetition ratios: the two runs of one repetition follow each other closely, so their
   * ratio is little affected by the machine's slow drifts (on the development VM the same run took from 12 to
   * 17 s within an hour), which move the medians of each side.
   *
   * @param samples the measurements
   * @param header machine, versions and command, already formatted
   * @return the report
   */
  public static String report(List<Sample> samples, String header) {
    // Rows in order of first appearance: (method, PyTorch teacher); repetition 0 runs them in the given order.
    Map<String, List<String>> rows = new LinkedHashMap<>();
    for (Sample s : samples) {
      List<String> peers = rows.computeIfAbsent(s.method(), k -> new ArrayList<>());
      if (s.side().equals("pytorch") && !peers.contains(s.teacher())) {
        peers.add(s.teacher());
      }
    }
    StringBuilder md = new StringBuilder("# One FMNIST-10k distillation epoch: nst4j vs PyTorch-Python\n\n");
    md.append(header).append('\n');
    md.append("| method | teacher (nst4j / PyTorch) | epoch | nst4j s (median) | PyTorch s (median) | nst4j / PyTorch |")
        .append(" median of per-repetition ratios | nst4j runs | PyTorch runs | nst4j peak RSS MiB |")
        .append(" PyTorch peak RSS MiB |\n")
        .append("|---|---|---|--:|--:|--:|--:|---|---|--:|--:|\n");
    for (Map.Entry<String, List<String>> e : rows.entrySet()) {
      String method = e.getKey();
      for (String peer : e.getValue()) {
        String own = peer.equals(NO_TEACHER) ? NO_TEACHER : TeacherSetting.of(peer).nst4jTeacher();
        List<Sample> j = samples.stream().filter(s -> s.method().equals(method) && s.side().equals("nst4j")
            && s.teacher().equals(own)).toList();
        List<Sample> p = samples.stream().filter(s -> s.method().equals(method) && s.side().equals("pytorch")
            && s.teacher().equals(peer)).toList();
        String label = peer.equals(NO_TEACHER) ? "—" : teacherLabel(own) + " / " + teacherLabel(peer);
        double jr = j.stream().mapToDouble(Sample::peakRssMb).max().orElse(Double.NaN);
        double pr = p.stream().mapToDouble(Sample::peakRssMb).max().orElse(Double.NaN);
        for (boolean steady : new boolean[] {true, false}) {
          java.util.function.ToDoubleFunction<Sample> f = steady ? Sample::secondEpoch : Sample::firstEpoch;
          List<Double> js = j.stream().map(s -> f.applyAsDouble(s)).toList();
          List<Double> ps = p.stream().map(s -> f.applyAsDouble(s)).toList();
          List<Double> paired = new ArrayList<>();
          for (Sample a : j) {
            p.stream().filter(b -> b.rep() == a.rep()).findFirst()
                .ifPresent(b -> paired.add(f.applyAsDouble(a) / f.applyAsDouble(b)));
          }
          md.append(String.format(Locale.ROOT, "| %s | %s | %s | %.2f | %.2f | %.3f | %.3f | %s | %s | %.0f | %.0f |%n",
              method, label, steady ? "2nd (steady state)" : "1st (with warm-up)", median(js), median(ps),
              median(js) / median(ps), paired.isEmpty() ? Double.NaN : median(paired), fmt(js), fmt(ps), jr, pr));
        }
      }
    }
    md.append("\nTeachers: *folded fp32* is nst4j's own ResNet-20 with its BatchNorm folded into the convolutions,")
        .append(" its forward in the runtime the header names (reports before issue 17's teacher runtime ran")
        .append(" libtorch);")
        .append(" *eager fp32* the script's module in eval mode under `torch.no_grad()`; *frozen fp32*")
        .append(" `torch.jit.freeze(torch.jit.script(teacher))` (which folds BatchNorm) under")
        .append(" `torch.inference_mode()`; *bf16 TorchScript* the same module on both sides, made by")
        .append(" `bench/pytorch/export_teacher.py --bf16`: BatchNorm folded in float32, then weights and")
        .append(" activations in bfloat16 inside its forward, outputs cast back to float32.\n");
    return md.toString();
  }

  /** How the report names a teacher label of {@link Sample#teacher()}. */
  static String teacherLabel(String teacher) {
    return switch (teacher) {
      case "folded" -> "folded fp32";
      case "eager" -> "eager fp32";
      case "frozen" -> "frozen fp32";
      case "bf16" -> "bf16 TorchScript";
      default -> teacher;
    };
  }

  private static String fmt(List<Double> v) {
    return Arrays.toString(v.stream().mapToDouble(Double::doubleValue)
        .mapToObj(x -> String.format(Locale.ROOT, "%.2f", x)).toArray());
  }
}

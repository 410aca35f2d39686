package org.nst4j.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nst4j.transfer.Mmd;
import org.nst4j.transfer.Scalars;

/**
 * Benchmark of NST-poly (d = 2, c = 0) forward + backward: the Gram forms used by the loss versus the naive
 * pairwise broadcast; writes a Markdown report. Not a unit test (exposed as {@code nst4j bench nst}).
 *
 * <p>Every case runs in its own child JVM, so the peak resident set size (VmHWM of /proc/self/status) of
 * each is measured alone. Times are the median of {@code reps} timed repetitions after {@code warmup}
 * untimed ones. The naive form materialises a C×C×HW tensor per image and cannot run the full shape in
 * reasonable time and memory here, so it is measured on a smaller shape with the same C, and its full-shape
 * figures are extrapolated (clearly labelled) by its cost model: time and extra memory both ∝ B·Cs·Ct·HW
 * (DJL frees an intermediate array only when its manager closes, i.e. after the step, so every image's
 * C×C×HW products stay resident until then).
 *
 * <p>Usage: {@code NstBenchmark [--out docs/bench/nst-poly.md] [--batch 32] [--channels 512] [--size 56]
 * [--naive-batch 2] [--naive-size 28] [--reps 5] [--warmup 1]}.
 */
public final class NstBenchmark {
  private NstBenchmark() {}

  /** One measured case. */
  private record Result(
      String label, String form, long batch, long channels, long size, double[] millis, long rssBaseKb,
      long rssPeakKb, double value) {
    double median() {
      double[] m = millis.clone();
      Arrays.sort(m);
      return m.length % 2 == 1 ? m[m.length / 2] : (m[m.length / 2 - 1] + m[m.length / 2]) / 2;
    }
  }

  /**
   * Runs the benchmark (parent mode) or one case ({@code --child FORM B C S REPS WARMUP}).
   *
   * @param args see the class comment
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--child")) {
      child(args[1], Long.parseLong(args[2]), Long.parseLong(args[3]), Long.parseLong(args[4]),
          Integer.parseInt(args[5]), Integer.parseInt(args[6]));
      return;
    }
    Map<String, String> opt = new LinkedHashMap<>();
    opt.put("--out", "docs/bench/nst-poly.md");
    opt.put("--batch", "32");
    opt.put("--channels", "512");
    opt.put("--size", "56");
    opt.put("--naive-batch", "2");
    opt.put("--naive-size", "28");
    opt.put("--reps", "5");
    opt.put("--warmup", "1");
    for (int i = 0; i < args.length; i++) {
      if (!opt.containsKey(args[i]) || i + 1 >= args.length) {
        throw new IllegalArgumentException("unknown or incomplete option '" + args[i] + "'; options: " + opt.keySet());
      }
      opt.put(args[i], args[++i]);
    }
    long b = Long.parseLong(opt.get("--batch"));
    long c = Long.parseLong(opt.get("--channels"));
    long s = Long.parseLong(opt.get("--size"));
    long nb = Long.parseLong(opt.get("--naive-batch"));
    long ns = Long.parseLong(opt.get("--naive-size"));
    int reps = Integer.parseInt(opt.get("--reps"));
    int warm = Integer.parseInt(opt.get("--warmup"));
    Path out = Path.of(opt.get("--out"));

    List<Result> results = new ArrayList<>();
    results.add(runChild("Gram C×C (auto), full shape", "channel", b, c, s, reps, warm));
    results.add(runChild("Gram C×C, small shape", "channel", nb, c, ns, reps, warm));
    results.add(runChild("Gram HW×HW, small shape", "spatial", nb, c, ns, reps, warm));
    results.add(runChild("naive pairwise broadcast, small shape", "naive", nb, c, ns, Math.min(reps, 3), warm));
    String report = report(results, args, b, c, s, nb, ns);
    if (out.getParent() != null) {
      Files.createDirectories(out.getParent());
    }
    Files.writeString(out, report, StandardCharsets.UTF_8);
    System.out.println(report);
    System.out.println("written to " + out);
  }

  private static Result runChild(String label, String form, long b, long c, long s, int reps, int warm)
      throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx2g", "-Dai.djl.offline=true",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=error", "-cp", System.getProperty("java.class.path"),
        NstBenchmark.class.getName(), "--child", form, Long.toString(b), Long.toString(c), Long.toString(s),
        Integer.toString(reps), Integer.toString(warm)));
    System.err.println("bench: " + label + " (" + b + "×" + c + "×" + s + "×" + s + ") ...");
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String resultLine = null;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (line.startsWith("RESULT ")) {
          resultLine = line;
        }
      }
    }
    int code = p.waitFor();
    if (code != 0 || resultLine == null) {
      throw new IllegalStateException("benchmark case '" + label + "' failed with exit code " + code);
    }
    Map<String, String> kv = new LinkedHashMap<>();
    for (String part : resultLine.substring(7).split(" ")) {
      int eq = part.indexOf('=');
      kv.put(part.substring(0, eq), part.substring(eq + 1));
    }
    double[] ms = Arrays.stream(kv.get("ms").split(",")).mapToDouble(Double::parseDouble).toArray();
    return new Result(label, form, b, c, s, ms, Long.parseLong(kv.get("base")), Long.parseLong(kv.get("peak")),
        Double.parseDouble(kv.get("value")));
  }

  /** One case in this JVM: prints {@code RESULT ms=.. base=.. peak=.. value=..}. */
  private static void child(String form, long b, long c, long s, int reps, int warm) throws IOException {
    Engine engine = Engine.getInstance();
    engine.setRandomSeed(1234);
    try (NDManager m = NDManager.newBaseManager()) {
      Shape shape = new Shape(b, c, s, s);
      // ReLU'd Gaussian maps, like real post-activation features.
      NDArray student = m.randomNormal(shape).maximum(0);
      NDArray teacher = m.randomNormal(shape).maximum(0);
      student.setRequiresGradient(true);
      long base = vmHwmKb();
      double[] ms = new double[reps];
      double value = 0;
      for (int i = -warm; i < reps; i++) {
        try (NDManager sub = m.newSubManager()) {
          student.tempAttach(sub);
          teacher.tempAttach(sub);
          long t0 = System.nanoTime();
          try (GradientCollector gc = engine.newGradientCollector()) {
            NDArray loss = step(form, student, teacher);
            gc.backward(loss);
            value = loss.getFloat();
          }
          student.getGradient().getFloat(0, 0, 0, 0); // the gradient exists and is computed
          long t1 = System.nanoTime();
          if (i >= 0) {
            ms[i] = (t1 - t0) / 1e6;
          }
        }
      }
      StringBuilder sb = new StringBuilder("RESULT ms=");
      for (int i = 0; i < reps; i++) {
        sb.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.1f", ms[i]));
      }
      sb.append(" base=").append(base).append(" peak=").append(vmHwmKb()).append(" value=").append(value);
      System.out.println(sb);
    }
  }

  /** (λ/2)·mean MMD² with λ = 50 through the chosen form. */
  private static NDArray step(String form, NDArray student, NDArray teacher) {
    NDArray sn = Mmd.normalizeRows(student);
    NDArray tn = Mmd.normalizeRows(teacher);
    NDArray mmd;
    switch (form) {
      case "channel":
        mmd = Mmd.poly(sn, tn, 2, 0, true, Mmd.PolyForm.CHANNEL_GRAM);
        break;
      case "spatial":
        mmd = Mmd.poly(sn, tn, 2, 0, true, Mmd.PolyForm.SPATIAL_GRAM);
        break;
      case "naive":
        mmd = Mmd.naiveBroadcast(sn, tn, Mmd.Kernel.POLY, 2, 0, null);
        break;
      default:
        throw new IllegalArgumentException("unknown form " + form);
    }
    return Scalars.times(mmd.mean(), 25);
  }

  private static long vmHwmKb() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  private static String gib(long kb) {
    return String.format(Locale.ROOT, "%.2f GiB", kb / 1048576.0);
  }

  private static String report(List<Result> rs, String[] args, long b, long c, long s, long nb, long ns) {
    StringBuilder md = new StringBuilder();
    md.append("# NST-poly forward + backward: Gram form vs naive pairwise\n\n");
    md.append("Generated by `org.nst4j.bench.NstBenchmark` (`./nst4j bench nst`) on ")
        .append(ZonedDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE)).append(".\n\n");
    md.append("Command: `./nst4j bench nst").append(args.length == 0 ? "" : " " + String.join(" ", args))
        .append("` (equivalently `java -cp ... org.nst4j.bench.NstBenchmark").append(args.length == 0 ? "" : " " + String.join(" ", args))
        .append("`)\n\n");
    md.append("## Machine\n\n").append(MachineInfo.current().withEngine()).append("\n\n");
    md.append("## What is measured\n\n");
    md.append("One step = row normalisation of both maps + MMD² (polynomial kernel d = 2, c = 0, teacher–teacher"
        + " term kept) + (λ/2)·batch mean with λ = 50 + backward to the student map (the teacher map has no"
        + " gradient). Maps are ReLU'd standard normals, float32, student and teacher both B×C×H×W. Each case"
        + " runs in its own JVM (so its peak RSS is its own); time = median of the timed repetitions after ")
        .append("warm-up; memory = peak RSS (VmHWM) of the process, and the increase over the RSS once the inputs"
            + " exist (JVM, libtorch and both input maps).\n\n");
    md.append("- **Gram C×C**: ŜŜᵀ, T̂T̂ᵀ, ŜT̂ᵀ by batched matMul (what `nst-poly` uses for these shapes).\n");
    md.append("- **Gram HW×HW**: ‖ŜᵀŜ/Cs − T̂ᵀT̂/Ct‖²_F.\n");
    md.append("- **naive**: every pair of rows broadcast, a C×C×HW tensor per image and block (one image at a"
        + " time; a whole-batch broadcast would be B times larger still).\n\n");
    md.append("The loss picks C×C when N·(Cs² + Cs·Ct + Ct²) ≤ N²·(Cs + Ct) (N = H·W), i.e. 3C ≤ 2N for"
        + " Cs = Ct = C. Here it picks ")
        .append(Mmd.channelGramCheaper(c, c, s * s, true) ? "C×C" : "HW×HW").append(" at ").append(s).append('×')
        .append(s).append(" and ").append(Mmd.channelGramCheaper(c, c, ns * ns, true) ? "C×C" : "HW×HW")
        .append(" at ").append(ns).append('×').append(ns).append(" (C = ").append(c).append(").\n\n");
    md.append("## Results (measured)\n\n");
    md.append("| case | B×C×H×W | reps | median ms | all ms | peak RSS | increase over inputs | loss value |\n");
    md.append("|---|---|---|---|---|---|---|---|\n");
    for (Result r : rs) {
      md.append("| ").append(r.label()).append(" | ").append(r.batch()).append('×').append(r.channels()).append('×')
          .append(r.size()).append('×').append(r.size()).append(" | ").append(r.millis().length).append(" | ")
          .append(String.format(Locale.ROOT, "%.0f", r.median())).append(" | ")
          .append(Arrays.toString(r.millis()).replaceAll("[\\[\\]]", "")).append(" | ")
          .append(gib(r.rssPeakKb())).append(" | ").append(gib(r.rssPeakKb() - r.rssBaseKb())).append(" | ")
          .append(String.format(Locale.ROOT, "%.6g", r.value())).append(" |\n");
    }
    Result full = rs.get(0);
    Result smallCc = rs.get(1);
    Result smallHw = rs.get(2);
    Result naive = rs.get(3);
    double rel = Math.abs(naive.value() - smallCc.value()) / Math.abs(smallCc.value());
    md.append("\nSame inputs (seeded) give the same loss in each small case: naive vs C×C relative difference ")
        .append(String.format(Locale.ROOT, "%.1e", rel)).append(" (float32).\n\n");
    double scaleTime = (double) b / nb * ((double) s * s) / ((double) ns * ns);
    double scaleMem = scaleTime;
    double naiveFullMs = naive.median() * scaleTime;
    long naiveFullExtraKb = Math.round((naive.rssPeakKb() - naive.rssBaseKb()) * scaleMem);
    md.append("## Naive at the full shape (EXTRAPOLATED, not measured)\n\n");
    md.append("The naive form was measured at ").append(nb).append('×').append(c).append('×').append(ns).append('×')
        .append(ns).append(" only: at ").append(b).append('×').append(c).append('×').append(s).append('×').append(s)
        .append(" each per-image C×C×HW tensor is ")
        .append(gib(c * c * s * s * 4 / 1024)).append(" (float32) and it would run for a very long time. "
            + "Its cost is proportional to B·Cs·Ct·HW in time and also in extra memory: DJL releases an intermediate"
            + " array only when its manager closes (after the step), so the C×C×HW products of every image and block"
            + " stay resident (measured above: about B × 3 blocks × one C×C×HW float32 tensor, plus backward"
            + " transients). With the same C:\n\n");
    md.append(String.format(Locale.ROOT,
        "- time ≈ %.0f ms × (%d/%d) × (%d²/%d²) = **%.0f s per step (extrapolated)**, vs **%.1f s measured** for"
            + " the Gram form: about **%.0f×** slower;%n",
        naive.median(), b, nb, s, ns, naiveFullMs / 1000, full.median() / 1000, naiveFullMs / full.median()));
    md.append(String.format(Locale.ROOT,
        "- extra memory ≈ %s × (%d/%d) × (%d²/%d²) = **%s (extrapolated; far beyond this machine)**, vs **%s"
            + " measured** for the Gram form.%n%n",
        gib(naive.rssPeakKb() - naive.rssBaseKb()), b, nb, s, ns, gib(naiveFullExtraKb),
        gib(full.rssPeakKb() - full.rssBaseKb())));
    md.append(String.format(Locale.ROOT,
        "At the small shape itself the naive form is %.0f× slower than C×C (%.0f ms vs %.0f ms), and HW×HW takes"
            + " %.0f ms there (cost-rule ratio C×C : HW×HW = %.2f at this shape).%n",
        naive.median() / smallCc.median(), naive.median(), smallCc.median(), smallHw.median(),
        (3.0 * c * c * ns * ns) / ((double) ns * ns * ns * ns * 2 * c)));
    md.append("\nNote: the machine is shared (other jobs may run on its ").append(Runtime.getRuntime().availableProcessors())
        .append(" cores), so individual repetitions vary; the median is reported.\n");
    return md.toString();
  }
}

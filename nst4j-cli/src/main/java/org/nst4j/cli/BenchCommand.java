package org.nst4j.cli;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nst4j.bench.EpochProfile;
import org.nst4j.bench.FrameworkComparison;
import org.nst4j.bench.InferenceSpeed;
import org.nst4j.bench.MachineInfo;
import org.nst4j.bench.TeacherLayout;
import org.nst4j.data.DataSplits;
import org.nst4j.deploy.onnx.OnnxExport;
import org.nst4j.model.ModelZoo;
import org.nst4j.model.TappedModel;
import org.nst4j.store.Json;
import org.nst4j.store.ModelCard;
import org.nst4j.store.ModelStore;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code nst4j bench}: benchmarks that write their results under docs/bench. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmarks (results written under docs/bench): nst (NST-poly Gram form vs naive),"
        + " profile (phases of a distillation epoch), compare (an epoch in nst4j vs PyTorch-Python),"
        + " inference (a student's images/s in libtorch vs ONNX Runtime), teacher-layout (the frozen teacher's"
        + " forward in oneDNN's MKLDNN layout vs dense).",
    subcommands = {BenchCommand.Nst.class, BenchCommand.Profile.class, BenchCommand.Compare.class,
        BenchCommand.Inference.class, BenchCommand.TeacherLayoutCommand.class})
final class BenchCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** NST-poly forward+backward on 32×512×56×56 maps: Gram form against a naive pairwise implementation. */
  @Command(name = "nst", mixinStandardHelpOptions = true,
      description = "Time and memory of NST-poly (Gram form vs naive pairwise) on 32×512×56×56 maps;"
          + " options: [--out docs/bench/nst-poly.md] [--batch 32] [--channels 512] [--size 56]"
          + " [--naive-batch 2] [--naive-size 28] [--reps 5] [--warmup 1]")
  static final class Nst implements Callable<Integer> {
    @CommandLine.Unmatched List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
      org.nst4j.bench.NstBenchmark.main(args.toArray(new String[0]));
      return 0;
    }
  }

  /** Phases of FMNIST-10k student epochs, per method. */
  @Command(name = "profile", mixinStandardHelpOptions = true,
      description = "Profile FMNIST-10k student epochs (ResNet-8, teacher ResNet-20, batch 64, 1,000 images per"
          + " class): time per phase of a step, seconds per epoch, NST's share of the step.")
  static final class Profile implements Callable<Integer> {
    @Mixin RuntimeOptions runtime = new RuntimeOptions();
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", defaultValue = "fashion-mnist", paramLabel = "D", description = "Data set (default fashion-mnist).")
    String data;

    @Option(names = "--teacher-runtime", paramLabel = "R",
        description = "Where the teacher's forward runs: onnxruntime or libtorch (default: as distill).")
    String teacherRuntime;

    @Option(names = "--methods", defaultValue = "ce,nst-poly,kd+nst-poly", split = ",", paramLabel = "M",
        description = "Methods to profile (default: ${DEFAULT-VALUE}).")
    List<String> methods;

    @Option(names = "--epochs", defaultValue = "2", paramLabel = "E",
        description = "Epochs per method; the first is warm-up when there are several (default 2).")
    int epochs;

    @Option(names = "--per-class", defaultValue = "1000", paramLabel = "N", description = "Images per class.")
    int perClass;

    @Option(names = "--teacher", paramLabel = "PATH", description = "A saved teacher or a TorchScript .pt teacher (default: random ResNet-20).")
    Path teacher;

    @Option(names = "--out", defaultValue = "docs/bench/epoch-profile.md", paramLabel = "FILE",
        description = "Markdown report (a .json twin is written beside it).")
    Path out;

    @Override
    public Integer call() throws Exception {
      if (epochs < 1) {
        throw new IllegalArgumentException("--epochs must be ≥ 1, got " + epochs);
      }
      runtime.applyThreads();
      DataSplits splits = org.nst4j.data.DataSources.resolve(data, null);
      List<EpochProfile.Result> results = new ArrayList<>();
      PrintWriter stdout = spec.commandLine().getOut();
      for (String method : methods) {
        EpochProfile.Result r = EpochProfile.run(splits, perClass, method, teacher, epochs, 0,
            teacherRuntime == null ? null : org.nst4j.train.TeacherRuntime.of(teacherRuntime));
        results.add(r);
        stdout.printf(Locale.ROOT, "%-14s %s s/epoch  %s%n", r.method(), r.secondsPerEpoch(), r.phaseMillis());
        stdout.flush();
      }
      String md = report(results, splits, Commands.commandLine(spec));
      Files.createDirectories(out.toAbsolutePath().getParent());
      Files.writeString(out, md);
      Path json = out.resolveSibling(out.getFileName().toString().replaceFirst("\\.md$", "") + ".json");
      Json.writeAtomically(json, results);
      stdout.println("wrote " + out + " and " + json);
      return 0;
    }

    private String report(List<EpochProfile.Result> results, DataSplits splits, String command) {
      StringBuilder md = new StringBuilder();
      md.append("# Phases of a distillation epoch (FMNIST-10k student setting)\n\n");
      md.append("Command: `").append(command).append("`, ").append(java.time.LocalDate.now()).append(".\n\n");
      md.append(MachineInfo.current().withEngine()).append("\n\n");
      md.append("ResNet-8 student, ResNet-20 teacher (").append(teacher == null ? "randomly initialised: same cost"
          : "loaded from " + teacher).append("; its forward in ").append(teacherRuntime == null
              ? "the default teacher runtime" : teacherRuntime).append("), ").append(perClass).append(" images per class of ")
          .append(splits.name()).append(", batch 64, last partial batch dropped, pad-crop-flip augmentation. ")
          .append("Time per phase is the mean per step over the epochs after the first (warm-up). ")
          .append("libtorch runs eagerly on the CPU, so a phase's time is the time of its operations.\n\n");
      md.append("| method | s/epoch (each) | steps | data ms | teacher ms | student fwd ms | loss ms | backward ms |")
          .append(" optimiser ms | step ms | loss share | peak RSS MiB |\n");
      md.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
      for (EpochProfile.Result r : results) {
        Map<String, Double> p = r.phaseMillis();
        double step = p.values().stream().mapToDouble(Double::doubleValue).sum();
        md.append(String.format(Locale.ROOT, "| %s | %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.1f %% | %.0f |%n",
            r.method(), r.secondsPerEpoch().stream().map(s -> String.format(Locale.ROOT, "%.1f", s)).toList(),
            r.steps(), p.get("data"), p.get("teacher"), p.get("student_forward"), p.get("loss"), p.get("backward"),
            p.get("optimizer"), step, 100 * p.get("loss") / step, r.peakRssMb()));
      }
      md.append("\nThe loss column includes CE (and KD); NST's own share is the difference between a method's loss ")
          .append("column and the `ce` row's, over the step.\n");
      return md.toString();
    }
  }

  /** An FMNIST-10k epoch in nst4j against bench/pytorch/fmnist_epoch.py, alternating, median of reps. */
  @Command(name = "compare", mixinStandardHelpOptions = true,
      description = "One FMNIST-10k student epoch (ResNet-8, teacher ResNet-20) in nst4j and in the equivalent"
          + " PyTorch-Python script, alternating, each in its own process; one row per method and teacher setting"
          + " (PyTorch's eager teacher, its frozen teacher, a bfloat16 TorchScript teacher on both sides); writes"
          + " the medians and their ratio.")
  static final class Compare implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--teacher-runtime", paramLabel = "R",
        description = "Where nst4j's folded teacher runs: onnxruntime or libtorch (default: as distill).")
    String teacherRuntime;

    @Option(names = "--methods", defaultValue = "ce,kd+nst-poly", split = ",", paramLabel = "M",
        description = "Methods (default: ${DEFAULT-VALUE}).")
    List<String> methods;

    @Option(names = "--teacher-settings", defaultValue = "eager,frozen,bf16", split = ",", paramLabel = "T",
        description = "Rows of the methods with a teacher (default: ${DEFAULT-VALUE}): eager = nst4j's folded"
            + " fp32 teacher vs PyTorch's eager one; frozen = the same vs torch.jit.freeze of PyTorch's scripted"
            + " teacher; bf16 = one bfloat16 TorchScript teacher on both sides.")
    List<String> teacherSettings;

    @Option(names = "--reps", defaultValue = "5", paramLabel = "N",
        description = "Alternating repetitions: runs per side, method and teacher setting (default: ${DEFAULT-VALUE}).")
    int reps;

    @Option(names = "--threads", defaultValue = "2", paramLabel = "N", description = "Intra-op threads, both sides.")
    int threads;

    @Option(names = "--per-class", defaultValue = "1000", paramLabel = "N",
        description = "Training images per class, both sides (default: ${DEFAULT-VALUE}, the FMNIST-10k protocol;"
            + " fewer, at least 7, only for a smoke run that proves every row runs: the report then says so).")
    int perClass;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", paramLabel = "EXE",
        description = "Python with torch (Debian's python3-torch).")
    Path python;

    @Option(names = "--script", defaultValue = "bench/pytorch/fmnist_epoch.py", paramLabel = "FILE",
        description = "The PyTorch script; export_teacher.py must sit beside it for the bf16 row.")
    Path script;

    @Option(names = "--pytorch-channels-last", description = "Run the PyTorch side in torch.channels_last memory"
        + " format too (nst4j always feeds its images channels-last); default: the usual contiguous format.")
    boolean pytorchChannelsLast;

    @Option(names = "--out", defaultValue = "docs/bench/java-vs-pytorch.md", paramLabel = "FILE")
    Path out;

    @Option(names = "--debug", description = "Print stack traces of errors.")
    boolean debug;

    /** The parsed {@code --teacher-settings}; checked before anything runs. */
    List<FrameworkComparison.TeacherSetting> settings() {
      List<FrameworkComparison.TeacherSetting> parsed = new ArrayList<>();
      for (String name : teacherSettings) {
        FrameworkComparison.TeacherSetting t;
        try {
          t = FrameworkComparison.TeacherSetting.of(name.strip());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("--teacher-settings: " + e.getMessage());
        }
        if (parsed.contains(t)) {
          throw new IllegalArgumentException("--teacher-settings names " + name.strip() + " twice");
        }
        parsed.add(t);
      }
      return parsed;
    }

    @Override
    public Integer call() throws Exception {
      if (threads < 1) {
        throw new IllegalArgumentException("--threads must be ≥ 1, got " + threads);
      }
      List<FrameworkComparison.TeacherSetting> settings = settings();
      List<String> jvm = List.of("-Xmx4g", "-Xmn128m", "-XX:+UseParallelGC", "-Dai.djl.offline=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
      List<FrameworkComparison.Sample> samples = FrameworkComparison.run(methods, settings, reps, threads, perClass,
          python, script, pytorchChannelsLast ? List.of("--channels-last") : List.of(), jvm,
          teacherRuntime == null ? null : org.nst4j.train.TeacherRuntime.of(teacherRuntime),
          spec.commandLine().getErr());
      String torch = new String(new ProcessBuilder(python.toString(), "-c", "import torch; print(torch.__version__)")
          .redirectErrorStream(true).start().getInputStream().readAllBytes()).trim();
      String smoke = perClass == FrameworkComparison.PER_CLASS ? "" : "**Smoke run: " + perClass + " images per"
          + " class (" + perClass * 10 / 64 + " steps per epoch) instead of the protocol's 1,000; these times only"
          + " show that every row runs.**\n\n";
      String header = smoke + "Command: `" + Commands.commandLine(spec) + "`, " + java.time.LocalDate.now() + ".\n\n"
          + MachineInfo.current().withEngine() + "\nPyTorch side: " + python + " with torch " + torch + " (Debian python3-torch)"
          + (pytorchChannelsLast ? " in channels-last memory format" : " in the usual contiguous (NCHW) format") + ", "
          + threads + " threads; nst4j side: " + threads + " libtorch intra-op threads, its folded teacher's forward"
          + " in " + (teacherRuntime == null ? "nst4j's default teacher runtime (ONNX Runtime on the CPU)"
              : teacherRuntime) + ".\n\n"
          + "Both sides: ResNet-8 student, randomly initialised ResNet-20 teacher (same cost as a trained one), first"
          + String.format(Locale.ROOT, " %,d images per class of Fashion-MNIST, batch 64 (%d steps),", perClass,
              perClass * 10 / 64)
          + " pad-crop-flip, SGD Nesterov, cosine;"
          + " an epoch is timed from its first batch to its last update, evaluation excluded. Each process trains"
          + " two epochs (the cosine schedule spanning both): its first includes the warm-up (libtorch's allocator"
          + " and kernel selection on both sides, the JIT on the Java side, TorchScript's profiling runs), its"
          + " second is the steady state at which every later epoch of a training runs. " + reps
          + (reps == 1 ? " repetition;" : " repetitions;")
          + " in each, every process of every row runs once, and odd repetitions run them in the reverse order,"
          + " so neither side always goes first. nst4j folds its frozen teacher's BatchNorm layers into the"
          + " convolutions before training; the PyTorch rows differ in how the script runs its teacher (see below"
          + " the table). The bf16 row's teacher is the script's seeded random ResNet-20, exported once per"
          + " comparison by `bench/pytorch/export_teacher.py --bf16` and loaded by nst4j as a TorchScript teacher;"
          + " the script builds the same module in-process.\n";
      String md = FrameworkComparison.report(samples, header);
      Files.createDirectories(out.toAbsolutePath().getParent());
      Files.writeString(out, md);
      Json.writeAtomically(out.resolveSibling(out.getFileName().toString().replaceFirst("\\.md$", "") + ".json"),
          samples);
      spec.commandLine().getOut().print(md);
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  /** A student's inference images/s in libtorch (DJL) and in ONNX Runtime, from the same weights. */
  @Command(name = "inference", mixinStandardHelpOptions = true,
      description = "Images/s of a student in libtorch (DJL) and in ONNX Runtime (its nst4j export --format onnx),"
          + " BatchNorm folded on both sides, same intra-op threads, alternating; writes Markdown and JSON.")
  static final class Inference implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", paramLabel = "PATH",
        description = "A run or model folder written by nst4j (default: --arch with seeded random weights).")
    Path model;

    @Option(names = "--arch", defaultValue = "resnet8", paramLabel = "A",
        description = "Architecture when no --model is given (default: ${DEFAULT-VALUE}, the FMNIST-10k student);"
            + " weights do not change the speed.")
    String arch;

    @Option(names = "--input", defaultValue = "1x28x28", paramLabel = "CxHxW",
        description = "Image shape for --arch (default: ${DEFAULT-VALUE}, Fashion-MNIST), 10 classes.")
    String input;

    @Option(names = "--batches", defaultValue = "1,64", split = ",", paramLabel = "B",
        description = "Batch sizes (default: ${DEFAULT-VALUE}).")
    List<Integer> batches;

    @Option(names = "--threads", defaultValue = "2", paramLabel = "N",
        description = "Intra-op threads of both engines (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--reps", defaultValue = "3", paramLabel = "N",
        description = "Alternating rounds per batch size; the median is reported (default: ${DEFAULT-VALUE}).")
    int reps;

    @Option(names = "--min-seconds", defaultValue = "2", paramLabel = "S",
        description = "Least timed seconds of each measurement (default: ${DEFAULT-VALUE}).")
    double minSeconds;

    @Option(names = "--note", paramLabel = "TEXT",
        description = "A sentence put at the head of the report (e.g. that the machine was busy).")
    String note;

    @Option(names = "--out", defaultValue = "docs/bench/inference-onnx.md", paramLabel = "FILE",
        description = "Markdown report (a .json twin is written beside it).")
    Path out;

    @Override
    public Integer call() throws Exception {
      if (threads < 1 || reps < 1 || !(minSeconds >= 0) || batches.stream().anyMatch(b -> b < 1)) {
        throw new IllegalArgumentException("--threads, --reps and --batches must be ≥ 1 and --min-seconds ≥ 0");
      }
      RuntimeOptions runtime = new RuntimeOptions();
      runtime.threads = threads;
      runtime.applyThreads();
      Shape chw;
      String source;
      try (Model m = model != null ? ModelStore.load(model, Device.cpu())
          : Model.newInstance("bench")) {
        TappedModel student;
        if (model != null) {
          ModelCard card = ModelStore.readCard(model);
          chw = new Shape(card.inputChannels(), card.inputHeight(), card.inputWidth());
          student = (TappedModel) m.getBlock();
          source = "the saved model " + model;
        } else {
          chw = parseShape(input);
          student = ModelZoo.create(arch, (int) chw.get(0), 10, 0);
          student.initialize(m.getNDManager(), DataType.FLOAT32, new Shape(1).addAll(chw));
          source = arch + " with seeded random weights (seed 0; the speed does not depend on them)";
        }
        byte[] onnx = OnnxExport.toOnnx(student, chw, false, Map.of()).toByteArray();
        List<InferenceSpeed.EngineResult> results;
        try (OrtSession session = InferenceSpeed.onnxSession(onnx, threads)) {
          results = InferenceSpeed.compareEngines(student, m.getNDManager(), session, threads, chw,
              batches.stream().mapToInt(Integer::intValue).toArray(), reps, minSeconds);
        }
        String md = "# Inference speed: libtorch (DJL) vs ONNX Runtime\n\n"
            + (note == null ? "" : "**" + note + "**\n\n")
            + "Command: `" + Commands.commandLine(spec) + "`, " + java.time.LocalDate.now() + ".\n\n"
            + MachineInfo.current().withEngine() + " ONNX Runtime " + OrtEnvironment.getEnvironment()
                .getVersion() + " (Java, CPU execution provider). OMP_WAIT_POLICY: "
            + (System.getenv("OMP_WAIT_POLICY") == null ? "unset (libtorch's OpenMP threads wait actively, which"
                + " collapses its multi-threaded speed when other processes hold the cores)"
                : System.getenv("OMP_WAIT_POLICY")) + ".\n\n"
            + "Model: " + source + ", " + student.architecture() + ", input " + chw.get(0) + "×" + chw.get(1) + "×"
            + chw.get(2) + ". Both sides run the same weights with BatchNorm folded into the convolutions:"
            + " libtorch through DJL (nst4j's forward in inference mode, which also returns the taps, on the way"
            + " to the logits), ONNX Runtime on the file `nst4j export --format onnx` writes (logits only; intra-op"
            + " threads " + threads + ", inter-op 1, sequential execution, all graph optimisations). Both sides: "
            + threads + " intra-op threads, one fixed random batch, " + InferenceSpeed.DEFAULT_WARMUP
            + " untimed passes, then passes until at least " + minSeconds + " s and "
            + InferenceSpeed.DEFAULT_MIN_BATCHES + " passes; " + reps + (reps == 1 ? " round" : " rounds") + " alternating"
            + " libtorch then ONNX Runtime per batch size, median reported.\n\n"
            + InferenceSpeed.engineTable(results);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, md);
        Path json = out.resolveSibling(out.getFileName().toString().replaceFirst("\\.md$", "") + ".json");
        Json.writeAtomically(json, results);
        spec.commandLine().getOut().print(md);
        spec.commandLine().getOut().println("wrote " + out + " and " + json);
        spec.commandLine().getOut().flush();
      }
      return 0;
    }

    private static Shape parseShape(String s) {
      String[] p = s.trim().toLowerCase(Locale.ROOT).split("[x×]");
      try {
        if (p.length == 3) {
          long c = Long.parseLong(p[0]);
          long h = Long.parseLong(p[1]);
          long w = Long.parseLong(p[2]);
          if (c >= 1 && h >= 1 && w >= 1 && c * h * w <= 1L << 24) {
            return new Shape(c, h, w);
          }
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new IllegalArgumentException("--input must be CxHxW with positive sizes (e.g. 1x28x28), got '" + s + "'");
    }
  }

  /** The frozen teacher's forward in oneDNN's blocked (MKLDNN) layout against the dense one (issue 17, item 2). */
  @Command(name = "teacher-layout", mixinStandardHelpOptions = true,
      description = "Time the frozen teacher's forward (BatchNorm folded, as in training) on dense tensors and on"
          + " MKLDNN ones (DJL's ai.djl.pytorch.use_mkldnn, set only around the teacher; the batch copied in and"
          + " the outputs made dense again are counted), in alternating pairs on real Fashion-MNIST batches;"
          + " check that the logits and every tap agree; write a Markdown report.")
  static final class TeacherLayoutCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--teacher", defaultValue = "models/fmnist-resnet20", paramLabel = "PATH",
        description = "The teacher, as distill takes it: an nst4j run or model folder, or a TorchScript .pt"
            + " (default: ${DEFAULT-VALUE}).")
    Path teacher;

    @Option(names = "--data", defaultValue = "sample", paramLabel = "D",
        description = "Images the teacher sees, its training split (default: ${DEFAULT-VALUE}, the embedded"
            + " Fashion-MNIST sample; fashion-mnist for the full set).")
    String data;

    @Option(names = "--batch", defaultValue = "" + TeacherLayout.DEFAULT_BATCH, paramLabel = "B",
        description = "Images per forward (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--pairs", defaultValue = "" + TeacherLayout.DEFAULT_PAIRS, paramLabel = "N",
        description = "Timed pairs of one dense and one MKLDNN forward (default: ${DEFAULT-VALUE}).")
    int pairs;

    @Option(names = "--warmup", defaultValue = "" + TeacherLayout.DEFAULT_WARMUP, paramLabel = "N",
        description = "Untimed pairs first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--threads", defaultValue = "2", paramLabel = "N",
        description = "libtorch intra-op threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--note", paramLabel = "TEXT",
        description = "A sentence put at the head of the report (e.g. that the machine was busy).")
    String note;

    @Option(names = "--out", defaultValue = "docs/bench/teacher-layout.md", paramLabel = "FILE",
        description = "Markdown report (a .json twin is written beside it).")
    Path out;

    @Override
    public Integer call() throws Exception {
      if (batch < 1) {
        throw new IllegalArgumentException("--batch must be ≥ 1, got " + batch);
      }
      if (pairs < 1) {
        throw new IllegalArgumentException("--pairs must be ≥ 1, got " + pairs);
      }
      if (warmup < 0) {
        throw new IllegalArgumentException("--warmup must be ≥ 0, got " + warmup);
      }
      if (!Files.exists(teacher)) {
        throw new IllegalArgumentException("--teacher " + teacher + ": no such file or folder");
      }
      RuntimeOptions runtime = new RuntimeOptions();
      runtime.threads = threads;
      DataSplits splits = org.nst4j.data.DataSources.resolve(data, null);
      TeacherLayout.Result result;
      String loadAverage;
      try (Model m = org.nst4j.train.Teachers.load(teacher, null, splits.train(), Device.cpu())) {
        // After what bad input can fail on: libtorch's thread count is global to the process.
        runtime.applyThreads();
        loadAverage = loadAverage();
        result = TeacherLayout.run((TappedModel) m.getBlock(), m.getNDManager(), splits.train(),
            splits.normalization(), batch, pairs, warmup);
      }
      String md = "# The frozen teacher's forward: oneDNN's blocked (MKLDNN) layout vs dense\n\n"
          + (note == null ? "" : "**" + note + "**\n\n")
          + "Command: `" + Commands.commandLine(spec) + "`, " + java.time.LocalDate.now() + ".\n\n"
          + MachineInfo.current().withEngine() + " Load average (1, 5, 15 min) before: " + loadAverage
          + "; after: " + loadAverage() + ".\n\n"
          + "Teacher: " + teacher + " (" + result.teacher() + "), BatchNorm folded into its convolutions as the"
          + " training loop folds it, in inference mode. Images: full batches of " + batch + " from the training"
          + " split of " + splits.name() + " in data-set order, normalised as in training, no augmentation. "
          + warmup + " untimed pairs, then " + pairs + " timed pairs of one dense and one MKLDNN forward on the"
          + " same batch (dense first in even pairs, second in odd ones), each pair in its own sub-manager. The"
          + " MKLDNN path is the batch copied into a tensor created with `ai.djl.pytorch.use_mkldnn=true` (set"
          + " only around the copy and the forward, then restored), the forward (folded weights stay dense), and"
          + " every output made dense again (what the student's losses need); making the dense batch is outside"
          + " both timings. Agreement: over every pair, warm-up included, the largest |dense − MKLDNN| of each"
          + " output, and that over the output's largest |value|.\n\n"
          + TeacherLayout.markdown(result);
      Files.createDirectories(out.toAbsolutePath().getParent());
      Files.writeString(out, md);
      Path json = out.resolveSibling(out.getFileName().toString().replaceFirst("\\.md$", "") + ".json");
      Json.writeAtomically(json, result);
      spec.commandLine().getOut().print(md);
      spec.commandLine().getOut().println("wrote " + out + " and " + json);
      spec.commandLine().getOut().flush();
      return 0;
    }

    /** The first three fields of /proc/loadavg, or "unknown": how busy the machine was. */
    private static String loadAverage() {
      try {
        String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
        return f[0] + ", " + f[1] + ", " + f[2];
      } catch (java.io.IOException | RuntimeException e) {
        return "unknown";
      }
    }
  }
}

package org.nst4j.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import picocli.CommandLine.Option;

/** Where and how computations run, and diagnostics. */
final class RuntimeOptions {
  @Option(names = "--device", paramLabel = "DEV", defaultValue = "cpu",
      description = "cpu, gpu or gpu:N (GPU needs DJL's CUDA natives instead of the CPU ones). Default: cpu.")
  String device;

  @Option(names = "--threads", paramLabel = "N",
      description = "libtorch intra-op threads (default: libtorch's choice, the number of cores).")
  Integer threads;

  @Option(names = "--debug", description = "Print stack traces of errors.")
  boolean debug;

  /** Parses --device. */
  Device device() {
    String d = device.trim().toLowerCase(java.util.Locale.ROOT);
    if (d.equals("cpu")) {
      return Device.cpu();
    }
    int index;
    if (d.equals("gpu") || d.equals("cuda")) {
      index = 0;
    } else if (d.matches("(gpu|cuda):\\d{1,4}")) {
      index = Integer.parseInt(d.substring(d.indexOf(':') + 1));
    } else {
      throw new IllegalArgumentException("--device must be cpu, gpu or gpu:N, got '" + device + "'");
    }
    // Without this check the first array made on a missing GPU fails deep in libtorch with an engine error.
    int gpus = Engine.getEngine("PyTorch").getGpuCount();
    if (index >= gpus) {
      throw new IllegalArgumentException("--device " + device + ": " + (gpus == 0
          ? "no GPU usable by the PyTorch engine (these natives are CPU-only, or no CUDA device/driver); use --device cpu"
          : "only " + gpus + " GPU(s), numbered 0.." + (gpus - 1)));
    }
    return Device.gpu(index);
  }

  /** Starts the engine with the requested thread count; call before any computation. */
  void applyThreads() {
    if (threads != null && threads < 1) {
      throw new IllegalArgumentException("--threads must be ≥ 1, got " + threads);
    }
    // libtorch starts the pool eagerly: an absurd count hangs the process instead of failing.
    int limit = Math.max(64, 8 * Runtime.getRuntime().availableProcessors());
    if (threads != null && threads > limit) {
      throw new IllegalArgumentException("--threads must be ≤ " + limit + " (8 per core), got " + threads);
    }
    Engine.getEngine("PyTorch");
    if (threads != null) {
      ai.djl.pytorch.jni.JniUtils.setNumThreads(threads);
    }
  }
}

package org.nst4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** A Markdown description of this machine for benchmark reports. */
final class Machine {
  private Machine() {}

  static String describe() {
    String cpu = "unknown";
    String mem = "unknown";
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          cpu = line.substring(line.indexOf(':') + 1).trim();
          break;
        }
      }
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          mem = String.format(java.util.Locale.ROOT, "%.1f GiB",
              Long.parseLong(line.replaceAll("\\D+", "")) / 1024.0 / 1024.0);
          break;
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      // Not Linux: leave "unknown".
    }
    // The engine loads the natives; the compare command's parent process never trained anything before this.
    ai.djl.engine.Engine.getEngine("PyTorch");
    return "Machine: " + cpu + ", " + Runtime.getRuntime().availableProcessors() + " cores (nproc), " + mem
        + "; Java " + System.getProperty("java.version") + "; DJL 0.36.0, libtorch 2.7.1 (CPU); libtorch intra-op threads "
        + ai.djl.pytorch.jni.JniUtils.getNumThreads() + ".\n";
  }
}

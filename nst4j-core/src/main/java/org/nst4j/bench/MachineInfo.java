package org.nst4j.bench;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.nst4j.store.Json;

/**
 * The machine that produced a measurement: the one description of it in nst4j. Experiments write it beside
 * each run's summary as {@code machine.json}, so that a report rebuilt later, or elsewhere, still names the
 * machine that produced the numbers; the benchmarks put {@link #withEngine()} at the head of their reports.
 *
 * @param cpus logical processors available to the JVM (what {@code nproc} prints)
 * @param cpuModel the CPU's model name from {@code /proc/cpuinfo}, or "unknown"
 * @param memoryMib total memory from {@code /proc/meminfo}, MiB, or 0 if unknown
 * @param os operating system name, version and architecture
 * @param java the Java runtime version
 */
public record MachineInfo(int cpus, String cpuModel, long memoryMib, String os, String java) {
  /** File name inside a run folder. */
  public static final String FILE = "machine.json";

  /** Describes the machine this JVM runs on. */
  public static MachineInfo current() {
    return new MachineInfo(Runtime.getRuntime().availableProcessors(), cpuModel(Path.of("/proc/cpuinfo")),
        memoryMib(Path.of("/proc/meminfo")),
        System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
        System.getProperty("java.version"));
  }

  /** One line for reports, e.g. {@code 2 CPUs (Intel(R) Xeon(R) ...), 7.8 GiB RAM, Linux 6.1 amd64, Java 17}. */
  public String describe() {
    return String.format(Locale.ROOT, "%d CPUs (%s), %s RAM, %s, Java %s", cpus, cpuModel,
        memoryMib > 0 ? String.format(Locale.ROOT, "%.1f GiB", memoryMib / 1024.0) : "unknown", os, java);
  }

  /**
   * {@link #describe()} with the software that computed: DJL, its engine and libtorch's intra-op threads, e.g.
   * {@code Machine: 2 CPUs (...), 7.8 GiB RAM, Linux 6.1 amd64, Java 17; DJL 0.36.0, PyTorch 2.7.1 (CPU),
   * libtorch intra-op threads 2.} Loads the engine's native library if nothing has yet.
   */
  public String withEngine() {
    Engine engine = Engine.getEngine("PyTorch");
    return "Machine: " + describe() + "; DJL " + Engine.getDjlVersion() + ", " + engine.getEngineName() + " "
        + engine.getVersion() + " (CPU), libtorch intra-op threads " + JniUtils.getNumThreads() + ".";
  }

  /** Writes this description into a run folder. */
  public void writeTo(Path runDir) throws IOException {
    Json.writeAtomically(runDir.resolve(FILE), this);
  }

  /** Reads a run folder's description, or null when it has none (a run not started by an experiment). */
  public static MachineInfo readFrom(Path runDir) throws IOException {
    Path f = runDir.resolve(FILE);
    return Files.isRegularFile(f) ? Json.PRETTY.readValue(f.toFile(), MachineInfo.class) : null;
  }

  /** The first "model name" of a cpuinfo file (x86); "unknown" if absent or unreadable. */
  static String cpuModel(Path cpuinfo) {
    try {
      for (String line : Files.readAllLines(cpuinfo)) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equals("model name")) {
          return line.substring(colon + 1).trim().replaceAll("\\s+", " ");
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux, or not readable: the report says "unknown".
    }
    return "unknown";
  }

  /** MemTotal of a meminfo file in MiB; 0 if absent or unreadable. */
  static long memoryMib(Path meminfo) {
    try {
      for (String line : Files.readAllLines(meminfo)) {
        if (line.startsWith("MemTotal:")) {
          String[] parts = line.substring("MemTotal:".length()).trim().split("\\s+");
          return Long.parseLong(parts[0]) / 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux, or not readable.
    }
    return 0;
  }
}

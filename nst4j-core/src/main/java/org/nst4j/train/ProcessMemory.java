package org.nst4j.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory of this process, read from {@code /proc/self/status} (Linux; NaN elsewhere). */
public final class ProcessMemory {
  private ProcessMemory() {}

  /** Current resident set size, MiB. */
  public static double rssMb() {
    return read("VmRSS:");
  }

  /** Peak resident set size so far, MiB. */
  public static double peakRssMb() {
    return read("VmHWM:");
  }

  private static double read(String key) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(key)) {
          String[] parts = line.substring(key.length()).trim().split("\\s+");
          return Long.parseLong(parts[0]) / 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
    return Double.NaN;
  }
}

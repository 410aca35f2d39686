package org.nst4j.bench;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A smoke run of the benchmark on tiny shapes (the real run is {@code nst4j bench}, not a test). */
class NstBenchmarkTest {
  @TempDir Path dir;

  @Test
  void writesAReportWithMeasuredAndExtrapolatedSections() throws Exception {
    Path out = dir.resolve("sub/bench.md");
    NstBenchmark.main(new String[] {"--out", out.toString(), "--batch", "2", "--channels", "8", "--size", "4",
        "--naive-batch", "1", "--naive-size", "2", "--reps", "1", "--warmup", "0"});
    String md = Files.readString(out);
    for (String s : new String[] {"## Machine", "CPUs", "libtorch", "## Results (measured)",
        "Gram C×C (auto), full shape | 2×8×4×4", "naive pairwise broadcast, small shape | 1×8×2×2",
        "EXTRAPOLATED", "--naive-size 2"}) {
      assertTrue(md.contains(s), "missing '" + s + "' in\n" + md);
    }
  }

  @Test
  void rejectsUnknownOptions() {
    assertThrows(IllegalArgumentException.class, () -> NstBenchmark.main(new String[] {"--fast"}));
  }
}

package org.nst4j.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where a run writes, and what to do with a folder that already holds one. */
final class OutputOptions {
  @Option(names = "--out", paramLabel = "DIR", description = "Run folder (default: runs/<role>-<arch>-<method>-s<seed>): new, empty, or an nst4j run"
      + " folder; one process writes it at a time.")
  Path out;

  @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint (refused if --out holds another run; a"
      + " finished run of this configuration is only reported).")
  boolean resume;

  @Option(names = "--overwrite", description = "Replace the run in --out once the new run has finished (until then the old run stays"
      + " untouched, and a failed new run leaves it as it was).")
  boolean overwrite;

  @Option(names = "--quiet", description = "No progress display (epoch lines still go to the log).")
  boolean quiet;

  Path outOr(String defaultName) {
    return out != null ? out : Path.of("runs", defaultName);
  }
}

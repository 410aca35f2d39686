package org.nst4j.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

/**
 * Fake {@code sbatch}, {@code squeue} and {@code scancel} in a folder: tiny shell scripts that record their
 * arguments ({@code <cmd>.calls}, one line per call), hand out job ids from 100 on, and print {@code queue.txt}
 * as the queue. {@code sbatch.fail-after} makes sbatch refuse every call after that many.
 */
final class FakeSlurm {
  final Path bin;

  FakeSlurm(Path bin) throws IOException {
    this.bin = bin;
    Files.createDirectories(bin);
    script("sbatch", """
        #!/bin/sh
        d="$(dirname "$0")"
        echo "$*" >> "$d/sbatch.calls"
        n=$(cat "$d/next" 2>/dev/null || echo 100)
        if [ -f "$d/sbatch.fail-after" ] && [ $((n - 100)) -ge "$(cat "$d/sbatch.fail-after")" ]; then
          echo "sbatch: error: ImageBatch job submission failed: Invalid account" >&2; exit 1
        fi
        echo $((n + 1)) > "$d/next"
        echo "$n;cluster"
        """);
    script("squeue", """
        #!/bin/sh
        d="$(dirname "$0")"
        echo "$*" >> "$d/squeue.calls"
        cat "$d/queue.txt" 2>/dev/null
        exit 0
        """);
    script("scancel", """
        #!/bin/sh
        echo "$*" >> "$(dirname "$0")/scancel.calls"
        """);
  }

  private void script(String name, String text) throws IOException {
    Path p = bin.resolve(name);
    Files.writeString(p, text);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  Slurm slurm() {
    return new Slurm(bin, Map.of());
  }

  /** The recorded calls of a command, one per line. */
  List<String> calls(String command) throws IOException {
    Path f = bin.resolve(command + ".calls");
    return Files.exists(f) ? Files.readAllLines(f) : List.of();
  }

  void queue(String text) throws IOException {
    Files.writeString(bin.resolve("queue.txt"), text);
  }

  void failSbatchAfter(int calls) throws IOException {
    Files.writeString(bin.resolve("sbatch.fail-after"), String.valueOf(calls));
  }
}

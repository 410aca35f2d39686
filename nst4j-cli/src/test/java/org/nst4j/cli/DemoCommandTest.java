package org.nst4j.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nst4j demo}: a bad name anywhere is refused before the teacher trains. */
class DemoCommandTest {
  @TempDir Path dir;

  @Test
  void badNamesAreRefusedBeforeAnyTraining() {
    Path out = dir.resolve("demo");
    Cli.assertBadInput(Cli.run("demo", "--methods", "ce,nst-foo", "--out", out.toString(), "--quiet"),
        "unknown method 'nst-foo'", "nst-poly");
    Cli.assertBadInput(Cli.run("demo", "--student-arch", "resnet9", "--out", out.toString(), "--quiet"),
        "unknown architecture 'resnet9'");
    Cli.assertBadInput(Cli.run("demo", "--teacher-epochs", "0", "--out", out.toString(), "--quiet"), "epochs");
    Cli.assertBadInput(Cli.run("demo", "--seed", "-2", "--out", out.toString(), "--quiet"), "seed");
    assertFalse(Files.exists(out));
  }
}

package org.nst4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.nst4j.testing.ReadmeBlocks;

/**
 * README.md's section "Using nst4j from Java" shows, character for character, the program of the
 * {@code nst4j-examples} module — a Maven project that depends on nst4j-core as a user's does, which the build
 * compiles and whose test runs it (its {@code DistillInDjlTest}). So the README's program is the one that runs.
 */
class ReadmeJavaApiTest {
  private static final String SECTION = "## Using nst4j from Java";
  private static final Path EXAMPLE = Path.of("nst4j-examples/src/main/java/DistillInDjl.java");

  /** The first {@code java} code block of the section. */
  static String readmeProgram() throws Exception {
    return ReadmeBlocks.firstJavaBlock(SECTION);
  }

  @Test
  void theReadmeProgramIsTheExampleModulesProgram() throws Exception {
    assertEquals(Files.readString(EXAMPLE), readmeProgram(), "README.md and " + EXAMPLE + " differ");
    assertTrue(readmeProgram().contains("public class DistillInDjl"));
  }
}

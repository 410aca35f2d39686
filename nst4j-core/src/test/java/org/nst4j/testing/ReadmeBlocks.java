package org.nst4j.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The code blocks of README.md that tests compile or compare with code (the README shows only code that runs).
 * Tests run from the repository root (surefire's working directory).
 */
public final class ReadmeBlocks {
  private ReadmeBlocks() {}

  /**
   * The first {@code java} code block of a README section, without its fences.
   *
   * @param section the section's heading line, e.g. {@code "## Using nst4j from Java"}
   * @return the block's text, each line ending with a newline
   * @throws IOException if README.md cannot be read
   * @throws org.opentest4j.AssertionFailedError if the section or a java block inside it is missing
   */
  public static String firstJavaBlock(String section) throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    int at = readme.indexOf(section);
    assertTrue(at >= 0, "README.md has no section '" + section + "'");
    int start = readme.indexOf("```java\n", at);
    int next = readme.indexOf("\n## ", at + section.length());
    assertTrue(start >= 0 && (next < 0 || start < next), "no ```java block in the README section " + section);
    return readme.substring(start + 8, readme.indexOf("```", start + 8));
  }
}

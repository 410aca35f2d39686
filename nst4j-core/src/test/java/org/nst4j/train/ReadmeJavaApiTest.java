package org.nst4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The program of README.md's section "Using nst4j from Java", taken from the README, compiled with {@code
 * javax.tools} against the test class path and run as written: it must train (the loss falls over its three
 * epochs) and print the student's test accuracy, well above chance.
 */
class ReadmeJavaApiTest {
  private static final String SECTION = "## Using nst4j from Java";
  private static final Pattern EPOCH =
      Pattern.compile("epoch (\\d+): train loss (\\d+\\.\\d+), test accuracy (\\d+\\.\\d+)");

  /** The first {@code java} code block of the section. */
  static String readmeProgram() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    int section = readme.indexOf(SECTION);
    assertTrue(section >= 0, "README.md has no section '" + SECTION + "'");
    int start = readme.indexOf("```java\n", section);
    int next = readme.indexOf("\n## ", section + SECTION.length());
    assertTrue(start >= 0 && (next < 0 || start < next), "no ```java block in the README section " + SECTION);
    return readme.substring(start + 8, readme.indexOf("```", start + 8));
  }

  @Test
  void theReadmeProgramCompilesAndDistils(@TempDir Path dir) throws Exception {
    String program = readmeProgram();
    Matcher name = Pattern.compile("public class (\\w+)").matcher(program);
    assertTrue(name.find(), "the README program declares no public class");
    Path source = dir.resolve(name.group(1) + ".java");
    Files.writeString(source, program);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    int code = javac.run(null, diagnostics, diagnostics, "-d", dir.toString(), "-cp", classPath(),
        "-Xlint:none", source.toString());
    assertEquals(0, code, "the README program does not compile:\n" + diagnostics);

    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream saved = System.out;
    try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
      Method main = loader.loadClass(name.group(1)).getMethod("main", String[].class);
      System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
      main.invoke(null, (Object) new String[0]);
    } finally {
      System.setOut(saved);
    }
    String out = printed.toString(StandardCharsets.UTF_8);
    System.out.print(out);
    List<double[]> epochs = new ArrayList<>();
    Matcher m = EPOCH.matcher(out);
    while (m.find()) {
      epochs.add(new double[] {Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3))});
    }
    assertEquals(3, epochs.size(), "the program prints one line per epoch:\n" + out);
    double firstLoss = epochs.get(0)[0];
    double lastLoss = epochs.get(2)[0];
    double accuracy = epochs.get(2)[1];
    assertTrue(lastLoss < firstLoss, String.format(Locale.ROOT, "the loss does not fall: %.4f -> %.4f", firstLoss,
        lastLoss));
    // Measured: 0.75 (0.62, 0.72, 0.75 over the epochs; kd+nst-poly, 3,000 sample images).
    assertTrue(accuracy > 0.6, "test accuracy " + accuracy + " after three epochs (chance: 0.1)");
  }

  /**
   * The test class path as javac needs it: surefire may run the tests from a manifest-only jar, whose Class-Path
   * javac reads too, so {@code java.class.path} serves either way.
   */
  private static String classPath() {
    return System.getProperty("java.class.path");
  }
}

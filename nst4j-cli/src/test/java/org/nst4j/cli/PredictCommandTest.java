package org.nst4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.data.ImageDataset;
import org.nst4j.deploy.DeployFixtures;
import org.nst4j.store.ModelStore;

/** {@code nst4j export} then {@code nst4j predict} on PNG files of the embedded sample. */
class PredictCommandTest {
  @TempDir static Path dir;
  private static Path exported;
  private static List<Path> files;
  private static int[] expected;
  private static List<String> classes;

  private record Result(int code, String out, String err) {}

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Result(code, out.toString(), err.toString());
  }

  @BeforeAll
  static void trainExportAndWriteImages() throws Exception {
    Path run = DeployFixtures.trainStudent(dir.resolve("run"));
    exported = dir.resolve("student");
    Result r = run("export", "--model", run.toString(), "--to", exported.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("exported cnn-small (teacher, 1×28×28 input, 10 classes, test accuracy"),
        r.out());
    ImageDataset images = DeployFixtures.spread(DeployFixtures.sample().test(), 20);
    files = DeployFixtures.writePngs(images, dir.resolve("png"));
    expected = DeployFixtures.argmaxByForward(run, images);
    classes = ModelStore.readCard(run).classNames();
  }

  @Test
  void predictPrintsTheClassesEvalComputes() {
    List<String> args = new ArrayList<>(List.of("predict", "--model", exported.toString(), "--top", "3"));
    files.forEach(f -> args.add(f.toString()));
    Result r = run(args.toArray(String[]::new));
    assertEquals(0, r.code(), r.err());
    String[] lines = r.out().split("\n");
    assertEquals(files.size(), lines.length, r.out());
    for (int i = 0; i < files.size(); i++) {
      String prefix = files.get(i) + ": " + classes.get(expected[i]) + " 0.";
      assertTrue(lines[i].startsWith(prefix) || lines[i].startsWith(files.get(i) + ": "
          + classes.get(expected[i]) + " 1.0000"), lines[i] + " should start with " + prefix);
      assertEquals(3, lines[i].split(", ").length, lines[i]);
    }
  }

  @Test
  void badInputIsAnErrorWithExitCodeTwo() throws Exception {
    Result r = run("predict", "--model", exported.toString(), "--top", "0", files.get(0).toString());
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("error: --top must be ≥ 1"), r.err());
    Path bad = Files.writeString(dir.resolve("bad.png"), "not an image");
    r = run("predict", "--model", exported.toString(), bad.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("error: " + bad + ": "), r.err());
    r = run("predict", "--model", dir.resolve("png").toString(), files.get(0).toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("no model.json"), r.err());
    r = run("export", "--model", dir.resolve("run").toString(), "--to", exported.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("is not empty"), r.err());
  }
}

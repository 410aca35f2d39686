package org.nst4j.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.inference.Predictor;
import ai.djl.modality.Classifications;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nst4j.testing.ReadmeBlocks;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.data.ImageDataset;
// Redundant in this package, but the README's snippet imports it: kept so that the snippet's imports are this file's.
import org.nst4j.deploy.ImageClassifierTranslatorFactory;
import org.nst4j.store.ModelCard;

/**
 * The Java snippet of README.md's "Deploying a student" section, compiled and run as written on an exported
 * student: it must print the class that {@code nst4j eval} computes and the probability {@link Classifier}
 * gives.
 *
 * <p>KEEP IN SYNC WITH README.md: the code between {@code SNIPPET-BEGIN} and {@code SNIPPET-END} below is the
 * README's snippet after its two {@code Path} declarations (which are this method's parameters), and every
 * import of the README's snippet is an import of this file. {@link #theReadmeShowsThisSnippet} fails when
 * the two differ, so edit both together.
 */
class ReadmeSnippetTest {
  private static final Path SOURCE = Path.of("nst4j-core/src/test/java/org/nst4j/deploy/ReadmeSnippetTest.java");
  private static final String SECTION = "### Deploying a student";

  /** The README's snippet; {@code modelDir} and {@code image} are the two paths it declares first. */
  static void readmeSnippet(Path modelDir, Path image) throws Exception {
    // SNIPPET-BEGIN
    Criteria<Path, Classifications> criteria = Criteria.builder()
        .setTypes(Path.class, Classifications.class)
        .optModelPath(modelDir)
        .optTranslatorFactory(new ImageClassifierTranslatorFactory())
        .build();
    try (ZooModel<Path, Classifications> model = criteria.loadModel();
        Predictor<Path, Classifications> predictor = model.newPredictor()) {
      Classifications result = predictor.predict(image);
      System.out.println(result.best().getClassName() + " " + result.best().getProbability());
    }
    // SNIPPET-END
  }

  /** What the snippet prints for one image. */
  private static String runSnippet(Path modelDir, Path image) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream saved = System.out;
    System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      readmeSnippet(modelDir, image);
    } finally {
      System.setOut(saved);
    }
    return bytes.toString(StandardCharsets.UTF_8).strip();
  }

  @Test
  void theSnippetPredictsWhatEvalComputes(@TempDir Path dir) throws Exception {
    Path run = DeployFixtures.trainStudent(dir.resolve("run"));
    // What `./nst4j export --model RUN --to DIR` does.
    Path exported = dir.resolve("students/nst-poly");
    ModelCard card = ModelExport.export(run, exported);
    ImageDataset images = DeployFixtures.spread(DeployFixtures.sample().test(), 6);
    List<Path> pngs = DeployFixtures.writePngs(images, dir.resolve("images"));
    int[] eval = DeployFixtures.argmaxByForward(run, images);
    try (Classifier classifier = Classifier.load(exported)) {
      List<Classifications> expected = classifier.classifyFiles(pngs);
      for (int i = 0; i < pngs.size(); i++) {
        String line = runSnippet(exported, pngs.get(i));
        // "<class name> <probability>"; class names may contain spaces ("Ankle boot").
        int space = line.lastIndexOf(' ');
        String predicted = line.substring(0, space);
        double probability = Double.parseDouble(line.substring(space + 1));
        assertEquals(card.classNames().get(eval[i]), predicted, "image " + i + ": " + line);
        assertEquals(expected.get(i).best().getClassName(), predicted, "image " + i);
        assertEquals(expected.get(i).best().getProbability(), probability, 1e-6, "image " + i);
      }
    }
  }

  @Test
  void theReadmeShowsThisSnippet() throws Exception {
    List<String> shown = new ArrayList<>(ReadmeBlocks.firstJavaBlock(SECTION).lines().toList());

    String source = Files.readString(SOURCE);
    List<String> imports = new ArrayList<>();
    while (!shown.isEmpty() && (shown.get(0).startsWith("import ") || shown.get(0).isBlank())) {
      String line = shown.remove(0);
      if (!line.isBlank()) {
        imports.add(line);
      }
    }
    for (String imp : imports) {
      assertTrue(source.contains("\n" + imp + "\n"), "the README imports what this test does not: " + imp);
    }
    assertTrue(shown.remove(0).startsWith("Path modelDir = Path.of("), "the README declares modelDir first");
    assertTrue(shown.remove(0).startsWith("Path image = Path.of("), "then image");

    String region = source.substring(source.indexOf("// SNIPPET-BEGIN\n") + "// SNIPPET-BEGIN\n".length(),
        source.indexOf("    // SNIPPET-END"));
    List<String> here = region.lines().map(l -> l.length() >= 4 ? l.substring(4) : l.strip()).toList();
    assertEquals(String.join("\n", here), String.join("\n", shown),
        "README.md's snippet and ReadmeSnippetTest.readmeSnippet differ: edit both together");
  }
}

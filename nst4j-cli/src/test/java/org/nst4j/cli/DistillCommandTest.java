package org.nst4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code nst4j distill} through {@link Main#execute}: bad objectives, taps and teachers (missing, corrupt,
 * of another architecture, channel count or class count) are refused with one {@code error:} line, exit 2,
 * before the output folder is created; the objective meets the models before anything is written.
 */
class DistillCommandTest {
  @TempDir static Path shared;
  @TempDir Path dir;
  private static Path tiny;
  private static Path teacher;

  @BeforeAll
  static void teacher() {
    tiny = Cli.tinyFashion(shared, 10, 3);
    teacher = shared.resolve("teacher");
    Cli.Result r = Cli.run("train", "--data", tiny.toString(), "--arch", "cnn-small", "--epochs", "1", "--batch",
        "20", "--out", teacher.toString(), "--quiet");
    assertEquals(0, r.code(), r.toString());
  }

  private static String[] distill(Path teacherPath, Path out, String... overrides) {
    String[] base = {"distill", "--data", tiny.toString(), "--student", "cnn-small", "--epochs", "1", "--batch", "20",
        "--out", out.toString(), "--quiet"};
    if (teacherPath != null) {
      base = Cli.override(base, "--teacher", teacherPath.toString());
    }
    return Cli.override(base, overrides);
  }

  /** The teacher's model folder, copied so that the test can damage it. */
  private Path teacherCopy() {
    return Cli.copyTree(teacher.resolve("model"), dir.resolve("teacher-copy"));
  }

  private void assertRefused(Path teacherPath, String[] options, String... fragments) {
    Path out = dir.resolve("out");
    Cli.assertBadInput(Cli.run(distill(teacherPath, out, options)), fragments);
    assertFalse(Files.exists(out), "no output folder for bad input");
  }

  private static Arguments bad(String[] options, String... fragments) {
    return Arguments.of(options, fragments);
  }

  static Stream<Arguments> badObjectives() {
    return Stream.of(
        bad(new String[] {"--method", "nst-cubic"}, "unknown method 'nst-cubic'", "nst-poly", "fitnet"),
        bad(new String[] {"--method", "kd+kd"}, "twice"),
        bad(new String[] {"--lambda", "-1"}, "lambda"),
        bad(new String[] {"--lambda", "NaN"}, "lambda"),
        bad(new String[] {"--method", "kd", "--kd-temperature", "0"}, "temperature"),
        bad(new String[] {"--method", "kd", "--kd-alpha", "1.5"}, "alpha"),
        bad(new String[] {"--nst-scale", "third"}, "--nst-scale"),
        bad(new String[] {"--nst-degree", "0"}, "degree"),
        bad(new String[] {"--spatial", "stretch"}, "spatial"),
        bad(new String[] {"--taps", "nope"}, "unknown tap 'nope'", "block1, block2, block3"),
        bad(new String[] {"--taps", "block2:nope"}, "unknown tap 'nope' for the teacher", "block3"),
        bad(new String[] {"--method", "fitnet", "--taps", "stage9"}, "unknown tap 'stage9'"),
        bad(new String[] {"--method", "at", "--taps", "block1:block3", "--spatial", "refuse"}, "refuse"),
        bad(new String[] {"--student", "resnet7"}, "unknown architecture", "resnet20"));
  }

  @ParameterizedTest
  @MethodSource("badObjectives")
  void aBadObjectiveIsRefusedBeforeAnythingIsWritten(String[] options, String[] fragments) {
    assertRefused(teacher, options, fragments);
  }

  @Test
  void aMethodThatNeedsATeacherWithoutOneIsRefused() {
    assertRefused(null, new String[0], "needs a teacher", "--teacher");
  }

  @Test
  void missingOrEmptyTeacherPathsAreRefused() throws IOException {
    assertRefused(dir.resolve("no-such-teacher"), new String[0], "no-such-teacher", "no such file");
    Files.createDirectories(dir.resolve("empty"));
    assertRefused(dir.resolve("empty"), new String[0], "no model.json");
  }

  @Test
  void aCorruptOrEditedCardIsRefused() throws IOException {
    Path t = teacherCopy();
    byte[] card = Files.readAllBytes(t.resolve("model.json"));
    Files.write(t.resolve("model.json"), Arrays.copyOf(card, card.length / 2));
    assertRefused(t, new String[0], "model.json", "not a readable model card");

    Files.write(t.resolve("model.json"), new byte[0]);
    assertRefused(t, new String[0], "model.json");

    Files.write(t.resolve("model.json"), card);
    Cli.editCard(t, "num_classes", "ten");
    assertRefused(t, new String[0], "model.json", "not a readable model card");

    Files.write(t.resolve("model.json"), card);
    Cli.editCard(t, "params_file", "../../etc/passwd");
    assertRefused(t, new String[0], "params_file");

    Files.write(t.resolve("model.json"), card);
    Cli.editCard(t, "architecture", null);
    assertRefused(t, new String[0], "no architecture");

    Files.write(t.resolve("model.json"), card);
    Cli.editCard(t, "architecture", "alexnet");
    assertRefused(t, new String[0], "unknown architecture 'alexnet'");
  }

  @Test
  void aCardClaimingAnotherArchitectureIsRefused() {
    Path t = teacherCopy();
    Cli.editCard(t, "architecture", "resnet8");
    assertRefused(t, new String[0], "model-0000.params", "do not fit architecture resnet8", "cnn-small");
  }

  @Test
  void parametersOfAnotherArchitectureAreRefused() throws IOException {
    // A resnet8 parameter file behind a card that says cnn-small (checksum removed, as a hand edit would).
    Path other = Cli.savedModel(dir.resolve("resnet8"), "resnet8", 1, 10, 28);
    Path t = teacherCopy();
    Files.copy(other.resolve("model-0000.params"), t.resolve("model-0000.params"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Cli.editCard(t, "params_sha256", null);
    assertRefused(t, new String[0], "do not fit architecture cnn-small", "resnet8");
  }

  @Test
  void truncatedOrDamagedParametersAreRefused() throws IOException {
    Path t = teacherCopy();
    Path params = t.resolve("model-0000.params");
    byte[] good = Files.readAllBytes(params);
    Files.write(params, Arrays.copyOf(good, good.length - 100));
    assertRefused(t, new String[0], "model-0000.params", "damaged");

    byte[] flipped = good.clone();
    flipped[good.length / 2] ^= 0x10;
    Files.write(params, flipped);
    assertRefused(t, new String[0], "model-0000.params", "damaged");

    // Without the card's checksum the structure check still catches a cut file.
    Cli.editCard(t, "params_sha256", null);
    Files.write(params, Arrays.copyOf(good, good.length - 100));
    assertRefused(t, new String[0], "model-0000.params", "cnn-small");
    Files.write(params, Arrays.copyOf(good, 40));
    assertRefused(t, new String[0], "model-0000.params", "cnn-small");
    Files.delete(params);
    assertRefused(t, new String[0], "model-0000.params", "missing");
  }

  @Test
  void aTeacherForOtherChannelsOrClassesIsRefused() {
    Path rgb = Cli.savedModel(dir.resolve("rgb"), "cnn-small", 3, 10, 32);
    assertRefused(rgb, new String[0], "takes 3 input channels", "the data has 1");
    Path five = Cli.savedModel(dir.resolve("five"), "cnn-small", 1, 5, 28);
    assertRefused(five, new String[0], "predicts 5 classes", "the data has 10");
    // KD compares logits: the same refusal holds for it.
    assertRefused(five, new String[] {"--method", "kd"}, "predicts 5 classes");
  }

  @Test
  void aTeacherOfAnotherArchitectureAndImageSizeIsAccepted() {
    // Reconcilable differences are not errors: a resnet8 teacher saved for 32×32 images, maps pooled.
    Path other = Cli.savedModel(dir.resolve("resnet8"), "resnet8", 1, 10, 32);
    Path out = dir.resolve("out");
    Cli.Result r = Cli.run(distill(other, out, "--method", "at", "--per-class", "4"));
    assertEquals(0, r.code(), r.toString());
    assertTrue(Files.isRegularFile(out.resolve("summary.json")));
  }

  @Test
  void aDivergingDistillationNamesTheTermAndLeavesNoFolder() {
    Path out = dir.resolve("out");
    String line = Cli.assertBadInput(Cli.run(distill(teacher, out, "--lambda", "1e38")), "loss term", "epoch 1",
        "batch");
    assertTrue(line.contains("'ce'") || line.contains("'nst-poly'"), line);
    assertFalse(Files.exists(out));
  }

  /**
   * One epoch of a method whose term trains modules of its own: the run ends with a finite loss whose term is
   * reported, and the saved student is a plain cnn-small (its parameter file as large as the cnn-small
   * teacher's: no connector, embedding or fusion module in it).
   */
  static void assertDistillsWithAuxiliaryModulesLeftOut(Path out, Cli.Result r, String term) throws IOException {
    assertEquals(0, r.code(), r.toString());
    java.util.List<org.nst4j.train.EpochRecord> log = new org.nst4j.train.RunFolder(out).readEpochLog();
    assertEquals(1, log.size());
    assertTrue(Double.isFinite(log.get(0).loss()), log.toString());
    Double value = log.get(0).terms().get(term);
    assertTrue(value != null && Double.isFinite(value) && value != 0, term + " in " + log.get(0).terms());
    assertEquals(Files.size(teacher.resolve("model").resolve("model-0000.params")),
        Files.size(out.resolve("model").resolve("model-0000.params")), "the student's file holds the student only");
  }

  @Test
  void ofdDistillsFromTheTeachersPreReluMaps() throws IOException {
    Path out = dir.resolve("ofd");
    assertDistillsWithAuxiliaryModulesLeftOut(out, Cli.run(distill(teacher, out, "--method", "ofd",
        "--ofd-weight", "0.01")), "ofd");
    assertTrue(Files.readString(out.resolve("config.json")).contains("ofd_weight"));
  }

  @Test
  void crdDistillsWithMemoryBanksOverTheTrainingSet() throws IOException {
    Path out = dir.resolve("crd");
    assertDistillsWithAuxiliaryModulesLeftOut(out, Cli.run(distill(teacher, out, "--method", "kd+crd")), "crd");
    assertTrue(Files.readString(out.resolve("config.json")).contains("crd_negatives"));
  }

  @Test
  void reviewKdDistillsIntoTheTeachersPreReluMaps() throws IOException {
    Path out = dir.resolve("reviewkd");
    assertDistillsWithAuxiliaryModulesLeftOut(out, Cli.run(distill(teacher, out, "--method", "reviewkd",
        "--reviewkd-warmup", "0")), "reviewkd");
    assertTrue(Files.readString(out.resolve("config.json")).contains("reviewkd_warmup"));
  }
}

package org.nst4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nst4j.data.DataSources;
import org.nst4j.data.ImageDataset;

/**
 * {@code nst4j train} through {@link Main#execute}: a corpus of bad data folders and bad option values must
 * each end in one {@code error:} line, exit 2, and no output folder; a folder holding a run is refused
 * untouched; a diverging run stops with the term's name.
 */
class TrainCommandTest {
  @TempDir static Path shared;
  @TempDir Path dir;
  private static Path tiny;

  private static final String TRAIN_IMAGES = DataSources.IDX_FILES.get(0);
  private static final String TRAIN_LABELS = DataSources.IDX_FILES.get(1);
  private static final String TEST_IMAGES = DataSources.IDX_FILES.get(2);
  private static final String TEST_LABELS = DataSources.IDX_FILES.get(3);

  @BeforeAll
  static void data() {
    // 100 training and 30 test images: a training epoch of 5 batches of 20.
    tiny = Cli.tinyFashion(shared, 10, 3);
  }

  /** The base command with {@code overrides} replacing or adding options. */
  private static String[] train(Path data, Path out, String... overrides) {
    String[] base = {"train", "--data", data.toString(), "--arch", "cnn-small", "--epochs", "1", "--batch", "20",
        "--out", out.toString(), "--quiet"};
    return Cli.override(base, overrides);
  }

  /** A copy of the tiny data folder with {@code damage} applied. */
  private Path damaged(String name, Consumer<Path> damage) {
    Path copy = Cli.copyTree(tiny, dir.resolve("data").resolve(name + "-fashion"));
    damage.accept(copy);
    return copy;
  }

  private static void rewrite(Path file, java.util.function.UnaryOperator<byte[]> f) {
    try {
      Files.write(file, f.apply(Files.readAllBytes(file)));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static Stream<Arguments> badDataFolders() {
    return Stream.of(
        Arguments.of("truncated images", (Consumer<Path>) d -> rewrite(d.resolve(TRAIN_IMAGES),
            b -> Arrays.copyOf(b, b.length / 2)), TRAIN_IMAGES),
        Arguments.of("truncated header", (Consumer<Path>) d -> rewrite(d.resolve(TEST_IMAGES),
            b -> Arrays.copyOf(b, 10)), TEST_IMAGES),
        Arguments.of("wrong magic", (Consumer<Path>) d -> rewrite(d.resolve(TRAIN_IMAGES), b -> {
          b[2] = 0x0A;
          return b;
        }), TRAIN_IMAGES),
        Arguments.of("bit-flipped label count", (Consumer<Path>) d -> rewrite(d.resolve(TRAIN_LABELS), b -> {
          b[7] ^= 0x04;
          return b;
        }), TRAIN_LABELS),
        Arguments.of("bit-flipped image count", (Consumer<Path>) d -> rewrite(d.resolve(TEST_IMAGES), b -> {
          b[4] ^= 0x40;
          return b;
        }), TEST_IMAGES),
        Arguments.of("empty label file", (Consumer<Path>) d -> rewrite(d.resolve(TEST_LABELS),
            b -> new byte[0]), TEST_LABELS),
        Arguments.of("label out of range", (Consumer<Path>) d -> rewrite(d.resolve(TRAIN_LABELS), b -> {
          b[8 + 3] = 12;
          return b;
        }), "label 12"),
        Arguments.of("missing file", (Consumer<Path>) d -> delete(d.resolve(TEST_LABELS)), "missing"),
        Arguments.of("corrupt gzip", (Consumer<Path>) d -> gzipAndFlip(d.resolve(TRAIN_IMAGES)), TRAIN_IMAGES),
        Arguments.of("empty folder", (Consumer<Path>) TrainCommandTest::deleteAll, "not a recognised"));
  }

  private static void delete(Path p) {
    try {
      Files.delete(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void deleteAll(Path d) {
    for (String f : DataSources.IDX_FILES) {
      delete(d.resolve(f));
    }
  }

  /** Replaces a file with its gzipped form (name + .gz) with one byte of the deflate stream flipped. */
  private static void gzipAndFlip(Path file) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
        gz.write(Files.readAllBytes(file));
      }
      byte[] b = bytes.toByteArray();
      b[b.length / 2] ^= 0x5A;
      Files.delete(file);
      Files.write(file.resolveSibling(file.getFileName() + ".gz"), b);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badDataFolders")
  void aBadDataFolderIsOneErrorLineAndWritesNothing(String name, Consumer<Path> damage, String fragment) {
    Path data = damaged(name.replace(' ', '-'), damage);
    Path out = dir.resolve("out");
    Cli.assertBadInput(Cli.run(train(data, out)), fragment);
    assertFalse(Files.exists(out), "no output folder for bad input");
  }

  @Test
  void badCifarFilesAreRefused() {
    Path cifar = Cli.cifarLike(dir.resolve("cifar"), 20, 1);
    rewrite(cifar.resolve("data_batch_3.bin"), b -> Arrays.copyOf(b, b.length - 5));
    Path out = dir.resolve("out");
    Cli.assertBadInput(Cli.run(train(cifar, out)), "data_batch_3.bin", "not a whole number");
    Path cifar2 = Cli.cifarLike(dir.resolve("cifar2"), 20, 1);
    rewrite(cifar2.resolve("test_batch.bin"), b -> {
      b[3073 * 4] = 10;
      return b;
    });
    Cli.assertBadInput(Cli.run(train(cifar2, out)), "test_batch.bin", "label 10");
    assertFalse(Files.exists(out));
  }

  @Test
  void anUndecodableImageInAnImageFolderIsRefused() throws IOException {
    Path root = dir.resolve("images");
    java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(8, 8,
        java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
    for (String split : List.of("train", "test")) {
      for (String cls : List.of("cat", "dog")) {
        Path d = Files.createDirectories(root.resolve(split).resolve(cls));
        for (int i = 0; i < 3; i++) {
          javax.imageio.ImageIO.write(img, "png", d.resolve(i + ".png").toFile());
        }
      }
    }
    Path out = dir.resolve("out");
    Path bad = root.resolve("train").resolve("dog").resolve("1.png");
    rewrite(bad, b -> Arrays.copyOf(b, 40));
    Cli.assertBadInput(Cli.run(train(root, out, "--batch", "2")), "1.png", "cannot decode");
    Files.writeString(bad, "hello");
    Cli.assertBadInput(Cli.run(train(root, out, "--batch", "2")), "1.png", "not a decodable image");
    assertFalse(Files.exists(out));
  }

  @Test
  void aMissingPathIsRefused() {
    Path out = dir.resolve("out");
    Cli.assertBadInput(Cli.run(train(dir.resolve("no/such/folder"), out)), "no such file");
    assertFalse(Files.exists(out));
  }

  @Test
  void imagesTooSmallForTheNetworkAreRefusedBeforeAnythingIsWritten() {
    // 2×2 images: cnn-small's pooling cannot shrink them; libtorch's engine error becomes a clear message.
    ImageDataset small = ImageDataset.of("small", new byte[20 * 4], new int[20], 1, 2, 2,
        DataSources.FASHION_MNIST_CLASSES);
    Path data = Cli.idxFolder(dir.resolve("small-fashion"), small, small);
    Path out = dir.resolve("out");
    Cli.assertBadInput(Cli.run(train(data, out, "--batch", "10")), "cnn-small", "cannot process images");
    assertFalse(Files.exists(out));
  }

  /** One case: the options, then the fragments the error line must contain. */
  private static Arguments bad(String[] options, String... fragments) {
    return Arguments.of(options, fragments);
  }

  static Stream<Arguments> badOptions() {
    return Stream.of(
        bad(new String[] {"--epochs", "0"}, "epochs"),
        bad(new String[] {"--epochs", "-3"}, "epochs"),
        bad(new String[] {"--epochs", "abc"}, "--epochs"),
        bad(new String[] {"--batch", "0"}, "batch size"),
        bad(new String[] {"--batch", "1000"}, "batch size 1000"),
        bad(new String[] {"--lr", "0"}, "learning rate"),
        bad(new String[] {"--lr", "-0.1"}, "learning rate"),
        bad(new String[] {"--lr", "NaN"}, "learning rate"),
        bad(new String[] {"--wd", "-1"}, "weight decay"),
        bad(new String[] {"--momentum", "1"}, "momentum"),
        bad(new String[] {"--momentum", "0"}, "nesterov"),
        bad(new String[] {"--seed", "-1"}, "seed"),
        bad(new String[] {"--pad", "-1"}, "pad must be ≥ 0"),
        bad(new String[] {"--pad", "abc"}, "--pad"),
        bad(new String[] {"--pad", "4", "--no-augment"}, "--pad", "--no-augment"),
        bad(new String[] {"--per-class", "0"}, "--per-class"),
        bad(new String[] {"--threads", "0"}, "--threads"),
        bad(new String[] {"--threads", "100000"}, "--threads must be ≤"),
        bad(new String[] {"--arch", "resnet9"}, "unknown architecture 'resnet9'", "resnet20", "wrn-D-K",
            "cnn-small"),
        bad(new String[] {"--schedule", "bogus"}, "--schedule"),
        bad(new String[] {"--milestones", "3,2"}, "milestones"),
        bad(new String[] {"--milestones", "1"}, "milestone 1 is outside the schedule of 1 epochs"),
        bad(new String[] {"--epochs", "5", "--milestones", "2,5"}, "milestone 5", "1..4"),
        bad(new String[] {"--divergence-factor", "1"}, "--divergence-factor must be > 1"),
        bad(new String[] {"--divergence-factor", "NaN"}, "--divergence-factor"),
        bad(new String[] {"--out", ""}, "--out is empty"),
        bad(new String[] {"--lr-decay", "2"}, "lr decay"),
        bad(new String[] {"--device", "tpu"}, "--device"),
        bad(new String[] {"--device", "gpu:3"}, "--device gpu:3"),
        bad(new String[] {"--bogus"}, "unknown option"),
        bad(new String[] {"--data", "nonsense-name"}, "unknown data set", "fashion-mnist"),
        bad(new String[] {"--data-dir", "/no/such/dir"}, "--data-dir"),
        bad(new String[] {"--resume", "--overwrite"}, "exclude"));
  }

  @ParameterizedTest
  @MethodSource("badOptions")
  void aBadOptionIsOneErrorLineAndWritesNothing(String[] options, String[] fragments) {
    Path out = dir.resolve("out");
    Cli.assertBadInput(Cli.run(train(tiny, out, options)), fragments);
    assertFalse(Files.exists(out), "no output folder for bad input");
  }

  @Test
  void padReachesTheRunsConfiguration() throws IOException {
    Path out = dir.resolve("pad4");
    Cli.Result r = Cli.run(train(tiny, out, "--pad", "4"));
    assertEquals(0, r.code(), r.toString());
    assertEquals(4, new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.resolve("config.json").toFile())
        .get("schedule").get("pad").asInt(), Files.readString(out.resolve("config.json")));
    assertTrue(Files.readString(out.resolve("summary.json")).contains(" augment pad=4\""));
  }

  @Test
  void aMissingRequiredOptionIsRefused() {
    Cli.assertBadInput(Cli.run("train", "--data", tiny.toString()), "--arch");
  }

  @Test
  void aFolderHoldingARunIsRefusedUntouchedUnlessResumedOrOverwritten() {
    Path out = dir.resolve("run");
    Cli.Result first = Cli.run(train(tiny, out));
    assertEquals(0, first.code(), first.toString());
    TreeMap<String, String> before = Cli.snapshot(out);
    assertTrue(before.containsKey("summary.json") && before.containsKey("model/model-0000.params"), "" + before);

    Cli.assertBadInput(Cli.run(train(tiny, out, "--seed", "5")), "holds another run", "--resume", "--overwrite");
    assertEquals(before, Cli.snapshot(out), "the refused run wrote nothing");

    // Bad input aimed at a folder holding a run leaves it as it was, too.
    Cli.assertBadInput(Cli.run(train(tiny, out, "--overwrite", "--arch", "nope")), "unknown architecture");
    assertEquals(before, Cli.snapshot(out));

    // So does an overwrite whose new run diverges before it made anything.
    Cli.assertBadInput(Cli.run(train(tiny, out, "--overwrite", "--lr", "1e30")), "loss term",
        "the run in " + out + " is unchanged");
    assertEquals(before, Cli.snapshot(out), "the run --overwrite would have replaced is back");

    Cli.Result resumed = Cli.run(train(tiny, out, "--resume"));
    assertEquals(0, resumed.code(), resumed.toString());
    assertEquals(before, Cli.snapshot(out), "resuming a finished run only reports it");

    // A finished run whose summary is damaged: --resume says which file, and writes nothing.
    Path copy = Cli.copyTree(out, dir.resolve("copy"));
    rewrite(copy.resolve("summary.json"), b -> Arrays.copyOf(b, b.length / 2));
    TreeMap<String, String> copyBefore = Cli.snapshot(copy);
    Cli.assertBadInput(Cli.run(train(tiny, copy, "--resume")), "summary.json", "unreadable run summary");
    assertEquals(copyBefore, Cli.snapshot(copy));

    Cli.Result replaced = Cli.run(train(tiny, out, "--overwrite", "--seed", "5"));
    assertEquals(0, replaced.code(), replaced.toString());
    TreeMap<String, String> after = Cli.snapshot(out);
    assertNotEquals(before.get("model/model-0000.params"), after.get("model/model-0000.params"));
    assertEquals(before.keySet(), after.keySet(), "the replaced run is gone once the new one is complete");
    assertTrue(replaced.out().contains("seed 5"), replaced.out());
  }

  @Test
  void aFolderHoldingSomethingElseIsNeverWrittenEvenWithOverwrite() throws IOException {
    Path foreign = Files.createDirectories(dir.resolve("foreign"));
    Files.writeString(foreign.resolve("config.json"), "{\"model\": \"mine\", \"lr\": 3e-4}");
    TreeMap<String, String> before = Cli.snapshot(foreign);
    Cli.assertBadInput(Cli.run(train(tiny, foreign)), "config.json is not the configuration of an nst4j run");
    Cli.assertBadInput(Cli.run(train(tiny, foreign, "--overwrite")), "not the configuration of an nst4j run");
    Cli.assertBadInput(Cli.run(train(tiny, foreign, "--resume")), "not the configuration of an nst4j run");
    assertEquals(before, Cli.snapshot(foreign));

    // A working directory (what --out . names) full of the user's files.
    Path work = Files.createDirectories(dir.resolve("work"));
    Files.writeString(work.resolve("thesis.tex"), "\\documentclass{article}");
    Files.createDirectories(work.resolve("src"));
    before = Cli.snapshot(work);
    Cli.assertBadInput(Cli.run(train(tiny, work, "--overwrite")), "is not empty and holds no nst4j run",
        "2 entries, e.g. 'src'");
    assertEquals(before, Cli.snapshot(work));
  }

  @Test
  void anOutFolderInsideAnImageFolderRootIsRefused() throws IOException {
    Path root = imageFolder(dir.resolve("images"), List.of("cat", "dog"));
    TreeMap<String, String> before = Cli.snapshot(root);
    Cli.assertBadInput(Cli.run(train(root, root.resolve("train").resolve("run"), "--batch", "2")),
        "is inside the data folder", "choose a folder outside it");
    Cli.assertBadInput(Cli.run(train(root, root.resolve("x/../run"), "--batch", "2")), "inside the data folder");
    assertEquals(before, Cli.snapshot(root));
  }

  @Test
  void imageLimitsAreOptionsAndSayHowToRaiseThem() throws IOException {
    Path root = imageFolder(dir.resolve("images"), List.of("cat", "dog"));
    Path out = dir.resolve("out");
    // 12 images of 8×8: 768 pixels.
    Cli.assertBadInput(Cli.run(train(root, out, "--batch", "2", "--max-total-pixels", "700")),
        "12 images hold 768 pixels in all", "over the budget of 700 pixels (--max-total-pixels");
    Cli.assertBadInput(Cli.run(train(root, out, "--batch", "2", "--max-image-pixels", "63")),
        "a 8×8 image (64 pixels) is over the limit of 63 pixels per image (--max-image-pixels raises it)");
    Cli.assertBadInput(Cli.run(train(root, out, "--batch", "2", "--max-image-pixels", "0")),
        "--max-image-pixels must be ≥ 1");
    assertFalse(Files.exists(out));
  }

  @Test
  void aOneClassImageFolderIsRefused() throws IOException {
    Path root = imageFolder(dir.resolve("one-class"), List.of("cat"));
    Path out = dir.resolve("out");
    Cli.assertBadInput(Cli.run(train(root, out, "--batch", "2")), "1 class [cat]", "at least 2");
    assertFalse(Files.exists(out));
  }

  @Test
  void labelsThatSkipClassesAreRefusedUnlessAllowed() {
    // One label byte of the training file corrupted to 42 in a folder of numbered classes: a 43-class model.
    Path data = Cli.relabelled(dir, 10, 10, 3);
    rewrite(data.resolve(TRAIN_LABELS), b -> {
      b[8 + 5] = 42;
      return b;
    });
    Path out = dir.resolve("out");
    Cli.assertBadInput(Cli.run(train(data, out)), TRAIN_LABELS + ": 32 of 43 classes have no training image: 10,"
        + " 11, 12", "(32 in all)", "the largest label, 42, sets the number of classes", "--allow-empty-classes");
    assertFalse(Files.exists(out));
    Cli.Result allowed = Cli.run(train(data, out, "--allow-empty-classes"));
    assertEquals(0, allowed.code(), allowed.toString());
  }

  /** An ImageFolder root with train/ and test/, three 8×8 grey PNGs per class. */
  private static Path imageFolder(Path root, List<String> classes) throws IOException {
    java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(8, 8,
        java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
    for (String split : List.of("train", "test")) {
      for (String cls : classes) {
        Path d = Files.createDirectories(root.resolve(split).resolve(cls));
        for (int i = 0; i < 3; i++) {
          javax.imageio.ImageIO.write(img, "png", d.resolve(i + ".png").toFile());
        }
      }
    }
    return root;
  }

  @Test
  void anOutPathThatIsAFileIsRefused() throws IOException {
    Path file = dir.resolve("a-file");
    Files.writeString(file, "keep me");
    Cli.assertBadInput(Cli.run(train(tiny, file)), "not a folder");
    assertEquals("keep me", Files.readString(file));
  }

  @Test
  void aDivergingRunStopsWithTheTermEpochAndBatchAndLeavesNoFolder() {
    Path out = dir.resolve("out");
    String line = Cli.assertBadInput(Cli.run(train(tiny, out, "--lr", "1e30")), "loss term 'ce'", "epoch 1",
        "batch", "nothing was kept");
    assertTrue(line.contains("NaN") || line.contains("Infinity"), line);
    assertFalse(Files.exists(out), "a run that diverged in its first epoch leaves no folder: " + Cli.snapshot(out));
  }

  @Test
  void debugPrintsTheStackTraceAndOnlyThen() {
    Path out = dir.resolve("out");
    Cli.Result plain = Cli.run(train(tiny, out, "--arch", "nope"));
    Cli.assertBadInput(plain, "unknown architecture");
    Cli.Result debug = Cli.run(train(tiny, out, "--arch", "nope", "--debug"));
    assertEquals(2, debug.code());
    assertTrue(debug.err().startsWith("error: unknown architecture"), debug.err());
    assertTrue(debug.err().contains("\tat org.nst4j.model.ModelZoo"), debug.err());
    Cli.Result parse = Cli.run(train(tiny, out, "--epochs", "x", "--debug"));
    assertTrue(parse.err().contains("\tat "), "parse errors too: " + parse.err());
    assertFalse(Files.exists(out));
  }
}

package org.nst4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.nst4j.data.DataSources;
import org.nst4j.data.DataSplits;
import org.nst4j.data.IdxWriter;
import org.nst4j.data.ImageDataset;

/**
 * Test support for the CLI tests: runs {@link Main} in-process with captured streams, checks the bad-input
 * contract, snapshots folders, and writes small data sets (never a test class itself).
 *
 * <p>In-process runs never pass {@code --threads}: libtorch's thread count is global to the JVM and would
 * slow every test after it.
 */
final class Cli {
  private Cli() {}

  /** What one CLI invocation printed and returned. */
  record Result(int code, String out, String err) {
    List<String> errLines() {
      List<String> lines = new ArrayList<>();
      for (String l : err.split("\n", -1)) {
        if (!l.isEmpty()) {
          lines.add(l);
        }
      }
      return lines;
    }

    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  /** Runs {@code nst4j args...} in this JVM. */
  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Result(code, out.toString(), err.toString());
  }

  /**
   * {@code args} (a subcommand then options, each option followed by its value unless the next word starts
   * with "--") with {@code overrides} replacing the values of options present and appending the others.
   */
  static String[] override(String[] args, String... overrides) {
    java.util.LinkedHashMap<String, String> opts = new java.util.LinkedHashMap<>();
    parse(args, 1, opts);
    parse(overrides, 0, opts);
    List<String> out = new ArrayList<>(List.of(args[0]));
    opts.forEach((k, v) -> {
      out.add(k);
      if (v != null) {
        out.add(v);
      }
    });
    return out.toArray(new String[0]);
  }

  private static void parse(String[] words, int from, java.util.Map<String, String> into) {
    for (int i = from; i < words.length; i++) {
      String k = words[i];
      String v = i + 1 < words.length && !words[i + 1].startsWith("--") ? words[++i] : null;
      into.put(k, v);
    }
  }

  /**
   * Asserts the bad-input contract: exit 2, exactly one line on stderr, starting with {@code error: }, no
   * stack frame, and the line contains every fragment (case-insensitive).
   *
   * @return the error line
   */
  static String assertBadInput(Result r, String... fragments) {
    assertEquals(2, r.code(), r.toString());
    List<String> lines = r.errLines();
    assertEquals(1, lines.size(), "exactly one line on stderr: " + r);
    String line = lines.get(0);
    assertTrue(line.startsWith("error: "), r.toString());
    assertFalse(r.err().contains("\tat ") || r.err().contains("at org."), "no stack trace: " + r);
    assertFalse(line.matches("error: [\\w.$]*(Exception|Error)\\b.*"), "a message, not an exception: " + line);
    for (String f : fragments) {
      assertTrue(line.toLowerCase().contains(f.toLowerCase()), "'" + f + "' in: " + line);
    }
    return line;
  }

  /**
   * A snapshot of a folder: relative path → SHA-256 of each file (folders as "dir"), or an empty map with
   * the single key "(absent)" if the path does not exist. Two equal snapshots mean nothing was written.
   */
  static TreeMap<String, String> snapshot(Path dir) {
    TreeMap<String, String> m = new TreeMap<>();
    if (!Files.exists(dir)) {
      m.put("(absent)", "");
      return m;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.toList()) {
        String key = dir.relativize(p).toString();
        m.put(key, Files.isDirectory(p) ? "dir" : sha256(Files.readAllBytes(p)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return m;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Writes a small Fashion-MNIST-like IDX folder (plain files) named {@code fashion-tiny} under {@code root},
   * from the embedded sample: the first {@code trainPerClass} training and {@code testPerClass} test images of
   * each class.
   */
  static Path tinyFashion(Path root, int trainPerClass, int testPerClass) {
    DataSplits sample = DataSources.sample();
    return idxFolder(root.resolve("fashion-tiny"), sample.train().firstPerClass(trainPerClass),
        sample.test().firstPerClass(testPerClass));
  }

  /**
   * Writes an IDX folder of sample images relabelled into {@code classes} classes (label mod classes), named
   * {@code digits-k} (so it gets numbered classes and a computed normalisation).
   */
  static Path relabelled(Path root, int classes, int trainPerClass, int testPerClass) {
    DataSplits sample = DataSources.sample();
    return idxFolder(root.resolve("digits-" + classes), relabel(sample.train().firstPerClass(trainPerClass), classes),
        relabel(sample.test().firstPerClass(testPerClass), classes));
  }

  private static ImageDataset relabel(ImageDataset ds, int classes) {
    byte[] px = new byte[ds.size() * ds.imageSize()];
    int[] labels = new int[ds.size()];
    for (int i = 0; i < ds.size(); i++) {
      ds.copyImage(i, px, i * ds.imageSize());
      labels[i] = ds.label(i) % classes;
    }
    return ImageDataset.of(ds.name(), px, labels, 1, ds.height(), ds.width(), ImageDataset.numberedClasses(classes));
  }

  /** Writes train and test as the four plain IDX files into {@code dir}. */
  static Path idxFolder(Path dir, ImageDataset train, ImageDataset test) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    IdxWriter.writeImages(dir.resolve(DataSources.IDX_FILES.get(0)), train);
    IdxWriter.writeLabels(dir.resolve(DataSources.IDX_FILES.get(1)), train);
    IdxWriter.writeImages(dir.resolve(DataSources.IDX_FILES.get(2)), test);
    IdxWriter.writeLabels(dir.resolve(DataSources.IDX_FILES.get(3)), test);
    return dir;
  }

  /**
   * Writes a CIFAR-10 binary folder of random 3-channel 32×32 images: {@code perFile} records in each of
   * data_batch_1..5.bin and test_batch.bin, labels cycling through 0..9.
   */
  static Path cifarLike(Path dir, int perFile, long seed) {
    Random r = new Random(seed);
    try {
      Files.createDirectories(dir);
      List<String> files = new ArrayList<>();
      for (int b = 1; b <= 5; b++) {
        files.add("data_batch_" + b + ".bin");
      }
      files.add("test_batch.bin");
      for (String f : files) {
        byte[] bytes = new byte[perFile * 3073];
        r.nextBytes(bytes);
        for (int i = 0; i < perFile; i++) {
          bytes[i * 3073] = (byte) (i % 10);
        }
        Files.write(dir.resolve(f), bytes);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  /**
   * Saves an untrained (seeded) model with its card into {@code dir}, as {@code train} would: enough to be a
   * teacher or an eval target whose shapes are what the test needs.
   */
  static Path savedModel(Path dir, String arch, int channels, int classes, int side) {
    org.nst4j.model.TappedModel block = org.nst4j.model.ModelZoo.create(arch, channels, classes, 0);
    try (ai.djl.Model model = ai.djl.Model.newInstance(org.nst4j.store.ModelStore.MODEL_NAME)) {
      model.setBlock(block);
      block.initialize(model.getNDManager(), ai.djl.ndarray.types.DataType.FLOAT32,
          new ai.djl.ndarray.types.Shape(1, channels, side, side));
      double[] mean = new double[channels];
      double[] std = new double[channels];
      java.util.Arrays.fill(mean, 0.5);
      java.util.Arrays.fill(std, 0.25);
      org.nst4j.store.ModelCard card = new org.nst4j.store.ModelCard(org.nst4j.store.ModelCard.FORMAT, arch,
          channels, side, side, classes, ImageDataset.numberedClasses(classes), "test", mean, std, "teacher", "ce",
          0, 0, 0.0, block.tapNames(), org.nst4j.store.ModelStore.paramsFileName(), "test", "now", null);
      org.nst4j.store.ModelStore.save(dir, model, card);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  /** Edits one top-level field of a model card ({@code model.json}); a null value removes it. */
  static void editCard(Path modelDir, String field, Object value) {
    Path card = modelDir.resolve("model.json");
    try {
      com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
      com.fasterxml.jackson.databind.node.ObjectNode node =
          (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(card.toFile());
      if (value == null) {
        node.remove(field);
      } else {
        node.set(field, json.valueToTree(value));
      }
      json.writeValue(card.toFile(), node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Copies a folder tree. */
  static Path copyTree(Path from, Path to) {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : walk.toList()) {
        Path q = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(q);
        } else {
          Files.copy(p, q);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return to;
  }
}

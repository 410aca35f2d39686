package org.nst4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feeds thousands of random, bit-flipped, truncated and extended files into every reader and checks that
 * the only exception that ever escapes is a {@link DataFormatException} with a one-line message naming the
 * file. Deterministic (fixed seeds), so a failure can be replayed.
 */
class ReadersFuzzTest {
  @TempDir Path tmp;

  private final List<String> failures = new ArrayList<>();
  private int rejected;
  private int accepted;

  /** One of seven kinds of damage, chosen at random. */
  private static byte[] mutate(byte[] seed, SplittableRandom rng, StringBuilder how) {
    int kind = rng.nextInt(7);
    byte[] b;
    switch (kind) {
      case 0: { // random bytes, sometimes behind a plausible magic number
        b = new byte[rng.nextInt(300)];
        for (int i = 0; i < b.length; i++) {
          b[i] = (byte) rng.nextInt(256);
        }
        if (b.length >= 4 && rng.nextBoolean()) {
          System.arraycopy(seed, 0, b, 0, Math.min(4, seed.length));
        }
        how.append("random ").append(b.length);
        break;
      }
      case 1: { // a few bit flips anywhere
        b = seed.clone();
        int flips = 1 + rng.nextInt(8);
        for (int f = 0; f < flips; f++) {
          b[rng.nextInt(b.length)] ^= (byte) (1 << rng.nextInt(8));
        }
        how.append("flips ").append(flips);
        break;
      }
      case 2: { // bit flips in the header
        b = seed.clone();
        int flips = 1 + rng.nextInt(3);
        for (int f = 0; f < flips; f++) {
          b[rng.nextInt(Math.min(32, b.length))] ^= (byte) (1 << rng.nextInt(8));
        }
        how.append("header flips ").append(flips);
        break;
      }
      case 3: { // truncated
        b = Arrays.copyOf(seed, rng.nextInt(seed.length));
        how.append("truncated to ").append(b.length);
        break;
      }
      case 4: { // trailing garbage
        int extra = 1 + rng.nextInt(100);
        b = Arrays.copyOf(seed, seed.length + extra);
        for (int i = seed.length; i < b.length; i++) {
          b[i] = (byte) rng.nextInt(256);
        }
        how.append("extended by ").append(extra);
        break;
      }
      case 5: { // a random 32-bit word (sizes, lengths, CRCs)
        b = seed.clone();
        int at = rng.nextInt(Math.max(1, Math.min(b.length, 64) - 3));
        int v = rng.nextInt();
        for (int k = 0; k < 4 && at + k < b.length; k++) {
          b[at + k] = (byte) (v >>> (8 * k));
        }
        how.append("word at ").append(at);
        break;
      }
      default: { // flips, then truncation
        b = seed.clone();
        b[rng.nextInt(b.length)] ^= (byte) (1 << rng.nextInt(8));
        b = Arrays.copyOf(b, rng.nextInt(b.length + 1));
        how.append("flip+truncate ").append(b.length);
      }
    }
    return b;
  }

  /** Runs one case: success, or a DataFormatException naming {@code file}; anything else is recorded. */
  private void check(String label, Path file, Supplier<Object> read) {
    try {
      Object result = read.get();
      if (result == null) {
        failures.add(label + ": reader returned null");
      }
      accepted++;
    } catch (DataFormatException e) {
      String m = e.getMessage();
      if (m == null || m.isBlank() || !m.contains(file.toString()) || m.contains("\n")) {
        failures.add(label + ": bad message: " + m);
      }
      rejected++;
    } catch (Throwable t) {
      failures.add(label + ": " + t);
    }
  }

  private void assertNoFailures(int cases) {
    assertEquals(
        List.of(),
        failures.subList(0, Math.min(5, failures.size())),
        failures.size() + " of " + cases + " cases failed");
    assertEquals(cases, accepted + rejected);
    assertTrue(rejected > cases / 3, "most damage must be detected, only " + rejected + " of " + cases + " were");
  }

  @Test
  void idxReaderSurvivesDamagedFiles() throws IOException {
    ImageDataset small = DataSources.sample().test().subset(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, "s");
    Path images = tmp.resolve("images");
    Path labels = tmp.resolve("labels");
    IdxWriter.writeImages(images, small);
    IdxWriter.writeLabels(labels, small);
    byte[] imagesPlain = Files.readAllBytes(images);
    byte[] labelsPlain = Files.readAllBytes(labels);
    byte[][] seeds = {imagesPlain, TestFiles.gzip(imagesPlain), labelsPlain, TestFiles.gzip(labelsPlain)};
    SplittableRandom rng = new SplittableRandom(20240601);
    Path fuzzed = tmp.resolve("fuzzed");
    int cases = 2000;
    for (int i = 0; i < cases; i++) {
      int which = i % 4;
      StringBuilder how = new StringBuilder();
      Files.write(fuzzed, mutate(seeds[which], rng, how));
      String label = "idx case " + i + " (" + (which < 2 ? "images" : "labels") + (which % 2 == 1 ? " gz" : "")
          + ", " + how + ")";
      if (which < 2) {
        check(label, fuzzed, () -> IdxReader.read(fuzzed, labels, "f", DataSources.FASHION_MNIST_CLASSES));
      } else {
        check(label, fuzzed, () -> IdxReader.read(images, fuzzed, "f", DataSources.FASHION_MNIST_CLASSES));
      }
    }
    assertNoFailures(cases);
  }

  @Test
  void cifarReaderSurvivesDamagedFiles() throws IOException {
    byte[][] seeds = {
      TestFiles.cifar(4, CifarReader.Variant.CIFAR10, 0), TestFiles.cifar(4, CifarReader.Variant.CIFAR100, 0)
    };
    SplittableRandom rng = new SplittableRandom(77);
    Path fuzzed = tmp.resolve("batch.bin");
    int cases = 800;
    for (int i = 0; i < cases; i++) {
      CifarReader.Variant v = i % 2 == 0 ? CifarReader.Variant.CIFAR10 : CifarReader.Variant.CIFAR100;
      StringBuilder how = new StringBuilder();
      byte[] seed = seeds[i % 2];
      // Damage concentrated on the label bytes half of the time: that is where CIFAR can be wrong.
      byte[] b = mutate(seed, rng, how);
      if (rng.nextBoolean() && b.length == seed.length) {
        b[rng.nextInt(4) * v.recordSize() + rng.nextInt(2)] = (byte) rng.nextInt(256);
        how.append(" + label byte");
      }
      Files.write(fuzzed, b);
      check("cifar case " + i + " (" + v + ", " + how + ")", fuzzed, () -> CifarReader.read(List.of(fuzzed), v, "f", null));
    }
    assertNoFailures(cases);
  }

  @Test
  void imageFolderReaderSurvivesDamagedPngs() throws IOException {
    Path seeds = tmp.resolve("seeds");
    TestFiles.grayPng(seeds.resolve("gray.png"), 8, 8, 30);
    TestFiles.rgbImage(seeds.resolve("rgb.png"), 8, 8, 10, 20, 30, "png");
    byte[][] pngs = {Files.readAllBytes(seeds.resolve("gray.png")), Files.readAllBytes(seeds.resolve("rgb.png"))};
    Path root = tmp.resolve("root");
    Path good = root.resolve("a").resolve("good.png");
    Files.createDirectories(good.getParent());
    Files.write(good, pngs[0]);
    Path fuzzed = root.resolve("b").resolve("fuzzed.png");
    Files.createDirectories(fuzzed.getParent());
    SplittableRandom rng = new SplittableRandom(5);
    int cases = 1000;
    for (int i = 0; i < cases; i++) {
      StringBuilder how = new StringBuilder();
      Files.write(fuzzed, mutate(pngs[i % 2], rng, how));
      // A damaged PNG that still decodes but at another size is refused too, naming the damaged file.
      check("png case " + i + " (" + how + ")", fuzzed, () -> ImageFolderReader.read(root, "f"));
    }
    assertNoFailures(cases);
  }

  @Test
  void imageFolderReaderSurvivesDamagedJpegs() throws IOException {
    Path seeds = tmp.resolve("seeds");
    TestFiles.rgbImage(seeds.resolve("c.jpg"), 16, 16, 100, 50, 0, "jpg");
    byte[] jpeg = Files.readAllBytes(seeds.resolve("c.jpg"));
    Path root = tmp.resolve("root");
    Path fuzzed = root.resolve("a").resolve("fuzzed.jpg");
    Files.createDirectories(fuzzed.getParent());
    SplittableRandom rng = new SplittableRandom(6);
    int cases = 300;
    for (int i = 0; i < cases; i++) {
      StringBuilder how = new StringBuilder();
      Files.write(fuzzed, mutate(jpeg, rng, how));
      check("jpeg case " + i + " (" + how + ")", fuzzed, () -> ImageFolderReader.read(root, "f"));
    }
    assertEquals(List.of(), failures.subList(0, Math.min(5, failures.size())), failures.size() + " failed");
    assertEquals(cases, accepted + rejected);
  }
}

package org.nst4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

class BatchLoaderTest {
  private static final Normalization UNIT = Normalization.unit(1);

  /**
   * N 1×1×1 images whose pixel is the image's index (N ≤ 256), labels index mod 3: with the unit
   * normalisation a batch's floats reveal which images it holds.
   */
  private static ImageDataset indexed(int n) {
    byte[] px = new byte[n];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      px[i] = (byte) i;
      labels[i] = i % 3;
    }
    return ImageDataset.of("indexed", px, labels, 1, 1, 1, ImageDataset.numberedClasses(3));
  }

  private static List<Integer> indices(ImageBatch b) {
    List<Integer> out = new ArrayList<>();
    for (float v : b.images()) {
      out.add(Math.round(v * 255));
    }
    return out;
  }

  private static List<ImageBatch> all(Iterable<ImageBatch> it) {
    List<ImageBatch> out = new ArrayList<>();
    for (ImageBatch b : it) {
      out.add(b);
    }
    return out;
  }

  private static BatchLoader protocol(ImageDataset ds, long seed) {
    return new BatchLoader(ds, 64, true, true, Augmentation.fmnist10k(), Normalization.FASHION_MNIST, seed);
  }

  @Test
  void unshuffledKeepsDataOrderAndLastPartialBatch() {
    BatchLoader l = new BatchLoader(indexed(10), 4, false, false, Augmentation.none(), UNIT, 0);
    assertEquals(3, l.batchesPerEpoch());
    List<ImageBatch> batches = all(l.epoch(0));
    assertEquals(3, batches.size());
    assertEquals(List.of(0, 1, 2, 3), indices(batches.get(0)));
    assertEquals(List.of(8, 9), indices(batches.get(2)));
    assertEquals(2, batches.get(2).size());
    assertArrayEquals(new int[] {2, 0}, batches.get(2).labels());
    assertArrayEquals(new long[] {2, 0}, batches.get(2).longLabels());
    assertArrayEquals(new long[] {2, 1, 1, 1}, batches.get(2).shape());
  }

  @Test
  void dropLastDropsThePartialBatch() {
    BatchLoader l = new BatchLoader(indexed(10), 4, true, true, Augmentation.none(), UNIT, 3);
    assertEquals(2, l.batchesPerEpoch());
    List<ImageBatch> batches = all(l.epoch(5));
    assertEquals(2, batches.size());
    for (ImageBatch b : batches) {
      assertEquals(4, b.size());
    }
    java.util.Set<Integer> distinct = new java.util.HashSet<>(indices(batches.get(0)));
    distinct.addAll(indices(batches.get(1)));
    assertEquals(8, distinct.size(), "8 distinct images, 2 left out");
    BatchLoader exact = new BatchLoader(indexed(8), 4, false, true, Augmentation.none(), UNIT, 3);
    assertEquals(2, exact.batchesPerEpoch());
    assertThrows(
        IllegalArgumentException.class,
        () -> new BatchLoader(indexed(3), 4, false, true, Augmentation.none(), UNIT, 0));
    assertEquals(1, new BatchLoader(indexed(3), 4, false, false, Augmentation.none(), UNIT, 0).batchesPerEpoch());
  }

  @Test
  void shuffleIsAPermutationThatDependsOnSeedAndEpochOnly() {
    ImageDataset ds = indexed(200);
    BatchLoader a = new BatchLoader(ds, 16, true, false, Augmentation.none(), UNIT, 11);
    BatchLoader b = new BatchLoader(ds, 16, true, false, Augmentation.none(), UNIT, 11);
    List<Integer> seen = new ArrayList<>();
    for (ImageBatch batch : a.epoch(2)) {
      seen.addAll(indices(batch));
    }
    List<Integer> sorted = new ArrayList<>(seen);
    sorted.sort(null);
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      expected.add(i);
    }
    assertEquals(expected, sorted, "every image exactly once");
    assertNotEquals(expected, seen, "shuffled");
    assertArrayEquals(a.order(2), b.order(2));
    assertEquals(all(a.epoch(2)), all(b.epoch(2)));
    assertFalse(Arrays.equals(a.order(2), a.order(3)), "another epoch, another order");
    BatchLoader c = new BatchLoader(ds, 16, true, false, Augmentation.none(), UNIT, 12);
    assertFalse(Arrays.equals(a.order(2), c.order(2)), "another seed, another order");
    // The order does not depend on the batch size or on what was iterated before.
    BatchLoader d = new BatchLoader(ds, 50, true, false, Augmentation.none(), UNIT, 11);
    assertArrayEquals(a.order(2), d.order(2));
  }

  /** Each batch carries its images' indices in the data set, in batch order, whether built alone or iterated. */
  @Test
  void batchesCarryTheirImagesDatasetIndices() {
    ImageDataset ds = indexed(200);
    BatchLoader a = new BatchLoader(ds, 16, true, true, Augmentation.none(), UNIT, 5).prefetching(2);
    int b = 0;
    for (ImageBatch batch : a.epoch(1)) {
      List<Integer> fromPixels = indices(batch);
      assertEquals(batch.size(), batch.indices().length);
      for (int k = 0; k < batch.size(); k++) {
        assertEquals((long) fromPixels.get(k), batch.indices()[k], "image " + k);
        assertEquals(ds.labelArray()[(int) batch.indices()[k]], batch.labels()[k]);
      }
      assertArrayEquals(batch.indices(), a.batch(1, b).indices());
      assertArrayEquals(Arrays.copyOfRange(a.order(1), 16 * b, 16 * b + 16),
          Arrays.stream(batch.indices()).mapToInt(Math::toIntExact).toArray());
      b++;
    }
    assertEquals(12, b);
    assertThrows(IllegalArgumentException.class, () -> new ImageBatch(new float[2], new int[2], 2, 1, 1, 1, new long[3]));
  }

  @Test
  void augmentedBatchesAreReproducibleAndResumable() {
    ImageDataset ds = DataSources.sample().train();
    BatchLoader a = protocol(ds, 0);
    BatchLoader b = protocol(ds, 0);
    List<ImageBatch> e3 = all(a.epoch(3));
    assertEquals(3000 / 64, e3.size());
    assertEquals(e3, all(b.epoch(3)), "same seed and epoch, same batches");
    assertNotEquals(e3.get(0), all(a.epoch(4)).get(0), "another epoch, other batches");
    assertNotEquals(e3.get(0), protocol(ds, 1).batch(3, 0), "another seed, other batches");
    // Resume mid-epoch: the tail is identical; random access agrees.
    assertEquals(e3.subList(20, e3.size()), all(b.epoch(3, 20)));
    assertEquals(e3.get(7), b.batch(3, 7));
    assertFalse(b.epoch(3, e3.size()).hasNext(), "resuming at the end yields nothing");
  }

  @Test
  void augmentationChangesImagesOnlyByPadCropFlip() {
    ImageDataset ds = DataSources.sample().train();
    BatchLoader aug = protocol(ds, 9);
    BatchLoader plain = new BatchLoader(ds, 64, true, true, Augmentation.none(), Normalization.FASHION_MNIST, 9);
    ImageBatch a = aug.batch(1, 2);
    ImageBatch p = plain.batch(1, 2);
    assertArrayEquals(p.labels(), a.labels(), "augmentation does not change the order");
    float[][] lut = {Normalization.FASHION_MNIST.lookupTable(0)};
    Augmentation protocol = Augmentation.fmnist10k();
    int[] order = aug.order(1);
    int changed = 0;
    for (int k = 0; k < a.size(); k++) {
      byte[] src = new byte[784];
      ds.copyImage(order[2 * 64 + k], src, 0);
      float[] got = Arrays.copyOfRange(a.images(), k * 784, (k + 1) * 784);
      // The augmented image must be one of the 5·5·2 possible transforms of its source.
      boolean found = false;
      for (int dy = 0; dy <= 4 && !found; dy++) {
        for (int dx = 0; dx <= 4 && !found; dx++) {
          for (boolean flip : new boolean[] {false, true}) {
            float[] candidate = new float[784];
            protocol.apply(src, 0, 1, 28, 28, new Augmentation.Draw(dy, dx, flip), lut, candidate, 0);
            if (Arrays.equals(candidate, got)) {
              found = true;
              break;
            }
          }
        }
      }
      assertTrue(found, "image " + k + " is a pad-crop-flip of its source");
      float[] unaugmented = Arrays.copyOfRange(p.images(), k * 784, (k + 1) * 784);
      changed += Arrays.equals(unaugmented, got) ? 0 : 1;
    }
    // 1 of 50 draws is the identity: nearly all images change.
    assertTrue(changed > 50, changed + " of 64 changed");
  }

  @Test
  void pixelsAreNormalised() {
    ImageDataset ds = DataSources.sample().test();
    BatchLoader l = BatchLoader.forEvaluation(ds, 100, Normalization.FASHION_MNIST);
    assertEquals(10, l.batchesPerEpoch());
    ImageBatch b = l.batch(0, 3);
    for (int k = 0; k < 100; k += 9) {
      for (int y = 0; y < 28; y += 5) {
        for (int x = 0; x < 28; x += 3) {
          double expected = (ds.pixel(300 + k, 0, y, x) / 255.0 - 0.2860) / 0.3530;
          assertEquals(expected, b.images()[k * 784 + y * 28 + x], 1e-6);
        }
      }
      assertEquals(ds.label(300 + k), b.labels()[k]);
    }
  }

  @Test
  void multiChannelBatchesUsePerChannelTables() {
    ImageDataset ds = TestFiles.synthetic(5, 3, 2, 2, 2);
    Normalization n = Normalization.CIFAR10;
    ImageBatch b = BatchLoader.forEvaluation(ds, 5, n).batch(0, 0);
    for (int i = 0; i < 5; i++) {
      for (int c = 0; c < 3; c++) {
        assertEquals(n.apply(c, ds.pixel(i, c, 1, 0)), b.images()[i * 12 + c * 4 + 2], 1e-6);
      }
    }
  }

  @Test
  void prefetchingGivesTheSameBatchesAndCloses() throws Exception {
    ImageDataset ds = DataSources.sample().train();
    BatchLoader base = protocol(ds, 5);
    BatchLoader pre = base.prefetching(3);
    assertEquals(3, pre.prefetchDepth());
    assertEquals(all(base.epoch(1)), all(pre.epoch(1)));
    assertEquals(all(base.epoch(2, 40)), all(pre.epoch(2, 40)));
    // Abandoned early: close stops the producer.
    BatchIterator it = pre.epoch(0);
    assertEquals(base.batch(0, 0), it.next());
    Thread.sleep(20);
    it.close();
    assertFalse(it.hasNext());
    assertThrows(NoSuchElementException.class, it::next);
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      assertFalse(t.getName().equals("nst4j-batch-prefetch-epoch-0") && t.isAlive(), "producer still alive");
    }
    try (BatchIterator e = pre.epoch(4)) {
      int n = 0;
      for (ImageBatch b : e) {
        n += b.size();
      }
      assertEquals(46 * 64, n);
    }
  }

  @Test
  void iteratorProtocol() {
    BatchLoader l = new BatchLoader(indexed(5), 2, false, false, Augmentation.none(), UNIT, 0);
    BatchIterator it = l.epoch(0, 1);
    assertEquals(0, it.epoch());
    assertEquals(1, it.nextIndex());
    Iterator<ImageBatch> asIterator = it;
    assertEquals(List.of(2, 3), indices(asIterator.next()));
    assertEquals(List.of(4), indices(asIterator.next()));
    assertFalse(it.hasNext());
    assertThrows(NoSuchElementException.class, it::next);
  }

  @Test
  void argumentsAreValidated() {
    ImageDataset ds = indexed(10);
    Augmentation none = Augmentation.none();
    assertThrows(IllegalArgumentException.class, () -> new BatchLoader(ds, 0, false, false, none, UNIT, 0));
    assertThrows(
        IllegalArgumentException.class, () -> new BatchLoader(ds, 2, false, false, none, Normalization.CIFAR10, 0));
    assertThrows(NullPointerException.class, () -> new BatchLoader(ds, 2, false, false, null, UNIT, 0));
    ImageDataset empty = ImageDataset.of("e", new byte[0], new int[0], 1, 1, 1, List.of("a"));
    assertThrows(IllegalArgumentException.class, () -> new BatchLoader(empty, 2, false, false, none, UNIT, 0));
    BatchLoader l = new BatchLoader(ds, 3, false, false, none, UNIT, 0);
    assertThrows(IllegalArgumentException.class, () -> l.epoch(-1));
    assertThrows(IllegalArgumentException.class, () -> l.epoch(0, 5));
    assertThrows(IllegalArgumentException.class, () -> l.epoch(0, -1));
    assertThrows(IllegalArgumentException.class, () -> l.batch(0, 4));
    assertThrows(IllegalArgumentException.class, () -> l.prefetching(-1));
    assertThrows(IllegalArgumentException.class, () -> new ImageBatch(new float[3], new int[1], 1, 1, 2, 2));
  }

  @Test
  void augmentedBatchOf128FmnistImagesTakesWellUnderAMillisecond() {
    ImageDataset ds = DataSources.sample().train();
    BatchLoader l = new BatchLoader(ds, 128, true, true, Augmentation.fmnist10k(), Normalization.FASHION_MNIST, 0);
    int n = l.batchesPerEpoch();
    for (int e = 0; e < 40; e++) { // warm up the JIT
      for (ImageBatch b : l.epoch(e)) {
        assertEquals(128 * 784, b.images().length);
      }
    }
    // CPU time of this thread, not wall time: the machine is shared, and what is asserted is the work a
    // batch costs, not how long the scheduler made us wait.
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    double bestCpu = Double.MAX_VALUE;
    double bestWall = Double.MAX_VALUE;
    for (int round = 0; round < 10; round++) {
      long c0 = mx.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      for (ImageBatch b : l.epoch(100 + round)) {
        assertEquals(128, b.size());
      }
      bestWall = Math.min(bestWall, (System.nanoTime() - t0) / 1e6 / n);
      bestCpu = Math.min(bestCpu, (mx.getCurrentThreadCpuTime() - c0) / 1e6 / n);
    }
    System.out.printf("BatchLoader: 128×784 augmented batch: %.3f ms CPU, %.3f ms wall%n", bestCpu, bestWall);
    assertTrue(bestCpu < 1.0, "one batch took " + bestCpu + " ms of CPU time");
  }

  @Test
  void hugePaddingOnlyAddsBackground() {
    // Padding wider than the image: most crops show padding only; nothing is written out of place.
    ImageDataset ds = TestFiles.synthetic(4, 1, 3, 3, 2);
    BatchLoader l = new BatchLoader(ds, 4, true, false, Augmentation.padCropFlip(5, true), UNIT, 0);
    for (int e = 0; e < 20; e++) {
      ImageBatch b = l.batch(e, 0);
      int[] order = l.order(e);
      for (int k = 0; k < 4; k++) {
        java.util.Set<Integer> allowed = new java.util.HashSet<>();
        allowed.add(0);
        for (int j = 0; j < 9; j++) {
          allowed.add(ds.pixel(order[k], 0, j / 3, j % 3));
        }
        for (int j = 0; j < 9; j++) {
          assertTrue(allowed.contains(Math.round(b.images()[k * 9 + j] * 255)));
        }
      }
    }
  }

  @Test
  void seedsAreMixedNotAdded() {
    // Neighbouring seeds and epochs must give unrelated orders (no shifted copies).
    ImageDataset ds = indexed(50);
    BatchLoader s0 = new BatchLoader(ds, 10, true, false, Augmentation.none(), UNIT, 0);
    BatchLoader s1 = new BatchLoader(ds, 10, true, false, Augmentation.none(), UNIT, 1);
    int same = 0;
    int[] a = s0.order(1);
    int[] b = s1.order(0);
    for (int i = 0; i < 50; i++) {
      same += a[i] == b[i] ? 1 : 0;
    }
    assertTrue(same < 10, same + " equal positions");
  }
}

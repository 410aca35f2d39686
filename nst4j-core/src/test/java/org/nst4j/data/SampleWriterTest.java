package org.nst4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleWriterTest {
  @TempDir Path tmp;

  private static void assertSameData(ImageDataset a, ImageDataset b) {
    assertEquals(a.size(), b.size());
    byte[] x = new byte[a.imageSize()];
    byte[] y = new byte[b.imageSize()];
    for (int i = 0; i < a.size(); i++) {
      assertEquals(a.label(i), b.label(i), "label " + i);
      a.copyImage(i, x, 0);
      b.copyImage(i, y, 0);
      assertArrayEquals(x, y, "image " + i);
    }
  }

  @Test
  void writesTheFirstImagesOfEachClass() throws Exception {
    // The embedded sample plays the full data set here, so this runs anywhere.
    Path source = TestFiles.copySample(tmp.resolve("source"));
    Path target = tmp.resolve("out");
    DataSplits written = SampleWriter.write(source, target, 30, 10);
    for (String base : DataSources.IDX_FILES) {
      assertTrue(Files.isRegularFile(target.resolve(base + ".gz")), base);
    }
    DataSplits reread =
        DataSources.readIdxFolder(target, "re", DataSources.FASHION_MNIST_CLASSES, Normalization.FASHION_MNIST);
    int[] thirty = new int[10];
    Arrays.fill(thirty, 30);
    assertArrayEquals(thirty, reread.train().classCounts());
    assertEquals(100, reread.test().size());
    DataSplits sample = DataSources.sample();
    assertSameData(sample.train().firstPerClass(30), reread.train());
    assertSameData(sample.test().firstPerClass(10), reread.test());
    assertSameData(written.train(), reread.train());
  }

  @Test
  void regeneratedSampleEqualsTheCommittedOne() {
    assumeTrue(TestFiles.fullFmnistInstalled(), "full Fashion-MNIST not installed");
    DataSplits regenerated =
        SampleWriter.write(
            TestFiles.FULL_FMNIST, tmp.resolve("regen"), SampleWriter.TRAIN_PER_CLASS, SampleWriter.TEST_PER_CLASS);
    assertSameData(regenerated.train(), DataSources.sample().train());
    assertSameData(regenerated.test(), DataSources.sample().test());
  }

  @Test
  void badSourceIsReported() {
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> SampleWriter.write(tmp, tmp.resolve("o"), 1, 1));
    assertTrue(e.getMessage().contains("no such file"), e.getMessage());
  }
}

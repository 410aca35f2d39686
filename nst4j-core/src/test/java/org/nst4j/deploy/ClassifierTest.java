package org.nst4j.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.modality.Classifications;
import ai.djl.translate.TranslateException;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.data.DataFormatException;
import org.nst4j.data.ImageDataset;
import org.nst4j.data.ImageFolderReader;

class ClassifierTest {
  @TempDir static Path dir;
  private static Path run;
  private static ImageDataset images;
  private static int[] expected;

  @BeforeAll
  static void train() throws Exception {
    run = DeployFixtures.trainStudent(dir.resolve("run"));
    images = DeployFixtures.spread(DeployFixtures.sample().test(), 20);
    expected = DeployFixtures.argmaxByForward(run, images);
  }

  @Test
  void imagesAndFilesGetTheClassesEvalComputes() throws Exception {
    List<Path> files = DeployFixtures.writePngs(images, dir.resolve("png"));
    try (Classifier c = Classifier.load(run)) { // a run folder works as well as an exported one
      List<String> names = c.card().classNames();
      List<BufferedImage> batch = new ArrayList<>();
      for (int i = 0; i < images.size(); i++) {
        batch.add(DeployFixtures.gray(images, i));
        assertEquals(names.get(expected[i]), c.classify(batch.get(i)).best().getClassName(), "image " + i);
      }
      List<Classifications> together = c.classify(batch);
      List<Classifications> fromFiles = c.classifyFiles(files);
      for (int i = 0; i < images.size(); i++) {
        assertEquals(names.get(expected[i]), together.get(i).best().getClassName());
        assertEquals(names.get(expected[i]), fromFiles.get(i).best().getClassName());
        assertEquals(10, fromFiles.get(i).items().size());
      }
    }
  }

  @Test
  void colourAndSizeAreConvertedAsTheImageFolderReaderDoes() throws Exception {
    BufferedImage gray = DeployFixtures.gray(images, 0);
    // The same picture as RGB (R = G = B): luma gives the gray values back.
    // (Pixels are set one by one: Java2D drawing would convert linear gray to sRGB and change them.)
    BufferedImage rgb = new BufferedImage(28, 28, BufferedImage.TYPE_INT_RGB);
    // Twice as large, each pixel repeated 2×2: resized bilinearly back to 28×28, which is not exactly the
    // original picture.
    BufferedImage big = new BufferedImage(56, 56, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 56; y++) {
      for (int x = 0; x < 56; x++) {
        int v = images.pixel(0, 0, y / 2, x / 2);
        big.getRaster().setSample(x, y, 0, v);
        if (x < 28 && y < 28) {
          int w = images.pixel(0, 0, y, x);
          rgb.setRGB(x, y, (w << 16) | (w << 8) | w);
        }
      }
    }
    byte[] resized = ImageFolderReader.toPixels(big, 1, 28, 28);
    ImageDataset one = ImageDataset.of("big", resized, new int[] {0}, 1, 28, 28, images.classNames());
    int expectedBig = DeployFixtures.argmaxByForward(run, one)[0];
    try (Classifier c = Classifier.load(run)) {
      Classifications fromGray = c.classify(gray);
      Classifications fromRgb = c.classify(rgb);
      for (int k = 0; k < 10; k++) {
        assertEquals(fromGray.items().get(k).getProbability(), fromRgb.items().get(k).getProbability(), 1e-6);
      }
      assertEquals(images.classNames().get(expectedBig), c.classify(big).best().getClassName());
    }
  }

  @Test
  void anUndecodableFileIsNamed() throws Exception {
    Path bad = Files.writeString(dir.resolve("not-an-image.png"), "hello");
    try (Classifier c = Classifier.load(run)) {
      TranslateException e = assertThrows(TranslateException.class, () -> c.classifyFiles(List.of(bad)));
      Throwable cause = e;
      while (cause != null && !(cause instanceof DataFormatException)) {
        cause = cause.getCause();
      }
      assertInstanceOf(DataFormatException.class, cause);
      assertTrue(cause.getMessage().startsWith(bad.toString()), cause.getMessage());
    }
  }
}

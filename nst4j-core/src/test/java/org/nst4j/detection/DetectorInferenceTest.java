package org.nst4j.detection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Running a detector on image files: sizes that fit the grid, ids and categories of the card; bad files. */
class DetectorInferenceTest {
  @TempDir Path dir;

  @Test
  void anImageFileGivesAtMostTheTopKDetectionsOfTheCardsCategories() throws Exception {
    try (NDManager m = NDManager.newBaseManager()) {
      CenterNetDetector d = CenterNetDetector.create("resnet8", 1, 2, "stage3", 11);
      d.initialize(m, DataType.FLOAT32, new Shape(1, 1, 32, 32));
      DetectorStore.save(dir.resolve("model"), d, DetectorStoreTest.card());
    }
    Path image = dir.resolve("x.png");
    BufferedImage gray = new BufferedImage(64, 48, BufferedImage.TYPE_BYTE_GRAY);
    gray.getRaster().setSample(10, 10, 0, 255);
    ImageIO.write(gray, "png", image.toFile());
    Path odd = dir.resolve("odd.png");
    ImageIO.write(new BufferedImage(30, 30, BufferedImage.TYPE_BYTE_GRAY), "png", odd.toFile());
    try (DetectorStore.Loaded loaded = DetectorStore.load(dir)) {
      // Another size than the card's (64×48, not 32×32): the detector is fully convolutional.
      List<Detection> found = DetectorInference.detectFile(loaded, image, 7);
      assertTrue(!found.isEmpty() && found.size() <= CenterNetDecoder.DEFAULT_TOP_K, found.size() + " detections");
      for (Detection det : found) {
        assertEquals(7, det.imageId());
        assertTrue(det.categoryId() == 3 || det.categoryId() == 7, det.toString());
        assertTrue(det.bbox().right() <= 64 && det.bbox().bottom() <= 48, det.toString());
      }
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> DetectorInference.detectFile(loaded, odd, 0));
      assertTrue(e.getMessage().contains("odd.png") && e.getMessage().contains("multiples of 4"), e.getMessage());
    }
    Path text = Files.writeString(dir.resolve("t.png"), "text");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DetectorInference.readImage(text));
    assertTrue(e.getMessage().contains("t.png"), e.getMessage());
  }
}

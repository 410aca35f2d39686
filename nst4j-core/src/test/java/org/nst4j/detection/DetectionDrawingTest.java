package org.nst4j.detection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drawing detections: the image is enlarged by a whole factor and each box is drawn where it is. */
class DetectionDrawingTest {
  @TempDir Path dir;

  @Test
  void boxesAreDrawnOnTheEnlargedImage() throws Exception {
    BufferedImage black = new BufferedImage(96, 96, BufferedImage.TYPE_BYTE_GRAY);
    Path out = dir.resolve("d.png");
    DetectionDrawing.draw(black, List.of(new Detection(1, 2, new Box(40, 40, 20, 30), 0.9)), Map.of(2, "Trouser"),
        out);
    BufferedImage drawn = ImageIO.read(out.toFile());
    assertEquals(480, drawn.getWidth()); // 96 × 5 ≥ 480
    assertEquals(480, drawn.getHeight());
    // The box's left edge at x = 40·5, halfway down it; the inside and a far corner stay black.
    assertNotEquals(0, drawn.getRGB(200, 275) & 0xFFFFFF);
    assertEquals(0, drawn.getRGB(250, 275) & 0xFFFFFF);
    assertEquals(0, drawn.getRGB(470, 470) & 0xFFFFFF);
    // A large image is not enlarged.
    DetectionDrawing.draw(new BufferedImage(600, 500, BufferedImage.TYPE_INT_RGB), List.of(), Map.of(), out);
    assertEquals(600, ImageIO.read(out.toFile()).getWidth());
  }
}

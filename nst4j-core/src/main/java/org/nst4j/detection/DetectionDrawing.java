package org.nst4j.detection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Draws detections on an image with Java2D: a box per detection in its category's colour, and a label
 * ("name 0.87") above it. Small images (FMNIST-Det's are 96×96) are enlarged, pixels kept square and sharp,
 * to at least {@value #MIN_SIDE} px on the longer side so that the labels can be read.
 */
public final class DetectionDrawing {
  /** The longer side of a drawing is enlarged by a whole factor to at least this. */
  public static final int MIN_SIDE = 480;

  private static final Color[] PALETTE = {
      new Color(0xE6194B), new Color(0x3CB44B), new Color(0xFFE119), new Color(0x4363D8), new Color(0xF58231),
      new Color(0x911EB4), new Color(0x46F0F0), new Color(0xF032E6), new Color(0xBCF60C), new Color(0xFABEBE)};

  private DetectionDrawing() {}

  /**
   * Draws and writes a PNG.
   *
   * @param image the image
   * @param detections its detections (in image pixels)
   * @param names category names by id (an unknown id is drawn as its number)
   * @param out the PNG file to write (replaced if it exists)
   * @return the drawing
   */
  public static BufferedImage draw(BufferedImage image, List<Detection> detections, Map<Integer, String> names,
      Path out) throws IOException {
    BufferedImage canvas = render(image, detections, names, MIN_SIDE);
    Path parent = out.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    if (!ImageIO.write(canvas, "png", out.toFile())) {
      throw new IOException(out + ": no PNG writer");
    }
    return canvas;
  }

  /**
   * Draws detections on an enlarged copy of an image, without writing it (the experiment report tiles several).
   *
   * @param image the image
   * @param detections its detections (in image pixels), highest score first
   * @param names category names by id
   * @param minSide the longer side is enlarged by a whole factor to at least this (≥ 1)
   * @return the drawing
   */
  public static BufferedImage render(BufferedImage image, List<Detection> detections, Map<Integer, String> names,
      int minSide) {
    int scale = Math.max(1, (int) Math.ceil((double) minSide / Math.max(image.getWidth(), image.getHeight())));
    BufferedImage canvas = new BufferedImage(image.getWidth() * scale, image.getHeight() * scale,
        BufferedImage.TYPE_INT_RGB);
    Graphics2D g = canvas.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
      g.drawImage(image, 0, 0, canvas.getWidth(), canvas.getHeight(), null);
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setStroke(new BasicStroke(2f));
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
      FontMetrics fm = g.getFontMetrics();
      // Lowest score first, so the most confident boxes and labels end up on top.
      for (int i = detections.size() - 1; i >= 0; i--) {
        Detection d = detections.get(i);
        Color c = PALETTE[Math.floorMod(d.categoryId(), PALETTE.length)];
        int x = (int) Math.round(d.bbox().x() * scale);
        int y = (int) Math.round(d.bbox().y() * scale);
        int w = (int) Math.round(d.bbox().width() * scale);
        int h = (int) Math.round(d.bbox().height() * scale);
        g.setColor(c);
        g.drawRect(x, y, w, h);
        String label = names.getOrDefault(d.categoryId(), Integer.toString(d.categoryId()))
            + String.format(Locale.ROOT, " %.2f", d.score());
        int tw = fm.stringWidth(label) + 6;
        int th = fm.getHeight();
        int ty = y - th >= 0 ? y - th : y;
        g.fillRect(x, ty, tw, th);
        g.setColor(Color.BLACK);
        g.drawString(label, x + 3, ty + fm.getAscent());
      }
    } finally {
      g.dispose();
    }
    return canvas;
  }
}

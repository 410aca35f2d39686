package org.nst4j.detection;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nst4j.data.DataFormatException;

/**
 * Reads COCO results files: a JSON array of {@code {image_id, category_id, bbox, score}} (other fields are
 * ignored), checked against the ground truth they are meant for.
 */
public final class CocoResults {
  private CocoResults() {}

  /**
   * Reads detections and checks them against a ground truth.
   *
   * <p>Boxes may reach outside their image (a detector's boxes are not clipped by every tool) and may have
   * zero size (such a box overlaps nothing and so never matches), but their numbers must be finite and their
   * width and height not negative.
   *
   * @param file the results file
   * @param gt the ground truth: every detection's image and category id must be one of its own
   * @return the detections in file order
   * @throws DataFormatException if the file is missing or broken, an entry lacks a field or has a bad
   *     value, or names an image or category the ground truth does not have
   */
  public static List<Detection> read(Path file, CocoDataset gt) {
    JsonNode root = CocoReader.parse(file);
    if (!root.isArray()) {
      throw new DataFormatException(file + ": expected a JSON array of detections {image_id, category_id, bbox,"
          + " score}, got " + CocoReader.kind(root));
    }
    Map<Long, CocoImage> images = gt.imagesById();
    Map<Integer, CocoCategory> categories = gt.categoriesById();
    List<Detection> out = new ArrayList<>(root.size());
    int i = 0;
    for (JsonNode n : root) {
      String at = file + ": detection " + i++;
      long imageId = CocoReader.integer(n, "image_id", at);
      long categoryId = CocoReader.integer(n, "category_id", at);
      Box box = CocoReader.box(n, at);
      double score = CocoReader.number(n, "score", at);
      if (!images.containsKey(imageId)) {
        throw new DataFormatException(at + ": unknown image id " + imageId + " (not in " + gt.name()
            + "'s ground truth)");
      }
      if (categoryId != (int) categoryId || !categories.containsKey((int) categoryId)) {
        throw new DataFormatException(at + ": unknown category id " + categoryId + " (known: "
            + CocoDataset.describeIds(gt.categories()) + ")");
      }
      out.add(new Detection(imageId, (int) categoryId, box, score));
    }
    return out;
  }
}

package org.nst4j.detection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.data.DataFormatException;

/** Results files: read in order, checked against the ground truth, every defect one line. */
class CocoResultsTest {
  @TempDir Path dir;
  private final CocoDataset gt = Gt.of(2, 3).box(1, 1, 0, 0, 10, 10).build();

  private List<Detection> read(String json) throws IOException {
    Path f = dir.resolve("d" + System.nanoTime() + ".json");
    Files.writeString(f, json);
    return CocoResults.read(f, gt);
  }

  private void bad(String json, String... fragments) {
    DataFormatException e = assertThrows(DataFormatException.class, () -> read(json));
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    assertTrue(e.getMessage().startsWith(dir.toString()), e.getMessage());
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), "'" + f + "' in " + e.getMessage());
    }
  }

  @Test
  void detectionsAreReadInFileOrderIgnoringOtherFields() throws IOException {
    List<Detection> d = read("[{\"image_id\": 2, \"category_id\": 3, \"bbox\": [-5, 190, 20, 20.5], \"score\": 0.25,"
        + " \"id\": 7}, {\"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, 0, 0], \"score\": 2}]");
    assertEquals(List.of(Gt.det(2, 3, -5, 190, 20, 20.5, 0.25), Gt.det(1, 1, 0, 0, 0, 0, 2)), d);
    assertEquals(List.of(), read("[]"));
  }

  @Test
  void unknownImagesAndCategoriesAreRefused() {
    bad("[{\"image_id\": 3, \"category_id\": 1, \"bbox\": [0, 0, 1, 1], \"score\": 1}]", "detection 0",
        "unknown image id 3");
    bad("[{\"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, 1, 1], \"score\": 1},"
        + " {\"image_id\": 1, \"category_id\": 4, \"bbox\": [0, 0, 1, 1], \"score\": 1}]", "detection 1",
        "unknown category id 4", "known: 1..3");
  }

  @Test
  void brokenEntriesAreRefused() {
    bad("{}", "expected a JSON array");
    bad("[{\"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, 1, 1]}]", "missing field 'score'");
    bad("[{\"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, -1, 1], \"score\": 1}]", "negative width");
    bad("[{\"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, 1], \"score\": 1}]", "[x, y, width, height]");
    bad("[{\"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, 1, 1], \"score\": NaN}]", "not valid JSON");
    bad("[{\"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, 1, 1], \"score\": \"high\"}]", "'score'");
    bad("[{\"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, 1, 1], \"score\": 1}", "not valid JSON");
    bad("[3]", "detection 0", "expected an object");
  }
}

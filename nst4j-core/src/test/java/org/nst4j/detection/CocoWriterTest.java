package org.nst4j.detection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Written files read back equal, byte-identically on a second write, one entry per line. */
class CocoWriterTest {
  @TempDir Path dir;

  private static CocoDataset dataset(Path imageDir) {
    return new CocoDataset("w", imageDir, List.of(new CocoImage(1, "a.png", 20, 20), new CocoImage(2, "b \"q\".png", 20, 20)),
        List.of(new CocoCategory(1, "T-shirt/top"), new CocoCategory(4, "ünïcode")),
        List.of(CocoAnnotation.of(1, 1, 1, new Box(1, 2, 3, 4)),
            new CocoAnnotation(2, 2, 4, new Box(0.25, 0, 19.75, 20), 123.5, true)));
  }

  @Test
  void instancesReadBackEqualAndAreDeterministic() throws IOException {
    Path file = dir.resolve("instances.json");
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("description", "test");
    info.put("seed", 7L);
    info.put("ok", true);
    CocoWriter.writeInstances(file, dataset(dir), info);
    CocoDataset back = CocoReader.readAnnotations(file);
    CocoDataset expected = dataset(dir.toAbsolutePath());
    assertEquals(expected.images(), back.images());
    assertEquals(expected.categories(), back.categories());
    assertEquals(expected.annotations(), back.annotations());
    byte[] first = Files.readAllBytes(file);
    CocoWriter.writeInstances(file, dataset(dir), info);
    assertArrayEquals(first, Files.readAllBytes(file));
    String text = Files.readString(file);
    assertTrue(text.startsWith("{\"info\": {\"description\":\"test\",\"seed\":7,\"ok\":true},\n"), text);
    assertTrue(text.contains("\n{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[1,2,3,4],\"area\":12,\"iscrowd\":0},\n"),
        text);
    try (var s = Files.list(dir)) {
      assertEquals(1, s.count(), "no temporary file left");
    }
  }

  @Test
  void resultsReadBackEqual() throws IOException {
    Path file = dir.resolve("detections.json");
    List<Detection> d = List.of(new Detection(1, 4, new Box(0.5, 1, 2, 3), 0.875), new Detection(2, 1, new Box(0, 0, 1, 1), 1));
    CocoWriter.writeResults(file, d);
    assertEquals(d, CocoResults.read(file, dataset(dir)));
    assertTrue(Files.readString(file).contains("{\"image_id\":1,\"category_id\":4,\"bbox\":[0.5,1,2,3],\"score\":0.875}"));
    CocoWriter.writeResults(file, List.of());
    assertEquals(List.of(), CocoResults.read(file, dataset(dir)));
  }
}

package org.nst4j.detection;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * Writes COCO JSON files that {@link CocoReader} and other COCO tools read: instances files and results
 * files. Output is deterministic (fields in a fixed order, one entry per line, integral values without a
 * fraction) so that the same data set gives byte-identical files.
 */
public final class CocoWriter {
  // Generators must not close the shared writer: each writes one value into it.
  private static final JsonFactory FACTORY =
      new JsonFactory().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

  private CocoWriter() {}

  /**
   * Writes a data set's {@code instances.json}, atomically (a temporary file renamed over the target).
   *
   * @param file the file to write (replaced if it exists)
   * @param ds the data set
   * @param info the {@code info} object (description, version, ...), written in iteration order; values are
   *     strings, numbers or booleans
   * @throws IOException if the file cannot be written
   */
  public static void writeInstances(Path file, CocoDataset ds, Map<String, ?> info) throws IOException {
    atomically(file, out -> {
      out.write("{\"info\": ");
      entry(out, g -> {
        g.writeStartObject();
        for (Map.Entry<String, ?> e : info.entrySet()) {
          g.writeFieldName(e.getKey());
          writeScalar(g, e.getValue());
        }
        g.writeEndObject();
      });
      out.write(",\n\"images\": [");
      array(out, ds.images(), (g, im) -> {
        g.writeStartObject();
        g.writeNumberField("id", im.id());
        g.writeStringField("file_name", im.fileName());
        g.writeNumberField("width", im.width());
        g.writeNumberField("height", im.height());
        g.writeEndObject();
      });
      out.write(",\n\"categories\": [");
      array(out, ds.categories(), (g, c) -> {
        g.writeStartObject();
        g.writeNumberField("id", c.id());
        g.writeStringField("name", c.name());
        g.writeEndObject();
      });
      out.write(",\n\"annotations\": [");
      array(out, ds.annotations(), (g, a) -> {
        g.writeStartObject();
        g.writeNumberField("id", a.id());
        g.writeNumberField("image_id", a.imageId());
        g.writeNumberField("category_id", a.categoryId());
        writeBox(g, a.bbox());
        g.writeFieldName("area");
        writeNumber(g, a.area());
        g.writeNumberField("iscrowd", a.crowd() ? 1 : 0);
        g.writeEndObject();
      });
      out.write("}\n");
    });
  }

  /**
   * Writes detections as a COCO results file, {@code [{image_id, category_id, bbox, score}, ...]}, atomically.
   *
   * @param file the file to write (replaced if it exists)
   * @param detections the detections, written in this order
   * @throws IOException if the file cannot be written
   */
  public static void writeResults(Path file, List<Detection> detections) throws IOException {
    atomically(file, out -> {
      out.write("[");
      array(out, detections, (g, d) -> {
        g.writeStartObject();
        g.writeNumberField("image_id", d.imageId());
        g.writeNumberField("category_id", d.categoryId());
        writeBox(g, d.bbox());
        g.writeFieldName("score");
        writeNumber(g, d.score());
        g.writeEndObject();
      });
      out.write("\n");
    });
  }

  private interface Body {
    void write(Writer out) throws IOException;
  }

  private interface Entry {
    void write(JsonGenerator g) throws IOException;
  }

  private interface ItemWriter<X> {
    void write(JsonGenerator g, X item) throws IOException;
  }

  private static void atomically(Path file, Body body) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
    try {
      try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        body.write(out);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** One JSON value, written by its own generator so that the layout between values stays ours. */
  private static void entry(Writer out, Entry e) throws IOException {
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      e.write(g);
    }
  }

  /** The rest of an array whose "[" is written: one entry per line, diffable and greppable. */
  private static <X> void array(Writer out, List<X> items, ItemWriter<X> w) throws IOException {
    for (int i = 0; i < items.size(); i++) {
      out.write(i == 0 ? "\n" : ",\n");
      X item = items.get(i);
      entry(out, g -> w.write(g, item));
    }
    out.write(items.isEmpty() ? "]" : "\n]");
  }

  private static void writeBox(JsonGenerator g, Box b) throws IOException {
    g.writeArrayFieldStart("bbox");
    writeNumber(g, b.x());
    writeNumber(g, b.y());
    writeNumber(g, b.width());
    writeNumber(g, b.height());
    g.writeEndArray();
  }

  /** Integral values as integers (12, not 12.0), as COCO's own files and pixel boxes have them. */
  private static void writeNumber(JsonGenerator g, double v) throws IOException {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      g.writeNumber((long) v);
    } else {
      g.writeNumber(v);
    }
  }

  private static void writeScalar(JsonGenerator g, Object v) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (v instanceof Integer || v instanceof Long) {
      g.writeNumber(((Number) v).longValue());
    } else if (v instanceof Number n) {
      writeNumber(g, n.doubleValue());
    } else {
      g.writeString(v.toString());
    }
  }
}

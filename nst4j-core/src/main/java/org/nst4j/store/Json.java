package org.nst4j.store;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Shared JSON settings (snake_case keys, pretty files, one-line log records) and atomic file writes. */
public final class Json {
  /** Mapper for files read by people and by other tools: snake_case, indented. */
  public static final ObjectMapper PRETTY = base().enable(SerializationFeature.INDENT_OUTPUT);
  /** Mapper for JSON-lines logs: snake_case, one line per value. */
  public static final ObjectMapper LINE = base();

  private Json() {}

  private static ObjectMapper base() {
    return new ObjectMapper()
        .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  }

  /**
   * Writes {@code value} as indented JSON to {@code file} atomically: a temporary file in the same folder
   * is renamed over the target, so a reader (or a killed run) never sees half a file.
   */
  public static void writeAtomically(Path file, Object value) throws IOException {
    writeAtomically(file, PRETTY.writeValueAsBytes(value));
  }

  /** Writes bytes to {@code file} atomically (temporary file + rename). */
  public static void writeAtomically(Path file, byte[] bytes) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
    try {
      Files.write(tmp, bytes);
      Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Appends one JSON line (the record) to {@code file}. */
  public static void appendLine(Path file, Object value) throws IOException {
    String line = LINE.writeValueAsString(value) + "\n";
    Files.writeString(file, line, StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
  }
}

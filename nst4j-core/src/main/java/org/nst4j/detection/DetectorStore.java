package org.nst4j.detection;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.nst4j.store.Json;

/**
 * Saves and loads a trained detector: a folder ({@code model/} in a run folder) holding
 * {@value #CARD_FILE} ({@link DetectorCard}) and {@value #PARAMS_FILE} (DJL's parameter format).
 *
 * <p>Separate from {@code org.nst4j.store.ModelStore}, whose cards describe classifiers (classes,
 * normalisation, accuracy); a detector needs its tap and the category id of each heatmap channel instead.
 */
public final class DetectorStore {
  /** The card's file name. */
  public static final String CARD_FILE = "detector.json";
  /** The parameters' file name. */
  public static final String PARAMS_FILE = "detector.params";
  /** The card format written. */
  public static final int FORMAT = 1;

  private DetectorStore() {}

  /** A loaded detector and the manager owning its parameters (closed with it). */
  public record Loaded(NDManager manager, CenterNetDetector detector, DetectorCard card) implements AutoCloseable {
    @Override
    public void close() {
      manager.close();
    }
  }

  /**
   * Saves a detector into a folder (created if needed; its two files are replaced atomically).
   *
   * @param dir the folder
   * @param detector an initialised detector
   * @param card its description
   */
  public static void save(Path dir, CenterNetDetector detector, DetectorCard card) throws IOException {
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + PARAMS_FILE, ".tmp");
    try {
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp));
          DataOutputStream data = new DataOutputStream(out)) {
        detector.saveParameters(data);
      }
      Files.move(tmp, dir.resolve(PARAMS_FILE), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
    Json.writeAtomically(dir.resolve(CARD_FILE), card);
  }

  /**
   * The folder of a saved detector: the path itself, or its {@code model/} subfolder (a run folder).
   *
   * @throws IllegalArgumentException if neither holds {@value #CARD_FILE}
   */
  public static Path modelDir(Path path) {
    if (Files.isRegularFile(path.resolve(CARD_FILE))) {
      return path;
    }
    if (Files.isRegularFile(path.resolve("model").resolve(CARD_FILE))) {
      return path.resolve("model");
    }
    if (!Files.exists(path)) {
      throw new IllegalArgumentException(path + ": no such folder");
    }
    throw new IllegalArgumentException(path + ": no " + CARD_FILE + " here or in " + path.resolve("model")
        + " (not a detector run folder; is the run finished?)");
  }

  /**
   * Loads a detector saved by {@link #save}.
   *
   * @param path a run folder or its {@code model/} folder
   * @return the detector, initialised, in a new manager
   * @throws IllegalArgumentException if the card is missing or unreadable, or the parameters do not fit it
   */
  public static Loaded load(Path path) {
    Path dir = modelDir(path);
    DetectorCard card;
    try {
      card = Json.PRETTY.readValue(dir.resolve(CARD_FILE).toFile(), DetectorCard.class);
    } catch (IOException e) {
      throw new IllegalArgumentException(dir.resolve(CARD_FILE) + ": unreadable detector card ("
          + firstLine(e.getMessage()) + ")");
    }
    if (card == null || card.format() != FORMAT || card.arch() == null || card.tap() == null
        || card.categoryIds().isEmpty()) {
      throw new IllegalArgumentException(dir.resolve(CARD_FILE) + ": not a detector card of format " + FORMAT);
    }
    Path params = dir.resolve(card.paramsFile() == null ? PARAMS_FILE : card.paramsFile());
    NDManager manager = NDManager.newBaseManager();
    try {
      CenterNetDetector detector = CenterNetDetector.create(card.arch(), card.inputChannels(),
          card.categoryIds().size(), card.tap(), card.seed());
      detector.initialize(manager, DataType.FLOAT32, new Shape(1, card.inputChannels(), card.height(), card.width()));
      try (InputStream in = new BufferedInputStream(Files.newInputStream(params))) {
        detector.loadParameters(manager, new DataInputStream(in));
        if (in.read() != -1) {
          throw new IllegalArgumentException(params + ": trailing bytes after the detector's parameters");
        }
      }
      return new Loaded(manager, detector, card);
    } catch (IOException | MalformedModelException | RuntimeException e) {
      manager.close();
      if (e instanceof IllegalArgumentException iae && iae.getMessage() != null
          && iae.getMessage().startsWith(params.toString())) {
        throw iae;
      }
      throw new IllegalArgumentException(params + ": parameters do not fit the detector of " + card.arch() + " ("
          + firstLine(String.valueOf(e.getMessage())) + ")");
    }
  }

  private static String firstLine(String m) {
    int nl = m == null ? -1 : m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}

package org.nst4j.train;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.nst4j.model.ModelZoo;
import org.nst4j.model.TappedModel;

/**
 * Saves and loads models in DJL's format ({@code model-0000.params}, written by {@link Model#save}) with a
 * {@link ModelCard} beside them in {@code model.json}.
 *
 * <p>A model folder is {@code <run>/model}; loading accepts the run folder or the model folder.
 */
public final class ModelStore {
  /** DJL model name, hence the prefix of the parameter file. */
  public static final String MODEL_NAME = "model";
  /** The card's file name. */
  public static final String CARD_FILE = "model.json";

  private ModelStore() {}

  /**
   * Saves a model's parameters and card into {@code dir}, replacing what was there only once both are
   * fully written (the files are written under temporary names and renamed).
   *
   * @param dir the model folder (created if needed)
   * @param model the DJL model whose block is a {@link TappedModel}
   * @param card the card
   */
  public static void save(Path dir, Model model, ModelCard card) throws IOException {
    Files.createDirectories(dir);
    Path staging = Files.createTempDirectory(dir.toAbsolutePath().getParent(), ".model-staging");
    try {
      model.save(staging, MODEL_NAME);
      Path params = findParams(staging);
      Files.move(params, dir.resolve(card.paramsFile()), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Json.writeAtomically(dir.resolve(CARD_FILE), card);
    } finally {
      deleteTree(staging);
    }
  }

  /** The name of the parameter file {@link #save} writes. */
  public static String paramsFileName() {
    return MODEL_NAME + "-0000.params";
  }

  /**
   * Reads the card of a saved model.
   *
   * @param path a run folder or a model folder
   * @return the card
   * @throws IllegalArgumentException if there is no readable card
   */
  public static ModelCard readCard(Path path) {
    Path dir = modelDir(path);
    try {
      ModelCard card = Json.PRETTY.readValue(dir.resolve(CARD_FILE).toFile(), ModelCard.class);
      if (!ModelCard.FORMAT.equals(card.format())) {
        throw new IllegalArgumentException(dir.resolve(CARD_FILE) + ": unknown model format '" + card.format() + "'");
      }
      return card;
    } catch (IOException e) {
      throw new IllegalArgumentException(dir.resolve(CARD_FILE) + ": not a readable model card: " + firstLine(e));
    }
  }

  /**
   * Loads a saved model: rebuilds its architecture from the card and reads its parameters.
   *
   * @param path a run folder or a model folder
   * @param device the device to load onto, e.g. {@code Device.cpu()}
   * @return the DJL model (its block is a {@link TappedModel}); the caller closes it
   * @throws IllegalArgumentException if the card is missing or the parameters do not fit the architecture
   */
  public static Model load(Path path, ai.djl.Device device) {
    Path dir = modelDir(path);
    ModelCard card = readCard(dir);
    TappedModel block = ModelZoo.create(card.architecture(), card.inputChannels(), card.numClasses(), 0);
    Model model = Model.newInstance(MODEL_NAME, device);
    try {
      model.setBlock(block);
      NDManager manager = model.getNDManager();
      block.initialize(manager, DataType.FLOAT32,
          new Shape(1, card.inputChannels(), card.inputHeight(), card.inputWidth()));
      Path params = dir.resolve(card.paramsFile());
      if (!Files.isRegularFile(params)) {
        throw new IllegalArgumentException(params + ": parameter file missing");
      }
      try (var in = new java.io.DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(params)))) {
        readDjlHeaderAndParameters(in, block, manager, params, card);
      }
      return model;
    } catch (IOException | RuntimeException | MalformedModelException e) {
      model.close();
      if (e instanceof IllegalArgumentException) {
        throw (IllegalArgumentException) e;
      }
      throw new IllegalArgumentException(dir.resolve(card.paramsFile()) + ": parameters do not fit architecture "
          + card.architecture() + " (" + firstLine(e) + ")");
    }
  }

  /**
   * Reads a DJL parameter file as {@code Model.save} writes it: magic "DJL@", version, model name, data
   * type, input descriptors, properties, then the block's parameters. Parsed here instead of through
   * {@code Model.load} so that a file that does not fit the architecture gives one clear error, and a
   * trailing byte count mismatch is caught.
   */
  private static void readDjlHeaderAndParameters(
      java.io.DataInputStream in, TappedModel block, NDManager manager, Path file, ModelCard card)
      throws IOException, MalformedModelException {
    byte[] magic = new byte[4];
    in.readFully(magic);
    if (!"DJL@".equals(new String(magic, java.nio.charset.StandardCharsets.US_ASCII))) {
      throw new IllegalArgumentException(file + ": not a DJL parameter file (bad magic)");
    }
    int version = in.readInt();
    if (version != 1) {
      throw new IllegalArgumentException(file + ": unsupported DJL parameter file version " + version);
    }
    in.readUTF(); // model name
    in.readUTF(); // data type
    int inputs = in.readInt();
    for (int i = 0; i < inputs; i++) {
      in.readUTF();
      Shape.decode(in);
    }
    int properties = in.readInt();
    for (int i = 0; i < properties; i++) {
      in.readUTF();
      in.readUTF();
    }
    block.loadParameters(manager, in);
    if (in.read() != -1) {
      throw new IllegalArgumentException(file + ": trailing bytes after the parameters of " + card.architecture());
    }
  }

  /** The model folder of a run folder or model folder. */
  public static Path modelDir(Path path) {
    if (!Files.exists(path)) {
      throw new IllegalArgumentException(path + ": no such file or folder");
    }
    if (Files.isRegularFile(path.resolve(CARD_FILE))) {
      return path;
    }
    if (Files.isRegularFile(path.resolve("model").resolve(CARD_FILE))) {
      return path.resolve("model");
    }
    throw new IllegalArgumentException(path + ": no " + CARD_FILE + " here or in " + path.resolve("model")
        + " (expected a model saved by nst4j train or distill)");
  }

  private static Path findParams(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".params")).findFirst()
          .orElseThrow(() -> new IOException("DJL wrote no .params file in " + dir));
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static String firstLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}

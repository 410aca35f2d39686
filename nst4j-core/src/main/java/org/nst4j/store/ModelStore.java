package org.nst4j.store;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.nst4j.model.ModelZoo;
import org.nst4j.model.Models;
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
      String sha = sha256(params);
      Files.move(params, dir.resolve(card.paramsFile()), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Json.writeAtomically(dir.resolve(CARD_FILE), card.withParamsSha256(sha));
    } finally {
      deleteTree(staging);
    }
  }

  /**
   * Saves a model's parameters and card, as {@link #save(Path, Model, ModelCard)}, for a model held as a block
   * (e.g. the student of a {@code DistillationBlock} after training).
   *
   * @param dir the model folder (created if needed)
   * @param model the initialised model
   * @param card its card (see {@link ModelCard#of})
   * @throws IllegalStateException if the model is not initialised
   * @throws IOException if writing fails
   */
  public static void save(Path dir, TappedModel model, ModelCard card) throws IOException {
    if (!model.isInitialized()) {
      throw new IllegalStateException(model.architecture() + " is not initialised; there is nothing to save");
    }
    // A model of its own only to use DJL's file format; closing it leaves the block's arrays alone (they belong
    // to the manager that initialised the block).
    try (Model holder = Model.newInstance(MODEL_NAME)) {
      holder.setBlock(model);
      save(dir, holder, card);
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
      if (card == null) {
        throw new IllegalArgumentException(dir.resolve(CARD_FILE) + ": empty model card");
      }
      if (!ModelCard.FORMAT.equals(card.format())) {
        throw new IllegalArgumentException(dir.resolve(CARD_FILE) + ": unknown model format '" + card.format() + "'");
      }
      checkCard(card, dir.resolve(CARD_FILE));
      return card;
    } catch (IOException e) {
      // Jackson's parse and mapping errors (truncated JSON, a string where a number belongs) are IOExceptions.
      throw new IllegalArgumentException(dir.resolve(CARD_FILE) + ": not a readable model card: " + firstLine(e));
    }
  }

  /** Largest image side a card may state (guards the sample allocation against a corrupt card). */
  static final int MAX_SIDE = 4096;

  /** Checks the fields loading relies on; a card edited by hand fails here with the field's name. */
  private static void checkCard(ModelCard card, Path file) {
    String bad = null;
    if (card.architecture() == null || card.architecture().isBlank()) {
      bad = "no architecture";
    } else if (card.inputChannels() < 1 || card.inputChannels() > 64) {
      bad = "input_channels " + card.inputChannels() + " is not in [1, 64]";
    } else if (card.inputHeight() < 1 || card.inputHeight() > MAX_SIDE || card.inputWidth() < 1
        || card.inputWidth() > MAX_SIDE) {
      bad = "input size " + card.inputHeight() + "×" + card.inputWidth() + " is not in [1, " + MAX_SIDE + "]";
    } else if (card.numClasses() < 1 || card.numClasses() > 100_000) {
      bad = "num_classes " + card.numClasses() + " is not in [1, 100000]";
    } else if (card.paramsFile() == null || !card.paramsFile().matches("[A-Za-z0-9._-]+")
        || card.paramsFile().startsWith(".")) {
      bad = "params_file " + card.paramsFile() + " is not a plain file name";
    } else if (card.normalizationMean() == null || card.normalizationStd() == null
        || card.normalizationMean().length != card.inputChannels()
        || card.normalizationStd().length != card.inputChannels()) {
      bad = "normalization_mean and normalization_std need one value per input channel";
    } else if (card.classNames() != null && card.classNames().size() != card.numClasses()) {
      bad = card.classNames().size() + " class_names for " + card.numClasses() + " classes";
    }
    if (bad != null) {
      throw new IllegalArgumentException(file + ": bad model card: " + bad);
    }
    for (int c = 0; c < card.inputChannels(); c++) {
      double m = card.normalizationMean()[c];
      double sd = card.normalizationStd()[c];
      if (!Double.isFinite(m) || !(sd > 0) || !Double.isFinite(sd)) {
        throw new IllegalArgumentException(file + ": bad model card: normalization of channel " + c + " is mean "
            + m + ", std " + sd);
      }
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
    TappedModel block = create(dir, card);
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
      if (card.paramsSha256() != null && !card.paramsSha256().equalsIgnoreCase(sha256(params))) {
        throw new IllegalArgumentException(params + ": damaged or replaced parameter file (its SHA-256 differs"
            + " from the one in " + CARD_FILE + ")");
      }
      try (var in = new java.io.DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(params)))) {
        readDjlHeaderAndParameters(in, block, manager, params, card);
      }
      return model;
    } catch (OutOfMemoryError e) {
      // A damaged length field in a file without checksum can ask the decoder for gigabytes.
      model.close();
      throw new IllegalArgumentException(dir.resolve(card.paramsFile()) + ": parameters do not fit architecture "
          + card.architecture() + " (a length in the file is implausible)");
    } catch (IOException | RuntimeException | MalformedModelException e) {
      model.close();
      Path params = dir.resolve(card.paramsFile());
      if (e instanceof IllegalArgumentException && e.getMessage() != null
          && e.getMessage().startsWith(params.toString())) {
        throw (IllegalArgumentException) e;
      }
      if (e instanceof MalformedModelException) {
        throw new IllegalArgumentException(params + ": " + firstLine(e));
      }
      if (e instanceof java.io.EOFException) {
        throw new IllegalArgumentException(params + ": parameters do not fit architecture " + card.architecture()
            + " (the file ends early)");
      }
      throw new IllegalArgumentException(params + ": parameters do not fit architecture "
          + card.architecture() + " (" + firstLine(e) + ")");
    }
  }

  /**
   * Builds the (uninitialised) architecture a card names: a zoo model, or a custom one registered with {@link
   * ModelZoo#register} in this JVM.
   *
   * @param dir the model folder, for messages
   * @param card its card
   * @return the model
   * @throws IllegalArgumentException naming the card file if the architecture is unknown, saying how to register
   *     a custom one
   */
  public static TappedModel create(Path dir, ModelCard card) {
    try {
      return ModelZoo.create(card.architecture(), card.inputChannels(), card.numClasses(), 0);
    } catch (IllegalArgumentException e) {
      String hint = ModelZoo.isKnown(card.architecture()) ? ""
          : "; a custom model must be registered first with ModelZoo.register(\"" + card.architecture()
              + "\", factory)";
      throw new IllegalArgumentException(dir.resolve(CARD_FILE) + ": " + e.getMessage() + hint, e);
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
    // Models.loadParameters also compares every loaded shape with the initialised architecture's (DJL
    // alone would take wrongly shaped arrays and fail later, in the first forward).
    Models.loadParameters(block, manager, in);
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

  /** Lower-case hex SHA-256 of a file. */
  static String sha256(Path file) throws IOException {
    java.security.MessageDigest md;
    try {
      md = java.security.MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM lacks SHA-256", e);
    }
    try (var in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return java.util.HexFormat.of().formatHex(md.digest());
  }

  private static String firstLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}

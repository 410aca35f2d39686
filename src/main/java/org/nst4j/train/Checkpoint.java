package org.nst4j.train;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.nst4j.model.Models;
import org.nst4j.model.TappedModel;
import org.nst4j.store.Json;

/**
 * The complete state of a run at the end of an epoch: model parameters (with BatchNorm statistics), the
 * objective's auxiliary parameters, the optimiser's momentum buffers and the schedule position.
 *
 * <p>Randomness needs no saving: batch order and augmentation are a pure function of (seed, epoch) and
 * initialisation of the seed, so a run resumed from here ends with the same weights as an uninterrupted one.
 * Written atomically (temporary file + rename): a kill during the write leaves the previous checkpoint.
 *
 * <p>Layout: magic {@code NST4JCKP}, version, payload length (8 bytes), CRC-32 of the payload, payload. The
 * checksum is verified before anything is parsed, so a truncated or bit-flipped file is refused as such
 * instead of feeding garbage lengths and shapes to the array decoder.
 *
 * <p>Payload of version 2: epochs, step, architecture, model parameters, the objective's auxiliary parameters,
 * the optimiser. Version 3 appends the objective's term state ({@link
 * org.nst4j.transfer.Objective#saveState()}: CRD's memory banks, Z and sampler) as a count, then per term its
 * name (UTF), byte length and bytes. A run whose objective keeps no term state still writes version 2, byte for
 * byte as before; both versions are read.
 */
public final class Checkpoint {
  private static final byte[] MAGIC = "NST4JCKP".getBytes(StandardCharsets.US_ASCII);
  /** The version written without term state. */
  private static final int VERSION = 2;
  /** The version written with term state. */
  private static final int VERSION_WITH_TERM_STATE = 3;

  private final int epochsDone;
  private final long step;
  private final Map<String, byte[]> termStates;

  private Checkpoint(int epochsDone, long step, Map<String, byte[]> termStates) {
    this.epochsDone = epochsDone;
    this.step = step;
    this.termStates = termStates;
  }

  /** The objective's term state, by term name (empty for a version-2 file); restore it into the objective. */
  public Map<String, byte[]> termStates() {
    return termStates;
  }

  /** Number of completed epochs. */
  public int epochsDone() {
    return epochsDone;
  }

  /** Number of optimiser updates done (the schedule position). */
  public long step() {
    return step;
  }

  /**
   * Writes a checkpoint atomically.
   *
   * @param file the checkpoint file
   * @param epochsDone completed epochs
   * @param step updates done
   * @param model the model being trained
   * @param auxiliary the objective's auxiliary parameters
   * @param optimizer the optimiser
   */
  public static void write(Path file, int epochsDone, long step, TappedModel model, List<Parameter> auxiliary,
      NesterovSgd optimizer) throws IOException {
    write(file, epochsDone, step, model, auxiliary, optimizer, Map.of());
  }

  /**
   * Writes a checkpoint atomically, with the objective's term state.
   *
   * @param file the checkpoint file
   * @param epochsDone completed epochs
   * @param step updates done
   * @param model the model being trained
   * @param auxiliary the objective's auxiliary parameters
   * @param optimizer the optimiser
   * @param termStates the objective's {@code saveState()}; empty writes version 2
   */
  public static void write(Path file, int epochsDone, long step, TappedModel model, List<Parameter> auxiliary,
      NesterovSgd optimizer, Map<String, byte[]> termStates) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 20);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(epochsDone);
      out.writeLong(step);
      out.writeUTF(model.architecture());
      model.saveParameters(out);
      out.writeInt(auxiliary.size());
      for (Parameter p : auxiliary) {
        byte[] encoded = p.getArray().encode();
        out.writeInt(encoded.length);
        out.write(encoded);
      }
      optimizer.save(out);
      if (!termStates.isEmpty()) {
        out.writeInt(termStates.size());
        for (Map.Entry<String, byte[]> e : termStates.entrySet()) {
          out.writeUTF(e.getKey());
          out.writeInt(e.getValue().length);
          out.write(e.getValue());
        }
      }
    }
    byte[] payload = bytes.toByteArray();
    CRC32 crc = new CRC32();
    crc.update(payload);
    ByteArrayOutputStream whole = new ByteArrayOutputStream(payload.length + 32);
    try (DataOutputStream out = new DataOutputStream(whole)) {
      out.write(MAGIC);
      out.writeInt(termStates.isEmpty() ? VERSION : VERSION_WITH_TERM_STATE);
      out.writeLong(payload.length);
      out.writeLong(crc.getValue());
      out.write(payload);
    }
    Json.writeAtomically(file, whole.toByteArray());
  }

  /**
   * Restores a checkpoint into the given model, auxiliary parameters and optimiser.
   *
   * @param file the checkpoint file
   * @param manager the model's manager
   * @param model the model, built with the same architecture
   * @param auxiliary the objective's auxiliary parameters, initialised
   * @param optimizer the optimiser over the same parameters
   * @return the position the run resumes from
   * @throws IllegalArgumentException if the file is not a checkpoint of this model
   */
  public static Checkpoint restore(Path file, NDManager manager, TappedModel model, List<Parameter> auxiliary,
      NesterovSgd optimizer) throws IOException {
    int[] version = new int[1];
    byte[] payload = readPayload(file, version);
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
      int epochs = in.readInt();
      long step = in.readLong();
      String arch = in.readUTF();
      if (!arch.equals(model.architecture())) {
        throw new IllegalArgumentException(file + ": checkpoint of " + arch + ", this run trains " + model.architecture());
      }
      if (epochs < 1 || step < 0) {
        throw new IllegalArgumentException(file + ": checkpoint at epoch " + epochs + ", step " + step);
      }
      try {
        Models.loadParameters(model, manager, in);
      } catch (MalformedModelException e) {
        throw new IllegalArgumentException(file + ": checkpoint does not fit this run: " + e.getMessage());
      }
      // Loading replaces the parameters' arrays with fresh ones that record no gradient: mark the trainable
      // ones again, as NesterovSgd.trainable did for the originals.
      for (Parameter p : optimizer.parameters()) {
        if (!p.getArray().hasGradient()) {
          p.getArray().setRequiresGradient(true);
        }
      }
      int n = in.readInt();
      if (n != auxiliary.size()) {
        throw new IllegalArgumentException(file + ": checkpoint has " + n + " auxiliary parameters, objective has "
            + auxiliary.size() + " (was the method changed?)");
      }
      for (Parameter p : auxiliary) {
        byte[] encoded = new byte[in.readInt()];
        in.readFully(encoded);
        NDArray saved = NDArray.decode(manager, encoded);
        NDArray target = p.getArray();
        if (!saved.getShape().equals(target.getShape()) || saved.getDataType() != target.getDataType()) {
          String message = file + ": auxiliary parameter of shape " + saved.getShape() + ", the objective's has "
              + target.getShape() + " (were the taps changed?)";
          saved.close();
          throw new IllegalArgumentException(message);
        }
        // intern swaps the saved data into the same Java object, which the objective's own parameter store
        // and the optimiser refer to (NDArray.set would do too, but makes libtorch print a deprecation
        // warning on stderr). The swapped-in data records no gradient yet.
        boolean grad = target.hasGradient();
        // decode wraps a Java direct buffer that only `saved` keeps alive (libtorch's from_blob, no copy), and
        // intern moves the tensor handle but not that buffer: without a libtorch-owned copy the GC frees the
        // data under the parameter, and a resumed run corrupts the native heap (seen with CRD's embeddings).
        NDArray owned = saved.duplicate();
        saved.close();
        target.intern(owned);
        if (grad) {
          target.setRequiresGradient(true);
        }
      }
      try {
        optimizer.load(in);
      } catch (IOException e) {
        throw new IllegalArgumentException(file + ": " + e.getMessage());
      }
      Map<String, byte[]> states = new LinkedHashMap<>();
      if (version[0] == VERSION_WITH_TERM_STATE) {
        int terms = in.readInt();
        for (int i = 0; i < terms; i++) {
          String name = in.readUTF();
          byte[] state = new byte[in.readInt()];
          in.readFully(state);
          states.put(name, state);
        }
      }
      if (in.read() != -1) {
        throw new IllegalArgumentException(file + ": trailing bytes after the optimiser state");
      }
      return new Checkpoint(epochs, step, Collections.unmodifiableMap(states));
    } catch (java.io.EOFException | RuntimeException e) {
      if (e instanceof IllegalArgumentException && e.getMessage() != null && e.getMessage().startsWith(file.toString())) {
        throw (IllegalArgumentException) e;
      }
      // The checksum matched, so the bytes are as written: what does not parse was written by another
      // version or for another run.
      throw new IllegalArgumentException(file + ": checkpoint does not fit this run (" + e + ")");
    }
  }

  /**
   * Reads a checkpoint's position without restoring it: the file is verified (magic, version, length,
   * checksum) as {@link #restore} does.
   *
   * @param file the checkpoint file
   * @return its completed epochs and step
   * @throws IllegalArgumentException if the file is not an intact checkpoint
   */
  public static Checkpoint inspect(Path file) throws IOException {
    byte[] payload = readPayload(file, new int[1]);
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
      return new Checkpoint(in.readInt(), in.readLong(), Map.of());
    }
  }

  /** Reads the file and returns its payload once magic, version, length and checksum are verified. */
  private static byte[] readPayload(Path file, int[] versionOut) throws IOException {
    long size = Files.size(file);
    try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
      byte[] magic = new byte[MAGIC.length];
      in.readFully(magic);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new IllegalArgumentException(file + ": not an nst4j checkpoint");
      }
      int version = in.readInt();
      if (version != VERSION && version != VERSION_WITH_TERM_STATE) {
        throw new IllegalArgumentException(file + ": unsupported checkpoint version " + version
            + " (this nst4j reads versions " + VERSION + " and " + VERSION_WITH_TERM_STATE + ")");
      }
      versionOut[0] = version;
      long length = in.readLong();
      long expectedCrc = in.readLong();
      long header = MAGIC.length + 4 + 8 + 8;
      if (length < 0 || length != size - header) {
        throw new IllegalArgumentException(file + ": truncated or damaged checkpoint (" + (size - header)
            + " payload bytes, the header says " + length + ")");
      }
      byte[] payload = new byte[(int) length];
      in.readFully(payload);
      CRC32 crc = new CRC32();
      crc.update(payload);
      if (crc.getValue() != expectedCrc) {
        throw new IllegalArgumentException(file + ": damaged checkpoint (checksum mismatch)");
      }
      return payload;
    } catch (java.io.EOFException e) {
      throw new IllegalArgumentException(file + ": truncated checkpoint");
    }
  }
}

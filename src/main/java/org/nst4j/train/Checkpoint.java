package org.nst4j.train;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
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
import java.util.List;
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
 */
public final class Checkpoint {
  private static final byte[] MAGIC = "NST4JCKP".getBytes(StandardCharsets.US_ASCII);
  private static final int VERSION = 2;

  private final int epochsDone;
  private final long step;

  private Checkpoint(int epochsDone, long step) {
    this.epochsDone = epochsDone;
    this.step = step;
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
    write(file, epochsDone, step, model.architecture(), model, auxiliary, optimizer);
  }

  /**
   * Writes a checkpoint of any block atomically: for models that are not classifiers (the detector of
   * {@code org.nst4j.detection}), which train with the same optimiser and resume the same way.
   *
   * @param file the checkpoint file
   * @param epochsDone completed epochs
   * @param step updates done
   * @param name what the block is (e.g. its architecture); {@link #restore} refuses a checkpoint of another name
   * @param model the block being trained, initialised
   * @param auxiliary other trained parameters (may be empty)
   * @param optimizer the optimiser
   */
  public static void write(Path file, int epochsDone, long step, String name, Block model, List<Parameter> auxiliary,
      NesterovSgd optimizer) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 20);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(epochsDone);
      out.writeLong(step);
      out.writeUTF(name);
      model.saveParameters(out);
      out.writeInt(auxiliary.size());
      for (Parameter p : auxiliary) {
        byte[] encoded = p.getArray().encode();
        out.writeInt(encoded.length);
        out.write(encoded);
      }
      optimizer.save(out);
    }
    byte[] payload = bytes.toByteArray();
    CRC32 crc = new CRC32();
    crc.update(payload);
    ByteArrayOutputStream whole = new ByteArrayOutputStream(payload.length + 32);
    try (DataOutputStream out = new DataOutputStream(whole)) {
      out.write(MAGIC);
      out.writeInt(VERSION);
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
    return restore(file, manager, model.architecture(), model, auxiliary, optimizer);
  }

  /**
   * Restores a checkpoint written by {@link #write(Path, int, long, String, Block, List, NesterovSgd)}.
   *
   * @param file the checkpoint file
   * @param manager the block's manager
   * @param name what the block is; a checkpoint of another name is refused
   * @param model the block, built and initialised as the one saved
   * @param auxiliary other trained parameters, initialised
   * @param optimizer the optimiser over the same parameters
   * @return the position the run resumes from
   * @throws IllegalArgumentException if the file is not a checkpoint of this block
   */
  public static Checkpoint restore(Path file, NDManager manager, String name, Block model, List<Parameter> auxiliary,
      NesterovSgd optimizer) throws IOException {
    byte[] payload = readPayload(file);
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
      int epochs = in.readInt();
      long step = in.readLong();
      String arch = in.readUTF();
      if (!arch.equals(name)) {
        throw new IllegalArgumentException(file + ": checkpoint of " + arch + ", this run trains " + name);
      }
      if (epochs < 1 || step < 0) {
        throw new IllegalArgumentException(file + ": checkpoint at epoch " + epochs + ", step " + step);
      }
      try {
        if (model instanceof TappedModel tapped) {
          Models.loadParameters(tapped, manager, in);
        } else {
          model.loadParameters(manager, in);
        }
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
        target.intern(saved);
        if (grad) {
          target.setRequiresGradient(true);
        }
      }
      try {
        optimizer.load(in);
      } catch (IOException e) {
        throw new IllegalArgumentException(file + ": " + e.getMessage());
      }
      if (in.read() != -1) {
        throw new IllegalArgumentException(file + ": trailing bytes after the optimiser state");
      }
      return new Checkpoint(epochs, step);
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
    byte[] payload = readPayload(file);
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
      return new Checkpoint(in.readInt(), in.readLong());
    }
  }

  /** Reads the file and returns its payload once magic, version, length and checksum are verified. */
  private static byte[] readPayload(Path file) throws IOException {
    long size = Files.size(file);
    try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
      byte[] magic = new byte[MAGIC.length];
      in.readFully(magic);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new IllegalArgumentException(file + ": not an nst4j checkpoint");
      }
      int version = in.readInt();
      if (version != VERSION) {
        throw new IllegalArgumentException(file + ": unsupported checkpoint version " + version
            + " (this nst4j writes version " + VERSION + ")");
      }
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

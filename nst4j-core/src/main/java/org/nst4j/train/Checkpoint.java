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
 * <p>A checkpoint may also be taken in the middle of an epoch, when training is asked to stop ({@link
 * StopSignal}): it then holds the epoch's position and running sums ({@link Partial}), so that the resumed epoch
 * skips the batches already trained and logs the same record as an uninterrupted one.
 *
 * <p>The objective's term state ({@link org.nst4j.transfer.Objective#saveState()}: CRD's memory banks, Z and
 * sampler) is saved too, as a count, then per term its name (UTF), byte length and bytes, so a resumed run of
 * a method with state is bit-identical as well.
 *
 * <p>Layout: magic {@code NST4JCKP}, version, payload length (8 bytes), CRC-32 of the payload, payload. The
 * checksum is verified before anything is parsed, so a truncated or bit-flipped file is refused as such
 * instead of feeding garbage lengths and shapes to the array decoder.
 */
public final class Checkpoint {
  private static final byte[] MAGIC = "NST4JCKP".getBytes(StandardCharsets.US_ASCII);
  /**
   * Version 3 appends to version 2's payload the optional mid-epoch section and the objective's term state;
   * version 2 files (end of epoch, no term state) are still read.
   */
  private static final int VERSION = 3;
  private static final int OLDEST_READ = 2;

  private final int epochsDone;
  private final long step;
  private final Partial partial;
  private final Map<String, byte[]> termStates;

  private Checkpoint(int epochsDone, long step, Partial partial, Map<String, byte[]> termStates) {
    this.epochsDone = epochsDone;
    this.step = step;
    this.partial = partial;
    this.termStates = termStates;
  }

  /** The objective's term state, by term name (empty for a version-2 file); restore it into the objective. */
  public Map<String, byte[]> termStates() {
    return termStates;
  }

  /**
   * Where a checkpoint taken mid-epoch stands in epoch {@code epochsDone + 1}: the batches trained and the
   * running sums of the epoch's record.
   *
   * @param batches batches of the epoch already trained, ≥ 1
   * @param lossSum sum of the batch losses
   * @param termSums sum of each loss term, in the objective's order
   * @param correct training images classified correctly
   * @param seen training images seen
   * @param seconds training time of the epoch so far
   */
  public record Partial(int batches, double lossSum, java.util.Map<String, Double> termSums, long correct, long seen,
      double seconds) {
    /** Copies the map, keeping its order. */
    public Partial {
      termSums = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(termSums));
    }
  }

  /** The mid-epoch position, or null for a checkpoint taken at the end of an epoch. */
  public Partial partial() {
    return partial;
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
    write(file, epochsDone, step, model, auxiliary, optimizer, null, Map.of());
  }

  /**
   * Writes a checkpoint atomically, possibly in the middle of epoch {@code epochsDone + 1}.
   *
   * @param file the checkpoint file
   * @param epochsDone completed epochs
   * @param step updates done
   * @param model the model being trained
   * @param auxiliary the objective's auxiliary parameters
   * @param optimizer the optimiser
   * @param partial where the next epoch stands, or null at the end of an epoch
   * @param termStates the objective's {@code saveState()}, by term name (empty when it keeps none)
   */
  public static void write(Path file, int epochsDone, long step, TappedModel model, List<Parameter> auxiliary,
      NesterovSgd optimizer, Partial partial, Map<String, byte[]> termStates) throws IOException {
    write(file, epochsDone, step, model.architecture(), model, auxiliary, optimizer, partial, termStates);
  }

  /**
   * Writes a checkpoint of any block atomically, at the end of an epoch: for models that are not classifiers
   * (the detector of {@code org.nst4j.detection}), which train with the same optimiser and resume the same way.
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
    write(file, epochsDone, step, name, model, auxiliary, optimizer, null, Map.of());
  }

  private static void write(Path file, int epochsDone, long step, String name, Block model,
      List<Parameter> auxiliary, NesterovSgd optimizer, Partial partial, Map<String, byte[]> termStates)
      throws IOException {
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
      out.writeBoolean(partial != null);
      if (partial != null) {
        out.writeInt(partial.batches());
        out.writeDouble(partial.lossSum());
        out.writeLong(partial.correct());
        out.writeLong(partial.seen());
        out.writeDouble(partial.seconds());
        out.writeInt(partial.termSums().size());
        for (var e : partial.termSums().entrySet()) {
          out.writeUTF(e.getKey());
          out.writeDouble(e.getValue());
        }
      }
      out.writeInt(termStates.size());
      for (Map.Entry<String, byte[]> e : termStates.entrySet()) {
        out.writeUTF(e.getKey());
        out.writeInt(e.getValue().length);
        out.write(e.getValue());
      }
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
    byte[] whole = readPayload(file);
    int version = whole[0];
    byte[] payload = Arrays.copyOfRange(whole, 1, whole.length);
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload))) {
      int epochs = in.readInt();
      long step = in.readLong();
      String arch = in.readUTF();
      if (!arch.equals(name)) {
        throw new IllegalArgumentException(file + ": checkpoint of " + arch + ", this run trains " + name);
      }
      if (epochs < 0 || step < 0) {
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
        // The same Java object keeps the objective's store and the optimiser pointing at the new values.
        Models.replaceData(target, saved);
      }
      try {
        optimizer.load(in);
      } catch (IOException e) {
        throw new IllegalArgumentException(file + ": " + e.getMessage());
      }
      Partial partial = null;
      if (version >= 3 && in.readBoolean()) {
        int batches = in.readInt();
        double lossSum = in.readDouble();
        long correct = in.readLong();
        long seen = in.readLong();
        double seconds = in.readDouble();
        int terms = in.readInt();
        java.util.Map<String, Double> sums = new java.util.LinkedHashMap<>();
        for (int i = 0; i < terms; i++) {
          sums.put(in.readUTF(), in.readDouble());
        }
        partial = new Partial(batches, lossSum, sums, correct, seen, seconds);
      }
      Map<String, byte[]> states = new LinkedHashMap<>();
      if (version >= 3) {
        int terms = in.readInt();
        for (int i = 0; i < terms; i++) {
          String term = in.readUTF();
          byte[] state = new byte[in.readInt()];
          in.readFully(state);
          states.put(term, state);
        }
      }
      if (in.read() != -1) {
        throw new IllegalArgumentException(file + ": trailing bytes after the optimiser state");
      }
      if (partial == null ? epochs < 1 : partial.batches() < 1) {
        throw new IllegalArgumentException(file + ": checkpoint at epoch " + epochs + ", step " + step);
      }
      return new Checkpoint(epochs, step, partial, Collections.unmodifiableMap(states));
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
    byte[] whole = readPayload(file);
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(whole, 1, whole.length - 1))) {
      return new Checkpoint(in.readInt(), in.readLong(), null, Map.of());
    }
  }

  /**
   * Reads the file and returns its version (one byte) followed by its payload, once magic, version, length and
   * checksum are verified.
   */
  private static byte[] readPayload(Path file) throws IOException {
    long size = Files.size(file);
    try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
      byte[] magic = new byte[MAGIC.length];
      in.readFully(magic);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new IllegalArgumentException(file + ": not an nst4j checkpoint");
      }
      int version = in.readInt();
      if (version < OLDEST_READ || version > VERSION) {
        throw new IllegalArgumentException(file + ": unsupported checkpoint version " + version
            + " (this nst4j reads versions " + OLDEST_READ + " to " + VERSION + ")");
      }
      long length = in.readLong();
      long expectedCrc = in.readLong();
      long header = MAGIC.length + 4 + 8 + 8;
      if (length < 0 || length != size - header) {
        throw new IllegalArgumentException(file + ": truncated or damaged checkpoint (" + (size - header)
            + " payload bytes, the header says " + length + ")");
      }
      byte[] payload = new byte[(int) length + 1];
      payload[0] = (byte) version;
      in.readFully(payload, 1, (int) length);
      CRC32 crc = new CRC32();
      crc.update(payload, 1, (int) length);
      if (crc.getValue() != expectedCrc) {
        throw new IllegalArgumentException(file + ": damaged checkpoint (checksum mismatch)");
      }
      return payload;
    } catch (java.io.EOFException e) {
      throw new IllegalArgumentException(file + ": truncated checkpoint");
    }
  }
}

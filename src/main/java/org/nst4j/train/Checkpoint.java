package org.nst4j.train;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.nst4j.model.TappedModel;

/**
 * The complete state of a run at the end of an epoch: model parameters (with BatchNorm statistics), the
 * objective's auxiliary parameters, the optimiser's momentum buffers and the schedule position.
 *
 * <p>Randomness needs no saving: batch order and augmentation are a pure function of (seed, epoch) and
 * initialisation of the seed, so a run resumed from here ends with the same weights as an uninterrupted one.
 * Written atomically (temporary file + rename): a kill during the write leaves the previous checkpoint.
 */
public final class Checkpoint {
  private static final byte[] MAGIC = "NST4JCKP".getBytes(StandardCharsets.US_ASCII);
  private static final int VERSION = 1;

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
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 20);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.write(MAGIC);
      out.writeInt(VERSION);
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
    }
    Json.writeAtomically(file, bytes.toByteArray());
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
    try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
      byte[] magic = new byte[MAGIC.length];
      in.readFully(magic);
      if (!java.util.Arrays.equals(magic, MAGIC)) {
        throw new IllegalArgumentException(file + ": not an nst4j checkpoint");
      }
      int version = in.readInt();
      if (version != VERSION) {
        throw new IllegalArgumentException(file + ": unsupported checkpoint version " + version);
      }
      int epochs = in.readInt();
      long step = in.readLong();
      String arch = in.readUTF();
      if (!arch.equals(model.architecture())) {
        throw new IllegalArgumentException(file + ": checkpoint of " + arch + ", this run trains " + model.architecture());
      }
      model.loadParameters(manager, in);
      int n = in.readInt();
      if (n != auxiliary.size()) {
        throw new IllegalArgumentException(file + ": checkpoint has " + n + " auxiliary parameters, objective has "
            + auxiliary.size() + " (was the method changed?)");
      }
      for (Parameter p : auxiliary) {
        byte[] encoded = new byte[in.readInt()];
        in.readFully(encoded);
        NDArray saved = NDArray.decode(manager, encoded);
        p.getArray().set(saved.toByteBuffer());
        saved.close();
      }
      optimizer.load(in);
      return new Checkpoint(epochs, step);
    } catch (java.io.EOFException e) {
      throw new IllegalArgumentException(file + ": truncated checkpoint");
    } catch (MalformedModelException e) {
      throw new IllegalArgumentException(file + ": checkpoint does not fit " + model.architecture() + ": " + e.getMessage());
    }
  }
}

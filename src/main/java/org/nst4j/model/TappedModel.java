package org.nst4j.model;

import ai.djl.MalformedModelException;
import ai.djl.nn.AbstractBlock;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;

/**
 * A classifier whose forward pass returns its logits followed by its named feature maps ("taps").
 *
 * <p>DJL's {@code SequentialBlock} returns only its last output, so a model used for distillation must say
 * which intermediate maps it exposes. The output {@link ai.djl.ndarray.NDList} of {@code forward} is
 * {@code [logits (B×K), tap_0, ..., tap_{n-1}]} in the order of {@link #tapNames()}; wrap it with
 * {@link ModelOutput#of} to read it by name.
 *
 * <p>Saved parameters ({@link #saveParameters}) start with a header naming the architecture, the input
 * channels and the number of classes; {@link #loadParameters} refuses a file written by another model with
 * a {@link MalformedModelException} saying so (DJL alone would only compare parameter names such as
 * "weight", which every conv shares, and could load wrongly shaped arrays silently).
 */
public abstract class TappedModel extends AbstractBlock {

  private final String architecture;
  private final List<String> tapNames;
  private final int inputChannels;
  private final int numClasses;

  /**
   * Creates the block. Subclasses check their own arguments (the counts with {@code
   * ModelZoo.checkCounts}) in their constructors, in the order their error messages are documented.
   *
   * @param version DJL's parameter-file version of the subclass
   * @param architecture the name returned by {@link #architecture()}
   * @param tapNames the names returned by {@link #tapNames()}, in forward-output order
   * @param inputChannels the number of input channels the model is built for
   * @param numClasses the number of classes (width of the logits)
   */
  protected TappedModel(byte version, String architecture, List<String> tapNames, int inputChannels,
      int numClasses) {
    super(version);
    this.architecture = architecture;
    this.tapNames = List.copyOf(tapNames);
    this.inputChannels = inputChannels;
    this.numClasses = numClasses;
  }

  /** The zoo name this model was built from, e.g. {@code resnet20}. */
  public final String architecture() {
    return architecture;
  }

  /** Names of the taps, in forward-output order after the logits (e.g. {@code stage1..stage3}). */
  public final List<String> tapNames() {
    return tapNames;
  }

  /** Number of input channels the model was built for. */
  public final int inputChannels() {
    return inputChannels;
  }

  /** Number of classes (width of the logits). */
  public final int numClasses() {
    return numClasses;
  }

  /** Writes the input shapes and the architecture header (see the class comment). */
  @Override
  protected void saveMetadata(DataOutputStream os) throws IOException {
    saveInputShapes(os);
    os.writeUTF(architecture());
    os.writeInt(inputChannels());
    os.writeInt(numClasses());
  }

  /**
   * Reads the input shapes and checks the architecture header.
   *
   * @throws MalformedModelException if the version differs or the parameters belong to another
   *     architecture, channel count or class count
   */
  @Override
  protected void loadMetadata(byte loadVersion, DataInputStream is)
      throws IOException, MalformedModelException {
    if (loadVersion != version) {
      throw new MalformedModelException(
          "parameters do not fit architecture " + architecture() + ": format version " + loadVersion
              + ", expected " + version);
    }
    readInputShapes(is);
    String arch = is.readUTF();
    int channels = is.readInt();
    int classes = is.readInt();
    if (!arch.equals(architecture()) || channels != inputChannels() || classes != numClasses()) {
      throw new MalformedModelException(
          "parameters do not fit architecture " + describeHeader(architecture(), inputChannels(), numClasses())
              + ": they were saved from " + describeHeader(arch, channels, classes));
    }
  }

  private static String describeHeader(String arch, int channels, int classes) {
    return arch + " (" + channels + " input channel" + (channels == 1 ? "" : "s") + ", " + classes
        + " classes)";
  }
}

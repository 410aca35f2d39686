package org.nst4j.model;

import ai.djl.MalformedModelException;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A classifier whose forward pass returns its logits followed by its named feature maps ("taps").
 *
 * <p>DJL's {@code SequentialBlock} returns only its last output, so a model used for distillation must say
 * which intermediate maps it exposes. The output {@link ai.djl.ndarray.NDList} of {@code forward} is
 * {@code [logits (B×K), tap_0, ..., tap_{n-1}, pre_0, ..., pre_{m-1}]}: the main taps in the order of {@link
 * #tapNames()}, then the pre-ReLU taps in the order of {@link #preReluTapNames()}; wrap it with {@link
 * ModelOutput#of(ai.djl.ndarray.NDList, TappedModel)} to read it by name.
 *
 * <p>Main taps are what every method's default tap choice reads; pre-ReLU taps ({@code stage1_pre, ...}: the
 * map before the stage's last ReLU, see each architecture's Javadoc) are read only by methods that ask for
 * them (OFD, ReviewKD), together with the BatchNorm that produced each ({@link #preReluBatchNorm}).
 *
 * <p>Saved parameters ({@link #saveParameters}) start with a header naming the architecture, the input
 * channels and the number of classes; {@link #loadParameters} refuses a file written by another model with
 * a {@link MalformedModelException} saying so (DJL alone would only compare parameter names such as
 * "weight", which every conv shares, and could load wrongly shaped arrays silently).
 */
public abstract class TappedModel extends AbstractBlock {

  private final String architecture;
  private final List<String> tapNames;
  private final List<String> preReluTapNames;
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
    this(version, architecture, tapNames, List.of(), inputChannels, numClasses);
  }

  /**
   * Creates the block with pre-ReLU taps.
   *
   * @param version DJL's parameter-file version of the subclass
   * @param architecture the name returned by {@link #architecture()}
   * @param tapNames the main taps, returned by {@link #tapNames()}, in forward-output order
   * @param preReluTapNames the pre-ReLU taps, returned by {@link #preReluTapNames()}, output after the main ones
   * @param inputChannels the number of input channels the model is built for
   * @param numClasses the number of classes (width of the logits)
   */
  protected TappedModel(byte version, String architecture, List<String> tapNames, List<String> preReluTapNames,
      int inputChannels, int numClasses) {
    super(version);
    this.architecture = architecture;
    this.tapNames = List.copyOf(tapNames);
    this.preReluTapNames = List.copyOf(preReluTapNames);
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

  /**
   * Names of the pre-ReLU taps, output after the main taps (e.g. {@code stage1_pre..stage3_pre}); empty for a
   * model without them (TorchScript teachers).
   */
  public final List<String> preReluTapNames() {
    return preReluTapNames;
  }

  /**
   * The per-channel scale γ and shift β of a BatchNorm, copied as floats.
   *
   * @param gamma γ per channel
   * @param beta β per channel
   */
  public record BatchNormParameters(float[] gamma, float[] beta) {
    /** Checks the lengths agree. */
    public BatchNormParameters {
      if (gamma.length != beta.length) {
        throw new IllegalArgumentException("γ and β differ in length: " + gamma.length + " vs " + beta.length);
      }
    }

    /** γ widened to double. */
    public double[] gammaAsDouble() {
      return widen(gamma);
    }

    /** β widened to double. */
    public double[] betaAsDouble() {
      return widen(beta);
    }

    private static double[] widen(float[] f) {
      double[] d = new double[f.length];
      for (int i = 0; i < f.length; i++) {
        d[i] = f[i];
      }
      return d;
    }
  }

  /**
   * The γ and β of the BatchNorm whose output is a pre-ReLU tap (OFD's margins are computed from them), read
   * from the current parameters. Folding ({@link #foldBatchNorm()}) changes no parameter, so they are the
   * same folded or not.
   *
   * @param tap one of {@link #preReluTapNames()}
   * @return γ and β, one per channel of the tap
   * @throws IllegalArgumentException if the model has no such pre-ReLU tap
   * @throws IllegalStateException if the model is not initialised
   */
  public BatchNormParameters preReluBatchNorm(String tap) {
    throw new IllegalArgumentException(architecture + " has no pre-ReLU tap '" + tap + "'; its pre-ReLU taps are "
        + preReluTapNames);
  }

  /**
   * The error a forward pass of an uninitialised model throws, instead of DJL's raw {@code
   * UninitializedParameterException} (which names a parameter, not what to do).
   *
   * @param cause DJL's exception
   * @return the exception to throw
   */
  protected final IllegalStateException notInitialised(RuntimeException cause) {
    return new IllegalStateException(architecture + " is not initialised; call initialize(manager, DataType.FLOAT32,"
        + " new Shape(1, " + inputChannels + ", H, W)) or trainer.initialize(...) first", cause);
  }

  /** Number of input channels the model was built for. */
  public final int inputChannels() {
    return inputChannels;
  }

  /** Number of classes (width of the logits). */
  public final int numClasses() {
    return numClasses;
  }

  /**
   * Folds every BatchNorm that directly follows a convolution into that convolution, for inference: the
   * pair then runs as one convolution with weight W·s and bias β − μ·s, s = γ/√(σ² + ε), computed now from
   * the current parameters (see {@code ConvBatchNorm}). Outputs equal the unfolded model's up to float
   * rounding. Meant for a frozen model, e.g. a distillation teacher: until {@link #unfoldBatchNorm()}, a
   * forward pass with {@code training = true} throws {@link IllegalStateException}, and changed parameters
   * need another call. Parameters and saved files are unchanged. BatchNorm layers that follow something
   * else (pre-activation blocks) are left as they are.
   *
   * @return how many BatchNorm layers were folded
   * @throws IllegalStateException if the model is not initialised
   */
  public final int foldBatchNorm() {
    List<ConvBatchNorm> pairs = convBatchNorms();
    pairs.forEach(ConvBatchNorm::fold);
    return pairs.size();
  }

  /** Undoes {@link #foldBatchNorm()} (nothing if not folded); the model can train again. */
  public final void unfoldBatchNorm() {
    convBatchNorms().forEach(ConvBatchNorm::unfold);
  }

  /** Whether {@link #foldBatchNorm()} is in effect. */
  public final boolean isBatchNormFolded() {
    return convBatchNorms().stream().anyMatch(ConvBatchNorm::isFolded);
  }

  private List<ConvBatchNorm> convBatchNorms() {
    List<ConvBatchNorm> pairs = new ArrayList<>();
    Deque<Block> pending = new ArrayDeque<>(List.of(this));
    while (!pending.isEmpty()) {
      Block block = pending.pop();
      if (block instanceof ConvBatchNorm.Holder holder) {
        pairs.addAll(holder.convBatchNorms());
      }
      pending.addAll(block.getChildren().values());
    }
    return pairs;
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

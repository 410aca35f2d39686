package org.nst4j.model;

import ai.djl.nn.AbstractBlock;
import java.util.List;

/**
 * A classifier whose forward pass returns its logits followed by its named feature maps ("taps").
 *
 * <p>DJL's {@code SequentialBlock} returns only its last output, so a model used for distillation must say
 * which intermediate maps it exposes. The output {@link ai.djl.ndarray.NDList} of {@code forward} is
 * {@code [logits (B×K), tap_0, ..., tap_{n-1}]} in the order of {@link #tapNames()}; wrap it with
 * {@link ModelOutput#of} to read it by name.
 */
public abstract class TappedModel extends AbstractBlock {

  /** Creates the block with DJL's parameter-file version {@code version}. */
  protected TappedModel(byte version) {
    super(version);
  }

  /** The zoo name this model was built from, e.g. {@code resnet20}. */
  public abstract String architecture();

  /** Names of the taps, in forward-output order after the logits (e.g. {@code stage1..stage3}). */
  public abstract List<String> tapNames();

  /** Number of input channels the model was built for. */
  public abstract int inputChannels();

  /** Number of classes (width of the logits). */
  public abstract int numClasses();
}

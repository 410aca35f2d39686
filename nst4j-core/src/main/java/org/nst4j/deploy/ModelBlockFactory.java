package org.nst4j.deploy;

import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.BlockFactory;
import java.nio.file.Path;
import java.util.Map;
import org.nst4j.model.TappedModel;
import org.nst4j.store.ModelCard;
import org.nst4j.store.ModelStore;

/**
 * DJL {@link BlockFactory} that rebuilds an nst4j model from the {@code model.json} card of its folder, so
 * that DJL's {@code Criteria} can load an exported student (named in the folder's {@code serving.properties}
 * as {@code blockFactory}). The block is created and initialised to the card's input shape; DJL then reads
 * the parameters into it.
 */
public final class ModelBlockFactory implements BlockFactory {
  private static final long serialVersionUID = 1L;

  /** Used by DJL through reflection. */
  public ModelBlockFactory() {}

  /**
   * Builds the model described by the card in {@code modelPath}.
   *
   * @param model the DJL model that will own the block
   * @param modelPath the model folder (holding {@code model.json})
   * @param arguments ignored
   * @return the initialised {@link TappedModel}, parameters still to be loaded
   * @throws IllegalArgumentException if the folder has no readable card or names an architecture that is neither
   *     the zoo's nor registered with {@code ModelZoo.register}
   */
  @Override
  public Block newBlock(Model model, Path modelPath, Map<String, ?> arguments) {
    ModelCard card = ModelStore.readCard(modelPath);
    TappedModel block = ModelStore.create(ModelStore.modelDir(modelPath), card);
    block.initialize(model.getNDManager(), DataType.FLOAT32,
        new Shape(1, card.inputChannels(), card.inputHeight(), card.inputWidth()));
    return block;
  }
}

package org.nst4j.deploy;

import ai.djl.Model;
import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorFactory;
import ai.djl.util.Pair;
import java.awt.image.BufferedImage;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.nst4j.store.ModelCard;
import org.nst4j.store.ModelStore;

/**
 * DJL {@link TranslatorFactory} making an {@link ImageClassifierTranslator} from the {@code model.json} card
 * of the model folder being loaded. Supports {@code BufferedImage}, DJL {@code Image} and {@code Path}
 * (image file) inputs, each to {@link Classifications}.
 */
public final class ImageClassifierTranslatorFactory implements TranslatorFactory {
  private static final Set<Pair<Type, Type>> SUPPORTED = Set.of(
      new Pair<>(BufferedImage.class, Classifications.class),
      new Pair<>(Image.class, Classifications.class),
      new Pair<>(Path.class, Classifications.class));

  /** Used by DJL's {@code Criteria} (and through reflection). */
  public ImageClassifierTranslatorFactory() {}

  @Override
  public Set<Pair<Type, Type>> getSupportedTypes() {
    return SUPPORTED;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <I, O> Translator<I, O> newInstance(Class<I> input, Class<O> output, Model model,
      Map<String, ?> arguments) {
    if (!isSupported(input, output)) {
      throw new IllegalArgumentException("nst4j classifiers translate BufferedImage, Image or Path to"
          + " Classifications, not " + input.getName() + " to " + output.getName());
    }
    ModelCard card = ModelStore.readCard(model.getModelPath());
    if (input == BufferedImage.class) {
      return (Translator<I, O>) ImageClassifierTranslator.forImages(card);
    }
    if (input == Image.class) {
      return (Translator<I, O>) ImageClassifierTranslator.forDjlImages(card);
    }
    return (Translator<I, O>) ImageClassifierTranslator.forFiles(card);
  }
}

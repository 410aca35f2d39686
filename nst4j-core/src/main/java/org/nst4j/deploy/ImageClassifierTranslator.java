package org.nst4j.deploy;

import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.Batchifier;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.nst4j.data.ImageFolderReader;
import org.nst4j.data.Normalization;
import org.nst4j.store.ModelCard;

/**
 * DJL {@link Translator} from an image to the class probabilities of an nst4j classifier.
 *
 * <p>The image is prepared exactly as nst4j's data pipeline prepares training and test images ({@link
 * ImageFolderReader#toPixels}): converted to the model's channels (RGB to gray with the ITU-R 601 luma
 * weights, gray replicated to RGB), resized bilinearly to the model's input size when it differs, then
 * normalised per channel with the card's mean and std ({@code (x/255 − mean) / std}). The output is the
 * softmax of the model's logits, labelled with the card's class names.
 *
 * <p>Three inputs are supported: {@link BufferedImage} ({@link #forImages}), DJL's {@link Image} backed by
 * a BufferedImage, as DJL's default image factory makes them ({@link #forDjlImages}), and image files
 * ({@link #forFiles}; PNG or JPEG, decoded as {@link ImageFolderReader} does, with its checks).
 *
 * @param <I> the input type
 */
public final class ImageClassifierTranslator<I> implements Translator<I, Classifications> {
  private final ModelCard card;
  private final Function<I, byte[]> pixels;
  private final float[][] lut;

  private ImageClassifierTranslator(ModelCard card, Function<I, byte[]> pixels) {
    this.card = card;
    this.pixels = pixels;
    Normalization n = new Normalization(card.normalizationMean(), card.normalizationStd());
    if (n.channels() != card.inputChannels()) {
      throw new IllegalArgumentException("the card of " + card.architecture() + " gives " + n.channels()
          + " normalisation channels for " + card.inputChannels() + " input channels");
    }
    lut = new float[n.channels()][];
    for (int c = 0; c < n.channels(); c++) {
      lut[c] = n.lookupTable(c);
    }
  }

  /** A translator for {@link BufferedImage} inputs of the model described by {@code card}. */
  public static ImageClassifierTranslator<BufferedImage> forImages(ModelCard card) {
    return new ImageClassifierTranslator<>(card,
        img -> ImageFolderReader.toPixels(img, card.inputChannels(), card.inputHeight(), card.inputWidth()));
  }

  /** A translator for image files (PNG, JPEG). */
  public static ImageClassifierTranslator<Path> forFiles(ModelCard card) {
    return new ImageClassifierTranslator<>(card,
        file -> ImageFolderReader.readImage(file, card.inputChannels(), card.inputHeight(), card.inputWidth()));
  }

  /** A translator for DJL {@link Image}s wrapping a {@link BufferedImage} (DJL's default image factory). */
  public static ImageClassifierTranslator<Image> forDjlImages(ModelCard card) {
    return new ImageClassifierTranslator<>(card, img -> {
      if (!(img.getWrappedImage() instanceof BufferedImage)) {
        throw new IllegalArgumentException("expected an Image backed by a java.awt BufferedImage (DJL's"
            + " BufferedImageFactory), got one wrapping " + img.getWrappedImage().getClass().getName());
      }
      return ImageFolderReader.toPixels((BufferedImage) img.getWrappedImage(), card.inputChannels(),
          card.inputHeight(), card.inputWidth());
    });
  }

  /** The card of the model this translator serves. */
  public ModelCard card() {
    return card;
  }

  /** One C×H×W normalised float image (the batchifier stacks them). */
  @Override
  public NDList processInput(TranslatorContext ctx, I input) {
    byte[] raw = pixels.apply(input);
    int plane = card.inputHeight() * card.inputWidth();
    float[] x = new float[raw.length];
    for (int c = 0; c < card.inputChannels(); c++) {
      float[] t = lut[c];
      for (int k = c * plane, end = k + plane; k < end; k++) {
        x[k] = t[raw[k] & 0xFF];
      }
    }
    return new NDList(ctx.getNDManager().create(x,
        new Shape(card.inputChannels(), card.inputHeight(), card.inputWidth())));
  }

  /** Softmax of the logits (the first output; the model's feature taps follow and are ignored). */
  @Override
  public Classifications processOutput(TranslatorContext ctx, NDList list) {
    NDArray probabilities = list.get(0).softmax(0);
    List<String> names = card.classNames();
    return new Classifications(names, probabilities);
  }

  @Override
  public Batchifier getBatchifier() {
    return Batchifier.STACK;
  }
}

package org.nst4j.detection;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.nst4j.data.ImageFolderReader;
import org.nst4j.data.Normalization;

/**
 * Runs a detector in inference mode and decodes its outputs ({@link CenterNetDecoder}): on a whole split
 * (the evaluation after training, {@code detect eval --model}) or on a batch of images ({@code detect
 * predict}). Each batch's arrays live in a sub-manager closed after decoding, so memory stays flat over a
 * split.
 */
public final class DetectorInference {
  /** Images per forward pass when evaluating a split. */
  public static final int EVAL_BATCH = 32;

  private DetectorInference() {}

  /**
   * Detections on every image of a split.
   *
   * @param detector the detector (inference mode; BatchNorm uses its running statistics)
   * @param manager the detector's manager
   * @param data the split's decoded images
   * @param categoryIds the category id of each heatmap channel
   * @param normalization the detector's input normalisation ({@link DetectorCard#inputNormalization()})
   * @return the detections, image by image in the split's order, each image's highest score first
   */
  public static List<Detection> detect(CenterNetDetector detector, NDManager manager, DetectionBatches data,
      List<Integer> categoryIds, Normalization normalization) {
    ParameterStore ps = new ParameterStore(manager, false);
    List<Detection> out = new ArrayList<>();
    for (int start = 0; start < data.size(); start += EVAL_BATCH) {
      int[] positions = new int[Math.min(EVAL_BATCH, data.size() - start)];
      long[] ids = new long[positions.length];
      for (int i = 0; i < positions.length; i++) {
        positions[i] = start + i;
        ids[i] = data.image(start + i).id();
      }
      try (NDManager scope = manager.newSubManager()) {
        out.addAll(detect(detector, ps, data.images(scope, positions, normalization), ids, categoryIds));
      }
    }
    return out;
  }

  /**
   * A saved detector's detections on every image of a split (for {@code detect eval --model}).
   *
   * @param loaded the detector
   * @param split a split whose images are read
   * @return the detections
   * @throws IllegalArgumentException if the images differ in size or do not fit the detector's grid, or the
   *     split lacks one of the detector's categories
   */
  public static List<Detection> detect(DetectorStore.Loaded loaded, CocoDataset split) {
    java.util.Map<Integer, Integer> channelOf = new java.util.LinkedHashMap<>();
    for (int id : loaded.card().categoryIds()) {
      if (!split.categoriesById().containsKey(id)) {
        throw new IllegalArgumentException(split.name() + ": has no category " + id + " of the detector's "
            + loaded.card().categoryIds());
      }
      channelOf.put(id, channelOf.size());
    }
    DetectionBatches data = DetectionBatches.load(split, loaded.card().inputChannels(), channelOf);
    loaded.detector().stride(new Shape(1, data.channels(), data.height(), data.width()));
    return detect(loaded.detector(), loaded.manager(), data, loaded.card().categoryIds(),
        loaded.card().inputNormalization());
  }

  /**
   * Detections on a batch of images.
   *
   * @param detector the detector
   * @param ps a parameter store of the detector's manager
   * @param images B×C×H×W pixels, normalised as the detector was trained; H and W multiples of its stride
   * @param imageIds the id given to each image's detections
   * @param categoryIds the category id of each heatmap channel
   * @return the detections, image by image, each image's highest score first
   */
  public static List<Detection> detect(CenterNetDetector detector, ParameterStore ps, NDArray images, long[] imageIds,
      List<Integer> categoryIds) {
    Shape shape = images.getShape();
    int stride = detector.stride(shape);
    NDList output = detector.forward(ps, new NDList(images), false);
    NDArray heat = Activation.sigmoid(output.get(0));
    int k = (int) heat.getShape().get(1);
    int rows = (int) heat.getShape().get(2);
    int cols = (int) heat.getShape().get(3);
    float[] h = heat.toFloatArray();
    float[] s = output.get(1).toFloatArray();
    float[] o = output.get(2).toFloatArray();
    int plane = rows * cols;
    List<Detection> out = new ArrayList<>();
    for (int b = 0; b < imageIds.length; b++) {
      float[] hb = new float[k * plane];
      float[] sb = new float[2 * plane];
      float[] ob = new float[2 * plane];
      System.arraycopy(h, b * k * plane, hb, 0, k * plane);
      System.arraycopy(s, b * 2 * plane, sb, 0, 2 * plane);
      System.arraycopy(o, b * 2 * plane, ob, 0, 2 * plane);
      out.addAll(CenterNetDecoder.decode(imageIds[b], categoryIds, rows, cols, stride, hb, sb, ob,
          CenterNetDecoder.DEFAULT_TOP_K, (int) shape.get(3), (int) shape.get(2)));
    }
    return out;
  }

  /**
   * Detections on one image file, at its own size (the detector is fully convolutional; its sides must be
   * multiples of the stride).
   *
   * @param loaded the detector
   * @param file an image file (PNG, JPEG, …); colour is converted to gray for a 1-channel detector
   * @param imageId the id given to the detections
   * @return the detections, highest score first
   * @throws IllegalArgumentException if the file is not a readable image or its size does not fit the grid
   */
  public static List<Detection> detectFile(DetectorStore.Loaded loaded, Path file, long imageId) {
    java.awt.image.BufferedImage image = readImage(file);
    int channels = loaded.card().inputChannels();
    byte[] pixels = ImageFolderReader.readImage(file, channels, image.getHeight(), image.getWidth());
    Normalization normalization = loaded.card().inputNormalization();
    int plane = image.getHeight() * image.getWidth();
    float[] x = new float[pixels.length];
    for (int c = 0; c < channels; c++) {
      float[] t = normalization.lookupTable(c);
      for (int i = c * plane; i < (c + 1) * plane; i++) {
        x[i] = t[pixels[i] & 0xFF];
      }
    }
    try (NDManager scope = loaded.manager().newSubManager()) {
      NDArray images = scope.create(x, new Shape(1, channels, image.getHeight(), image.getWidth()));
      try {
        loaded.detector().stride(images.getShape());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(file + ": " + image.getWidth() + "×" + image.getHeight()
            + " does not fit the detector's grid (" + e.getMessage() + "); use sides that are multiples of "
            + loaded.detector().stride(new Shape(1, channels, loaded.card().height(), loaded.card().width())));
      }
      return detect(loaded.detector(), new ParameterStore(loaded.manager(), false), images, new long[] {imageId},
          loaded.card().categoryIds());
    }
  }

  /**
   * Reads an image file.
   *
   * @throws IllegalArgumentException if it is missing or not an image
   */
  public static java.awt.image.BufferedImage readImage(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(file + ": no such image file");
    }
    try {
      java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(file.toFile());
      if (image == null) {
        throw new IllegalArgumentException(file + ": not a readable image (PNG, JPEG, BMP, GIF)");
      }
      return image;
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(file + ": unreadable image (" + e.getMessage() + ")");
    }
  }
}

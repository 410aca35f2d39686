package org.nst4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import org.junit.jupiter.api.Test;
import org.nst4j.data.ImageBatch;

class ModelAccuracyTest {

  private static ImageBatch batch(int b, int c, int h, int w) {
    float[] images = new float[b * c * h * w];
    for (int i = 0; i < images.length; i++) {
      images[i] = i * 0.5f - 7f;
    }
    return new ImageBatch(images, new int[b], b, c, h, w);
  }

  @Test
  void imagesKeepTheirLogicalLayoutForEveryChannelCount() {
    try (NDManager manager = NDManager.newBaseManager()) {
      for (int c : new int[] {1, 3}) {
        ImageBatch batch = batch(2, c, 3, 4);
        NDArray x = ModelAccuracy.toImages(manager, batch);
        assertEquals(new Shape(2, c, 3, 4), x.getShape());
        NDArray reference = manager.create(batch.images(), new Shape(2, c, 3, 4));
        assertArrayEquals(reference.toFloatArray(), x.toFloatArray(), "C=" + c);
        // Element (1, c-1, 2, 3) addressed through the view, not through the raw buffer.
        assertEquals(reference.get(1, c - 1, 2, 3).getFloat(), x.get(1, c - 1, 2, 3).getFloat());
      }
    }
  }

  @Test
  void convolutionsOfTheChannelsLastViewMatchTheContiguousImages() {
    try (NDManager manager = NDManager.newBaseManager()) {
      ImageBatch batch = batch(2, 3, 6, 6);
      NDArray x = ModelAccuracy.toImages(manager, batch);
      NDArray reference = manager.create(batch.images(), new Shape(2, 3, 6, 6));
      NDArray weight = manager.randomNormal(new Shape(4, 3, 3, 3));
      NDArray viaView = Conv2d.conv2d(x, weight, null, new Shape(1, 1), new Shape(1, 1)).singletonOrThrow();
      NDArray viaCopy = Conv2d.conv2d(reference, weight, null, new Shape(1, 1), new Shape(1, 1)).singletonOrThrow();
      assertEquals(viaCopy.getShape(), viaView.getShape());
      assertTrue(viaCopy.allClose(viaView, 1e-4, 1e-4, false));
    }
  }

  @Test
  void labelsBecomeInt64() {
    try (NDManager manager = NDManager.newBaseManager()) {
      ImageBatch b = new ImageBatch(new float[4], new int[] {3, 9, 0, 1}, 4, 1, 1, 1);
      NDArray y = ModelAccuracy.toLabels(manager, b);
      assertEquals(ai.djl.ndarray.types.DataType.INT64, y.getDataType());
      assertArrayEquals(new long[] {3, 9, 0, 1}, y.toLongArray());
    }
  }
}

package org.nst4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AugmentationTest {
  /** A 3×4 single-channel image with pixels 1..12 (row-major), so that 0 can only come from padding. */
  private static final byte[] IMG = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

  private static final Augmentation PAD1 = Augmentation.padCropFlip(1, true);

  @Test
  void identityDrawLeavesTheImage() {
    assertArrayEquals(IMG, PAD1.apply(IMG, 1, 3, 4, PAD1.identity()));
    assertArrayEquals(IMG, Augmentation.none().apply(IMG, 1, 3, 4, Augmentation.none().identity()));
  }

  @Test
  void cropAtTheTopLeftCornerShiftsRightAndDownWithZeros() {
    // Padded image 5×6; the window at (0, 0) shows one row and one column of padding.
    byte[] out = PAD1.apply(IMG, 1, 3, 4, new Augmentation.Draw(0, 0, false));
    assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 1, 2, 3, 0, 5, 6, 7}, out);
  }

  @Test
  void cropAtTheBottomRightCornerShiftsLeftAndUp() {
    byte[] out = PAD1.apply(IMG, 1, 3, 4, new Augmentation.Draw(2, 2, false));
    assertArrayEquals(new byte[] {6, 7, 8, 0, 10, 11, 12, 0, 0, 0, 0, 0}, out);
  }

  @Test
  void flipMirrorsEachRow() {
    byte[] out = PAD1.apply(IMG, 1, 3, 4, new Augmentation.Draw(1, 1, true));
    assertArrayEquals(new byte[] {4, 3, 2, 1, 8, 7, 6, 5, 12, 11, 10, 9}, out);
  }

  @Test
  void flipAppliesAfterTheCrop() {
    // Crop (0, 0) then mirror: rows of the crop {0,0,0,0}, {0,1,2,3}, {0,5,6,7} reversed.
    byte[] out = PAD1.apply(IMG, 1, 3, 4, new Augmentation.Draw(0, 0, true));
    assertArrayEquals(new byte[] {0, 0, 0, 0, 3, 2, 1, 0, 7, 6, 5, 0}, out);
  }

  @Test
  void everyChannelGetsTheSameTransform() {
    byte[] two = new byte[24];
    for (int i = 0; i < 12; i++) {
      two[i] = IMG[i];
      two[12 + i] = (byte) (IMG[i] + 100);
    }
    byte[] out = PAD1.apply(two, 2, 3, 4, new Augmentation.Draw(2, 0, true));
    byte[] single = PAD1.apply(IMG, 1, 3, 4, new Augmentation.Draw(2, 0, true));
    for (int i = 0; i < 12; i++) {
      assertEquals(single[i], out[i]);
      assertEquals(single[i] == 0 ? 0 : single[i] + 100, out[12 + i]);
    }
  }

  @Test
  void paddingIsRawZeroEvenAfterNormalising() {
    float[][] lut = {Normalization.FASHION_MNIST.lookupTable(0)};
    float[] out = new float[12];
    PAD1.apply(IMG, 0, 1, 3, 4, new Augmentation.Draw(0, 0, false), lut, out, 0);
    float background = (float) ((0 - 0.2860) / 0.3530);
    assertEquals(background, out[0]);
    assertEquals(background, out[4]);
    assertEquals(lut[0][1], out[5]);
    assertEquals(lut[0][7], out[11]);
  }

  @Test
  void drawsCoverEveryOffsetAndFlipHalfTheTime() {
    Augmentation a = Augmentation.fmnist10k();
    assertEquals(2, a.pad());
    assertTrue(a.horizontalFlip());
    SplittableRandom rng = new SplittableRandom(42);
    int[] dy = new int[5];
    int[] dx = new int[5];
    int flips = 0;
    int n = 20000;
    for (int i = 0; i < n; i++) {
      Augmentation.Draw d = a.draw(rng);
      dy[d.dy()]++;
      dx[d.dx()]++;
      flips += d.flip() ? 1 : 0;
    }
    for (int k = 0; k < 5; k++) {
      assertEquals(n / 5.0, dy[k], n * 0.02, "dy " + k);
      assertEquals(n / 5.0, dx[k], n * 0.02, "dx " + k);
    }
    assertEquals(n / 2.0, flips, n * 0.02);
    // Same generator state, same draw.
    assertEquals(a.draw(new SplittableRandom(7)), a.draw(new SplittableRandom(7)));
  }

  @Test
  void noFlipNeverFlipsAndNoneNeverChanges() {
    Augmentation crop = Augmentation.padCropFlip(3, false);
    SplittableRandom rng = new SplittableRandom(1);
    for (int i = 0; i < 1000; i++) {
      Augmentation.Draw d = crop.draw(rng);
      assertTrue(!d.flip() && d.dx() >= 0 && d.dx() <= 6 && d.dy() >= 0 && d.dy() <= 6, d.toString());
    }
    SplittableRandom r1 = new SplittableRandom(5);
    assertEquals(Augmentation.none().identity(), Augmentation.none().draw(r1));
    assertEquals(new SplittableRandom(5).nextLong(), r1.nextLong(), "none() consumes no randomness");
    assertSame(Augmentation.none(), Augmentation.padCropFlip(0, false));
    assertTrue(Augmentation.none().isNone());
    assertEquals(Augmentation.padCropFlip(2, true), Augmentation.fmnist10k());
    assertThrows(IllegalArgumentException.class, () -> Augmentation.padCropFlip(-1, true));
    assertThrows(IllegalArgumentException.class, () -> PAD1.apply(IMG, 1, 3, 3, PAD1.identity()));
  }
}

package org.nst4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageDatasetTest {
  @Test
  void firstPerClassOnTheSampleKeepsFileOrder() {
    ImageDataset train = DataSources.sample().train();
    ImageDataset sub = train.firstPerClass(25);
    assertEquals(250, sub.size());
    int[] expected = new int[10];
    Arrays.fill(expected, 25);
    assertArrayEquals(expected, sub.classCounts());
    // The subset is the prefix of each class in file order: walk the original and compare.
    int[] taken = new int[10];
    int k = 0;
    byte[] a = new byte[784];
    byte[] b = new byte[784];
    for (int i = 0; i < train.size() && k < sub.size(); i++) {
      int label = train.label(i);
      if (taken[label]++ < 25) {
        assertEquals(label, sub.label(k));
        train.copyImage(i, a, 0);
        sub.copyImage(k, b, 0);
        assertArrayEquals(a, b);
        k++;
      }
    }
    assertEquals(250, k);
    // More than a class has keeps all of it.
    assertEquals(3000, train.firstPerClass(1000).size());
    assertThrows(IllegalArgumentException.class, () -> train.firstPerClass(0));
  }

  @Test
  void subsetAndRename() {
    ImageDataset ds = TestFiles.synthetic(10, 1, 2, 2, 3);
    ImageDataset s = ds.subset(new int[] {7, 2, 7}, "s");
    assertEquals(3, s.size());
    assertEquals(ds.label(7), s.label(0));
    assertEquals(ds.pixel(2, 0, 1, 1), s.pixel(1, 0, 1, 1));
    assertEquals(ds.pixel(7, 0, 0, 1), s.pixel(2, 0, 0, 1));
    assertThrows(IndexOutOfBoundsException.class, () -> ds.subset(new int[] {10}, "bad"));
    ImageDataset renamed = ds.withName("other");
    assertEquals("other", renamed.name());
    assertSame(ds.pixelArray(), renamed.pixelArray());
    assertEquals(ds.size(), renamed.size());
  }

  @Test
  void ofValidates() {
    List<String> two = List.of("a", "b");
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> ImageDataset.of("d", new byte[3], new int[] {0}, 1, 2, 2, two));
    assertTrue(e.getMessage().startsWith("d: "));
    assertThrows(DataFormatException.class, () -> ImageDataset.of("d", new byte[4], new int[] {2}, 1, 2, 2, two));
    assertThrows(DataFormatException.class, () -> ImageDataset.of("d", new byte[0], new int[0], 1, 0, 2, two));
    assertEquals(0, ImageDataset.of("e", new byte[0], new int[0], 1, 2, 2, two).size());
  }
}

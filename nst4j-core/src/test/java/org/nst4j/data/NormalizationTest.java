package org.nst4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class NormalizationTest {
  @Test
  void protocolConstants() {
    assertArrayEquals(new double[] {0.2860}, Normalization.FASHION_MNIST.mean());
    assertArrayEquals(new double[] {0.3530}, Normalization.FASHION_MNIST.std());
    assertArrayEquals(new double[] {0.1307}, Normalization.MNIST.mean());
    assertArrayEquals(new double[] {0.3081}, Normalization.MNIST.std());
    assertArrayEquals(new double[] {0.4914, 0.4822, 0.4465}, Normalization.CIFAR10.mean());
    assertArrayEquals(new double[] {0.2470, 0.2435, 0.2616}, Normalization.CIFAR10.std());
    assertArrayEquals(new double[] {0.5071, 0.4865, 0.4409}, Normalization.CIFAR100.mean());
    assertArrayEquals(new double[] {0.2673, 0.2564, 0.2762}, Normalization.CIFAR100.std());
    assertEquals(3, Normalization.CIFAR10.channels());
  }

  @Test
  void applyAndLookupTable() {
    Normalization n = Normalization.FASHION_MNIST;
    assertEquals((0 - 0.2860) / 0.3530, n.apply(0, 0), 1e-12);
    assertEquals((1 - 0.2860) / 0.3530, n.apply(0, 255), 1e-12);
    assertEquals((100 / 255.0 - 0.2860) / 0.3530, n.apply(0, 100), 1e-12);
    float[] t = n.lookupTable(0);
    assertEquals(256, t.length);
    for (int v = 0; v < 256; v++) {
      assertEquals((float) ((v / 255.0 - 0.2860) / 0.3530), t[v]);
    }
    Normalization c = Normalization.CIFAR10;
    assertEquals((128 / 255.0 - 0.4465) / 0.2616, c.lookupTable(2)[128], 1e-6);
    Normalization unit = Normalization.unit(2);
    assertEquals(1.0, unit.apply(1, 255), 1e-12);
  }

  @Test
  void computeIsExactOnAHandMadeSet() {
    // Two 2-channel 1×2 images: channel 0 pixels {0, 255, 255, 0}, channel 1 all 51.
    byte[] px = {0, (byte) 255, 51, 51, (byte) 255, 0, 51, 51};
    ImageDataset ds = ImageDataset.of("h", px, new int[] {0, 0}, 2, 1, 2, List.of("a"));
    Normalization n = Normalization.compute(ds);
    assertEquals(0.5, n.mean()[0], 1e-12);
    assertEquals(0.5, n.std()[0], 1e-12);
    assertEquals(0.2, n.mean()[1], 1e-12);
    assertEquals(1.0, n.std()[1], 0.0, "a constant channel gets std 1");
  }

  @Test
  void computeOnTheSampleIsCloseToTheProtocol() {
    Normalization n = Normalization.compute(DataSources.sample().train());
    assertEquals(0.2860, n.mean()[0], 0.01);
    assertEquals(0.3530, n.std()[0], 0.01);
    assertNotEquals(Normalization.FASHION_MNIST, n);
  }

  @Test
  void isImmutableAndComparable() {
    double[] m = {0.5};
    Normalization n = new Normalization(m, new double[] {0.25});
    m[0] = 9;
    n.mean()[0] = 7;
    assertEquals(0.5, n.mean()[0]);
    assertEquals(Normalization.of(0.5, 0.25), n);
    assertEquals(Normalization.of(0.5, 0.25).hashCode(), n.hashCode());
    assertEquals("Normalization[mean=(0.5000), std=(0.2500)]", n.toString());
  }

  @Test
  void validates() {
    assertThrows(IllegalArgumentException.class, () -> new Normalization(new double[0], new double[0]));
    assertThrows(IllegalArgumentException.class, () -> new Normalization(new double[2], new double[] {1}));
    assertThrows(IllegalArgumentException.class, () -> Normalization.of(0.5, 0));
    assertThrows(IllegalArgumentException.class, () -> Normalization.of(Double.NaN, 1));
    assertThrows(IllegalArgumentException.class, () -> Normalization.unit(0));
    ImageDataset empty = ImageDataset.of("e", new byte[0], new int[0], 1, 1, 1, List.of("a"));
    assertThrows(IllegalArgumentException.class, () -> Normalization.compute(empty));
  }

  @Test
  void roundTripsThroughJson() throws Exception {
    ObjectMapper om = new ObjectMapper();
    String json = om.writeValueAsString(Normalization.CIFAR10);
    assertEquals("{\"mean\":[0.4914,0.4822,0.4465],\"std\":[0.247,0.2435,0.2616]}", json);
    assertEquals(Normalization.CIFAR10, om.readValue(json, Normalization.class));
  }
}

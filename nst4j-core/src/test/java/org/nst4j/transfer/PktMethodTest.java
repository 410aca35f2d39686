package org.nst4j.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nst4j.model.ModelOutput;

class PktMethodTest {
  @Test
  void theWeightScalesTheTerm() {
    try (NDManager m = NDManager.newBaseManager()) {
      java.util.Random r = new java.util.Random(5);
      float[] a = new float[4 * 3 * 2 * 2];
      float[] b = new float[4 * 6 * 2 * 2];
      for (int i = 0; i < a.length; i++) {
        a[i] = (float) r.nextGaussian();
      }
      for (int i = 0; i < b.length; i++) {
        b[i] = (float) r.nextGaussian();
      }
      ModelOutput s = ModelOutput.of(null, Map.of("stage3", m.create(a, new Shape(4, 3, 2, 2))));
      ModelOutput t = ModelOutput.of(null, Map.of("stage3", m.create(b, new Shape(4, 6, 2, 2))));
      TransferMethod pkt = TransferMethods.get("pkt");
      double def = pkt.createTerm(LossOptions.defaults()).compute(s, t, null, true).getFloat();
      double one = pkt.createTerm(LossOptions.builder().set(PktMethod.WEIGHT, 1.0).build())
          .compute(s, t, null, true).getFloat();
      assertTrue(one > 0);
      assertEquals(30000 * one, def, 1e-5 * def);
    }
    assertEquals("w_pkt=30000, taps default",
        TransferMethods.describe(TransferMethods.parse("pkt"), LossOptions.defaults()));
  }
}

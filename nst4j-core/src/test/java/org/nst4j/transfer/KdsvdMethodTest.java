package org.nst4j.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.nst4j.model.ModelOutput;

class KdsvdMethodTest {
  @Test
  void kAndTheWeightReachTheTerm() {
    try (NDManager m = NDManager.newBaseManager()) {
      ModelOutput s = Fixtures.maps(Fixtures.random(m, 1, true, 2, 4, 3, 3), Fixtures.random(m, 2, true, 2, 4, 2, 2));
      ModelOutput t = Fixtures.maps(Fixtures.random(m, 3, true, 2, 4, 3, 3), Fixtures.random(m, 4, true, 2, 4, 2, 2));
      TransferMethod kdsvd = TransferMethods.get("kdsvd");
      double one = kdsvd.createTerm(LossOptions.defaults()).compute(s, t, null, true).getDouble();
      double two = kdsvd.createTerm(LossOptions.builder().set(KdsvdMethod.WEIGHT, 2.0).build())
          .compute(s, t, null, true).getDouble();
      double k2 = kdsvd.createTerm(LossOptions.builder().set(KdsvdMethod.K, 2).build())
          .compute(s, t, null, true).getDouble();
      assertTrue(one > 0);
      assertEquals(2 * one, two, 1e-9 * two);
      assertNotEquals(one, k2);
    }
    assertEquals("k=1 w_kdsvd=1, taps default",
        TransferMethods.describe(TransferMethods.parse("kdsvd"), LossOptions.defaults()));
  }
}

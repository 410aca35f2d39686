package org.nst4j.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nst4j.model.ModelOutput;

class VidMethodTest {
  @Test
  void theOptionsReachTheTrainedModules() {
    TransferMethod vid = TransferMethods.get("vid");
    assertTrue(vid.trainsModules());
    try (NDManager m = NDManager.newBaseManager()) {
      ModelOutput s = Fixtures.maps(Fixtures.random(m, 1, false, 2, 3, 2, 2), Fixtures.random(m, 2, false, 2, 4, 1, 1));
      ModelOutput t = Fixtures.maps(Fixtures.random(m, 3, false, 2, 5, 2, 2), Fixtures.random(m, 4, false, 2, 6, 1, 1));
      LossOptions o = LossOptions.builder().set(VidMethod.INIT_VARIANCE, 2.0).set(VidMethod.WEIGHT, 3.0).build();
      try (TransferTerm term = vid.createTerm(o)) {
        term.initialize(m, s, t, 0);
        List<Parameter> p = term.parameters();
        assertEquals(4, p.size(), "one regressor (3 convolutions) and one variance, for the second pair only");
        double a = p.get(3).getArray().toDoubleArray()[0];
        assertEquals(2.0, Math.log1p(Math.exp(a)) + 1e-5, 1e-5);
        double three = term.compute(s, t, null, true).getDouble();
        try (TransferTerm unit = vid.createTerm(o.toBuilder().set(VidMethod.WEIGHT, 1.0).build())) {
          unit.initialize(m, s, t, 0);
          assertEquals(three, 3 * unit.compute(s, t, null, true).getDouble(), 1e-5 * Math.abs(three));
        }
      }
    }
    assertEquals("w_vid=1 σ²₀=2, taps default", TransferMethods.describe(TransferMethods.parse("vid"),
        LossOptions.builder().set(VidMethod.INIT_VARIANCE, 2.0).build()));
  }
}

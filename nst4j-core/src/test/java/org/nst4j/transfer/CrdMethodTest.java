package org.nst4j.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nst4j.model.ModelOutput;

class CrdMethodTest {

  private static double value(TransferTerm term, NDManager m, ModelOutput s, ModelOutput t) {
    term.initialize(m, s, t, 5);
    ((IndexedTerm) term).setBatchIndices(new long[] {3, 0, 8});
    return term.compute(s, t, null, true).getDouble();
  }

  @Test
  void theOptionsAndTheTrainingSetSizeReachTheTerm() {
    TransferMethod crd = TransferMethods.get("crd");
    assertTrue(crd.trainsModules() && crd.needsTrainingRun());
    assertTrue(crd.reads().contains(TransferMethod.Input.DATASET_INDICES));
    TermContext run = new TermContext(9, null, Map.of());
    try (NDManager m = NDManager.newBaseManager()) {
      ModelOutput s = Fixtures.maps(Fixtures.random(m, 1, true, 3, 4, 2, 2));
      ModelOutput t = Fixtures.maps(Fixtures.random(m, 2, true, 3, 5, 2, 2));
      LossOptions o = LossOptions.builder().set(CrdMethod.WEIGHT, 2.0).set(CrdMethod.FEATURE_DIM, 3)
          .set(CrdMethod.NEGATIVES, 5).set(CrdMethod.TEMPERATURE, 0.5).set(CrdMethod.MOMENTUM, 0.25).build();
      try (TransferTerm term = crd.createTerm(o, run);
          CrdTerm reference = new CrdTerm(2, 9, 3, 5, 0.5, 0.25, null)) {
        assertEquals(9, ((IndexedTerm) term).numData(), "N from the run");
        double v = value(term, m, s, t);
        assertEquals(value(reference, m, s, t), v, 0, "every option reaches the term");
        assertEquals(6, ((CrdTerm) term).lastSample()[0].length, "K + 1 scores per image");
        assertEquals(3, term.parameters().get(0).getArray().getShape().get(0), "d = 3");
        assertTrue(Double.isFinite(v) && v > 0);
      }
      try (TransferTerm term = crd.createTerm(LossOptions.defaults(), run);
          CrdTerm reference = new CrdTerm(9)) {
        assertEquals(value(reference, m, s, t), value(term, m, s, t), 0, "the defaults are the term's");
      }
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> crd.createTerm(LossOptions.defaults()));
    assertTrue(e.getMessage().startsWith("crd needs the number of training images"), e.getMessage());
    assertEquals("w_crd=0.8 d=128 K=16384 T=0.07 m=0.5, taps default",
        TransferMethods.describe(TransferMethods.parse("crd"), LossOptions.defaults()));
  }
}

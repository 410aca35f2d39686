package org.nst4j.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nst4j.model.ModelOutput;
import org.nst4j.model.TappedModel.BatchNormParameters;

class OfdMethodTest {

  private static ModelOutput pre(NDArray map) {
    return ModelOutput.of(null, Map.of("stage1", ai.djl.nn.Activation.relu(map)), Map.of("stage1_pre", map));
  }

  @Test
  void theWeightAndTheTeachersBatchNormReachTheTerm() {
    TransferMethod ofd = TransferMethods.get("ofd");
    assertTrue(ofd.trainsModules() && ofd.needsTrainingRun());
    float[] gamma = {0.5f, 2f, 1f};
    float[] beta = {-0.3f, 0.8f, 0f};
    TermContext run = new TermContext(50, "resnet8", Map.of("stage1_pre", new BatchNormParameters(gamma, beta)));
    try (NDManager m = NDManager.newBaseManager()) {
      ModelOutput s = pre(Fixtures.random(m, 1, false, 4, 2, 3, 3));
      ModelOutput t = pre(Fixtures.random(m, 2, false, 4, 3, 3, 3));
      double[] g = {gamma[0], gamma[1], gamma[2]};
      double[] b = {beta[0], beta[1], beta[2]};
      LossOptions o = LossOptions.builder().set(OfdMethod.WEIGHT, 0.25).build();
      try (TransferTerm term = ofd.createTerm(o, run);
          OfdTerm reference = new OfdTerm(0.25, null, Map.of("stage1_pre", OfdTerm.margins(g, b)));
          TransferTerm defaults = ofd.createTerm(LossOptions.defaults(), run)) {
        term.initialize(m, s, t, 3);
        reference.initialize(m, s, t, 3);
        defaults.initialize(m, s, t, 3);
        double v = term.compute(s, t, null, false).getDouble();
        assertTrue(v > 0, "the default pairs are the pre-ReLU taps");
        assertEquals(reference.compute(s, t, null, false).getDouble(), v, 1e-12 * v, "margins from γ and β");
        assertEquals(v / 250, defaults.compute(s, t, null, false).getDouble(), 1e-9 * v, "default weight 0.001");
      }
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ofd.createTerm(LossOptions.defaults()));
    assertTrue(e.getMessage().contains("ofd needs") && e.getMessage().contains("training run"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> ofd.createTerm(LossOptions.defaults(), new TermContext(50, "teacher.pt", Map.of())));
    assertTrue(e.getMessage().contains("pre-ReLU") && e.getMessage().contains("TorchScript"), e.getMessage());
    assertEquals("w_ofd=0.001, taps default",
        TransferMethods.describe(TransferMethods.parse("ofd"), LossOptions.defaults()));
  }
}

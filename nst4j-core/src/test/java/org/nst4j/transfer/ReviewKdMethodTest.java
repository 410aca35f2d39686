package org.nst4j.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nst4j.model.ModelOutput;
import org.nst4j.model.TappedModel.BatchNormParameters;

class ReviewKdMethodTest {

  /** Two stages, main taps and (for the teacher) pre-ReLU taps. */
  private static ModelOutput output(NDManager m, long seed, int c, boolean pre) {
    Map<String, NDArray> main = new LinkedHashMap<>();
    Map<String, NDArray> preMaps = new LinkedHashMap<>();
    for (int s = 1; s <= 2; s++) {
      NDArray map = Fixtures.random(m, seed + s, false, 2, c * s, 8 / s, 8 / s);
      main.put("stage" + s, ai.djl.nn.Activation.relu(map));
      if (pre) {
        preMaps.put("stage" + s + "_pre", map);
      }
    }
    return ModelOutput.of(null, main, preMaps);
  }

  private static double value(TransferTerm term, NDManager m, ModelOutput s, ModelOutput t) {
    term.initialize(m, s, t, 2);
    return term.compute(s, t, null, false).getDouble();
  }

  @Test
  void theWeightAndTheWarmUpReachTheTerm() {
    TransferMethod review = TransferMethods.get("reviewkd");
    assertTrue(review.trainsModules() && review.needsTrainingRun());
    BatchNormParameters bn = new BatchNormParameters(new float[] {1, 1}, new float[] {0, 0});
    TermContext run = new TermContext(30, "resnet8", Map.of("stage1_pre", bn, "stage2_pre", bn));
    try (NDManager m = NDManager.newBaseManager()) {
      ModelOutput s = output(m, 1, 2, false);
      ModelOutput t = output(m, 10, 3, true);
      LossOptions o = LossOptions.builder().set(ReviewKdMethod.WEIGHT, 2.0).set(ReviewKdMethod.WARMUP, 4).build();
      try (TransferTerm two = review.createTerm(o, run);
          ReviewKdTerm reference = new ReviewKdTerm(1, 4, List.of("stage1:stage1_pre", "stage2:stage2_pre"));
          TransferTerm defaults = review.createTerm(LossOptions.defaults(), run)) {
        double v = value(two, m, s, t);
        assertEquals(2 * value(reference, m, s, t), v, 1e-12 * v,
            "weight 2, and by default the teacher's pre-ReLU maps");
        two.beginEpoch(1);
        assertEquals(v / 4, two.compute(s, t, null, false).getDouble(), 1e-12 * v, "warm-up of 4 epochs");
        defaults.initialize(m, s, t, 2);
        defaults.beginEpoch(1);
        assertEquals(0.05, ((ReviewKdTerm) defaults).currentWarmupFactor(), 1e-15, "20 epochs by default");
      }
      // A teacher without pre-ReLU taps: refused by default, accepted with explicit taps.
      TermContext noPre = new TermContext(30, "teacher.pt", Map.of());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> review.createTerm(LossOptions.defaults(), noPre));
      assertTrue(e.getMessage().contains("pre-ReLU") && e.getMessage().contains("--taps"), e.getMessage());
      try (TransferTerm explicit = review.createTerm(LossOptions.builder().optTaps(List.of("stage2")).build(),
          noPre)) {
        assertTrue(value(explicit, m, s, output(m, 10, 3, false)) > 0);
      }
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> review.createTerm(LossOptions.defaults()));
    assertTrue(e.getMessage().startsWith("reviewkd needs"), e.getMessage());
    assertEquals("w_review=1 warm-up 20, taps default",
        TransferMethods.describe(TransferMethods.parse("reviewkd"), LossOptions.defaults()));
  }
}

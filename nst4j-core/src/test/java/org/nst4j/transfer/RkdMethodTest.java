package org.nst4j.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nst4j.model.ModelOutput;

class RkdMethodTest {
  @Test
  void theWeightsReachTheTermAndTheReport() {
    try (NDManager m = NDManager.newBaseManager()) {
      java.util.Random r = new java.util.Random(3);
      float[] a = new float[4 * 3 * 2 * 2];
      float[] b = new float[4 * 5 * 2 * 2];
      for (int i = 0; i < a.length; i++) {
        a[i] = (float) r.nextGaussian();
      }
      for (int i = 0; i < b.length; i++) {
        b[i] = (float) r.nextGaussian();
      }
      ModelOutput s = ModelOutput.of(null, Map.of("stage3", m.create(a, new Shape(4, 3, 2, 2))));
      ModelOutput t = ModelOutput.of(null, Map.of("stage3", m.create(b, new Shape(4, 5, 2, 2))));
      TransferMethod rkd = TransferMethods.get("rkd");
      double both = rkd.createTerm(LossOptions.defaults()).compute(s, t, null, true).getFloat();
      double distance = rkd.createTerm(LossOptions.builder().set(RkdMethod.ANGLE_WEIGHT, 0.0).build())
          .compute(s, t, null, true).getFloat();
      double angle = rkd.createTerm(LossOptions.builder().set(RkdMethod.DISTANCE_WEIGHT, 0.0).build())
          .compute(s, t, null, true).getFloat();
      assertEquals(both, distance + angle, 1e-5 * both);
      double doubled = rkd.createTerm(LossOptions.builder().set(RkdMethod.ANGLE_WEIGHT, 0.0)
          .set(RkdMethod.DISTANCE_WEIGHT, 50.0).build()).compute(s, t, null, true).getFloat();
      assertEquals(2 * distance, doubled, 1e-5 * doubled);
    }
    assertEquals("w_d=25 w_a=50, taps stage3",
        TransferMethods.describe(TransferMethods.parse("rkd"),
            LossOptions.builder().optTaps(List.of("stage3")).build()));
  }
}

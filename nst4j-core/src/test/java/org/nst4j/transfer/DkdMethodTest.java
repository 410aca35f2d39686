package org.nst4j.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nst4j.model.ModelOutput;

class DkdMethodTest {
  private static NDManager manager;
  private static ModelOutput student;
  private static ModelOutput teacher;
  private static NDArray labels;

  @BeforeAll
  static void setUp() {
    manager = NDManager.newBaseManager();
    student = ModelOutput.of(manager.create(new float[] {1, -2, 0.5f, 3, 0, 1, 2, -1}, new Shape(2, 4)), Map.of());
    teacher = ModelOutput.of(manager.create(new float[] {2, -1, 0, 1, 1, 0, 3, -2}, new Shape(2, 4)), Map.of());
    labels = manager.create(new long[] {3, 2});
  }

  @AfterAll
  static void tearDown() {
    manager.close();
  }

  private static double value(LossOptions o, int epoch) {
    try (TransferTerm t = TransferMethods.get("dkd").createTerm(o)) {
      if (epoch > 0) {
        t.beginEpoch(epoch);
      }
      return t.compute(student, teacher, labels, true).getFloat();
    }
  }

  @Test
  void optionsReachTheTerm() {
    double full = value(LossOptions.defaults(), 0);
    assertEquals(full / 4, value(LossOptions.builder().set(DkdMethod.WARMUP, 4).build(), 1), 1e-6 * full);
    assertEquals(full, value(LossOptions.builder().set(DkdMethod.WARMUP, 4).build(), 9), 1e-6 * full);
    assertNotEquals(full, value(LossOptions.builder().set(DkdMethod.BETA, 2.0).build(), 0));
    assertNotEquals(full, value(LossOptions.builder().set(KdMethod.LOGIT_STD, true).build(), 0));
    assertTrue(full > 0);
  }

  @Test
  void theCrossEntropyKeepsItsWeightAndTheOptionsAreDescribed() {
    LossOptions o = LossOptions.builder().set(KdMethod.LOGIT_STD, true).build();
    assertEquals(1.0, TransferMethods.get("dkd").crossEntropyShare(o));
    assertEquals("α_dkd=1 β_dkd=8 T=4 warm-up 20 logit-std",
        TransferMethods.describe(TransferMethods.parse("dkd"), o));
    assertEquals("T=4 α=0.9 logit-std, α_dkd=1 β_dkd=8 T=4 warm-up 20 logit-std",
        TransferMethods.describe(TransferMethods.parse("kd+dkd"), o));
    assertEquals(List.of("dkd_alpha", "dkd_beta", "dkd_temperature", "dkd_warmup", "logit_std"),
        LossOptions.defaults().valuesOf(TransferMethods.parse("dkd")).keySet().stream().toList());
  }
}

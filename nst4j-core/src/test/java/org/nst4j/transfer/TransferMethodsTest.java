package org.nst4j.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TransferMethodsTest {
  /** A training run's context: 100 images, a teacher with one pre-ReLU tap of 2 channels. */
  private static final TermContext RUN = new TermContext(100, "resnet8", java.util.Map.of("stage1_pre",
      new org.nst4j.model.TappedModel.BatchNormParameters(new float[] {1, 2}, new float[] {0, -1})));

  @Test
  void everyMethodIsCompleteAndItsOptionsAreUnique() {
    Set<String> keys = new HashSet<>();
    Set<String> cli = new HashSet<>();
    for (MethodOption<?> o : TransferMethods.allOptions()) {
      assertTrue(keys.add(o.key()), o.key());
      assertTrue(cli.add(o.cliName()), o.cliName());
      assertTrue(o.cliName().startsWith("--"), o.cliName());
    }
    for (TransferMethod m : TransferMethods.ALL) {
      assertEquals(m, TransferMethods.get(m.name().toUpperCase()));
      assertTrue(!m.paper().isBlank() && !m.summary().isBlank(), m.name());
      assertTrue(!m.reads().isEmpty(), m.name());
      if (m.needsTrainingRun()) {
        // Such a method is refused outside a run, with a message saying what it lacks, and made inside one.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> m.createTerm(LossOptions.defaults()));
        assertTrue(e.getMessage().startsWith(m.name() + " needs"), e.getMessage());
        try (TransferTerm t = m.createTerm(LossOptions.defaults(), RUN)) {
          assertEquals(m.name(), t.name(), "a term reports under its method's name");
        }
        continue;
      }
      TransferTerm t = m.createTerm(LossOptions.defaults());
      if (m.name().equals("ce")) {
        assertNull(t);
      } else {
        assertNotNull(t, m.name());
        assertEquals(m.name(), t.name(), "a term reports under its method's name");
        t.close();
      }
    }
  }

  @Test
  void theSevenFirstMethodsKeepTheirNamesAndOrder() {
    assertEquals(List.of("ce", "kd", "fitnet", "at", "nst-linear", "nst-poly", "nst-gauss"),
        TransferMethods.names().subList(0, 7));
  }

  @Test
  void theNstKernelsShareOneLambda() {
    for (String k : List.of("nst-linear", "nst-poly", "nst-gauss")) {
      assertTrue(TransferMethods.get(k).options().contains(NstMethod.LAMBDA), k);
    }
    assertEquals(1, TransferMethods.allOptions().stream().filter(o -> o.key().equals("lambda")).count());
  }

  @Test
  void describesEachPartOnceAndTheTapsLast() {
    LossOptions o = LossOptions.defaults();
    assertEquals("T=4 α=0.9, λ=50 (λ/2·MMD²), d=2 c=0, taps default",
        TransferMethods.describe(TransferMethods.parse("kd+nst-poly"), o));
    assertEquals("λ=50 (λ/2·MMD²), d=2 c=0, σ²=auto, taps stage3",
        TransferMethods.describe(TransferMethods.parse("nst-poly+nst-gauss"),
            o.toBuilder().optTaps(List.of("stage3")).build()));
    assertEquals("", TransferMethods.describe(TransferMethods.parse("ce"), o));
    assertEquals("β_at=1000 p=3, taps default",
        TransferMethods.describe(TransferMethods.parse("at"), o.toBuilder().set(AtMethod.P, 3.0).build()));
  }

  @Test
  void theCrossEntropyShareIsTheProductOfTheMethods() {
    LossOptions o = LossOptions.builder().set(KdMethod.ALPHA, 0.8).build();
    try (Objective obj = Objectives.create("kd+at", o)) {
      assertTrue(obj.toString().contains("kd+at"));
    }
    assertEquals(0.2, TransferMethods.get("kd").crossEntropyShare(o), 1e-12);
    assertEquals(1.0, TransferMethods.get("at").crossEntropyShare(o));
  }

  @Test
  void badMethodStringsAreRefusedWithTheKnownNames() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TransferMethods.get("rkdx"));
    assertTrue(e.getMessage().contains("known methods: ce, kd"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TransferMethods.parse("kd++at"));
    assertEquals("kd+at", TransferMethods.normalize(TransferMethods.parse("ce + KD + at")));
  }
}

package org.nst4j.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nst4j.model.ModelOutput;

/** Tests {@link LossReport} and the {@link Objectives#evaluate} service that makes it. */
class LossReportTest {
  private static NDManager manager;
  private static NDArray s0;
  private static NDArray s1;
  private static NDArray t0;
  private static NDArray t1;
  private static NDArray zs;
  private static NDArray zt;
  private static NDArray y;

  @BeforeAll
  static void open() {
    manager = NDManager.newBaseManager();
    s0 = f32(Fixtures.random(manager, 1, true, 4, 3, 8, 8));
    s1 = f32(Fixtures.random(manager, 2, true, 4, 6, 4, 4));
    t0 = f32(Fixtures.random(manager, 3, true, 4, 5, 8, 8));
    t1 = f32(Fixtures.random(manager, 4, true, 4, 9, 2, 2));
    zs = f32(Fixtures.random(manager, 5, false, 4, 10));
    zt = f32(Fixtures.random(manager, 6, false, 4, 10));
    y = manager.create(new long[] {1, 9, 0, 4});
  }

  private static NDArray f32(NDArray a) {
    return a.toType(DataType.FLOAT32, false);
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  private static LossReport eval(String method, LossOptions o, NDArray zs, NDArray zt, NDArray y) {
    return Objectives.evaluate(manager, method, o, List.of(s0, s1), List.of(t0, t1), zs, zt, y);
  }

  @Test
  void nstWithoutLabelsReportsOnlyTheTransferTerm() {
    LossReport r = eval("nst-poly", LossOptions.defaults(), null, null, null);
    assertEquals(List.of("nst-poly"), List.copyOf(r.terms().keySet()));
    assertTrue(r.notes().get(0).startsWith("ce omitted"), r.notes().toString());
    ModelOutput s = Fixtures.maps(s0, s1);
    ModelOutput t = Fixtures.maps(t0, t1);
    double expected = Scalars.value(new NstTerm(Mmd.Kernel.POLY, LossOptions.defaults()).compute(s, t, null, true));
    assertEquals(expected, r.total(), 1e-6 * expected);
    // Taps are positional: tap1 (the last) is the default; tap0 can be chosen.
    LossReport first = eval("nst-poly", LossOptions.builder().optTaps(List.of("tap0")).build(), null, null, null);
    assertTrue(Math.abs(first.total() - r.total()) > 1e-6);
  }

  @Test
  void kdPlusNstWithEverything() {
    LossReport r = eval("kd+nst-gauss", LossOptions.defaults(), zs, zt, y);
    assertEquals(List.of("ce", "kd", "nst-gauss"), List.copyOf(r.terms().keySet()));
    assertTrue(r.notes().isEmpty());
    double sum = r.terms().values().stream().mapToDouble(Double::doubleValue).sum();
    assertEquals(sum, r.total(), 1e-12);
    double ce = Scalars.value(CrossEntropyTerm.crossEntropy(zs, y));
    assertEquals(0.1 * ce, r.terms().get("ce"), 1e-6);
    for (String m : List.of("ce", "kd", "at", "fitnet", "nst-linear", "at+fitnet+nst-poly")) {
      LossReport x = eval(m, LossOptions.defaults(), zs, zt, y);
      assertTrue(Double.isFinite(x.total()) && x.total() > 0, m + " " + x.toJson());
    }
  }

  @Test
  void missingInputsAreClearErrors() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> eval("kd", LossOptions.defaults(), zs, zt, null));
    assertTrue(e.getMessage().contains("missing: labels"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> eval("kd+at", LossOptions.defaults(), null, null, y));
    assertTrue(e.getMessage().contains("student logits, teacher logits"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> eval("ce", LossOptions.defaults(), zs, null, null));
    assertTrue(e.getMessage().contains("missing: labels"), e.getMessage());
    e = assertThrows(
        IllegalArgumentException.class,
        () -> Objectives.evaluate(manager, "at", LossOptions.defaults(), List.of(s0), List.of(), zs, null, y));
    assertTrue(e.getMessage().contains("0 teacher maps"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> eval("nst-cubic", LossOptions.defaults(), zs, zt, y));
    assertTrue(e.getMessage().contains("known methods"), e.getMessage());
  }

  @Test
  void inconsistentInputsAreClearErrors() {
    NDArray y3 = manager.create(new long[] {1, 2, 3});
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> eval("nst-poly", LossOptions.defaults(), zs, zt, y3));
    assertTrue(e.getMessage().contains("labels has batch size 3"), e.getMessage());
    NDArray bad = manager.create(new long[] {1, 2, 10, 0});
    e = assertThrows(IllegalArgumentException.class, () -> eval("ce", LossOptions.defaults(), zs, zt, bad));
    assertTrue(e.getMessage().contains("label 10 of image 2"), e.getMessage());
    e = assertThrows(
        IllegalArgumentException.class,
        () -> eval("nst-poly", LossOptions.builder().optTaps(List.of("stage3")).build(), null, null, null));
    assertTrue(e.getMessage().contains("[tap0, tap1]"), e.getMessage());
    e = assertThrows(
        IllegalArgumentException.class,
        () -> eval("at", LossOptions.builder().optSpatial(SpatialPolicy.REFUSE).build(), null, null, null));
    assertTrue(e.getMessage().contains("refuse"), e.getMessage());
  }

  @Test
  void sameArrayForBothModelsGivesZeroAndSurvives() {
    LossReport r =
        Objectives.evaluate(manager, "nst-gauss", LossOptions.defaults(), List.of(s0), List.of(s0), null, null, null);
    assertEquals(0, r.total(), 1e-6);
    // The inputs are still alive and usable after the call.
    assertEquals(4 * 3 * 8 * 8, s0.toFloatArray().length);
    assertTrue(s0.getManager() == manager);
  }

  @Test
  void jsonHasEveryField() throws Exception {
    LossReport r = eval("kd+nst-poly", LossOptions.builder().set(NstMethod.SCALE, "full").build(), zs, zt, y);
    JsonNode j = new ObjectMapper().readTree(r.toJson());
    assertEquals("kd+nst-poly", j.get("method").asText());
    assertEquals(r.total(), j.get("total").asDouble(), 0);
    assertEquals(r.terms().get("nst-poly"), j.get("terms").get("nst-poly").asDouble(), 0);
    assertEquals("full", j.get("options").get("nst_scale").asText());
    assertTrue(j.get("notes").isArray());
    LossReport manual = new LossReport("x", Map.of("a", 1.0), List.of("n"), Map.of());
    assertEquals(1.0, manual.total());
    assertTrue(manual.toJson().contains("\"notes\":[\"n\"]"), manual.toJson());
  }
}

package org.nst4j.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class LossOptionsTest {

  @Test
  void specDefaults() {
    LossOptions o = LossOptions.defaults();
    assertEquals(50, o.get(NstMethod.LAMBDA).doubleValue());
    assertTrue(o.get(NstMethod.SCALE).equals("half"));
    assertEquals(25, NstMethod.scale(o));
    assertTrue(o.get(NstMethod.KEEP_TEACHER_TERM).booleanValue());
    assertEquals(2, o.get(NstPolyMethod.DEGREE).intValue());
    assertEquals(0, o.get(NstPolyMethod.C).doubleValue());
    assertNull(o.get(NstGaussMethod.SIGMA2));
    assertEquals(4, o.get(KdMethod.TEMPERATURE).doubleValue());
    assertEquals(0.9, o.get(KdMethod.ALPHA).doubleValue());
    assertEquals(100, o.get(FitNetMethod.BETA).doubleValue());
    assertEquals(1000, o.get(AtMethod.BETA).doubleValue());
    assertEquals(2, o.get(AtMethod.P).doubleValue());
    assertNull(o.taps());
    assertEquals(SpatialPolicy.POOL, o.spatial());
  }

  @Test
  void builderAndToBuilderRoundTrip() {
    LossOptions o =
        LossOptions.builder()
            .set(NstMethod.LAMBDA, 10.0)
            .set(NstMethod.SCALE, "full")
            .set(NstMethod.KEEP_TEACHER_TERM, false)
            .set(NstPolyMethod.DEGREE, 3)
            .set(NstPolyMethod.C, 1.0)
            .set(NstGaussMethod.SIGMA2, 0.5)
            .set(KdMethod.TEMPERATURE, 2.0)
            .set(KdMethod.ALPHA, 0.5)
            .set(FitNetMethod.BETA, 1.0)
            .set(AtMethod.BETA, 2.0)
            .set(AtMethod.P, 4.0)
            .optTaps(List.of("a", "b:c"))
            .optSpatial(SpatialPolicy.REFUSE)
            .build();
    assertEquals(10, NstMethod.scale(o));
    LossOptions copy = o.toBuilder().build();
    assertEquals(o, copy);
    assertEquals(o.toMap(TransferMethods.ALL), copy.toMap(TransferMethods.ALL));
    assertFalse(copy.get(NstMethod.KEEP_TEACHER_TERM).booleanValue());
    assertEquals(List.of("a", "b:c"), copy.taps());
    assertEquals(0.5, copy.get(NstGaussMethod.SIGMA2));
    assertNull(LossOptions.builder().optTaps(List.of()).build().taps());
  }

  private static void rejects(Consumer<LossOptions.Builder> change, String fragment) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
      LossOptions.Builder b = LossOptions.builder();
      change.accept(b);
      b.build();
    });
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }

  @Test
  void validatesEveryOption() {
    rejects(b -> b.set(NstMethod.LAMBDA, -1.0), "lambda must be >= 0, got -1");
    rejects(b -> b.set(NstMethod.LAMBDA, Double.NaN), "lambda");
    rejects(b -> b.set(KdMethod.TEMPERATURE, 0.0), "temperature T must be > 0, got 0");
    rejects(b -> b.set(KdMethod.ALPHA, 1.01), "alpha must be in [0, 1], got 1.01");
    rejects(b -> b.set(KdMethod.ALPHA, -0.1), "alpha must be in [0, 1]");
    rejects(b -> b.set(NstPolyMethod.DEGREE, 0), "degree d must be >= 1, got 0");
    rejects(b -> b.set(NstPolyMethod.C, -1.0), "offset c must be >= 0");
    rejects(b -> b.set(NstGaussMethod.SIGMA2, 0.0), "sigma^2 must be > 0, got 0.0");
    rejects(b -> b.set(NstGaussMethod.SIGMA2, -2.0), "sigma^2 must be > 0");
    rejects(b -> b.set(FitNetMethod.BETA, -1.0), "FitNet beta");
    rejects(b -> b.set(AtMethod.BETA, -1.0), "AT beta");
    rejects(b -> b.set(AtMethod.P, 0.0), "AT exponent p");
    rejects(b -> b.optSpatial(null), "spatial policy");
    rejects(b -> b.optTaps(List.of(" ")), "tap names");
  }

  @Test
  void valuesEqualToTheDefaultAreTheDefault() {
    LossOptions explicit = LossOptions.builder().set(KdMethod.ALPHA, 0.9).set(NstMethod.SCALE, "half").build();
    assertEquals(LossOptions.defaults(), explicit);
    assertEquals(LossOptions.defaults().hashCode(), explicit.hashCode());
    assertFalse(LossOptions.defaults().equals(LossOptions.builder().set(KdMethod.ALPHA, 0.5).build()));
  }

  @Test
  void valuesOfListsOnlyTheMethodsOptionsWithDefaults() {
    LossOptions o = LossOptions.builder().set(KdMethod.TEMPERATURE, 2.0).set(AtMethod.BETA, 5.0).build();
    java.util.Map<String, Object> kdPoly =
        o.valuesOf(List.of(TransferMethods.get("kd"), TransferMethods.get("nst-poly")));
    assertEquals(List.of("kd_temperature", "kd_alpha", "logit_std", "lambda", "nst_scale", "keep_teacher_term", "nst_degree",
        "nst_c"), List.copyOf(kdPoly.keySet()));
    assertEquals(2.0, kdPoly.get("kd_temperature"));
    assertEquals(0.9, kdPoly.get("kd_alpha"));
    assertTrue(o.valuesOf(List.of(TransferMethods.get("ce"))).isEmpty());
    java.util.Map<String, Object> gauss = o.valuesOf(List.of(TransferMethods.get("nst-gauss")));
    assertTrue(gauss.containsKey("nst_sigma2") && gauss.get("nst_sigma2") == null, gauss.toString());
  }

  @Test
  void parsesText() {
    LossOptions o = LossOptions.builder().parse(NstGaussMethod.SIGMA2, "auto").parse(NstPolyMethod.DEGREE, "3")
        .parse(NstMethod.SCALE, "FULL").build();
    assertNull(o.get(NstGaussMethod.SIGMA2));
    assertEquals(3, o.get(NstPolyMethod.DEGREE));
    assertEquals("full", o.get(NstMethod.SCALE));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LossOptions.builder().parse(KdMethod.TEMPERATURE, "hot"));
    assertTrue(e.getMessage().contains("'hot' is not a number"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> LossOptions.builder().parse(NstMethod.SCALE, "third"));
    assertTrue(e.getMessage().contains("half (λ/2, the paper) or full"), e.getMessage());
  }

  @Test
  void parsesSpatialPolicy() {
    assertEquals(SpatialPolicy.POOL, SpatialPolicy.parse("Pool"));
    assertEquals(SpatialPolicy.REFUSE, SpatialPolicy.parse("refuse"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SpatialPolicy.parse("crop"));
    assertTrue(e.getMessage().contains("pool, refuse"), e.getMessage());
  }
}

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
    assertEquals(50, o.lambda());
    assertTrue(o.nstHalf());
    assertEquals(25, o.nstScale());
    assertTrue(o.keepTeacherTerm());
    assertEquals(2, o.nstDegree());
    assertEquals(0, o.nstC());
    assertNull(o.nstSigma2());
    assertEquals(4, o.kdTemperature());
    assertEquals(0.9, o.kdAlpha());
    assertEquals(100, o.fitnetBeta());
    assertEquals(1000, o.atBeta());
    assertEquals(2, o.atP());
    assertNull(o.taps());
    assertEquals(SpatialPolicy.POOL, o.spatial());
  }

  @Test
  void builderAndToBuilderRoundTrip() {
    LossOptions o =
        LossOptions.builder()
            .optLambda(10)
            .optNstHalf(false)
            .optKeepTeacherTerm(false)
            .optNstDegree(3)
            .optNstC(1)
            .optNstSigma2(0.5)
            .optKdTemperature(2)
            .optKdAlpha(0.5)
            .optFitnetBeta(1)
            .optAtBeta(2)
            .optAtP(4)
            .optTaps(List.of("a", "b:c"))
            .optSpatial(SpatialPolicy.REFUSE)
            .build();
    assertEquals(10, o.nstScale());
    LossOptions copy = o.toBuilder().build();
    assertEquals(o.toMap(), copy.toMap());
    assertFalse(copy.keepTeacherTerm());
    assertEquals(List.of("a", "b:c"), copy.taps());
    assertEquals(0.5, copy.nstSigma2());
    assertNull(LossOptions.builder().optTaps(List.of()).build().taps());
  }

  private static void rejects(Consumer<LossOptions.Builder> change, String fragment) {
    LossOptions.Builder b = LossOptions.builder();
    change.accept(b);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }

  @Test
  void validatesEveryOption() {
    rejects(b -> b.optLambda(-1), "lambda must be >= 0, got -1");
    rejects(b -> b.optLambda(Double.NaN), "lambda");
    rejects(b -> b.optKdTemperature(0), "temperature T must be > 0, got 0");
    rejects(b -> b.optKdAlpha(1.01), "alpha must be in [0, 1], got 1.01");
    rejects(b -> b.optKdAlpha(-0.1), "alpha must be in [0, 1]");
    rejects(b -> b.optNstDegree(0), "degree d must be >= 1, got 0");
    rejects(b -> b.optNstC(-1), "offset c must be >= 0");
    rejects(b -> b.optNstSigma2(0.0), "sigma^2 must be > 0, got 0.0");
    rejects(b -> b.optNstSigma2(-2.0), "sigma^2 must be > 0");
    rejects(b -> b.optFitnetBeta(-1), "FitNet beta");
    rejects(b -> b.optAtBeta(-1), "AT beta");
    rejects(b -> b.optAtP(0), "AT exponent p");
    rejects(b -> b.optSpatial(null), "spatial policy");
    rejects(b -> b.optTaps(List.of(" ")), "tap names");
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

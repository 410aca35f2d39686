package org.nst4j.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MethodOptionTest {
  private static final MethodOption<Double> W = MethodOption.real("w_x", "--w-x", "W", "weight w", 2, v -> v >= 0,
      ">= 0", "A weight.");

  @Test
  void parsesChecksAndFormats() {
    assertEquals(3.5, W.parse(" 3.5 "));
    assertEquals("2", W.defaultText());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> W.parse("-1"));
    assertEquals("weight w must be >= 0, got -1.0", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> W.parse("Infinity"));
    assertEquals("weight w must be a finite number, got Infinity", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> W.parse("two"));
    assertTrue(e.getMessage().contains("'two' is not a number"), e.getMessage());
    assertEquals(4.0, W.cast(4));
    assertThrows(IllegalArgumentException.class, () -> W.cast("4"));
    assertEquals("0.9", MethodOption.format(0.9));
    assertEquals("50", MethodOption.format(50.0));
  }

  @Test
  void optionalRealsAcceptAuto() {
    MethodOption<Double> s = NstGaussMethod.SIGMA2;
    assertNull(s.parse("AUTO"));
    assertEquals("auto", s.defaultText());
    assertThrows(IllegalArgumentException.class, () -> s.parse("0"));
  }

  @Test
  void choicesAndFlags() {
    assertEquals("full", NstMethod.SCALE.parse("Full"));
    assertThrows(IllegalArgumentException.class, () -> NstMethod.SCALE.parse("third"));
    assertEquals(Boolean.FALSE, NstMethod.KEEP_TEACHER_TERM.flagValue());
    assertEquals(Boolean.TRUE, NstMethod.KEEP_TEACHER_TERM.parse("true"));
    assertThrows(IllegalArgumentException.class, () -> NstMethod.KEEP_TEACHER_TERM.parse("yes"));
    assertEquals(3, NstPolyMethod.DEGREE.parse("3"));
    assertThrows(IllegalArgumentException.class, () -> NstPolyMethod.DEGREE.parse("2.5"));
  }

  @Test
  void aDefaultThatBreaksItsRuleOrAMalformedNameIsABug() {
    assertThrows(IllegalStateException.class,
        () -> MethodOption.real("w", "--w", "W", "w", -1, v -> v >= 0, ">= 0", "w"));
    assertThrows(IllegalArgumentException.class,
        () -> MethodOption.choice("Bad Key", "--b", "b", "a", List.of("a"), "a", "b"));
  }

  @Test
  void legacyKeysAreKeptOnTheOldOptions() {
    assertEquals("kdTemperature", KdMethod.TEMPERATURE.legacyKey());
    assertEquals("nstSigma2", NstGaussMethod.SIGMA2.legacyKey());
  }
}

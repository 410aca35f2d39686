package org.nst4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {
  @Test
  void meanAndSampleStdOnHandValues() {
    Stats s = Stats.of(List.of(1.0, 2.0, 3.0, 4.0));
    assertEquals(4, s.n());
    assertEquals(2.5, s.mean(), 0);
    // Σ(x − 2.5)² = 2.25 + 0.25 + 0.25 + 2.25 = 5; sample variance 5 / 3.
    assertEquals(Math.sqrt(5.0 / 3.0), s.std(), 1e-15);
    Stats two = Stats.of(List.of(0.8512, 0.8470));
    assertEquals(0.8491, two.mean(), 1e-15);
    assertEquals(0.0042 / Math.sqrt(2), two.std(), 1e-15, "two values: |a − b| / √2");
    assertEquals(0, Stats.of(List.of(0.9, 0.9, 0.9)).std(), 0);
  }

  @Test
  void noCancellationFarFromZero() {
    assertEquals(1.0, Stats.of(List.of(1e9 + 1, 1e9 + 2, 1e9 + 3)).std(), 1e-6);
  }

  @Test
  void oneValueHasNoStdAndNoneHasNoMean() {
    Stats one = Stats.of(List.of(0.7));
    assertEquals(0.7, one.mean(), 0);
    assertTrue(Double.isNaN(one.std()));
    Stats none = Stats.of(List.of());
    assertEquals(0, none.n());
    assertTrue(Double.isNaN(none.mean()));
  }

  @Test
  void refusesNonFiniteValues() {
    assertThrows(IllegalArgumentException.class, () -> Stats.of(List.of(0.5, Double.NaN)));
    assertThrows(IllegalArgumentException.class, () -> Stats.of(List.of(Double.POSITIVE_INFINITY)));
  }
}

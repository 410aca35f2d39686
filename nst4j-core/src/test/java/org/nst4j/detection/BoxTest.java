package org.nst4j.detection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Box geometry in continuous coordinates. */
class BoxTest {
  @Test
  void iouOfOverlappingDisjointNestedAndTouchingBoxes() {
    Box a = new Box(0, 0, 10, 10);
    assertEquals(1.0, a.iou(a), 0);
    assertEquals(0.6, a.iou(new Box(2.5, 0, 10, 10)), 1e-15); // 75 / 125
    assertEquals(25.0 / 175, a.iou(new Box(5, 5, 10, 10)), 1e-15);
    assertEquals(0.25, a.iou(new Box(0, 0, 5, 5)), 0); // nested: 25 / 100
    assertEquals(0.0, a.iou(new Box(10, 0, 10, 10)), 0); // touching edges share no area
    assertEquals(0.0, a.iou(new Box(20, 20, 5, 5)), 0);
    assertEquals(0.0, new Box(3, 3, 0, 0).iou(new Box(3, 3, 0, 0)), 0); // empty union: no match, no NaN
    assertEquals(a.iou(new Box(5, 5, 10, 10)), new Box(5, 5, 10, 10).iou(a), 0);
  }

  @Test
  void withinAllowsTheTolerance() {
    assertTrue(new Box(0, 0, 40, 30).within(40, 30, 0));
    assertFalse(new Box(0.5, 0, 40, 30).within(40, 30, 0));
    assertTrue(new Box(0.5, 0, 40, 30).within(40, 30, 1));
    assertFalse(new Box(-1.5, 0, 4, 3).within(40, 30, 1));
  }

  @Test
  void invalidValuesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Box(Double.NaN, 0, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new Box(0, 0, Double.POSITIVE_INFINITY, 1));
    assertThrows(IllegalArgumentException.class, () -> new Box(0, 0, 1, -1));
  }

  @Test
  void printsIntegersWithoutFractions() {
    assertEquals("[1, 2.5, 3, 4]", new Box(1, 2.5, 3, 4).toString());
    assertEquals(List.of(1.0, 2.5, 3.0, 4.0), new Box(1, 2.5, 3, 4).toList());
    assertEquals(12.0, new Box(1, 2.5, 3, 4).area(), 0);
  }
}

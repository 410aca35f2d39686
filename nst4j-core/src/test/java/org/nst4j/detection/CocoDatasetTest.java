package org.nst4j.detection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The data-set record's consistency checks and look-ups (and those of the records it holds). */
class CocoDatasetTest {
  private static final List<CocoImage> IMAGES = List.of(new CocoImage(5, "a.png", 50, 40), new CocoImage(2, "b.png", 50, 40));
  private static final List<CocoCategory> CATS = List.of(new CocoCategory(1, "x"), new CocoCategory(2, "y"));

  private static CocoDataset with(CocoAnnotation... a) {
    return new CocoDataset("t", Path.of("imgs"), IMAGES, CATS, List.of(a));
  }

  private static String refused(CocoAnnotation... a) {
    return assertThrows(IllegalArgumentException.class, () -> with(a)).getMessage();
  }

  @Test
  void inconsistenciesAreRefusedNamingTheEntry() {
    assertTrue(refused(CocoAnnotation.of(9, 3, 1, new Box(0, 0, 1, 1))).contains("annotation 9: unknown image id 3"));
    assertTrue(refused(CocoAnnotation.of(9, 5, 4, new Box(0, 0, 1, 1))).contains("unknown category id 4 (known: 1..2)"));
    assertTrue(refused(CocoAnnotation.of(9, 5, 1, new Box(45, 0, 10, 10))).contains("outside its image 5 (50×40)"));
    assertTrue(refused(CocoAnnotation.of(9, 5, 1, new Box(0, 0, 0, 10))).contains("no area"));
    assertTrue(refused(CocoAnnotation.of(9, 5, 1, new Box(0, 0, 1, 1)), CocoAnnotation.of(9, 2, 1, new Box(0, 0, 1, 1)))
        .contains("annotation id 9 is used twice"));
    List<CocoImage> twice = new ArrayList<>(IMAGES);
    twice.add(new CocoImage(5, "c.png", 10, 10));
    assertThrows(IllegalArgumentException.class, () -> new CocoDataset("t", Path.of("."), twice, CATS, List.of()));
    assertThrows(IllegalArgumentException.class,
        () -> new CocoDataset("t", Path.of("."), IMAGES, List.of(CATS.get(0), CATS.get(0)), List.of()));
  }

  @Test
  void recordsRefuseImpossibleValues() {
    assertThrows(IllegalArgumentException.class, () -> new CocoImage(1, " ", 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new CocoImage(1, "a", 0, 1));
    assertThrows(IllegalArgumentException.class,
        () -> new CocoAnnotation(1, 1, 1, new Box(0, 0, 1, 1), Double.NaN, false));
    assertThrows(IllegalArgumentException.class, () -> new Detection(1, 1, new Box(0, 0, 1, 1), Double.NaN));
    assertThrows(NullPointerException.class, () -> new CocoCategory(1, null));
  }

  @Test
  void lookUpsKeepFileOrder() {
    CocoAnnotation a = CocoAnnotation.of(1, 2, 1, new Box(0, 0, 5, 5));
    CocoAnnotation b = CocoAnnotation.of(2, 5, 2, new Box(1, 1, 5, 5));
    CocoAnnotation c = CocoAnnotation.of(3, 2, 2, new Box(2, 2, 5, 5));
    CocoDataset ds = with(a, b, c);
    assertEquals(List.of(5L, 2L), new ArrayList<>(ds.imagesById().keySet()));
    assertEquals(List.of(a, c), ds.annotationsByImage().get(2L));
    assertEquals("y", ds.categoriesById().get(2).name());
    assertEquals(Path.of("imgs", "b.png"), ds.imageFile(IMAGES.get(1)));
    assertEquals(25.0, a.area(), 0);
  }

  @Test
  void idListsAreShortInMessages() {
    assertEquals("1..2", CocoDataset.describeIds(CATS));
    assertEquals("3", CocoDataset.describeIds(List.of(new CocoCategory(3, "z"))));
    assertEquals("1, 5", CocoDataset.describeIds(List.of(new CocoCategory(1, "a"), new CocoCategory(5, "b"))));
    assertEquals("none", CocoDataset.describeIds(List.of()));
  }
}

package org.nst4j.detection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.data.DataFormatException;

/** Pascal VOC XML: conversion to COCO boxes and categories, and one-line errors. */
class VocReaderTest {
  @TempDir Path dir;

  private static String xml(String file, int w, int h, String objects) {
    return "<annotation><folder>VOC2007</folder><filename>" + file + "</filename><size><width>" + w + "</width><height>"
        + h + "</height><depth>3</depth></size>" + objects + "</annotation>";
  }

  private static String object(String name, int xmin, int ymin, int xmax, int ymax, boolean difficult) {
    return "<object><name>" + name + "</name><difficult>" + (difficult ? 1 : 0) + "</difficult><bndbox><xmin>" + xmin
        + "</xmin><ymin>" + ymin + "</ymin><xmax>" + xmax + "</xmax><ymax>" + ymax + "</ymax></bndbox>"
        + "<part><name>head</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox></part>"
        + "</object>";
  }

  private Path voc(String a, String b) throws IOException {
    Path root = dir.resolve("VOC2007");
    Files.createDirectories(root.resolve("Annotations"));
    Files.createDirectories(root.resolve("ImageSets/Main"));
    Files.writeString(root.resolve("Annotations/000005.xml"), a);
    Files.writeString(root.resolve("Annotations/000007.xml"), b);
    Files.writeString(root.resolve("ImageSets/Main/test.txt"), "000005\n000007\n\n");
    return root;
  }

  @Test
  void vocBoxesBecomeCocoBoxesAndDifficultObjectsCrowdRegions() throws IOException {
    Path root = voc(xml("000005.jpg", 500, 375, object("chair", 263, 211, 324, 339, false)
        + object("person", 1, 1, 500, 375, true)), xml("000007.jpg", 500, 333, object("car", 141, 50, 500, 330, false)));
    CocoDataset ds = VocReader.read(root, "test");
    assertEquals(20, ds.categories().size());
    assertEquals(new CocoCategory(9, "chair"), ds.categories().get(8));
    assertEquals(root.resolve("JPEGImages"), ds.imageDir());
    assertEquals(new CocoImage(2, "000007.jpg", 500, 333), ds.images().get(1));
    assertEquals(3, ds.annotations().size(), "parts are not objects");
    assertEquals(new CocoAnnotation(1, 1, 9, new Box(262, 210, 62, 129), 62 * 129, false), ds.annotations().get(0));
    assertEquals(new Box(0, 0, 500, 375), ds.annotations().get(1).bbox()); // the whole image
    assertTrue(ds.annotations().get(1).crowd());
    assertEquals(7, ds.annotations().get(2).categoryId());
  }

  @Test
  void otherClassNamesAreSortedAndNumbered() throws IOException {
    Path root = voc(xml("a.png", 50, 50, object("zebra", 1, 1, 10, 10, false)),
        xml("b.png", 50, 50, object("ant", 1, 1, 10, 10, false)));
    CocoDataset ds = VocReader.read(root, "test");
    assertEquals(2, ds.categories().size());
    assertEquals(new CocoCategory(1, "ant"), ds.categories().get(0));
    assertEquals(2, ds.annotations().get(0).categoryId());
  }

  private void bad(String a, String... fragments) throws IOException {
    Path root = voc(a, xml("b.png", 50, 50, ""));
    DataFormatException e = assertThrows(DataFormatException.class, () -> VocReader.read(root, "test"));
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), "'" + f + "' in " + e.getMessage());
    }
  }

  @Test
  void defectsAreOneLineErrorsNamingTheFile() throws IOException {
    bad(xml("a.png", 50, 50, object("cat", 1, 1, 60, 10, false)), "000005.xml", "object 1", "outside its image");
    bad(xml("a.png", 50, 50, object("cat", 20, 1, 10, 10, false)), "xmax < xmin");
    bad("<annotation><filename>a.png</filename>", "not well-formed XML");
    bad("<other/>", "expected <annotation>");
    bad(xml("a.png", 0, 50, ""), "<width> must be a positive integer");
    bad(xml("a.png", 50, 50, "<object><name>cat</name></object>"), "missing <bndbox>");
    bad(xml("a.png", 50, 50, object("cat", 1, 1, 10, 10, false).replace("<xmin>1</xmin>", "<xmin>one</xmin>")),
        "<xmin> must be a number");
    bad("<!DOCTYPE annotation [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><annotation>&x;</annotation>",
        "not well-formed XML");
    Path root = voc(xml("a.png", 50, 50, ""), xml("b.png", 50, 50, ""));
    DataFormatException e = assertThrows(DataFormatException.class, () -> VocReader.read(root, "train"));
    assertTrue(e.getMessage().contains("train.txt: no such file"), e.getMessage());
    Files.delete(root.resolve("Annotations/000007.xml"));
    e = assertThrows(DataFormatException.class, () -> VocReader.read(root, "test"));
    assertTrue(e.getMessage().contains("000007.xml: no such file"), e.getMessage());
  }
}

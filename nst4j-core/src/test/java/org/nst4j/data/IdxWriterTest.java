package org.nst4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxWriterTest {
  @TempDir Path tmp;

  private static void assertSameData(ImageDataset a, ImageDataset b) {
    assertEquals(a.size(), b.size());
    assertEquals(a.height(), b.height());
    assertEquals(a.width(), b.width());
    for (int i = 0; i < a.size(); i++) {
      assertEquals(a.label(i), b.label(i));
      byte[] x = new byte[a.imageSize()];
      byte[] y = new byte[b.imageSize()];
      a.copyImage(i, x, 0);
      b.copyImage(i, y, 0);
      assertArrayEquals(x, y);
    }
  }

  @Test
  void roundTripsPlainAndGzipped() throws Exception {
    ImageDataset ds = TestFiles.synthetic(37, 1, 5, 7, 4);
    for (String suffix : new String[] {"", ".gz"}) {
      Path img = tmp.resolve("img" + suffix);
      Path lab = tmp.resolve("lab" + suffix);
      IdxWriter.writeImages(img, ds);
      IdxWriter.writeLabels(lab, ds);
      byte[] raw = Files.readAllBytes(img);
      assertEquals(suffix.isEmpty(), raw[0] == 0, "gzip iff .gz");
      assertSameData(ds, IdxReader.read(img, lab, "r", ds.classNames()));
    }
    assertEquals(16 + 37 * 35, Files.size(tmp.resolve("img")));
    assertEquals(8 + 37, Files.size(tmp.resolve("lab")));
  }

  @Test
  void writingIsDeterministic() throws Exception {
    ImageDataset ds = TestFiles.synthetic(20, 1, 4, 4, 3);
    IdxWriter.writeImages(tmp.resolve("a.gz"), ds);
    IdxWriter.writeImages(tmp.resolve("b.gz"), ds);
    assertArrayEquals(Files.readAllBytes(tmp.resolve("a.gz")), Files.readAllBytes(tmp.resolve("b.gz")));
  }

  @Test
  void refusesWhatIdxCannotHold() {
    ImageDataset rgb = TestFiles.synthetic(2, 3, 2, 2, 2);
    assertThrows(IllegalArgumentException.class, () -> IdxWriter.writeImages(tmp.resolve("x"), rgb));
    ImageDataset many =
        ImageDataset.of("m", new byte[1], new int[] {300}, 1, 1, 1, ImageDataset.numberedClasses(301));
    assertThrows(IllegalArgumentException.class, () -> IdxWriter.writeLabels(tmp.resolve("y"), many));
  }
}

package org.nst4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarReaderTest {
  @TempDir Path tmp;

  private static final CifarReader.Variant C10 = CifarReader.Variant.CIFAR10;
  private static final CifarReader.Variant C100 = CifarReader.Variant.CIFAR100;

  private static String fails(Path named, Runnable r) {
    DataFormatException e = assertThrows(DataFormatException.class, r::run);
    assertTrue(e.getMessage().startsWith(named + ": "), e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
    return e.getMessage();
  }

  @Test
  void readsCifar10RecordsInLayout() {
    Path dir = TestFiles.cifar10Dir(tmp.resolve("c"), 3, 4);
    DataSplits s = CifarReader.readCifar10(dir);
    ImageDataset train = s.train();
    assertEquals(15, train.size());
    assertEquals(3, train.channels());
    assertEquals(32, train.height());
    assertEquals(32, train.width());
    assertEquals(4, s.test().size());
    assertEquals(Normalization.CIFAR10, s.normalization());
    assertEquals("0", train.classNames().get(0));
    for (int r = 0; r < 15; r++) {
      assertEquals((r * 3) % 10, train.label(r), "record " + r);
      // Pixel byte j of record r is (r + j) mod 256, j = c·1024 + y·32 + x: red plane, then green, then blue.
      assertEquals(r & 0xFF, train.pixel(r, 0, 0, 0));
      assertEquals((r + 1024 + 5 * 32 + 7) & 0xFF, train.pixel(r, 1, 5, 7));
      assertEquals((r + 2048 + 31 * 32 + 31) & 0xFF, train.pixel(r, 2, 31, 31));
    }
    // Test records were numbered from 1000.
    assertEquals((1002 * 3) % 10, s.test().label(2));
  }

  @Test
  void classNamesComeFromTheMetaFile() throws Exception {
    Path dir = TestFiles.cifar10Dir(tmp.resolve("c"), 1, 1);
    List<String> names =
        List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");
    Files.writeString(dir.resolve("batches.meta.txt"), String.join("\n", names) + "\n\n", StandardCharsets.UTF_8);
    assertEquals(names, CifarReader.readCifar10(dir).train().classNames());

    Files.writeString(dir.resolve("batches.meta.txt"), "airplane\nautomobile\n");
    Path meta = dir.resolve("batches.meta.txt");
    assertEquals(meta + ": lists 2 class names, CIFAR-10 has 10", fails(meta, () -> CifarReader.readCifar10(dir)));
  }

  @Test
  void readsCifar100FineLabels() throws Exception {
    Path dir = TestFiles.cifar100Dir(tmp.resolve("c"), 50, 5);
    DataSplits s = CifarReader.readCifar100(dir);
    assertEquals(50, s.train().size());
    assertEquals(100, s.numClasses());
    assertEquals(Normalization.CIFAR100, s.normalization());
    for (int r = 0; r < 50; r++) {
      assertEquals((r * 3) % 100, s.train().label(r));
      assertEquals((r + 1) & 0xFF, s.train().pixel(r, 0, 0, 1));
    }
    StringBuilder names = new StringBuilder();
    for (int i = 0; i < 100; i++) {
      names.append("class").append(i).append('\n');
    }
    Files.writeString(dir.resolve("fine_label_names.txt"), names);
    assertEquals("class42", CifarReader.readCifar100(dir).train().classNames().get(42));
  }

  @Test
  void badLengthIsReported() throws Exception {
    Path dir = TestFiles.cifar10Dir(tmp.resolve("c"), 2, 2);
    Path b3 = dir.resolve("data_batch_3.bin");
    byte[] bytes = Files.readAllBytes(b3);
    Files.write(b3, Arrays.copyOf(bytes, bytes.length - 10));
    String m = fails(b3, () -> CifarReader.readCifar10(dir));
    assertEquals(
        b3 + ": 6136 bytes are not a whole number of 3073-byte CIFAR-10 records (1 records and 3063 bytes left"
            + " over; file truncated or not CIFAR-10?)",
        m);
  }

  @Test
  void emptyAndMissingFilesAreReported() throws Exception {
    Path dir = TestFiles.cifar10Dir(tmp.resolve("c"), 2, 2);
    Path test = dir.resolve("test_batch.bin");
    Files.write(test, new byte[0]);
    assertEquals(test + ": empty file", fails(test, () -> CifarReader.readCifar10(dir)));
    Path b5 = dir.resolve("data_batch_5.bin");
    Files.delete(b5);
    assertEquals(b5 + ": no such file", fails(b5, () -> CifarReader.readCifar10(dir)));
  }

  @Test
  void labelsOutOfRangeAreReported() throws Exception {
    Path f = tmp.resolve("x.bin");
    byte[] b = TestFiles.cifar(3, C10, 0);
    b[2 * 3073] = 10;
    Files.write(f, b);
    String m = fails(f, () -> CifarReader.read(List.of(f), C10, "x", null));
    assertEquals(f + ": label 10 of record 2 is outside [0, 10) of CIFAR-10 (is this a CIFAR-100 file?)", m);

    // A CIFAR-10 file read as CIFAR-100 fails on the record size or on the coarse label.
    Path g = tmp.resolve("y.bin");
    byte[] c = TestFiles.cifar(2, C100, 0);
    c[3074 + 1] = 100;
    Files.write(g, c);
    assertTrue(fails(g, () -> CifarReader.read(List.of(g), C100, "y", null)).contains("label 100 of record 1"));
    c = TestFiles.cifar(2, C100, 0);
    c[3074] = 20;
    Files.write(g, c);
    assertTrue(fails(g, () -> CifarReader.read(List.of(g), C100, "y", null)).contains("coarse label 20"));
  }

  @Test
  void argumentsAreChecked() {
    assertThrows(IllegalArgumentException.class, () -> CifarReader.read(List.of(), C10, "x", null));
    assertThrows(
        IllegalArgumentException.class,
        () -> CifarReader.read(List.of(tmp.resolve("a")), C10, "x", List.of("only one")));
    assertEquals(3073, C10.recordSize());
    assertEquals(3074, C100.recordSize());
  }
}

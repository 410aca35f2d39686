package org.nst4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyFileTest {
  @TempDir Path dir;

  @Test
  void roundTripsEveryDtype() {
    Path f = dir.resolve("f.npy");
    NpyFile.write(f, new float[] {1.5f, -2, 3, 4, 5, 6}, new long[] {2, 3});
    NpyFile.Values a = NpyFile.read(f);
    assertArrayEquals(new long[] {2, 3}, a.shape());
    assertFalse(a.isInteger());
    assertArrayEquals(new double[] {1.5, -2, 3, 4, 5, 6}, a.reals());

    Path d = dir.resolve("d.npy");
    NpyFile.write(d, new double[] {0.25, 1e-3}, new long[] {2});
    NpyFile.Values b = NpyFile.read(d);
    assertFalse(b.isInteger());
    assertArrayEquals(new double[] {0.25, 1e-3}, b.reals());

    Path l = dir.resolve("l.npy");
    NpyFile.write(l, new long[] {7, 1L << 40, -3}, new long[] {3});
    NpyFile.Values c = NpyFile.read(l);
    assertTrue(c.isInteger());
    assertNull(c.reals());
    assertArrayEquals(new long[] {7, 1L << 40, -3}, c.longs());

    Path i = dir.resolve("i.npy");
    NpyFile.write(i, new int[] {4, 5, 6, 7}, new long[] {2, 1, 2});
    NpyFile.Values e = NpyFile.read(i);
    assertTrue(e.isInteger());
    assertArrayEquals(new long[] {2, 1, 2}, e.shape());
    assertArrayEquals(new long[] {4, 5, 6, 7}, e.longs());

    Path s = dir.resolve("s.npy");
    NpyFile.write(s, new float[] {9}, new long[] {});
    assertArrayEquals(new long[] {}, NpyFile.read(s).shape());

    Path nd = dir.resolve("nd.npy");
    float[] values = new float[2 * 3 * 4 * 5];
    Random random = new Random(1);
    for (int k = 0; k < values.length; k++) {
      values[k] = (float) random.nextGaussian();
    }
    NpyFile.write(nd, values, new long[] {2, 3, 4, 5});
    double[] widened = new double[values.length];
    for (int k = 0; k < values.length; k++) {
      widened[k] = values[k];
    }
    assertArrayEquals(widened, NpyFile.read(nd).reals());
  }

  @Test
  void headerIsPaddedLikeNumpy() throws IOException {
    Path f = dir.resolve("f.npy");
    NpyFile.write(f, new float[] {1, 2, 3}, new long[] {3});
    byte[] all = Files.readAllBytes(f);
    assertEquals(0, (all.length - 12) % 64);
    String header = new String(all, 10, all.length - 22, StandardCharsets.ISO_8859_1);
    assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }"), header);
    assertTrue(header.endsWith("\n"));
  }

  /** A file with a hand-written header (version major.0) and raw data bytes. */
  private Path raw(String name, int major, String header, byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
    byte[] h = header.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    if (major == 1) {
      out.write(new byte[] {(byte) (h.length & 0xFF), (byte) (h.length >> 8)});
    } else {
      out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(h.length).array());
    }
    out.write(h);
    out.write(data);
    Path p = dir.resolve(name);
    Files.write(p, out.toByteArray());
    return p;
  }

  private static byte[] floats(float... v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return b.array();
  }

  @Test
  void readsVersions2And3AndDoubleQuotes() throws IOException {
    Path v2 = raw("v2.npy", 2, "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (1, 2)}\n", floats(1, 2));
    assertArrayEquals(new double[] {1, 2}, NpyFile.read(v2).reals());
    Path v3 = raw("v3.npy", 3, "{'shape': (2,), 'fortran_order': False, 'descr': '<f4'}   \n", floats(3, 4));
    assertArrayEquals(new double[] {3, 4}, NpyFile.read(v3).reals());
  }

  private void corrupt(Path p, String... fragments) {
    DataFormatException e = assertThrows(DataFormatException.class, () -> NpyFile.read(p));
    assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), e.getMessage());
    }
  }

  @Test
  void corruptFilesAreNamedErrors() throws IOException {
    String ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n";
    corrupt(dir.resolve("missing.npy"), "no such file");
    Path junk = dir.resolve("junk.npy");
    Files.write(junk, "hello world, not numpy".getBytes(StandardCharsets.US_ASCII));
    corrupt(junk, "magic");
    Path tiny = dir.resolve("tiny.npy");
    Files.write(tiny, new byte[] {(byte) 0x93, 'N'});
    corrupt(tiny, "not a .npy");
    corrupt(raw("v9.npy", 9, ok, floats(1, 2)), "version 9.0");
    corrupt(raw("short.npy", 1, ok, floats(1)), "needs 8 data bytes, file has 4", "truncated");
    corrupt(raw("long.npy", 1, ok, floats(1, 2, 3)), "trailing");
    corrupt(raw("fortran.npy", 1, ok.replace("False", "True"), floats(1, 2)), "Fortran");
    corrupt(raw("big.npy", 1, ok.replace("<f4", ">f4"), floats(1, 2)), "big-endian");
    corrupt(raw("u8.npy", 1, ok.replace("<f4", "|u1"), new byte[] {1, 2}), "unsupported dtype '|u1'");
    corrupt(raw("keys.npy", 1, "{'descr': '<f4', 'shape': (2,), }\n", floats(1, 2)), "keys");
    corrupt(raw("dict.npy", 1, "{'descr': '<f4' 'fortran_order': False}\n", floats(1, 2)), "malformed");
    corrupt(raw("shape.npy", 1, ok.replace("(2,)", "(2, -1)"), floats(1, 2)), "malformed");
    corrupt(raw("hdr.npy", 1, ok, new byte[0]), "needs 8");
    // A header length running past the end of the file.
    Path cut = dir.resolve("cut.npy");
    byte[] full = Files.readAllBytes(raw("full.npy", 1, ok, floats(1, 2)));
    Files.write(cut, Arrays.copyOf(full, 20));
    corrupt(cut, "truncated .npy header");
  }

  @Test
  void writeChecksShape() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> NpyFile.write(dir.resolve("x.npy"), new float[] {1, 2, 3}, new long[] {2, 2}));
    assertTrue(e.getMessage().contains("(2, 2)"), e.getMessage());
  }
}

package org.nst4j.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0), as used by the {@code loss}
 * command for saved feature maps, logits and labels. Like the other readers of this package it gives plain
 * Java arrays; the caller makes NDArrays of them.
 *
 * <p>Supported: little-endian {@code <f4} (read as float), {@code <f8} (converted to float), {@code <i8}
 * (long) and {@code <i4} (converted to long), C order, up to 2 GiB of data. Anything else — a bad magic
 * string or version, a malformed header dictionary, big-endian or other dtypes, Fortran order, a data size
 * that does not match the shape — throws a {@link DataFormatException} naming the file and the defect.
 *
 * <p>Why not DJL's reader. DJL 0.36 reads a {@code .npy} stream with {@code NDList.decode(manager, in)}
 * ({@code NDSerializer.decodeNumpy}), but it would not keep this class's promises: it matches the header
 * against one regular expression of NumPy's own key order and quoting, so a valid header written otherwise
 * (double quotes, another key order: version 2 and 3 files of other writers) is refused, and a Fortran-order
 * header is refused with the same "Invalid numpy header" as garbage; it reads exactly the bytes the shape
 * needs, so a truncated file ends in an {@code EOFException} and trailing bytes pass unnoticed; no message
 * names the file; it keeps {@code <f8} and {@code <i4} as they are, where the losses want float32 and int64
 * labels; and it makes NDArrays, which this package does not. Validating the header here first and then
 * handing the stream to DJL would still fail the first point, and leave only the few lines that copy the
 * data to delegate. DJL's {@code .npy} writer ({@code NDSerializer.encodeAsNumpy}) is not public: only
 * {@code NDList.encode(Encoding.NPZ)} reaches it, inside a zip.
 */
public final class NpyFile {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

  private NpyFile() {}

  /** The parsed header of an {@code .npy} file. */
  public record Header(String descr, boolean fortranOrder, long[] shape, long dataOffset) {
    /** Number of elements (1 for a 0-d array). */
    public long size() {
      long n = 1;
      for (long d : shape) {
        n = Math.multiplyExact(n, d);
      }
      return n;
    }
  }

  /**
   * The contents of a file: its shape and its values in C order, either as floats (from {@code <f4} or
   * {@code <f8}) or as longs (from {@code <i8} or {@code <i4}); the other array is null.
   *
   * @param shape the dimensions ({@code []} for a 0-d array)
   * @param reals the values of a floating-point file (float32 values widened exactly), or null
   * @param longs the values of an integer file, or null
   */
  public record Values(long[] shape, double[] reals, long[] longs) {
    /** Whether the file held integers ({@link #longs()}) rather than floating-point values ({@link #reals()}). */
    public boolean isInteger() {
      return longs != null;
    }
  }

  /**
   * Reads an array: floats for {@code <f4}/{@code <f8}, longs for {@code <i8}/{@code <i4}.
   *
   * @param path the file
   * @return the shape and the values
   * @throws DataFormatException if the file is missing, unreadable or not a supported .npy file
   */
  public static Values read(Path path) {
    Header h = readHeader(path);
    long bytes = h.size() * itemSize(h.descr()); // readHeader checked that this fits the file
    if (bytes > Integer.MAX_VALUE - 16) {
      throw new DataFormatException(path + ": " + bytes + " bytes of data is more than the 2 GiB supported");
    }
    ByteBuffer buf = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      ch.position(h.dataOffset());
      while (buf.hasRemaining() && ch.read(buf) >= 0) {
        // fill the buffer
      }
    } catch (IOException e) {
      throw new DataFormatException(path + ": cannot read: " + e.getMessage(), e);
    }
    if (buf.hasRemaining()) {
      throw new DataFormatException(path + ": truncated while reading");
    }
    buf.rewind();
    int n = (int) h.size();
    switch (h.descr()) {
      case "<f4": {
        double[] f = new double[n];
        for (int i = 0; i < n; i++) {
          f[i] = buf.getFloat();
        }
        return new Values(h.shape(), f, null);
      }
      case "<f8": {
        double[] f = new double[n];
        buf.asDoubleBuffer().get(f);
        return new Values(h.shape(), f, null);
      }
      case "<i8": {
        long[] l = new long[n];
        buf.asLongBuffer().get(l);
        return new Values(h.shape(), null, l);
      }
      case "<i4": {
        long[] l = new long[n];
        for (int i = 0; i < n; i++) {
          l[i] = buf.getInt();
        }
        return new Values(h.shape(), null, l);
      }
      default:
        throw new IllegalStateException(h.descr());
    }
  }

  /**
   * Reads and validates the header, including that the file holds exactly the bytes the shape needs.
   *
   * @param path the file
   * @return the header
   * @throws DataFormatException naming the file and the defect
   */
  public static Header readHeader(Path path) {
    if (!Files.isRegularFile(path)) {
      throw new DataFormatException(path + ": no such file");
    }
    long fileSize;
    byte[] headerBytes;
    int major;
    long offset;
    try (InputStream in = Files.newInputStream(path)) {
      fileSize = Files.size(path);
      byte[] magic = in.readNBytes(8);
      if (magic.length < 8) {
        throw new DataFormatException(path + ": not a .npy file (only " + magic.length + " bytes)");
      }
      for (int i = 0; i < MAGIC.length; i++) {
        if (magic[i] != MAGIC[i]) {
          throw new DataFormatException(path + ": not a .npy file (bad magic string)");
        }
      }
      major = magic[6] & 0xFF;
      int minor = magic[7] & 0xFF;
      if (major < 1 || major > 3 || minor != 0) {
        throw new DataFormatException(
            path + ": unsupported .npy format version " + major + "." + minor + " (1.0, 2.0, 3.0 supported)");
      }
      int lenBytes = major == 1 ? 2 : 4;
      byte[] len = in.readNBytes(lenBytes);
      if (len.length < lenBytes) {
        throw new DataFormatException(path + ": truncated .npy header");
      }
      long headerLen =
          major == 1
              ? (len[0] & 0xFF) | ((len[1] & 0xFF) << 8)
              : ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFFFFFFL;
      offset = 8 + lenBytes + headerLen;
      if (offset > fileSize) {
        throw new DataFormatException(
            path + ": truncated .npy header (declares " + headerLen + " bytes, file has " + fileSize + ")");
      }
      headerBytes = in.readNBytes((int) headerLen);
    } catch (IOException e) {
      throw new DataFormatException(path + ": cannot read: " + e.getMessage(), e);
    }
    String text =
        new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    Map<String, Object> dict = parseDict(path, text);
    if (!dict.keySet().equals(java.util.Set.of("descr", "fortran_order", "shape"))) {
      throw new DataFormatException(
          path + ": .npy header must have exactly the keys descr, fortran_order, shape; got " + dict.keySet());
    }
    if (!(dict.get("descr") instanceof String descr)) {
      throw new DataFormatException(path + ": .npy header 'descr' is not a string");
    }
    if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
      throw new DataFormatException(path + ": .npy header 'fortran_order' is not True/False");
    }
    if (!(dict.get("shape") instanceof long[] shape)) {
      throw new DataFormatException(path + ": .npy header 'shape' is not a tuple of integers");
    }
    if (fortran) {
      throw new DataFormatException(path + ": Fortran-order arrays are not supported (save with C order)");
    }
    if (descr.length() == 3 && descr.charAt(0) == '>') {
      throw new DataFormatException(path + ": big-endian dtype '" + descr + "' is not supported");
    }
    if (!List.of("<f4", "<f8", "<i8", "<i4").contains(descr)) {
      throw new DataFormatException(
          path + ": unsupported dtype '" + descr + "' (supported: <f4, <f8, <i8, <i4)");
    }
    Header h = new Header(descr, false, shape, offset);
    long need;
    try {
      need = Math.multiplyExact(h.size(), itemSize(descr));
    } catch (ArithmeticException e) {
      throw new DataFormatException(path + ": shape " + shapeText(shape) + " is too large");
    }
    long have = fileSize - offset;
    if (have != need) {
      throw new DataFormatException(
          path
              + ": shape "
              + shapeText(shape)
              + " of "
              + descr
              + " needs "
              + need
              + " data bytes, file has "
              + have
              + (have < need ? " (truncated)" : " (trailing bytes)"));
    }
    return h;
  }

  /** Writes float32 data ({@code <f4}) in C order. */
  public static void write(Path path, float[] data, long[] shape) {
    write(path, "<f4", data.length, shape, b -> b.asFloatBuffer().put(data));
  }

  /** Writes float64 data ({@code <f8}) in C order. */
  public static void write(Path path, double[] data, long[] shape) {
    write(path, "<f8", data.length, shape, b -> b.asDoubleBuffer().put(data));
  }

  /** Writes int64 data ({@code <i8}) in C order. */
  public static void write(Path path, long[] data, long[] shape) {
    write(path, "<i8", data.length, shape, b -> b.asLongBuffer().put(data));
  }

  /** Writes int32 data ({@code <i4}) in C order. */
  public static void write(Path path, int[] data, long[] shape) {
    write(path, "<i4", data.length, shape, b -> b.asIntBuffer().put(data));
  }

  private static void write(Path path, String descr, int count, long[] shape, Consumer<ByteBuffer> fill) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + shapeText(shape));
      }
      n *= d;
    }
    if (n != count) {
      throw new IllegalArgumentException(
          "shape " + shapeText(shape) + " holds " + n + " elements, data has " + count);
    }
    StringBuilder h = new StringBuilder();
    h.append("{'descr': '").append(descr).append("', 'fortran_order': False, 'shape': ")
        .append(shapeText(shape)).append(", }");
    // Pad with spaces so that magic + version + length + header + '\n' is a multiple of 64 (as NumPy does).
    int total = 10 + h.length() + 1;
    h.append(" ".repeat((64 - total % 64) % 64)).append('\n');
    byte[] header = h.toString().getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer data = ByteBuffer.allocate(Math.multiplyExact(count, itemSize(descr))).order(ByteOrder.LITTLE_ENDIAN);
    fill.accept(data);
    try (OutputStream out = Files.newOutputStream(path)) {
      out.write(MAGIC);
      out.write(new byte[] {1, 0, (byte) (header.length & 0xFF), (byte) (header.length >>> 8)});
      out.write(header);
      out.write(data.array());
    } catch (IOException e) {
      throw new DataFormatException(path + ": cannot write: " + e.getMessage(), e);
    }
  }

  private static int itemSize(String descr) {
    return descr.endsWith("8") ? 8 : 4;
  }

  private static String shapeText(long[] shape) {
    if (shape.length == 1) {
      return "(" + shape[0] + ",)";
    }
    StringBuilder b = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      b.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    return b.append(')').toString();
  }

  // A small parser for the header's Python dict literal: string keys; string, True/False or int-tuple values.
  private static Map<String, Object> parseDict(Path path, String text) {
    Parser p = new Parser(path, text.strip());
    Map<String, Object> out = new LinkedHashMap<>();
    p.expect('{');
    p.skipSpace();
    while (!p.peek('}')) {
      String key = p.string();
      p.skipSpace();
      p.expect(':');
      p.skipSpace();
      Object value = p.value();
      if (out.put(key, value) != null) {
        throw p.error("repeated key '" + key + "'");
      }
      p.skipSpace();
      if (p.peek(',')) {
        p.expect(',');
        p.skipSpace();
      } else if (!p.peek('}')) {
        throw p.error("expected ',' or '}'");
      }
    }
    p.expect('}');
    if (!p.atEnd()) {
      throw p.error("text after the dictionary");
    }
    return out;
  }

  private static final class Parser {
    private final Path path;
    private final String s;
    private int i;

    Parser(Path path, String s) {
      this.path = path;
      this.s = s;
    }

    DataFormatException error(String what) {
      return new DataFormatException(path + ": malformed .npy header (" + what + " at " + i + "): " + s);
    }

    boolean atEnd() {
      return i >= s.length();
    }

    boolean peek(char c) {
      return i < s.length() && s.charAt(i) == c;
    }

    void expect(char c) {
      if (!peek(c)) {
        throw error("expected '" + c + "'");
      }
      i++;
    }

    void skipSpace() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
    }

    String string() {
      if (!peek('\'') && !peek('"')) {
        throw error("expected a quoted string");
      }
      char q = s.charAt(i++);
      int end = s.indexOf(q, i);
      if (end < 0) {
        throw error("unterminated string");
      }
      String v = s.substring(i, end);
      i = end + 1;
      return v;
    }

    Object value() {
      if (peek('\'') || peek('"')) {
        return string();
      }
      if (s.startsWith("True", i)) {
        i += 4;
        return Boolean.TRUE;
      }
      if (s.startsWith("False", i)) {
        i += 5;
        return Boolean.FALSE;
      }
      if (peek('(')) {
        i++;
        List<Long> dims = new ArrayList<>();
        skipSpace();
        while (!peek(')')) {
          int start = i;
          while (i < s.length() && Character.isDigit(s.charAt(i))) {
            i++;
          }
          if (start == i) {
            throw error("expected a non-negative integer in the shape");
          }
          try {
            dims.add(Long.parseLong(s.substring(start, i)));
          } catch (NumberFormatException e) {
            throw error("dimension too large");
          }
          // NumPy may write 3L on Python 2.
          if (peek('L')) {
            i++;
          }
          skipSpace();
          if (peek(',')) {
            i++;
            skipSpace();
          } else if (!peek(')')) {
            throw error("expected ',' or ')' in the shape");
          }
        }
        i++;
        long[] out = new long[dims.size()];
        for (int k = 0; k < out.length; k++) {
          out[k] = dims.get(k);
        }
        return out;
      }
      throw error("unsupported value");
    }
  }
}

package org.nst4j.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.zip.GZIPInputStream;

/**
 * Reads labelled image sets in the IDX format of MNIST and Fashion-MNIST, gzipped or plain.
 *
 * <p>An IDX file is a big-endian header — two zero bytes, an element-type byte (0x08 = unsigned byte),
 * the number of dimensions, then one 32-bit size per dimension — followed by the elements. Images are
 * {@code 0x00000803} (N × H × W bytes), labels {@code 0x00000801} (N bytes). Whether a file is gzipped is
 * decided by its first two bytes (0x1f 0x8b), not by its name.
 *
 * <p>Everything is checked: magic numbers, element type, number of dimensions, the declared sizes
 * against the bytes that actually follow (truncated files and trailing garbage), gzip integrity, that
 * image and label counts agree and that labels are in range. Every defect is reported as a {@link
 * DataFormatException} whose one-line message names the file and the defect.
 */
public final class IdxReader {
  /** Magic number of an IDX file of unsigned-byte images, N × H × W. */
  public static final int IMAGES_MAGIC = 0x00000803;

  /** Magic number of an IDX file of unsigned-byte labels, N. */
  public static final int LABELS_MAGIC = 0x00000801;

  /** The largest array the JVM reliably allocates. */
  private static final long MAX_BYTES = Integer.MAX_VALUE - 16;

  /** How many trailing bytes are counted before giving up counting (the file is bad either way). */
  private static final int TRAILING_COUNT_LIMIT = 1 << 20;

  private IdxReader() {}

  /**
   * Reads an image file and its label file into a single-channel data set.
   *
   * @param images the IDX images file (magic 0x00000803), gzipped or plain
   * @param labels the IDX labels file (magic 0x00000801), gzipped or plain
   * @param name the name of the resulting data set
   * @param classNames one name per class; labels must lie in {@code [0, classNames.size())}. If null,
   *     classes are numbered 0..max(label)
   * @return the data set, 1 × H × W images in file order
   * @throws DataFormatException if a file is missing, unreadable, corrupt or inconsistent
   */
  public static ImageDataset read(Path images, Path labels, String name, List<String> classNames) {
    Objects.requireNonNull(images, "images");
    Objects.requireNonNull(labels, "labels");
    Objects.requireNonNull(name, "name");
    IdxArray img = readFile(images, true);
    IdxArray lab = readFile(labels, false);
    return combine(img, images.toString(), lab, labels.toString(), name, classNames);
  }

  /**
   * Reads images and labels from streams, for files that are not on a file system (class-path resources).
   * The streams are read to their end but not closed.
   *
   * @param images the IDX images stream, gzipped or plain
   * @param imagesName the name used for the images stream in messages
   * @param labels the IDX labels stream, gzipped or plain
   * @param labelsName the name used for the labels stream in messages
   * @param name the name of the resulting data set
   * @param classNames one name per class, or null for numbered classes
   * @return the data set
   * @throws DataFormatException if a stream is corrupt or inconsistent
   */
  public static ImageDataset read(
      InputStream images,
      String imagesName,
      InputStream labels,
      String labelsName,
      String name,
      List<String> classNames) {
    Objects.requireNonNull(images, "images");
    Objects.requireNonNull(labels, "labels");
    IdxArray img = readStream(images, imagesName, 0, true);
    IdxArray lab = readStream(labels, labelsName, 0, false);
    return combine(img, imagesName, lab, labelsName, name, classNames);
  }

  private static ImageDataset combine(
      IdxArray img,
      String imagesName,
      IdxArray lab,
      String labelsName,
      String name,
      List<String> classNames) {
    int n = img.dims[0];
    if (lab.dims[0] != n) {
      throw new DataFormatException(
          imagesName
              + ": holds "
              + n
              + " images but "
              + labelsName
              + " holds "
              + lab.dims[0]
              + " labels; the two files do not belong together");
    }
    int[] labels = new int[n];
    int max = 0;
    for (int i = 0; i < n; i++) {
      labels[i] = lab.data[i] & 0xFF;
      max = Math.max(max, labels[i]);
    }
    List<String> classes = classNames != null ? classNames : ImageDataset.numberedClasses(max + 1);
    if (classes.isEmpty()) {
      throw new IllegalArgumentException("classNames must not be empty");
    }
    for (int i = 0; i < n; i++) {
      if (labels[i] >= classes.size()) {
        throw new DataFormatException(
            labelsName
                + ": label "
                + labels[i]
                + " of item "
                + i
                + " is outside [0, "
                + classes.size()
                + ") for "
                + classes.size()
                + " classes");
      }
    }
    return ImageDataset.of(name, img.data, labels, 1, img.dims[1], img.dims[2], classes);
  }

  /** A decoded IDX file: its dimensions and its bytes. */
  static final class IdxArray {
    final int[] dims;
    final byte[] data;

    IdxArray(int[] dims, byte[] data) {
      this.dims = dims;
      this.data = data;
    }
  }

  /**
   * Reads one IDX file.
   *
   * @param file the file
   * @param images true for an images file (3 dimensions), false for a labels file (1 dimension)
   */
  static IdxArray readFile(Path file, boolean images) {
    String fileName = file.toString();
    if (Files.isDirectory(file)) {
      throw new DataFormatException(fileName + ": is a folder, expected an IDX file");
    }
    long hint = sizeHint(file);
    try (InputStream in = Files.newInputStream(file)) {
      return readStream(in, fileName, hint, images);
    } catch (NoSuchFileException e) {
      throw new DataFormatException(fileName + ": no such file");
    } catch (IOException e) {
      throw new DataFormatException(fileName + ": cannot be read (" + e.getMessage() + ")", e);
    }
  }

  /**
   * Guesses the number of data bytes of a file so the buffer can be allocated once: the file size for a
   * plain file, the gzip trailer's ISIZE (uncompressed size mod 2^32) for a gzipped one. A wrong guess
   * (a corrupt file) only costs re-allocations; it never exceeds what the file can actually hold.
   */
  private static long sizeHint(Path file) {
    try (SeekableByteChannel ch = Files.newByteChannel(file)) {
      long size = ch.size();
      if (size < 4) {
        return 0;
      }
      ByteBuffer head = ByteBuffer.allocate(2);
      ch.read(head);
      if (head.get(0) == (byte) 0x1f && head.get(1) == (byte) 0x8b) {
        ByteBuffer tail = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        ch.position(size - 4);
        while (tail.hasRemaining() && ch.read(tail) > 0) {
          // keep reading
        }
        long isize = tail.hasRemaining() ? 0 : tail.getInt(0) & 0xFFFFFFFFL;
        // Deflate expands at most ~1032:1: a larger ISIZE is a corrupt trailer, and trusting it could
        // allocate gigabytes for a tiny file.
        return Math.min(isize, size * 1032);
      }
      return size;
    } catch (IOException e) {
      return 0; // the real read reports the problem
    }
  }

  /** Reads one IDX stream (gzipped or plain) and checks it completely. */
  static IdxArray readStream(InputStream raw, String file, long sizeHint, boolean images) {
    try {
      BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16);
      buffered.mark(2);
      int b0 = buffered.read();
      int b1 = buffered.read();
      buffered.reset();
      if (b0 < 0) {
        throw new DataFormatException(file + ": empty file");
      }
      boolean gzip = b0 == 0x1f && b1 == 0x8b;
      InputStream in;
      if (gzip) {
        try {
          in = new GZIPInputStream(buffered, 1 << 16);
        } catch (IOException e) {
          throw new DataFormatException(
              file + ": corrupt gzip header (" + e.getMessage() + ")", e);
        }
      } else {
        in = buffered;
      }
      return readIdx(in, file, sizeHint, images, gzip);
    } catch (IOException e) {
      throw new DataFormatException(file + ": cannot be read (" + e.getMessage() + ")", e);
    }
  }

  private static IdxArray readIdx(
      InputStream in, String file, long sizeHint, boolean images, boolean gzip) throws IOException {
    String kind = images ? "images" : "labels";
    byte[] magic = new byte[4];
    int got = readUpTo(in, magic, 0, 4, file, gzip, "the header");
    if (got == 0) {
      throw new DataFormatException(file + ": empty" + (gzip ? " after decompression" : " file"));
    }
    if (got < 4) {
      throw new DataFormatException(
          file + ": truncated: only " + got + " bytes, too short for an IDX header");
    }
    int magicNumber = ByteBuffer.wrap(magic).getInt();
    int expectedMagic = images ? IMAGES_MAGIC : LABELS_MAGIC;
    if (magic[0] != 0 || magic[1] != 0) {
      throw new DataFormatException(
          String.format(
              "%s: not an IDX file: magic number 0x%08x, expected 0x%08x (IDX %s)",
              file, magicNumber, expectedMagic, kind));
    }
    int type = magic[2] & 0xFF;
    if (type != 0x08) {
      throw new DataFormatException(
          String.format(
              "%s: element type 0x%02x (%s) is not supported, only unsigned bytes (0x08)",
              file, type, typeName(type)));
    }
    int ndims = magic[3] & 0xFF;
    int expectedDims = images ? 3 : 1;
    if (ndims != expectedDims) {
      String hint = "";
      if (images && ndims == 1) {
        hint = "; is this a labels file?";
      } else if (!images && ndims == 3) {
        hint = "; is this an images file?";
      }
      throw new DataFormatException(
          String.format(
              "%s: magic number 0x%08x declares %d dimension%s, expected %d (%s, magic 0x%08x)%s",
              file,
              magicNumber,
              ndims,
              ndims == 1 ? "" : "s",
              expectedDims,
              images ? "N×H×W images" : "N labels",
              expectedMagic,
              hint));
    }
    byte[] dimBytes = new byte[4 * ndims];
    got = readUpTo(in, dimBytes, 0, dimBytes.length, file, gzip, "the header");
    if (got < dimBytes.length) {
      throw new DataFormatException(
          file
              + ": truncated header: "
              + ndims
              + " dimension sizes need "
              + dimBytes.length
              + " bytes after the magic number, only "
              + got
              + " follow");
    }
    ByteBuffer dimBuffer = ByteBuffer.wrap(dimBytes);
    int[] dims = new int[ndims];
    long total = 1;
    for (int d = 0; d < ndims; d++) {
      long size = dimBuffer.getInt() & 0xFFFFFFFFL;
      if (size > Integer.MAX_VALUE) {
        throw new DataFormatException(
            file + ": dimension " + d + " declares an implausible size " + size);
      }
      dims[d] = (int) size;
      total *= size; // at most 3 factors < 2^31: no overflow of long before the check below
      if (total > MAX_BYTES) {
        throw new DataFormatException(
            file + ": header declares " + describe(dims, d + 1, images) + ", more than 2 GB");
      }
    }
    if (dims[0] == 0) {
      throw new DataFormatException(file + ": header declares 0 " + kind + ": nothing to read");
    }
    if (images && (dims[1] == 0 || dims[2] == 0)) {
      throw new DataFormatException(
          file + ": header declares images of " + dims[1] + "×" + dims[2] + " pixels");
    }
    String declared = "header declares " + describe(dims, ndims, images) + " (" + total + " bytes)";

    long headerBytes = 4L + 4L * ndims;
    long initial = sizeHint > headerBytes ? sizeHint - headerBytes : 0;
    byte[] data = new byte[(int) Math.min(total, Math.max(initial, 1 << 16))];
    int filled = 0;
    while (filled < total) {
      if (filled == data.length) {
        data = Arrays.copyOf(data, (int) Math.min(total, 2L * data.length));
      }
      int r;
      try {
        r = in.read(data, filled, data.length - filled);
      } catch (IOException e) {
        throw gzipFailure(file, gzip, e, "after " + filled + " of " + total + " data bytes");
      }
      if (r < 0) {
        throw new DataFormatException(
            file + ": truncated: " + declared + " but only " + filled + " follow");
      }
      filled += r;
    }

    long extra = 0;
    byte[] scratch = new byte[8192];
    try {
      int r;
      while (extra < TRAILING_COUNT_LIMIT && (r = in.read(scratch)) >= 0) {
        extra += r;
      }
    } catch (IOException e) {
      throw gzipFailure(file, gzip, e, "after its " + total + " data bytes");
    }
    if (extra > 0) {
      throw new DataFormatException(
          file
              + ": trailing garbage: "
              + declared
              + " but "
              + (extra >= TRAILING_COUNT_LIMIT ? "at least " : "")
              + extra
              + " more bytes follow");
    }
    return new IdxArray(dims, data);
  }

  /** Reads up to {@code len} bytes, fewer only at the end of the stream; returns how many were read. */
  private static int readUpTo(
      InputStream in, byte[] buf, int off, int len, String file, boolean gzip, String where) {
    int done = 0;
    while (done < len) {
      int r;
      try {
        r = in.read(buf, off + done, len - done);
      } catch (IOException e) {
        throw gzipFailure(file, gzip, e, "in " + where);
      }
      if (r < 0) {
        break;
      }
      done += r;
    }
    return done;
  }

  private static DataFormatException gzipFailure(
      String file, boolean gzip, IOException e, String where) {
    if (!gzip) {
      return new DataFormatException(
          file + ": read error " + where + " (" + e.getMessage() + ")", e);
    }
    if (e instanceof EOFException) {
      return new DataFormatException(
          file + ": gzip stream ends unexpectedly " + where + " (file truncated?)", e);
    }
    return new DataFormatException(
        file + ": corrupt gzip data " + where + " (" + e.getMessage() + ")", e);
  }

  private static String describe(int[] dims, int known, boolean images) {
    if (!images) {
      return dims[0] + " labels";
    }
    if (known < 3) {
      return dims[0] + " images" + (known == 2 ? " of height " + dims[1] : "");
    }
    return dims[0] + " images of " + dims[1] + "×" + dims[2];
  }

  private static String typeName(int type) {
    switch (type) {
      case 0x09:
        return "signed byte";
      case 0x0B:
        return "short";
      case 0x0C:
        return "int";
      case 0x0D:
        return "float";
      case 0x0E:
        return "double";
      default:
        return "unknown type";
    }
  }
}

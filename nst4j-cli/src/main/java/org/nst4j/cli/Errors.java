package org.nst4j.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import org.nst4j.data.DataFormatException;
import org.nst4j.train.NonFiniteLossException;

/**
 * Maps exceptions to the CLI's one-line messages and exit codes.
 *
 * <p>Bad input must never look like a bug. The library reports it as {@link IllegalArgumentException} (bad
 * options, models that do not fit), {@link DataFormatException} (bad data files) or {@link
 * NonFiniteLossException}; third-party exceptions that input can cause are converted where they arise
 * (DJL's {@code EngineException} on a shape the model cannot take, in {@code TrainingLoop.prepare} and
 * {@code eval}; DJL's {@code MalformedModelException} and Jackson's parse errors, in {@code ModelStore}), and
 * also classified here as a second line of defence: Jackson's exceptions are {@link IOException}s, file
 * system problems too. Anything else is an internal error (exit 1).
 */
final class Errors {
  private Errors() {}

  /**
   * 2 for problems with the user's input (options, files, data, divergence), 75 for a training stopped by a
   * signal with its checkpoint written, 1 for bugs.
   */
  static int exitCode(Throwable e) {
    Throwable t = unwrap(e);
    if (t instanceof org.nst4j.train.StopSignal.Stopped) {
      return Main.EXIT_STOPPED;
    }
    if (t instanceof IllegalArgumentException || t instanceof DataFormatException || t instanceof IOException
        || t instanceof NonFiniteLossException || t instanceof picocli.CommandLine.ParameterException
        || t instanceof ai.djl.MalformedModelException || t instanceof OutOfMemoryError) {
      return Main.EXIT_BAD_INPUT;
    }
    return Main.EXIT_INTERNAL;
  }

  /** A one-line message for the user. */
  static String message(Throwable e) {
    Throwable t = unwrap(e);
    String m;
    if (t instanceof OutOfMemoryError) {
      // The input is too large for the heap the launcher gave Java (limits checked up front catch the
      // usual cases; this is the last line of defence).
      m = "out of memory (" + t.getMessage() + "): the input is too large for the Java heap of "
          + (Runtime.getRuntime().maxMemory() >> 20) + " MiB; NST4J_HEAP=8g ./nst4j ... gives it more";
    } else if (t instanceof FileSystemException) {
      m = fileSystemMessage((FileSystemException) t);
    } else if (t instanceof IllegalArgumentException || t instanceof DataFormatException
        || t instanceof org.nst4j.train.StopSignal.Stopped
        || t instanceof NonFiniteLossException || t instanceof IOException
        || t instanceof ai.djl.MalformedModelException) {
      m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    } else {
      m = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
    return firstLine(m);
  }

  /** The first line of a message, trimmed (picocli and libtorch messages can span lines). */
  static String firstLine(String m) {
    if (m == null) {
      return "";
    }
    String s = m.strip();
    int nl = s.indexOf('\n');
    return (nl < 0 ? s : s.substring(0, nl)).strip();
  }

  /** "path: reason" for the JDK's file-system exceptions, whose message is often just the path. */
  private static String fileSystemMessage(FileSystemException e) {
    String file = e.getFile() == null ? "" : e.getFile();
    if (e.getOtherFile() != null) {
      file = file + " -> " + e.getOtherFile();
    }
    String reason = e.getReason();
    if (reason == null) {
      if (e instanceof NoSuchFileException) {
        reason = "no such file or folder";
      } else if (e instanceof AccessDeniedException) {
        reason = "permission denied";
      } else if (e instanceof FileAlreadyExistsException) {
        reason = "exists already (and is in the way)";
      } else if (e instanceof NotDirectoryException) {
        reason = "not a folder";
      } else if (e instanceof DirectoryNotEmptyException) {
        reason = "folder not empty";
      } else {
        reason = e.getClass().getSimpleName();
      }
    }
    return file.isEmpty() ? reason : file + ": " + reason;
  }

  private static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof UncheckedIOException || t instanceof picocli.CommandLine.ExecutionException
            || t instanceof java.util.concurrent.ExecutionException
            || t instanceof java.util.concurrent.CompletionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}

package org.nst4j.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import org.nst4j.data.DataFormatException;
import org.nst4j.train.NonFiniteLossException;

/** Maps exceptions to the CLI's one-line messages and exit codes. */
final class Errors {
  private Errors() {}

  /** 2 for problems with the user's input (options, files, data, divergence), 1 for bugs. */
  static int exitCode(Throwable e) {
    Throwable t = unwrap(e);
    if (t instanceof IllegalArgumentException || t instanceof DataFormatException || t instanceof IOException
        || t instanceof NonFiniteLossException || t instanceof picocli.CommandLine.ParameterException
        || t instanceof ai.djl.MalformedModelException) {
      return Main.EXIT_BAD_INPUT;
    }
    return Main.EXIT_INTERNAL;
  }

  /** A one-line message for the user. */
  static String message(Throwable e) {
    Throwable t = unwrap(e);
    String m;
    if (t instanceof NoSuchFileException) {
      m = t.getMessage() + ": no such file or folder";
    } else if (t instanceof AccessDeniedException) {
      m = t.getMessage() + ": permission denied";
    } else if (t instanceof IllegalArgumentException || t instanceof DataFormatException
        || t instanceof NonFiniteLossException || t instanceof IOException) {
      m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    } else {
      m = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  private static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof UncheckedIOException || t instanceof picocli.CommandLine.ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}

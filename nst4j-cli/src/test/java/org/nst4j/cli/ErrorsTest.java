package org.nst4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.MalformedModelException;
import ai.djl.engine.EngineException;
import com.fasterxml.jackson.core.JsonParseException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;
import org.nst4j.data.DataFormatException;
import org.nst4j.train.NonFiniteLossException;
import picocli.CommandLine;

/** Exit codes and one-line messages of {@link Errors}. */
class ErrorsTest {
  private static CommandLine.ExecutionException wrapped(Exception e) {
    return new CommandLine.ExecutionException(new CommandLine(new Main()), "wrapped", e);
  }

  @Test
  void badInputExitsWithTwo() {
    Exception[] bad = {
      new IllegalArgumentException("x"),
      new NumberFormatException("x"),
      new DataFormatException("f: bad"),
      new NonFiniteLossException("ce", Double.NaN, 2, 3),
      new MalformedModelException("m"),
      new JsonParseException(null, "Unexpected end-of-input"),
      new NoSuchFileException("/a/b"),
      new UncheckedIOException(new AccessDeniedException("/root/x")),
    };
    for (Exception e : bad) {
      assertEquals(Main.EXIT_BAD_INPUT, Errors.exitCode(e), e.toString());
      assertEquals(Main.EXIT_BAD_INPUT, Errors.exitCode(wrapped(e)), "wrapped " + e);
    }
  }

  @Test
  void aRunStoppedByASignalExitsWith75() {
    var stopped = new org.nst4j.train.StopSignal.Stopped("SIGTERM: stopped after batch 3/9 of epoch 1/2");
    assertEquals(75, Main.EXIT_STOPPED);
    assertEquals(Main.EXIT_STOPPED, Errors.exitCode(wrapped(stopped)));
    assertEquals("SIGTERM: stopped after batch 3/9 of epoch 1/2", Errors.message(wrapped(stopped)));
  }

  @Test
  void bugsExitWithOne() {
    Exception[] bugs = {new NullPointerException(), new IllegalStateException("s"), new EngineException("e"),
        new IndexOutOfBoundsException(3)};
    for (Exception e : bugs) {
      assertEquals(Main.EXIT_INTERNAL, Errors.exitCode(wrapped(e)), e.toString());
    }
  }

  @Test
  void messagesAreOneLineAndNameTheFile() {
    assertEquals("/a/b: no such file or folder", Errors.message(wrapped(new NoSuchFileException("/a/b"))));
    assertEquals("/root/x: permission denied",
        Errors.message(new UncheckedIOException(new AccessDeniedException("/root/x"))));
    assertEquals("/a: exists already (and is in the way)", Errors.message(new FileAlreadyExistsException("/a")));
    assertEquals("/a: Not a directory", Errors.message(new FileSystemException("/a", null, "Not a directory")));
    assertEquals("first line", Errors.message(new IllegalArgumentException("first line\n  second line")));
    assertEquals("IllegalStateException: broken", Errors.message(wrapped(new IllegalStateException("broken"))));
    assertEquals("f: bad", Errors.message(new DataFormatException("f: bad")));
  }

  @Test
  void runningOutOfHeapIsAClearLineAboutTheHeap() {
    OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
    assertEquals(Main.EXIT_BAD_INPUT, Errors.exitCode(oom));
    String m = Errors.message(oom);
    assertEquals(true, m.startsWith("out of memory (Java heap space): the input is too large for the Java heap of ")
        && m.endsWith("NST4J_HEAP=8g ./nst4j ... gives it more"), m);
  }
}

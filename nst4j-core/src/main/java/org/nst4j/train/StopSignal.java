package org.nst4j.train;

import java.util.concurrent.atomic.AtomicReference;

/**
 * A request to stop training at the next step boundary, set by SIGTERM or SIGINT (preemption, {@code scancel},
 * {@code scontrol requeue}, Slurm's time-limit warning signal, Ctrl-C) once {@link #installHandlers()} ran.
 *
 * <p>Why not the JVM's default: SIGTERM starts the shutdown at once, in the middle of an optimiser update, and
 * the run loses everything since its last end-of-epoch checkpoint — up to a whole epoch of a cluster's time
 * slot. With the handlers installed, the first signal only sets the request; {@link TrainingLoop} polls it once
 * per step, finishes that step, writes a checkpoint of that exact position atomically and throws {@link
 * Stopped}. A resumed run then ends with the same weights, byte for byte, as an uninterrupted one. A second
 * signal while the first is being honoured exits at once with {@link #EXIT_CODE} (the user insists; the
 * previous checkpoint stays intact because checkpoints are written atomically).
 *
 * <p>One per process (signals are): {@link #process()}.
 */
public final class StopSignal {
  /**
   * The exit code of a process stopped by a signal after its checkpoint was written: 75 ({@code EX_TEMPFAIL},
   * "try again later"), distinct from 0 (done), 1 (bug) and 2 (bad input), so that a batch script can tell
   * "resume me" from a failure.
   */
  public static final int EXIT_CODE = 75;

  private static final StopSignal PROCESS = new StopSignal();

  private final AtomicReference<String> requested = new AtomicReference<>();
  private volatile boolean installed;

  private StopSignal() {}

  /** The process's stop request. */
  public static StopSignal process() {
    return PROCESS;
  }

  /**
   * Routes SIGTERM and SIGINT to {@link #request} (idempotent). Called by the commands that train; the others
   * keep the JVM's default (exit at once), which is right for them.
   */
  public synchronized void installHandlers() {
    if (installed) {
      return;
    }
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(name), s -> {
          if (!request("SIG" + s.getName())) {
            Runtime.getRuntime().halt(EXIT_CODE); // second signal: the user insists
          }
        });
      } catch (IllegalArgumentException e) {
        // The signal is reserved here (e.g. -Xrs): keep the JVM's default for it.
      }
    }
    installed = true;
  }

  /**
   * Asks training to stop at the next step boundary (what the signal handlers call; tests call it directly).
   *
   * @param why what asked, e.g. {@code SIGTERM}
   * @return true if this is the first request
   */
  public boolean request(String why) {
    return requested.compareAndSet(null, why);
  }

  /** What asked to stop, or null if nothing did. */
  public String requested() {
    return requested.get();
  }

  /** Forgets a request (tests, and a process that finished honouring one and goes on). */
  public void clear() {
    requested.set(null);
  }

  /**
   * Thrown by {@link TrainingLoop#run} once it stopped on request with its checkpoint written (or, between grid
   * runs, before the next run starts). Not an error: the run resumes from the checkpoint.
   */
  public static final class Stopped extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what stopped where, and how to continue
     */
    public Stopped(String message) {
      super(message);
    }
  }
}

package org.nst4j.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code nst4j} command. */
@Command(
    name = "nst4j",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Knowledge distillation for the JVM: Neuron Selectivity Transfer, KD, FitNet and AT on DJL/PyTorch.",
    subcommands = {
      TrainCommand.class,
      DistillCommand.class,
      EvalCommand.class,
      ExportCommand.class,
      PredictCommand.class,
      LossCommand.class,
      MethodsCommand.class,
      DemoCommand.class,
      BenchCommand.class,
      ExperimentCommand.class,
      SweepCommand.class,
      DetectionCommands.Data.class, DetectionCommands.Detect.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  /** Exit code for bad input: options, files, shapes, diverging losses. */
  public static final int EXIT_BAD_INPUT = 2;
  /** Exit code for an internal error (a bug). */
  public static final int EXIT_INTERNAL = 1;
  /**
   * Exit code of a training stopped by SIGTERM or SIGINT after it wrote its checkpoint ({@link
   * org.nst4j.train.StopSignal#EXIT_CODE}, 75): the same command (with {@code --resume} for train and distill)
   * continues it.
   */
  public static final int EXIT_STOPPED = org.nst4j.train.StopSignal.EXIT_CODE;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Runs the CLI and exits with its code. */
  public static void main(String[] args) {
    quietLibraryLogs();
    System.exit(execute(args));
  }

  /**
   * Keeps DJL's start-up notices (engine, thread counts, "no GPU") off stderr, so that an error is the one
   * line there; the launcher sets the same, and an explicit -D setting wins.
   */
  private static void quietLibraryLogs() {
    String[][] defaults = {
      {"org.slf4j.simpleLogger.defaultLogLevel", "warn"},
      {"org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils", "error"},
      {"org.slf4j.simpleLogger.log.ai.djl.pytorch.engine.PtEngine", "error"},
    };
    for (String[] kv : defaults) {
      if (System.getProperty(kv[0]) == null) {
        System.setProperty(kv[0], kv[1]);
      }
    }
  }

  /**
   * Runs the CLI without exiting (used by tests).
   *
   * @param args the arguments
   * @return the exit code
   */
  public static int execute(String... args) {
    return execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
  }

  /** Runs the CLI with the given output streams. */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    boolean debug = java.util.Arrays.asList(args).contains("--debug");
    CommandLine cli = new CommandLine(new Main());
    LossOptionsMixin.install(cli);
    cli.setOut(out);
    cli.setErr(err);
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setParameterExceptionHandler((e, a) -> {
      err.println("error: " + Errors.firstLine(e.getMessage()));
      if (debug) {
        e.printStackTrace(err);
      }
      err.flush();
      return EXIT_BAD_INPUT;
    });
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      int code = Errors.exitCode(e);
      if (code == EXIT_STOPPED) { // not an error: the run continues from its checkpoint
        err.println("stopped: " + Errors.message(e));
        err.flush();
        return code;
      }
      err.println("error: " + Errors.message(e));
      if (debug) {
        e.printStackTrace(err);
      } else if (code == EXIT_INTERNAL) {
        err.println("(this looks like a bug in nst4j; run again with --debug for the stack trace)");
      }
      err.flush();
      return code;
    });
    int code;
    try {
      code = cli.execute(args);
    } catch (OutOfMemoryError e) {
      // picocli hands exceptions to the handler above but lets errors through.
      err.println("error: " + Errors.message(e));
      if (debug) {
        e.printStackTrace(err);
      }
      err.flush();
      code = Errors.exitCode(e);
    }
    // PrintWriter swallows write errors: without this check, output sent to a full device (> /dev/full) or
    // a closed pipe is lost with exit 0.
    if (out.checkError()) {
      err.println("error: the standard output could not be written (a full device, or a closed pipe); what it"
          + " shows is incomplete");
      err.flush();
      return EXIT_BAD_INPUT;
    }
    if (err.checkError()) {
      return code == 0 ? EXIT_BAD_INPUT : code;
    }
    return code;
  }

  /** Prints the versions of nst4j, DJL and libtorch. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"nst4j " + (v == null ? "dev" : v) + " (DJL 0.36.0, PyTorch engine, libtorch 2.7.1)"};
    }
  }
}

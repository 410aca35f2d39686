package org.nst4j.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.nst4j.transfer.MethodOption;
import org.nst4j.transfer.TransferMethod;
import org.nst4j.transfer.TransferMethods;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code nst4j methods}: the method registry as a Markdown table (name, paper, what the method reads, its
 * options with their defaults), so that the README's method table is the registry's, never a copy by hand.
 */
@Command(name = "methods", mixinStandardHelpOptions = true,
    description = "List every distillation method with its paper, what it reads and its options (CLI option ="
        + " default), as a Markdown table. Methods combine with '+', e.g. kd+nst-poly.")
final class MethodsCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    out.println("| method | paper | reads | options (default) |");
    out.println("|---|---|---|---|");
    for (TransferMethod m : TransferMethods.ALL) {
      List<String> options = new ArrayList<>();
      for (MethodOption<?> o : m.options()) {
        options.add("`" + o.cliName() + "`" + (o.flagValue() == null ? " " + o.defaultText() : " (off)"));
      }
      List<String> reads = new ArrayList<>();
      for (TransferMethod.Input i : TransferMethod.Input.values()) {
        if (m.reads().contains(i)) {
          reads.add(i.name().toLowerCase(Locale.ROOT).replace('_', ' '));
        }
      }
      out.println("| `" + m.name() + "` | " + m.paper().replace("|", "\\|") + " | " + String.join(", ", reads)
          + (m.trainsModules() ? "; trains modules" : "") + " | "
          + (options.isEmpty() ? "—" : String.join(", ", options)) + " |");
    }
    out.flush();
    return 0;
  }
}

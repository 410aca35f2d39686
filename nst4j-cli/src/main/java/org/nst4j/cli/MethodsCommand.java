package org.nst4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nst4j.experiment.Experiment;
import org.nst4j.experiment.ExperimentFile;
import org.nst4j.experiment.ExperimentSpec;
import org.nst4j.experiment.ResultGroup;
import org.nst4j.experiment.Stats;
import org.nst4j.transfer.MethodOption;
import org.nst4j.transfer.TransferMethod;
import org.nst4j.transfer.TransferMethods;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code nst4j methods}: the method registry as a Markdown table (name, paper, what the method reads, its
 * options with their defaults), so that the README's method table is the registry's, never a copy by hand.
 * With {@code --results}, each method's final accuracy in an experiment's finished runs is a column of it (the
 * group whose label is the method's name), and the experiment's other groups (combinations such as
 * {@code kd+nst-poly}, variants such as {@code dkd-warmup5}) follow in a second table.
 */
@Command(name = "methods", mixinStandardHelpOptions = true,
    description = "List every distillation method with its paper, what it reads and its options (CLI option ="
        + " default), as a Markdown table. Methods combine with '+', e.g. kd+nst-poly.")
final class MethodsCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Option(names = "--results", paramLabel = "FILE",
      description = "An experiment file whose finished runs give each method's final test accuracy (mean ± std"
          + " over seeds) as an extra column; its other rows (combinations, variants) follow in a second table.")
  Path results;

  @CommandLine.Option(names = "--out", paramLabel = "DIR",
      description = "With --results: the experiment's output folder, if not the file's 'out'.")
  Path resultsOut;

  @Override
  public Integer call() throws IOException {
    if (resultsOut != null && results == null) {
      throw new IllegalArgumentException("--out: needs --results");
    }
    Map<String, ResultGroup> groups = new LinkedHashMap<>();
    String title = null;
    if (results != null) {
      ExperimentSpec experiment = ExperimentFile.read(results);
      if (resultsOut != null) {
        experiment = experiment.withOverrides(null, null, null, resultsOut, null);
      }
      for (ResultGroup g : Experiment.collect(experiment)) {
        groups.put(g.label(), g);
      }
      title = experiment.name() + " final test acc. (%)";
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println("| method | paper | reads | options (default) |" + (title == null ? "" : " " + title + " |"));
    out.println("|---|---|---|---|" + (title == null ? "" : "--:|"));
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
          + (options.isEmpty() ? "—" : String.join(", ", options)) + " |"
          + (title == null ? "" : " " + accuracy(groups.remove(m.name())) + " |"));
    }
    if (!groups.isEmpty()) {
      out.println();
      out.println("| " + results.getFileName() + " row | options | " + title + " |");
      out.println("|---|---|--:|");
      for (ResultGroup g : groups.values()) {
        out.println("| `" + g.label() + "` | " + g.options().replace("|", "\\|") + " | " + accuracy(g) + " |");
      }
    }
    out.flush();
    return 0;
  }

  /** mean ± std (n = runs) in percent; "—" when the experiment has no such group or no finished run. */
  private static String accuracy(ResultGroup g) {
    if (g == null || g.runs().isEmpty()) {
      return "—";
    }
    Stats s = g.finalAccuracy();
    String mean = String.format(Locale.ROOT, "%.2f", 100 * s.mean());
    return (Double.isNaN(s.std()) ? mean : mean + " ± " + String.format(Locale.ROOT, "%.2f", 100 * s.std()))
        + " (n=" + s.n() + ")";
  }
}

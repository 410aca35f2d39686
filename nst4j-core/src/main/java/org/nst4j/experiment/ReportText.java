package org.nst4j.experiment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Formatting shared by the experiment and sweep reports: numbers, CSV, Markdown tables, provenance. */
final class ReportText {
  private ReportText() {}

  /** An accuracy 0..1 as a percentage with 2 decimals, "—" when undefined. */
  static String pct(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2f", 100 * v) : "—";
  }

  /** mean ± std of accuracies in percent; the mean alone for one seed, "—" for none. */
  static String pctStats(Stats s) {
    if (s.n() == 0) {
      return "—";
    }
    return Double.isNaN(s.std()) ? pct(s.mean()) : pct(s.mean()) + " ± " + pct(s.std());
  }

  /** An accuracy 0..1 as a percentage with 4 decimals for CSV, empty when undefined. */
  static String csvPct(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", 100 * v) : "";
  }

  /** Seconds with 3 decimals for CSV, empty when undefined. */
  static String csvSeconds(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.3f", v) : "";
  }

  /** Seconds with 1 decimal, "—" when undefined. */
  static String seconds(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.1f", v) : "—";
  }

  /** A CSV field (RFC 4180): quoted when it holds a comma, quote or line break. */
  static String csv(String s) {
    if (s == null) {
      return "";
    }
    return s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")
        ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }

  /** Escapes a Markdown table cell. */
  static String cell(String s) {
    return s == null || s.isEmpty() ? "" : s.replace("|", "\\|").replace("\n", " ");
  }

  /**
   * The CSV table of the groups, one row per group in order.
   *
   * @param groups the groups
   * @param extraColumns names of the groups' extra columns, written after {@code options}
   * @param split "test" or "val": which split the accuracies were measured on (in the column names)
   */
  static String csvTable(List<ResultGroup> groups, List<String> extraColumns, String split) {
    StringBuilder sb = new StringBuilder();
    List<String> header = new ArrayList<>(List.of("label", "method", "options"));
    header.addAll(extraColumns);
    header.addAll(List.of("n", "seeds", "final_" + split + "_acc_mean_pct", "final_" + split + "_acc_std_pct",
        "best_" + split + "_acc_mean_pct", "best_" + split + "_acc_std_pct", "seconds_per_epoch_mean"));
    sb.append(String.join(",", header)).append('\n');
    for (ResultGroup g : groups) {
      List<String> row = new ArrayList<>(List.of(csv(g.label()), csv(g.method()), csv(g.options())));
      for (String c : extraColumns) {
        row.add(csv(g.extra().get(c)));
      }
      Stats fin = g.finalAccuracy();
      Stats best = g.bestAccuracy();
      row.add(Integer.toString(fin.n()));
      row.add(csv(String.join(" ", g.runs().stream().map(r -> Long.toString(r.seed())).toList())));
      row.add(csvPct(fin.mean()));
      row.add(csvPct(fin.std()));
      row.add(csvPct(best.mean()));
      row.add(csvPct(best.std()));
      row.add(csvSeconds(g.secondsPerEpoch().mean()));
      sb.append(String.join(",", row)).append('\n');
    }
    return sb.toString();
  }

  /** The per-run Markdown table. */
  static void runsTable(StringBuilder sb, List<ResultGroup> groups, Path base, String split) {
    sb.append("| run | seed | final ").append(split).append(" acc. (%) | best (%) @ epoch | s / epoch | wall (s)")
        .append(" | peak RSS (MiB) | folder |\n");
    sb.append("|---|--:|--:|--:|--:|--:|--:|---|\n");
    for (ResultGroup g : groups) {
      for (RunResult r : g.runs()) {
        var s = r.summary();
        sb.append("| ").append(cell(g.label())).append(" | ").append(r.seed()).append(" | ")
            .append(pct(s.testAccuracy())).append(" | ").append(pct(s.bestTestAccuracy())).append(" @ ")
            .append(s.bestEpoch()).append(" | ").append(seconds(r.secondsPerEpoch())).append(" | ")
            .append(String.format(Locale.ROOT, "%.0f", s.wallSeconds())).append(" | ")
            .append(String.format(Locale.ROOT, "%.0f", s.peakRssMb())).append(" | ")
            .append(cell(relative(base, r.dir()))).append(" |\n");
      }
    }
    List<String> missing = new ArrayList<>();
    for (ResultGroup g : groups) {
      Set<Long> have = new LinkedHashSet<>();
      g.runs().forEach(r -> have.add(r.seed()));
      for (long seed : g.seeds()) {
        if (!have.contains(seed)) {
          missing.add(g.label() + " seed " + seed);
        }
      }
    }
    if (!missing.isEmpty()) {
      sb.append("\nNot finished (left out of the statistics): ").append(String.join(", ", missing)).append(".\n");
    }
  }

  /** Provenance lines: machines, date, commands, data, schedule — all read from the run folders. */
  static void provenance(StringBuilder sb, List<ResultGroup> groups) {
    Map<String, Integer> machines = new LinkedHashMap<>();
    Set<String> commands = new LinkedHashSet<>();
    Set<String> data = new LinkedHashSet<>();
    Set<String> configs = new LinkedHashSet<>();
    Set<String> teachers = new LinkedHashSet<>();
    String newest = null;
    int runs = 0;
    double wall = 0;
    for (ResultGroup g : groups) {
      for (RunResult r : g.runs()) {
        runs++;
        wall += r.summary().wallSeconds();
        String m = r.machine() == null ? "unknown (no machine.json)" : r.machine().describe();
        machines.merge(m, 1, Integer::sum);
        commands.add(r.summary().command());
        data.add(r.summary().dataset() + ", " + r.summary().trainImages() + " training images"
            + (r.summary().perClass() == null ? "" : " (first " + r.summary().perClass() + " per class)"));
        // The seed differs per run; show the shared part of the configuration once.
        configs.add(r.summary().config().replaceAll(" seed=\\d+", ""));
        if (r.summary().teacher() != null) {
          teachers.add(r.summary().teacher());
        }
        if (r.created() != null && (newest == null || r.created().compareTo(newest) > 0)) {
          newest = r.created();
        }
      }
    }
    sb.append("- Machine: ");
    if (machines.size() == 1) {
      sb.append(machines.keySet().iterator().next()).append('\n');
    } else {
      sb.append('\n');
      machines.forEach((m, n) -> sb.append("  - ").append(m).append(" (").append(n).append(n == 1 ? " run" : " runs")
          .append(")\n"));
    }
    sb.append("- Date: ").append(newest == null ? "unknown" : date(newest)).append(" (when the newest of the ")
        .append(runs).append(" runs finished)\n");
    sb.append("- Wall time: ").append(String.format(Locale.ROOT, "%.1f", wall / 3600))
        .append(" h, the sum of the runs' wall times (the grid's time when they ran one after another)\n");
    for (String c : commands) {
      sb.append("- Command: `").append(c).append("`\n");
    }
    sb.append("- Rebuild this report without training: the same command with `--report-only`.\n");
    for (String d : data) {
      sb.append("- Data: ").append(d).append('\n');
    }
    for (String t : teachers) {
      sb.append("- Teacher: `").append(t).append("`\n");
    }
    for (String c : configs) {
      sb.append("- Schedule: ").append(c).append('\n');
    }
  }

  /** An ISO instant as {@code 2025-06-01 14:03 UTC}; the text itself if it does not parse. */
  static String date(String iso) {
    try {
      return java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT)
          .withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.parse(iso));
    } catch (java.time.DateTimeException e) {
      return iso;
    }
  }

  static String relative(Path base, Path dir) {
    try {
      String r = base.toAbsolutePath().normalize().relativize(dir.toAbsolutePath().normalize()).toString();
      return r.isEmpty() ? "." : r.replace(java.io.File.separatorChar, '/');
    } catch (IllegalArgumentException e) {
      return dir.toString();
    }
  }
}

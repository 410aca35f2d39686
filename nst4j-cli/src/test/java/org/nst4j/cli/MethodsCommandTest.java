package org.nst4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.nst4j.store.Json;
import org.nst4j.transfer.TransferMethods;

class MethodsCommandTest {
  @Test
  void listsEveryRegisteredMethodWithItsOptions() {
    Cli.Result r = Cli.run("methods");
    assertEquals(0, r.code(), r.toString());
    List<String> rows = r.out().lines().filter(l -> l.startsWith("| `")).toList();
    assertEquals(TransferMethods.names().size(), rows.size(), r.out());
    for (int i = 0; i < rows.size(); i++) {
      assertTrue(rows.get(i).startsWith("| `" + TransferMethods.names().get(i) + "` |"), rows.get(i));
    }
    assertTrue(r.out().contains("`--kd-temperature` 4, `--kd-alpha` 0.9, `--logit-std` (off)"), r.out());
    assertTrue(r.out().contains("| `fitnet` |") && r.out().contains("taps; trains modules"), r.out());
  }

  @Test
  void addsTheFinalAccuracyOfAnExperimentsFinishedRuns() throws Exception {
    Path out = Path.of("docs/results/fmnist-10k");
    Cli.Result r = Cli.run("methods", "--results", "experiments/fmnist-10k.yaml", "--out", out.toString());
    assertEquals(0, r.code(), r.toString());
    // kd's cell is the mean ± sample std of the committed kd runs' summaries.
    List<Double> acc = new ArrayList<>();
    try (var seeds = Files.list(out.resolve("runs/kd"))) {
      for (Path seed : seeds.sorted().toList()) {
        if (Files.exists(seed.resolve("summary.json"))) {
          acc.add(100 * Json.PRETTY.readTree(seed.resolve("summary.json").toFile()).get("test_accuracy").asDouble());
        }
      }
    }
    double mean = acc.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    double var = acc.stream().mapToDouble(a -> (a - mean) * (a - mean)).sum() / (acc.size() - 1);
    String kd = r.out().lines().filter(l -> l.startsWith("| `kd` |")).findFirst().orElseThrow();
    assertTrue(kd.endsWith(String.format(Locale.ROOT, " %.2f ± %.2f (n=%d) |", mean, Math.sqrt(var), acc.size())),
        kd);
    // A combination is not a registered method: it is a row of the second table.
    assertTrue(r.out().contains("\n| `kd+nst-poly` | "), r.out());
  }

  @Test
  void outWithoutResultsIsABadOption() {
    Cli.assertBadInput(Cli.run("methods", "--out", "x"), "--out");
  }
}

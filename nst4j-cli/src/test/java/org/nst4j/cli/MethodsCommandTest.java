package org.nst4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
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
}

package org.nst4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Slurm's commands as processes, against fake commands in a temporary folder. */
class SlurmTest {
  @TempDir Path dir;

  @Test
  void parsesOneLinePerArrayTaskAndSkipsOtherLines() {
    List<Slurm.QueueEntry> q = Slurm.parseQueue("""
        12_0|12|0|RUNNING|None
        12_3|12|3|PENDING|JobArrayTaskLimit
        13|13|N/A|PENDING|Dependency
        a notice from the site
        12_[4-9%2]|12|4-9%2|PENDING|JobArrayTaskLimit
        """);
    assertEquals(3, q.size());
    assertEquals(new Slurm.QueueEntry("12_3", "12", 3, "PENDING", "JobArrayTaskLimit"), q.get(1));
    assertEquals(-1, q.get(2).taskIndex());
    assertTrue(q.get(0).active());
    assertFalse(new Slurm.QueueEntry("1_0", "1", 0, "TIMEOUT", "None").active());
    assertFalse(new Slurm.QueueEntry("1_0", "1", 0, "CANCELLED", "None").active());
    Map<Integer, Slurm.QueueEntry> byIndex = Slurm.byIndex(q, "12");
    assertEquals(List.of(0, 3), List.copyOf(byIndex.keySet()));
  }

  @Test
  void submitReturnsTheJobIdAndPassesArgumentsBeforeTheScript() throws Exception {
    FakeSlurm fake = new FakeSlurm(dir.resolve("bin"));
    Path script = Files.writeString(dir.resolve("job.sh"), "#!/bin/bash\n");
    assertEquals("100", fake.slurm().submit(List.of("--dependency=afterany:7"), script));
    assertEquals(List.of("--parsable --dependency=afterany:7 " + script), fake.calls("sbatch"));
    fake.queue("100_1|100|1|RUNNING|None\n");
    assertEquals("RUNNING", fake.slurm().queue(List.of("100", "101")).get(0).state());
    assertTrue(fake.calls("squeue").get(0).contains("-r --states=all -j 100,101 -o %i|%F|%K|%T|%r"),
        fake.calls("squeue").toString());
    assertEquals(List.of(), fake.slurm().queue(List.of()), "no job, no call");
    assertEquals(1, fake.calls("squeue").size());
  }

  @Test
  void aRefusalOrAMissingCommandIsOneLineNamingTheCommand() throws Exception {
    FakeSlurm fake = new FakeSlurm(dir.resolve("bin"));
    fake.failSbatchAfter(0);
    Path script = Files.writeString(dir.resolve("job.sh"), "#!/bin/bash\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> fake.slurm().submit(List.of(), script));
    assertEquals("sbatch failed (exit 1): sbatch: error: ImageBatch job submission failed: Invalid account", e.getMessage());
    Slurm none = new Slurm(dir.resolve("empty"), Map.of());
    assertFalse(none.available());
    e = assertThrows(IllegalArgumentException.class, () -> none.submit(List.of(), script));
    assertTrue(e.getMessage().startsWith("sbatch not found in " + dir.resolve("empty")), e.getMessage());
  }
}

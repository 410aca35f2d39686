package org.nst4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MachineInfoTest {
  @Test
  void readsCpuModelAndMemoryFromProcFiles(@TempDir Path dir) throws Exception {
    Path cpuinfo = dir.resolve("cpuinfo");
    Files.writeString(cpuinfo, "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R)  CPU @ 2.20GHz\n"
        + "processor\t: 1\nmodel name\t: Intel(R) Xeon(R)  CPU @ 2.20GHz\n");
    assertEquals("Intel(R) Xeon(R) CPU @ 2.20GHz", MachineInfo.cpuModel(cpuinfo));
    Path meminfo = dir.resolve("meminfo");
    Files.writeString(meminfo, "MemTotal:        8152364 kB\nMemFree:         1000 kB\n");
    assertEquals(7961, MachineInfo.memoryMib(meminfo));
    assertEquals("unknown", MachineInfo.cpuModel(dir.resolve("absent")));
    assertEquals(0, MachineInfo.memoryMib(dir.resolve("absent")));
  }

  @Test
  void describesAndRoundTripsThroughARunFolder(@TempDir Path dir) throws Exception {
    MachineInfo m = new MachineInfo(2, "Some CPU", 8192, "Linux 6 amd64", "17.0.15");
    assertEquals("2 CPUs (Some CPU), 8.0 GiB RAM, Linux 6 amd64, Java 17.0.15", m.describe());
    assertNull(MachineInfo.readFrom(dir));
    m.writeTo(dir);
    assertEquals(m, MachineInfo.readFrom(dir));
    MachineInfo here = MachineInfo.current();
    assertEquals(Runtime.getRuntime().availableProcessors(), here.cpus());
    assertTrue(here.memoryMib() >= 0);
  }
}

package org.nst4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The process's stop request: the first request wins and is reported; a cleared request is gone. */
class StopSignalTest {
  @AfterEach
  void clear() {
    StopSignal.process().clear();
  }

  @Test
  void theFirstRequestIsKeptAndLaterOnesReportThemselvesAsRepeats() {
    StopSignal s = StopSignal.process();
    assertNull(s.requested());
    assertTrue(s.request("SIGTERM"));
    assertFalse(s.request("SIGINT"), "a second signal is a repeat (the handler then exits at once)");
    assertEquals("SIGTERM", s.requested());
    s.clear();
    assertNull(s.requested());
    assertTrue(s.request("SIGINT"));
  }

  @Test
  void theExitCodeIsDistinctFromSuccessBugAndBadInput() {
    assertEquals(75, StopSignal.EXIT_CODE);
    assertTrue(new StopSignal.Stopped("x").getMessage().equals("x"));
  }
}

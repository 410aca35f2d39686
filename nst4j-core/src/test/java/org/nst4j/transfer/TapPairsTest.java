package org.nst4j.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nst4j.model.ModelOutput;

/** Tap pairing: the defaults read the main taps only; named taps may be pre-ReLU taps. */
class TapPairsTest {

  /** An output with main taps stage1..3 and pre-ReLU taps stage1_pre..3_pre. */
  private static ModelOutput zooLike(NDManager m) {
    Map<String, NDArray> main = new LinkedHashMap<>();
    Map<String, NDArray> pre = new LinkedHashMap<>();
    for (int s = 1; s <= 3; s++) {
      main.put("stage" + s, m.zeros(new ai.djl.ndarray.types.Shape(2, 4, 2, 2)));
      pre.put("stage" + s + "_pre", m.zeros(new ai.djl.ndarray.types.Shape(2, 4, 2, 2)));
    }
    return ModelOutput.of(null, main, pre);
  }

  private static List<String> labels(List<TapPairs.Pair> pairs) {
    return pairs.stream().map(p -> p.student() + ":" + p.teacher()).toList();
  }

  @Test
  void defaultsIgnoreThePreReluTaps() {
    try (NDManager m = NDManager.newBaseManager()) {
      ModelOutput s = zooLike(m);
      ModelOutput t = zooLike(m);
      assertEquals(List.of("stage3:stage3"), labels(TapPairs.resolve(s, t, null, TapPairs.Default.LAST, "x")));
      assertEquals(List.of("stage1:stage1", "stage2:stage2", "stage3:stage3"),
          labels(TapPairs.resolve(s, t, null, TapPairs.Default.ALL, "x")));
      assertEquals(List.of("stage2:stage2", "stage3:stage3"),
          labels(TapPairs.resolve(s, t, null, TapPairs.Default.ALL_BUT_FIRST, "x")));
    }
  }

  @Test
  void namedTapsMayBePreReluTaps() {
    try (NDManager m = NDManager.newBaseManager()) {
      ModelOutput s = zooLike(m);
      ModelOutput t = zooLike(m);
      assertEquals(List.of("stage3:stage3_pre", "stage2_pre:stage2_pre"),
          labels(TapPairs.resolve(s, t, List.of("stage3:stage3_pre", "stage2_pre"), TapPairs.Default.ALL, "x")));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> TapPairs.resolve(s, t, List.of("stage4_pre"), TapPairs.Default.ALL, "x"));
      assertEquals(true, e.getMessage().contains("stage3_pre"), e.getMessage());
    }
  }
}

package org.nst4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nst4j.transfer.LossOptions;
import org.nst4j.transfer.NstGaussMethod;
import org.nst4j.transfer.NstMethod;

class MethodSpecTest {
  @Test
  void normalisesTheMethodAndDescribesTheOptionsThatMatter() {
    LossOptions d = LossOptions.defaults();
    assertEquals("kd+nst-poly", MethodSpec.of("KD + nst-poly", d).label());
    assertEquals("", MethodSpec.of("ce", d).describe());
    assertEquals("T=4 α=0.9", MethodSpec.of("kd", d).describe());
    assertEquals("β_fitnet=100, taps default", MethodSpec.of("fitnet", d).describe());
    assertEquals("β_at=1000, taps stage1,stage2", MethodSpec.of("at",
        d.toBuilder().optTaps(List.of("stage1", "stage2")).build()).describe());
    assertEquals("λ=25 (λ·MMD²), σ²=0.5, no teacher term, taps default", MethodSpec.of("nst-gauss",
        d.toBuilder().set(NstMethod.LAMBDA, 25.0).set(NstMethod.SCALE, "full").set(NstGaussMethod.SIGMA2, 0.5).set(NstMethod.KEEP_TEACHER_TERM, false).build()).describe());
    assertEquals("T=4 α=0.9, λ=50 (λ/2·MMD²), d=2 c=0, taps stage3", MethodSpec.of("kd+nst-poly",
        d.toBuilder().optTaps(List.of("stage3")).build()).describe());
  }

  @Test
  void labelsMustBeFolderNames() {
    LossOptions d = LossOptions.defaults();
    assertEquals("nst-poly-l25", new MethodSpec("nst-poly-l25", "nst-poly", d).label());
    for (String bad : new String[] {"a/b", "", ".hidden", "a b", ".."}) {
      assertThrows(IllegalArgumentException.class, () -> new MethodSpec(bad, "ce", d), bad);
    }
    assertThrows(IllegalArgumentException.class, () -> new MethodSpec("x", "nst-cubic", d));
  }
}

package org.nst4j.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nst4j.model.ModelZoo;
import org.nst4j.model.TappedModel;

class TermContextTest {

  @Test
  void aRunContextCarriesTheTrainingSizeAndTheTeachersPreReluBatchNorms() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TappedModel teacher = ModelZoo.create("resnet8", 1, 10, 0);
      teacher.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 12, 12));
      TermContext c = TermContext.of(200, teacher);
      assertTrue(c.isRun());
      assertEquals(200, c.trainingImages());
      assertEquals("resnet8", c.teacher());
      assertEquals(List.of("stage1_pre", "stage2_pre", "stage3_pre"), c.teacherPreReluTaps());
      assertArrayEquals(teacher.preReluBatchNorm("stage2_pre").gamma(),
          c.teacherPreReluBatchNorms().get("stage2_pre").gamma());
      assertEquals(64, c.teacherPreReluBatchNorms().get("stage3_pre").beta().length);
      c.requireRun("crd", "N");
      c.requireTeacherPreReluTaps("ofd", "");

      TermContext noTeacher = TermContext.of(5, null);
      assertTrue(noTeacher.teacherPreReluTaps().isEmpty());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> noTeacher.requireTeacherPreReluTaps("ofd", "give --taps"));
      assertTrue(e.getMessage().contains("pre-ReLU") && e.getMessage().endsWith("give --taps"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> TermContext.of(0, teacher));
    }
  }

  @Test
  void noneIsNoRunAndRefusesWhatNeedsOne() {
    TermContext none = TermContext.none();
    assertFalse(none.isRun());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> none.requireRun("crd", "the number of training images"));
    assertTrue(e.getMessage().startsWith("crd needs the number of training images"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new TermContext(-1, null, java.util.Map.of()));
  }
}

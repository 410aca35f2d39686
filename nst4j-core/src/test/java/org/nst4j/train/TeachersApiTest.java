package org.nst4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nst4j.model.TappedBlock;
import org.nst4j.model.TappedModel;
import org.nst4j.transfer.DistillationBlock;
import org.nst4j.transfer.DjlFixtures;

/** The three teacher factories of the Java API, each giving a frozen teacher a {@link DistillationBlock} accepts. */
class TeachersApiTest {

  private static void assertFrozen(TappedModel teacher) {
    assertTrue(teacher.isInitialized());
    for (Parameter p : teacher.getParameters().values()) {
      assertFalse(p.getArray().hasGradient(), p.getName() + " requires a gradient");
    }
  }

  /** The teacher serves a kd+nst-poly objective: the loss of a random batch is finite. */
  private static void distils(TappedModel teacher) {
    try (NDManager manager = NDManager.newBaseManager()) {
      DistillationBlock block = DistillationBlock.builder().setStudent(DjlFixtures.tinyCnn("s", 1, 10))
          .setTeacher(teacher).setMethod("kd+nst-poly").build();
      block.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 28, 28));
      NDList out = block.forward(new ParameterStore(manager, false),
          new NDList(manager.randomNormal(new Shape(3, 1, 28, 28))), false);
      float loss = block.loss().evaluate(new NDList(manager.create(new float[] {0, 5, 9})), out).getFloat();
      assertTrue(Float.isFinite(loss) && loss > 0, "loss " + loss);
    }
  }

  @Test
  void fromFolderLoadsTheShippedTeacherFrozen() {
    try (Model teacher = Teachers.fromFolder(Path.of("models/fmnist-resnet20"), Device.cpu())) {
      TappedModel t = (TappedModel) teacher.getBlock();
      assertEquals("resnet20", t.architecture());
      assertFrozen(t);
      distils(t);
    }
  }

  @Test
  void fromTorchScriptNamesItsMapsAndSpeaksOfItsArgument() {
    Path pt = TeachersTest.torchScript("teacher.pt");
    try (Model teacher = Teachers.fromTorchScript(pt, List.of("map1", "map2"), new Shape(1, 28, 28), 10,
        Device.cpu())) {
      TappedModel t = (TappedModel) teacher.getBlock();
      assertEquals(List.of("map1", "map2"), t.tapNames());
      distils(t);
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Teachers.fromTorchScript(pt, List.of("only-one"), new Shape(1, 28, 28), 10, Device.cpu()));
    assertTrue(e.getMessage().startsWith("tapNames names 1 map [only-one], but "), e.getMessage());
  }

  @Test
  void fromModelWrapsAnyTrainedDjlModelAndFreezesIt() {
    try (Model djl = Model.newInstance("their-cnn")) {
      TappedBlock cnn = DjlFixtures.tinyCnn("x", 1, 10);
      djl.setBlock(cnn.block());
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> Teachers.fromModel(djl, new Shape(1, 28, 28), 10, "04LambdaBlock"));
      assertEquals("the teacher model their-cnn is not initialised: train or load it first", e.getMessage());
      cnn.block().initialize(djl.getNDManager(), DataType.FLOAT32, new Shape(1, 1, 28, 28));
      TappedModel teacher = Teachers.fromModel(djl, new Shape(1, 28, 28), 10, "a=04LambdaBlock", "b=08LambdaBlock");
      assertEquals("their-cnn", teacher.architecture());
      assertEquals(List.of("a", "b"), teacher.tapNames());
      assertFrozen(teacher);
      distils(teacher);
    }
  }
}

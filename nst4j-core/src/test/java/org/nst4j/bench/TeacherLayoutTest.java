package org.nst4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.LambdaBlock;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nst4j.data.DataSources;
import org.nst4j.data.DataSplits;
import org.nst4j.model.MkldnnLayout;
import org.nst4j.model.TappedBlock;
import org.nst4j.model.TappedModel;
import org.nst4j.train.Teachers;

class TeacherLayoutTest {
  private static final Path TEACHER = Path.of("models/fmnist-resnet20");

  @Test
  void theMkldnnForwardOfTheShippedTeacherAgreesWithTheDenseOneOnTheSample() {
    assertNull(System.getProperty(MkldnnLayout.PROPERTY), "the switch must be unset when the test starts");
    DataSplits sample = DataSources.sample();
    try (Model m = Teachers.load(TEACHER, null, sample.train(), Device.cpu())) {
      TappedModel teacher = (TappedModel) m.getBlock();
      // Two pairs: the dense forward runs first in one, second in the other.
      TeacherLayout.Result r = TeacherLayout.run(teacher, m.getNDManager(), sample.train(), sample.normalization(),
          64, 2, 0);
      List<String> outputs = r.agreement().stream().map(TeacherLayout.Agreement::output).toList();
      assertEquals(List.of("logits", "stage1", "stage2", "stage3", "stage1_pre", "stage2_pre", "stage3_pre"),
          outputs);
      // The six taps really came out of MKLDNN kernels (else the comparison would be dense against dense).
      assertEquals(6, r.mkldnnOutputs());
      for (TeacherLayout.Agreement a : r.agreement()) {
        assertTrue(a.maxAbs() > 0, a.toString());
        assertTrue(a.relative() <= 1e-4, a.toString());
      }
      assertEquals("(64, 10)", r.agreement().get(0).shape());
      assertEquals(2, r.denseMs().size());
      assertEquals(2, r.mkldnnMs().size());
      for (int i = 0; i < 2; i++) {
        assertTrue(r.denseMs().get(i) > 0 && r.mkldnnForwardMs().get(i) > 0, r.toString());
        assertEquals(r.copyInMs().get(i) + r.mkldnnForwardMs().get(i) + r.toDenseMs().get(i), r.mkldnnMs().get(i),
            1e-6);
      }
      // The teacher is left as it was given (unfolded) and the switch as it was (unset).
      assertFalse(teacher.isBatchNormFolded());
      assertNull(System.getProperty(MkldnnLayout.PROPERTY));
      String md = TeacherLayout.markdown(r);
      assertTrue(md.contains("| MKLDNN, whole path |") && md.contains("| stage3_pre | (64, 64, 7, 7) |"), md);
      assertTrue(md.contains("returned 6 of its 7 outputs"), md);
      double worst = r.agreement().stream().mapToDouble(TeacherLayout.Agreement::relative).max().orElseThrow();
      assertEquals(worst, r.worstRelative());
      assertTrue(md.contains(String.format(java.util.Locale.ROOT, "output's largest value: %.2e.", worst)), md);
    }
  }

  @Test
  void theSwitchIsRestoredAfterTheCallAndAfterAnException() {
    assertNull(System.getProperty(MkldnnLayout.PROPERTY));
    assertEquals("true", TeacherLayout.withMkldnn(() -> System.getProperty(MkldnnLayout.PROPERTY)));
    assertNull(System.getProperty(MkldnnLayout.PROPERTY));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> TeacherLayout.withMkldnn(() -> {
      throw new IllegalStateException("inside");
    }));
    assertEquals("inside", e.getMessage());
    assertNull(System.getProperty(MkldnnLayout.PROPERTY));
    System.setProperty(MkldnnLayout.PROPERTY, "false");
    try {
      assertThrows(ArithmeticException.class, () -> TeacherLayout.withMkldnn(() -> 1 / Integer.parseInt("0")));
      assertEquals("false", System.getProperty(MkldnnLayout.PROPERTY));
    } finally {
      System.clearProperty(MkldnnLayout.PROPERTY);
    }
  }

  @Test
  void aTeacherThatCannotRunOnMkldnnTensorsIsNamedAndTheSwitchIsRestored() {
    DataSplits sample = DataSources.sample();
    try (NDManager manager = NDManager.newBaseManager()) {
      // Its logits are a slice, a strided view: fine on dense tensors, refused on MKLDNN ones.
      LambdaBlock viewing = new LambdaBlock(in -> {
        NDArray x = in.singletonOrThrow();
        return new NDList(x.reshape(x.getShape().get(0), -1).get(":, :10"), x);
      });
      TappedModel teacher = TappedBlock.ofOutputs("viewing", viewing, 1, 10, "input");
      teacher.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 28, 28));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TeacherLayout.run(teacher,
          manager, sample.train(), sample.normalization(), 8, 1, 0));
      assertTrue(e.getMessage().startsWith("the teacher viewing cannot run on MKLDNN tensors: Could not run 'aten::"),
          e.getMessage());
      assertNull(System.getProperty(MkldnnLayout.PROPERTY));
    }
  }

  @Test
  void aTorchScriptTeacherRefusedByMkldnnKernelsIsNamedWithTheRefusedOperation() throws Exception {
    DataSplits sample = DataSources.sample();
    Path file = Path.of(getClass().getResource("/org/nst4j/model/torchscript/teacher.pt").toURI());
    try (Model m = Teachers.fromTorchScript(file, List.of(), new Shape(1, 28, 28), 10, Device.cpu())) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TeacherLayout.run(
          (TappedModel) m.getBlock(), m.getNDManager(), sample.train(), sample.normalization(), 8, 1, 0));
      // Its refusal comes after a TorchScript traceback; the message gives the RuntimeError's line.
      assertEquals("the teacher torchscript:teacher.pt cannot run on MKLDNN tensors: resize_reduction: support for"
          + " output with Mkldnn layout is not implemented yet", e.getMessage());
      assertNull(System.getProperty(MkldnnLayout.PROPERTY));
    }
  }

  @Test
  void refusesBadArguments() {
    DataSplits sample = DataSources.sample();
    try (Model m = Teachers.load(TEACHER, null, sample.train(), Device.cpu())) {
      TappedModel teacher = (TappedModel) m.getBlock();
      assertThrows(IllegalArgumentException.class, () -> TeacherLayout.run(teacher, m.getNDManager(),
          sample.train(), sample.normalization(), 0, 1, 0));
      assertThrows(IllegalArgumentException.class, () -> TeacherLayout.run(teacher, m.getNDManager(),
          sample.train(), sample.normalization(), 64, 0, 0));
      IllegalArgumentException big = assertThrows(IllegalArgumentException.class, () -> TeacherLayout.run(teacher,
          m.getNDManager(), sample.train(), sample.normalization(), sample.train().size() + 1, 1, 0));
      assertTrue(big.getMessage().contains("larger than the " + sample.train().size() + " images"),
          big.getMessage());
      assertFalse(teacher.isBatchNormFolded());
    }
  }

  @Test
  void theRefusalIsTheLineThatNamesTheOperation() {
    assertEquals("Could not run 'aten::addmm.out' with arguments from the 'MkldnnCPU' backend.", TeacherLayout.refusal(
        new IllegalStateException("\nCould not run 'aten::addmm.out' with arguments from the 'MkldnnCPU' backend.\nCPU: x")));
    assertEquals("no kernel", TeacherLayout.refusal(new IllegalStateException("failed\n  trace\nRuntimeError: no kernel")));
    assertEquals("first", TeacherLayout.refusal(new IllegalStateException("first\nsecond")));
  }

  @Test
  void medianOfOddAndEvenCounts() {
    assertEquals(2.0, TeacherLayout.median(List.of(3.0, 1.0, 2.0)));
    assertEquals(2.5, TeacherLayout.median(List.of(4.0, 1.0, 2.0, 3.0)));
  }
}

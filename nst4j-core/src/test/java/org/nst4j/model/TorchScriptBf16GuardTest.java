package org.nst4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.data.DataFormatException;

/**
 * Issue 17, item 3's guard: nst4j never lets a bfloat16 tensor reach DJL 0.36, whose PyTorch JNI aborts the
 * JVM on one. The fixtures are teacher.pt with one map cast to bfloat16 ({@code bf16-map.pt}), and cast there
 * and back to float32 ({@code bf16-inside.pt}); see make_bf16_teachers.sh. Whatever could abort runs in a
 * child JVM ({@link ChildJvm}), so a broken guard fails these tests instead of killing the test JVM; the
 * command-line path is checked by {@code cli/DistillBf16TeacherTest}.
 */
class TorchScriptBf16GuardTest {
  private static final Shape MNIST = new Shape(1, 28, 28);

  private static Path resource(String name) throws Exception {
    return Path.of(TorchScriptBf16GuardTest.class.getResource("/org/nst4j/model/torchscript/" + name).toURI());
  }

  @Test
  void aModuleReturningBfloat16IsRefusedAtLoadNamingTheOutput() throws Exception {
    DataFormatException e = assertThrows(DataFormatException.class,
        () -> TorchScriptModel.load(resource("bf16-map.pt"), null, MNIST, 10, Device.cpu()));
    String m = e.getMessage();
    assertTrue(m.startsWith(resource("bf16-map.pt") + ": map 1 (element 1 of the tuple forward returns) is of a"
        + " type DJL 0.36 cannot hold (it reads as 'unknown': bfloat16"), m);
    assertTrue(m.contains("return tuple(t.float() for t in (logits, map1, ...))"), m);
  }

  @Test
  void aModuleComputingInBfloat16InsideItsForwardServesAsTeacher() throws Exception {
    try (Model bf16 = TorchScriptModel.load(resource("bf16-inside.pt"), null, MNIST, 10, Device.cpu());
        Model fp32 = TorchScriptModel.load(resource("teacher.pt"), null, MNIST, 10, Device.cpu());
        NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.randomUniform(-1, 1, new Shape(4, 1, 28, 28));
      NDList a = bf16.getBlock().forward(new ParameterStore(m, false), new NDList(x), false);
      NDList b = fp32.getBlock().forward(new ParameterStore(m, false), new NDList(x), false);
      assertEquals(DataType.FLOAT32, a.get(1).getDataType());
      float[] got = a.get(1).toFloatArray();
      float[] want = b.get(1).toFloatArray();
      boolean rounded = false;
      for (int i = 0; i < got.length; i++) {
        // bfloat16 keeps 8 significant bits: a relative error of at most 2^-8.
        assertEquals(want[i], got[i], Math.abs(want[i]) / 256 + 1e-30, "element " + i);
        rounded |= got[i] != want[i];
      }
      assertTrue(rounded, "the map really went through bfloat16");
      assertEquals(a.get(0).softmax(1).getDataType(), DataType.FLOAT32);
    }
  }

  @Test
  void theForwardChecksEveryBatchToo() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray wide = m.zeros(new Shape(2, 3), DataType.FLOAT64);
      DataFormatException e = assertThrows(DataFormatException.class,
          () -> TorchScriptModel.checkFloat32(wide, "torchscript:x.pt", "the logits"));
      assertTrue(e.getMessage().startsWith("torchscript:x.pt: the logits is float64; nst4j takes float32"),
          e.getMessage());
      TorchScriptModel.checkFloat32(m.zeros(new Shape(2, 3)), "torchscript:x.pt", "the logits");
    }
  }

  @Test
  void withoutTheGuardDjlAbortsTheJvmOnABfloat16Output(@TempDir Path dir) throws Exception {
    ChildJvm.Result r = ChildJvm.run(dir, Bf16AbortProbe.class.getName(), resource("bf16-map.pt").toString());
    assertTrue(r.out().contains("type unknown"), "DJL reads bfloat16 as unknown: " + r.out() + r.err());
    // If this fails with "survived", DJL handles bfloat16 now: the guard can then be relaxed (issue 17, item 3).
    assertFalse(r.out().contains("survived"), r.out());
    assertNotEquals(0, r.exitCode(), "the child JVM died");
    assertTrue(r.err().contains("terminate called without an active exception"), r.err());
  }
}

package org.nst4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.data.DataFormatException;

/** Uses the tiny teachers made by src/test/resources/org/nst4j/model/torchscript/make_teacher.py. */
class TorchScriptModelTest {
  private static final Shape MNIST = new Shape(1, 28, 28);

  static Path resource(String name) {
    try {
      return Path.of(TorchScriptModelTest.class.getResource("torchscript/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static float[] floats(String name) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(resource(name))).order(ByteOrder.LITTLE_ENDIAN);
    float[] f = new float[b.remaining() / 4];
    b.asFloatBuffer().get(f);
    return f;
  }

  @Test
  void reproducesPyTorchsOutputsWithNamedTaps() throws IOException {
    try (Model model = TorchScriptModel.load(resource("teacher.pt"), List.of("map1", "map2"), MNIST, 10,
        Device.cpu())) {
      TappedModel teacher = (TappedModel) model.getBlock();
      assertEquals(List.of("map1", "map2"), teacher.tapNames());
      assertEquals("torchscript:teacher.pt", teacher.architecture());
      assertEquals(1, teacher.inputChannels());
      assertEquals(10, teacher.numClasses());
      // 8·1·9 + 2·8 + 16·8·9 + 2·16 + 16·10 + 10 learnable scalars.
      assertEquals(72 + 16 + 1152 + 32 + 170, Models.parameterCount(teacher));
      try (NDManager scope = model.getNDManager().newSubManager()) {
        NDArray x = scope.create(floats("probe-input.f32"), new Shape(4, 1, 28, 28));
        ParameterStore ps = new ParameterStore(scope, false);
        // training = true is ignored: BatchNorm keeps its running statistics, the result is PyTorch's eval.
        for (boolean training : new boolean[] {true, false}) {
          ModelOutput out = Models.forward(teacher, ps, x, training);
          assertTrue(out.logits().allClose(scope.create(floats("probe-logits.f32"), new Shape(4, 10)),
              1e-4, 1e-4, false));
          assertTrue(out.tap("map2").allClose(scope.create(floats("probe-map2.f32"), new Shape(4, 16, 7, 7)),
              1e-4, 1e-4, false));
          assertEquals(new Shape(4, 8, 14, 14), out.tap("map1").getShape());
        }
        Shape[] shapes = teacher.getOutputShapes(new Shape[] {new Shape(3, 1, 28, 28)});
        assertArrayEquals(new Shape[] {new Shape(3, 10), new Shape(3, 8, 14, 14), new Shape(3, 16, 7, 7)}, shapes);
      }
    }
  }

  @Test
  void defaultTapNamesAndAFolderHoldingOnePtFile(@TempDir Path dir) throws IOException {
    Files.copy(resource("teacher.pt"), dir.resolve("exported.pt"));
    try (Model model = TorchScriptModel.load(dir, null, MNIST, 10, Device.cpu())) {
      assertEquals(List.of("tap1", "tap2"), ((TappedModel) model.getBlock()).tapNames());
    }
    Files.copy(resource("bare.pt"), dir.resolve("other.pt"));
    DataFormatException e = assertThrows(DataFormatException.class,
        () -> TorchScriptModel.load(dir, null, MNIST, 10, Device.cpu()));
    assertTrue(e.getMessage().contains("several .pt files"), e.getMessage());
    Path empty = Files.createDirectory(dir.resolve("empty"));
    e = assertThrows(DataFormatException.class, () -> TorchScriptModel.load(empty, null, MNIST, 10, Device.cpu()));
    assertTrue(e.getMessage().contains("no .pt"), e.getMessage());
  }

  @Test
  void refusesModulesThatDoNotFit() {
    DataFormatException e = assertThrows(DataFormatException.class,
        () -> TorchScriptModel.load(resource("bare.pt"), null, MNIST, 10, Device.cpu()));
    assertTrue(e.getMessage().startsWith(resource("bare.pt") + ": forward returns Tensor, expected a tuple"),
        e.getMessage());

    e = assertThrows(DataFormatException.class,
        () -> TorchScriptModel.load(resource("five-classes.pt"), null, MNIST, 10, Device.cpu()));
    assertTrue(e.getMessage().contains("logits (first element) have shape (2, 5)"), e.getMessage());
    assertTrue(e.getMessage().contains("the data's 10 classes"), e.getMessage());

    e = assertThrows(DataFormatException.class,
        () -> TorchScriptModel.load(resource("probe-input.f32"), null, MNIST, 10, Device.cpu()));
    assertTrue(e.getMessage().contains("not a loadable TorchScript module"), e.getMessage());

    // Three-channel images do not fit a one-channel first convolution.
    e = assertThrows(DataFormatException.class,
        () -> TorchScriptModel.load(resource("teacher.pt"), null, new Shape(3, 28, 28), 10, Device.cpu()));
    assertTrue(e.getMessage().contains("forward fails on a 2×3×28×28 batch"), e.getMessage());

    IllegalArgumentException wrongCount = assertThrows(IllegalArgumentException.class,
        () -> TorchScriptModel.load(resource("teacher.pt"), List.of("a", "b", "c"), MNIST, 10, Device.cpu()));
    assertTrue(wrongCount.getMessage().contains("returns 2 after its logits"), wrongCount.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> TorchScriptModel.load(resource("teacher.pt"), List.of("a", "a"), MNIST, 10, Device.cpu()));
  }
}

package org.nst4j.detection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.data.DataSources;

/** The detector's outputs, initialisation, and that its loss can be driven down on a few FMNIST-Det scenes. */
class CenterNetDetectorTest {
  @TempDir Path dir;

  @Test
  void outputsAreHeatSizeOffsetThenTheBackbonesTaps() {
    CenterNetDetector d = CenterNetDetector.create("resnet8", 1, 10, "stage3", 1);
    Shape input = new Shape(2, 1, 96, 96);
    try (NDManager m = NDManager.newBaseManager()) {
      d.initialize(m, DataType.FLOAT32, input);
      NDList out = d.forward(new ParameterStore(m, false), new NDList(m.randomUniform(0, 1, input)), false);
      assertEquals(3 + 6, out.size(), "heat, size, offset, then resnet8's stage1..3 and stage1_pre..3_pre");
      assertEquals(new Shape(2, 10, 24, 24), out.get(0).getShape());
      assertEquals(new Shape(2, 2, 24, 24), out.get(1).getShape());
      assertEquals(new Shape(2, 2, 24, 24), out.get(2).getShape());
      Shape[] announced = d.getOutputShapes(new Shape[] {input});
      for (int i = 0; i < out.size(); i++) {
        assertEquals(announced[i], out.get(i).getShape(), "output " + i);
      }
      assertEquals(4, d.stride(input));
      // The heatmap starts at the prior everywhere: its bias is −log 9, its weights small.
      NDArray p = ai.djl.nn.Activation.sigmoid(out.get(0));
      assertTrue(p.min().getFloat() > 0.08 && p.max().getFloat() < 0.12, "initial probabilities near 0.1");
    }
    assertThrows(IllegalArgumentException.class, () -> CenterNetDetector.create("resnet8", 1, 10, "stage9", 1));
  }

  @Test
  void theSameSeedGivesTheSameDetector() {
    Shape input = new Shape(1, 1, 96, 96);
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.randomUniform(0, 1, input);
      float[][] heat = new float[2][];
      for (int i = 0; i < 2; i++) {
        CenterNetDetector d = CenterNetDetector.create("resnet8", 1, 10, "stage3", 42);
        d.initialize(m, DataType.FLOAT32, input);
        heat[i] = d.forward(new ParameterStore(m, false), new NDList(x), false).get(0).toFloatArray();
      }
      assertArrayEquals(heat[0], heat[1]);
    }
  }

  @Test
  void aFewStepsOnFourScenesDriveTheLossDown() throws IOException {
    FmnistDet.Result r = FmnistDet.generate(DataSources.sample(), 3, 4, 1, dir.resolve("fd"));
    CocoDataset ds = CocoReader.read(r.out().resolve("train"));
    Map<Integer, Integer> channelOf = new HashMap<>();
    for (CocoCategory c : ds.categories()) {
      channelOf.put(c.id(), channelOf.size());
    }
    Map<Long, List<CocoAnnotation>> byImage = ds.annotationsByImage();
    int n = ds.images().size();
    float[] pixels = new float[n * 96 * 96];
    List<CenterNetTargets> targets = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      CocoImage im = ds.images().get(i);
      byte[] px = CocoReader.loadImage(ds, im, 1);
      for (int k = 0; k < px.length; k++) {
        pixels[i * px.length + k] = (px[k] & 0xFF) / 255f;
      }
      targets.add(CenterNetTargets.encode(96, 96, 4, channelOf, byImage.get(im.id())));
    }
    CenterNetDetector d = CenterNetDetector.create("resnet8", 1, 10, "stage3", 7);
    Shape input = new Shape(n, 1, 96, 96);
    try (NDManager m = NDManager.newBaseManager()) {
      d.initialize(m, DataType.FLOAT32, input);
      NDArray x = m.create(pixels, input);
      NDList t = CenterNetLoss.batch(m, targets);
      ParameterStore ps = new ParameterStore(m, false);
      float first = Float.NaN;
      float last = Float.NaN;
      for (int step = 0; step < 40; step++) {
        try (NDManager scope = m.newSubManager()) {
          try (GradientCollector gc = m.getEngine().newGradientCollector()) {
            NDList out = d.forward(ps, new NDList(x), true);
            NDList loss = CenterNetLoss.loss(out, t);
            gc.backward(loss.get(0));
            last = loss.get(0).getFloat();
            out.attach(scope);
            loss.attach(scope);
          }
          if (step == 0) {
            first = last;
          }
          sgdStep(d, 0.05f);
        }
      }
      assertTrue(Float.isFinite(last), "finite loss");
      // Heads start near their biases: about 3.5 of focal loss, 0.6 of size, 0.5 of offset — not hundreds.
      assertTrue(first > 1 && first < 10, "initial loss " + first);
      assertTrue(last < 0.5 * first, "loss " + first + " → " + last);
    }
  }

  /**
   * Plain SGD, then zeroed gradients: written here rather than borrowed from the training package, so that
   * this test depends on the detection code and DJL only.
   */
  private static void sgdStep(CenterNetDetector d, float lr) {
    for (var p : d.getParameters()) {
      NDArray w = p.getValue().getArray();
      if (!w.hasGradient()) {
        continue; // BatchNorm's running statistics
      }
      try (NDArray g = w.getGradient()) {
        w.subi(g.mul(lr));
        g.subi(g);
      }
    }
  }
}

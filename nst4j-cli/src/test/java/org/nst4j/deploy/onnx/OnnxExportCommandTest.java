package org.nst4j.deploy.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.cli.Main;
import org.nst4j.data.BatchLoader;
import org.nst4j.data.ImageBatch;
import org.nst4j.data.ImageDataset;
import org.nst4j.data.Normalization;
import org.nst4j.deploy.DeployFixtures;
import org.nst4j.deploy.onnx.proto.Onnx.ModelProto;
import org.nst4j.store.ModelCard;
import org.nst4j.store.ModelStore;
import org.nst4j.train.ModelAccuracy;

/** {@code nst4j export --format onnx} on a trained student, and its errors. */
class OnnxExportCommandTest {
  @TempDir static Path dir;
  private static Path run;

  private record Result(int code, String out, String err) {}

  private static Result nst4j(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Result(code, out.toString(), err.toString());
  }

  @BeforeAll
  static void train() throws Exception {
    run = DeployFixtures.trainStudent(dir.resolve("run"));
  }

  @Test
  void theExportedFileClassifiesAsEvalDoes() throws Exception {
    Path file = dir.resolve("out/student.onnx");
    Result r = nst4j("export", "--format", "onnx", "--onnx-taps", "--model", run.toString(), "--to", file.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("exported cnn-small ("), r.out());
    byte[] bytes = Files.readAllBytes(file);
    ModelProto proto = ModelProto.parseFrom(bytes);
    assertEquals(List.of("logits", "block1", "block2", "block3"),
        proto.getGraph().getOutputList().stream().map(o -> o.getName()).toList());
    String cardJson = proto.getMetadataPropsList().stream().filter(p -> p.getKey().equals(OnnxExport.CARD_KEY))
        .findFirst().orElseThrow().getValue();
    assertTrue(cardJson.contains("\"architecture\":\"cnn-small\""), cardJson);

    ImageDataset images = DeployFixtures.spread(DeployFixtures.sample().test(), 20);
    int[] expected = DeployFixtures.argmaxByForward(run, images);
    ModelCard card = ModelStore.readCard(run);
    Normalization norm = new Normalization(card.normalizationMean(), card.normalizationStd());
    ImageBatch batch = BatchLoader.forEvaluation(images, images.size(), norm).epoch(0).next();
    float[] x;
    long[] shape;
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray a = ModelAccuracy.toImages(m, batch);
      x = a.toFloatArray();
      shape = a.getShape().getShape();
    }
    Map<String, float[]> out = OnnxExportTest.runOnnx(bytes, x, shape);
    float[] logits = out.get("logits");
    int k = card.numClasses();
    int[] argmax = new int[images.size()];
    for (int i = 0; i < argmax.length; i++) {
      for (int j = 1; j < k; j++) {
        if (logits[i * k + j] > logits[i * k + argmax[i]]) {
          argmax[i] = j;
        }
      }
    }
    assertArrayEquals(expected, argmax);
  }

  @Test
  void badFormatAndUnwritableOrExistingTargetsAreOneErrorLine() throws Exception {
    Result r = nst4j("export", "--format", "tflite", "--model", run.toString(), "--to", dir.resolve("x").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("error: ") && r.err().contains("--format") && r.err().contains("onnx"), r.err());
    assertFalse(r.err().contains("\tat "), r.err());

    Path blocker = Files.writeString(dir.resolve("a-file"), "x");
    Path unwritable = blocker.resolve("student.onnx");
    r = nst4j("export", "--format", "onnx", "--model", run.toString(), "--to", unwritable.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("error: ") && r.err().contains("a-file"), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());

    Path existing = Files.writeString(dir.resolve("existing.onnx"), "keep me");
    r = nst4j("export", "--format", "onnx", "--model", run.toString(), "--to", existing.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("error: " + existing + " exists"), r.err());
    assertEquals("keep me", Files.readString(existing));

    r = nst4j("export", "--onnx-taps", "--model", run.toString(), "--to", dir.resolve("djl").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("error: --onnx-taps needs --format onnx"), r.err());
    assertFalse(Files.exists(dir.resolve("djl")));
  }
}

package org.nst4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.model.ModelZoo;
import org.nst4j.model.TappedModel;

class CheckpointTest {
  @TempDir Path dir;
  private NDManager manager;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    manager.close();
  }

  /** A model with its optimiser. */
  private record Trainee(TappedModel model, NesterovSgd sgd, List<Parameter> auxiliary, NDManager manager) {}

  private Trainee trainee(String arch, int channels, long seed, int auxiliaryCount) {
    NDManager m = manager.newSubManager();
    TappedModel model = ModelZoo.create(arch, channels, 10, seed);
    model.initialize(m, DataType.FLOAT32, new Shape(1, channels, 28, 28));
    List<Parameter> params = new ArrayList<>();
    for (Pair<String, Parameter> p : model.getParameters()) {
      params.add(p.getValue());
    }
    List<Parameter> aux = new ArrayList<>();
    for (int i = 0; i < auxiliaryCount; i++) {
      Parameter a = Parameter.builder().setName("aux" + i).setType(Parameter.Type.WEIGHT).build();
      a.setArray(m.randomNormal(new Shape(3, 2)).mul(seed + 1));
      aux.add(a);
    }
    params.addAll(aux);
    return new Trainee(model, new NesterovSgd(NesterovSgd.trainable(params), 0.9, 5e-4, true), aux, m);
  }

  /** One deterministic training step on a fixed batch (training mode: BatchNorm statistics move too). */
  private void step(Trainee t, ParameterStore store) {
    try (NDManager scope = t.manager().newSubManager()) {
      NDArray x = scope.arange(2 * 28 * 28).reshape(2, 1, 28, 28).toType(DataType.FLOAT32, false).div(2000f);
      try (GradientCollector gc = scope.getEngine().newGradientCollector()) {
        NDList out = t.model().forward(store, new NDList(x), true);
        NDArray loss = out.get(0).square().mean();
        for (Parameter a : t.auxiliary()) {
          loss = loss.add(a.getArray().square().sum());
        }
        gc.backward(loss);
      }
      t.sgd().step(0.05);
    }
  }

  private static List<float[]> weights(Trainee t) {
    List<float[]> w = new ArrayList<>();
    for (Pair<String, Parameter> p : t.model().getParameters()) {
      w.add(p.getValue().getArray().toFloatArray());
    }
    for (Parameter a : t.auxiliary()) {
      w.add(a.getArray().toFloatArray());
    }
    return w;
  }

  private static void assertSameWeights(List<float[]> a, List<float[]> b) {
    assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size(); i++) {
      assertArrayEquals(a.get(i), b.get(i), "parameter " + i);
    }
  }

  @Test
  void roundTripRestoresWeightsMomentumAndPosition() throws Exception {
    Trainee a = trainee("cnn-small", 1, 1, 1);
    ParameterStore storeA = new ParameterStore(a.manager(), false);
    step(a, storeA);
    step(a, storeA);
    Path file = dir.resolve("checkpoint.bin");
    Checkpoint.write(file, 2, 17, a.model(), a.auxiliary(), a.sgd());

    Trainee b = trainee("cnn-small", 1, 99, 1);
    Checkpoint cp = Checkpoint.restore(file, b.manager(), b.model(), b.auxiliary(), b.sgd());
    assertEquals(2, cp.epochsDone());
    assertEquals(17, cp.step());
    assertEquals(17, Checkpoint.inspect(file).step());
    assertSameWeights(weights(a), weights(b));

    // The next updates agree exactly only if the momentum buffers were restored (and the restored arrays
    // take part in autograd, through a store opened after the restore).
    ParameterStore storeB = new ParameterStore(b.manager(), false);
    step(a, storeA);
    step(b, storeB);
    step(a, storeA);
    step(b, storeB);
    assertSameWeights(weights(a), weights(b));
    assertFalse(Arrays.equals(weights(a).get(0), weights(trainee("cnn-small", 1, 1, 1)).get(0)),
        "the weights moved");
  }

  /** The objective's term state (CRD's memory banks) travels in the checkpoint, in order, bytes unchanged. */
  @Test
  void termStateIsKept() throws Exception {
    Trainee a = trainee("cnn-small", 1, 1, 1);
    Path plain = dir.resolve("plain.bin");
    Checkpoint.write(plain, 1, 5, a.model(), a.auxiliary(), a.sgd());
    Path empty = dir.resolve("empty.bin");
    Checkpoint.write(empty, 1, 5, a.model(), a.auxiliary(), a.sgd(), null, java.util.Map.of());
    assertArrayEquals(Files.readAllBytes(plain), Files.readAllBytes(empty), "no term state: the same file");
    assertEquals(3, Files.readAllBytes(plain)[11]);

    java.util.Map<String, byte[]> states = new java.util.LinkedHashMap<>();
    states.put("crd", new byte[] {1, 2, 3, (byte) 255});
    states.put("other", new byte[0]);
    Path withState = dir.resolve("state.bin");
    Checkpoint.write(withState, 3, 9, a.model(), a.auxiliary(), a.sgd(), null, states);
    assertEquals(3, Files.readAllBytes(withState)[11]);
    Trainee b = trainee("cnn-small", 1, 7, 1);
    Checkpoint cp = Checkpoint.restore(withState, b.manager(), b.model(), b.auxiliary(), b.sgd());
    assertEquals(List.of("crd", "other"), List.copyOf(cp.termStates().keySet()));
    assertArrayEquals(states.get("crd"), cp.termStates().get("crd"));
    assertEquals(0, cp.termStates().get("other").length);
    assertSameWeights(weights(a), weights(b));
    assertEquals(9, Checkpoint.inspect(withState).step());
    assertTrue(Checkpoint.restore(plain, b.manager(), b.model(), b.auxiliary(), b.sgd()).termStates().isEmpty());
  }

  @Test
  void aMidEpochCheckpointKeepsTheEpochsPositionAndSumsAndAVersion2FileIsStillRead() throws Exception {
    Trainee a = trainee("cnn-small", 1, 1, 1);
    Path file = dir.resolve("checkpoint.bin");
    java.util.Map<String, Double> terms = new java.util.LinkedHashMap<>();
    terms.put("ce", 3.5);
    terms.put("nst", 0.25);
    Checkpoint.Partial partial = new Checkpoint.Partial(4, 3.75, terms, 17, 40, 1.5);
    Checkpoint.write(file, 0, 4, a.model(), a.auxiliary(), a.sgd(), partial, java.util.Map.of());
    Trainee b = trainee("cnn-small", 1, 7, 1);
    Checkpoint cp = Checkpoint.restore(file, b.manager(), b.model(), b.auxiliary(), b.sgd());
    assertEquals(0, cp.epochsDone(), "stopped in the first epoch");
    assertEquals(4, cp.step());
    assertEquals(partial, cp.partial());
    assertEquals(List.of("ce", "nst"), List.copyOf(cp.partial().termSums().keySet()), "terms keep their order");
    assertSameWeights(weights(a), weights(b));

    // An end-of-epoch checkpoint as version 2 wrote it: the same payload without the mid-epoch flag (1 byte)
    // and the term-state count (4 bytes).
    Checkpoint.write(file, 1, 9, a.model(), a.auxiliary(), a.sgd());
    byte[] v3 = Files.readAllBytes(file);
    int header = 8 + 4 + 8 + 8;
    byte[] payload = Arrays.copyOfRange(v3, header, v3.length - 5);
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(payload);
    java.io.ByteArrayOutputStream v2 = new java.io.ByteArrayOutputStream();
    try (java.io.DataOutputStream out = new java.io.DataOutputStream(v2)) {
      out.write(Arrays.copyOf(v3, 8));
      out.writeInt(2);
      out.writeLong(payload.length);
      out.writeLong(crc.getValue());
      out.write(payload);
    }
    Files.write(file, v2.toByteArray());
    Trainee c = trainee("cnn-small", 1, 8, 1);
    Checkpoint old = Checkpoint.restore(file, c.manager(), c.model(), c.auxiliary(), c.sgd());
    assertEquals(1, old.epochsDone());
    assertEquals(null, old.partial());
    assertSameWeights(weights(a), weights(c));
  }

  @Test
  void aDamagedFileIsRefusedBeforeParsing() throws Exception {
    Trainee a = trainee("cnn-small", 1, 1, 0);
    Path file = dir.resolve("checkpoint.bin");
    Checkpoint.write(file, 1, 5, a.model(), a.auxiliary(), a.sgd());
    byte[] good = Files.readAllBytes(file);
    Trainee b = trainee("cnn-small", 1, 2, 0);

    Files.write(file, Arrays.copyOf(good, good.length - 1000));
    assertRefused(file, b, "truncated or damaged");
    Files.write(file, Arrays.copyOf(good, 10));
    assertRefused(file, b, "truncated checkpoint");
    Files.write(file, new byte[0]);
    assertRefused(file, b, "truncated checkpoint");
    byte[] flipped = good.clone();
    flipped[good.length / 2] ^= 0x01;
    Files.write(file, flipped);
    assertRefused(file, b, "checksum");
    byte[] magic = good.clone();
    magic[0] = 'X';
    Files.write(file, magic);
    assertRefused(file, b, "not an nst4j checkpoint");
    byte[] version = good.clone();
    version[11] = 9;
    Files.write(file, version);
    assertRefused(file, b, "unsupported checkpoint version 9");
  }

  private static void assertRefused(Path file, Trainee t, String fragment) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Checkpoint.restore(file, t.manager(), t.model(), t.auxiliary(), t.sgd()));
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }

  @Test
  void aCheckpointOfAnotherModelOrObjectiveIsRefused() throws Exception {
    Trainee a = trainee("cnn-small", 1, 1, 0);
    Path file = dir.resolve("checkpoint.bin");
    Checkpoint.write(file, 1, 5, a.model(), a.auxiliary(), a.sgd());
    assertRefused(file, trainee("resnet8", 1, 1, 0), "checkpoint of cnn-small, this run trains resnet8");
    assertRefused(file, trainee("cnn-small", 3, 1, 0), "does not fit");
    assertRefused(file, trainee("cnn-small", 1, 1, 2), "auxiliary parameters");
  }
}

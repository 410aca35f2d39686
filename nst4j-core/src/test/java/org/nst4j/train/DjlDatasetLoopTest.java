package org.nst4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.ArrayDataset;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.data.Augmentation;
import org.nst4j.data.BatchLoader;
import org.nst4j.data.DataSources;
import org.nst4j.data.DataSplits;
import org.nst4j.data.ImageBatch;
import org.nst4j.data.ImageDataset;
import org.nst4j.model.ModelZoo;
import org.nst4j.model.TappedModel;
import org.nst4j.transfer.LossOptions;
import org.nst4j.transfer.Objective;
import org.nst4j.transfer.Objectives;
import org.nst4j.transfer.TermContext;

/**
 * nst4j's loop fed from DJL datasets ({@link DjlDatasetBatches}, {@link TrainingLoop.Builder#setData(
 * ai.djl.training.dataset.RandomAccessDataset, ai.djl.training.dataset.RandomAccessDataset)}) and resumed through
 * the builder ({@link TrainingLoop.Builder#optResume}).
 */
class DjlDatasetLoopTest {
  private static final DataSplits SAMPLE = DataSources.sample();
  private static final ImageDataset TRAIN = SAMPLE.train().firstPerClass(10); // 100 images
  private static final ImageDataset TEST = SAMPLE.test().firstPerClass(5);

  /** The label type of the DJL dataset made of an ImageDataset. */
  enum Labels { FLOAT32, INT32 }

  /** The images of {@code images}, normalised as nst4j's loader does, with their labels, as a DJL ArrayDataset. */
  static ArrayDataset arrayDataset(NDManager manager, ImageDataset images, Labels type) {
    ImageBatch all = BatchLoader.forEvaluation(images, images.size(), SAMPLE.normalization()).batch(0, 0);
    ArrayDataset.Builder b = new ArrayDataset.Builder()
        .setData(manager.create(all.images(), new Shape(all.size(), 1, 28, 28)))
        .setSampling(32, true); // DJL's own sampler, which nst4j's loop must not use
    if (type == Labels.FLOAT32) {
      float[] labels = new float[all.size()];
      for (int i = 0; i < labels.length; i++) {
        labels[i] = all.labels()[i];
      }
      b.optLabels(manager.create(labels));
    } else {
      b.optLabels(manager.create(all.labels()));
    }
    return b.build();
  }

  private static TrainingRecipe recipe(int epochs) {
    return TrainingRecipe.builder().setBatchSize(10).setEpochs(epochs).optSeed(7).optAugment(false).build();
  }

  @Test
  void theAdapterCutsTheBatchesBatchLoaderCutsFromTheSameImages() {
    try (NDManager manager = NDManager.newBaseManager()) {
      for (Labels type : Labels.values()) {
        DjlDatasetBatches djl = DjlDatasetBatches.forTraining(arrayDataset(manager, TRAIN, type), manager,
            recipe(1), 10);
        BatchLoader nst = new BatchLoader(TRAIN, 10, true, true, Augmentation.none(), SAMPLE.normalization(), 7);
        assertEquals(nst.batchesPerEpoch(), djl.batchesPerEpoch());
        assertEquals(new Shape(1, 28, 28), djl.imageShape());
        for (int epoch = 0; epoch < 2; epoch++) {
          assertArrayEquals(nst.order(epoch), djl.order(epoch), "the seeded order of epoch " + epoch);
          Iterator<ImageBatch> it = djl.epoch(epoch, 0);
          for (int b = 0; b < nst.batchesPerEpoch(); b++) {
            ImageBatch expected = nst.batch(epoch, b);
            assertEquals(expected, it.next(), type + " labels, epoch " + epoch + ", batch " + b);
            assertEquals(expected, djl.batch(epoch, b));
          }
          assertEquals(false, it.hasNext());
          assertEquals(nst.batch(epoch, 7), djl.epoch(epoch, 7).next(), "an epoch resumed at batch 7");
        }
        assertTrue(!java.util.Arrays.equals(djl.order(0), djl.order(1)), "each epoch has its own order");
      }
    }
  }

  @Test
  void dropLastAsBatchLoaderAndEvaluationKeepsTheLastBatch() {
    try (NDManager manager = NDManager.newBaseManager()) {
      ArrayDataset ds = arrayDataset(manager, TRAIN, Labels.FLOAT32);
      DjlDatasetBatches training = new DjlDatasetBatches(ds, manager, 32, true, true, 1, 10);
      assertEquals(3, training.batchesPerEpoch(), "100 items, batches of 32, the last 4 dropped");
      DjlDatasetBatches evaluation = DjlDatasetBatches.forEvaluation(ds, manager, 32, 10);
      assertEquals(4, evaluation.batchesPerEpoch());
      assertEquals(4, evaluation.batch(0, 3).size());
      assertArrayEquals(new long[] {96, 97, 98, 99}, evaluation.batch(0, 3).indices(), "dataset order, indices");
    }
  }

  /** One epoch of {@code ce} on the sample, from an ImageDataset or a DJL dataset of the same images. */
  private static EpochRecord firstEpoch(Labels djlLabels) {
    try (Objective objective = Objectives.create("ce", LossOptions.defaults());
        Model model = Model.newInstance("student")) {
      TappedModel student = ModelZoo.create("cnn-small", 1, 10, 3);
      model.setBlock(student);
      student.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 1, 28, 28));
      TrainingLoop.Builder b = TrainingLoop.builder().setStudent(student, model.getNDManager())
          .setObjective(objective).setConfig(recipe(1));
      if (djlLabels == null) {
        b.setData(TRAIN, TEST, SAMPLE.normalization());
      } else {
        NDManager m = model.getNDManager();
        b.setData(arrayDataset(m, TRAIN, djlLabels), arrayDataset(m, TEST, djlLabels));
      }
      List<EpochRecord> records = b.build().run();
      assertEquals(1, records.size());
      return records.get(0);
    }
  }

  @Test
  void aFloatLabelArrayDatasetGivesTheFirstEpochOfTheSameImageDataset() {
    EpochRecord nst = firstEpoch(null);
    for (Labels type : Labels.values()) {
      EpochRecord djl = firstEpoch(type);
      assertEquals(nst.loss(), djl.loss(), 1e-6 * nst.loss(), type + " labels: the same numbers in, the same loss");
      assertEquals(nst.trainAccuracy(), djl.trainAccuracy(), 0);
      assertEquals(nst.testAccuracy(), djl.testAccuracy(), 0, "evaluated on the DJL test set");
      assertTrue(nst.testAccuracy() >= 0 && nst.testAccuracy() <= 1, "the test set was evaluated (not NaN): "
          + nst.testAccuracy());
    }
  }

  /** A test's loop from the shipped teacher: the builder (student, teacher, objective set), the student. */
  private interface Distillation<T> {
    T run(TrainingLoop.Builder loop, TappedModel student, NDManager manager) throws Exception;
  }

  /** Runs {@code body} with the shipped teacher, a cnn-small student of {@code seed} and {@code method}'s objective. */
  private static <T> T fromShippedTeacher(String method, long seed, Distillation<T> body) throws Exception {
    try (Model teacherModel = Teachers.fromFolder(Path.of("models/fmnist-resnet20"), Device.cpu());
        Model model = Model.newInstance("student")) {
      TappedModel teacher = (TappedModel) teacherModel.getBlock();
      TappedModel student = ModelZoo.create("cnn-small", 1, 10, seed);
      model.setBlock(student);
      student.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 1, 28, 28));
      NDManager m = model.getNDManager();
      try (Objective objective = Objectives.create(method, LossOptions.defaults(),
          TermContext.of(TRAIN.size(), teacher))) {
        return body.run(TrainingLoop.builder().setStudent(student, m).optTeacher(teacher).setObjective(objective),
            student, m);
      }
    }
  }

  /** One epoch of {@code crd} from the shipped teacher, from an ImageDataset or a DJL dataset of the same images. */
  private static EpochRecord firstCrdEpoch(boolean djl) throws Exception {
    return fromShippedTeacher("crd", 3, (b, student, m) -> {
      b.setConfig(recipe(1));
      if (djl) {
        b.setData(arrayDataset(m, TRAIN, Labels.FLOAT32), null);
      } else {
        b.setData(TRAIN, null, SAMPLE.normalization());
      }
      return b.build().run().get(0);
    });
  }

  @Test
  void crdReadsTheDatasetIndicesTheAdapterCarries() throws Exception {
    EpochRecord nst = firstCrdEpoch(false);
    EpochRecord djl = firstCrdEpoch(true);
    assertTrue(djl.terms().containsKey("crd"), djl.terms().toString());
    // CRD's memory banks are indexed by dataset index: the same indices give the same contrastive term.
    assertEquals(nst.terms().get("crd"), djl.terms().get("crd"), 1e-6 * Math.abs(nst.terms().get("crd")));
    assertEquals(nst.loss(), djl.loss(), 1e-6 * nst.loss());
  }

  /**
   * Trains {@code kd+nst-poly} from the shipped teacher for 3 epochs on a DJL dataset, checkpointing into
   * {@code folder}; a listener asks to stop after batch {@code stopBatch} of epoch {@code stopEpoch} (-1: never).
   *
   * @return the student's saved parameters
   */
  private static byte[] distil(Path folder, boolean resume, int stopEpoch, int stopBatch, List<EpochRecord> out)
      throws Exception {
    return fromShippedTeacher("kd+nst-poly", 5, (b, student, m) -> {
      TrainingLoop loop = b
          .setData(arrayDataset(m, TRAIN, Labels.FLOAT32), arrayDataset(m, TEST, Labels.FLOAT32))
          .setConfig(recipe(3))
          .optCheckpointFolder(folder)
          .optResume(resume)
          .addListener(StopAt.batch(stopEpoch, stopBatch))
          .build();
      try {
        out.addAll(loop.run());
      } finally {
        StopSignal.process().clear();
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (DataOutputStream d = new DataOutputStream(bytes)) {
        student.saveParameters(d);
      }
      return bytes.toByteArray();
    });
  }

  /** What an epoch computed, its timings and memory aside. */
  private static List<Object> computed(EpochRecord r) {
    return List.of(r.epoch(), r.loss(), r.terms(), r.trainAccuracy(), r.testAccuracy(), r.learningRate());
  }

  @Test
  void aRunStoppedAndBuiltAgainWithOptResumeEndsAsTheUninterruptedOne(@TempDir Path dir) throws Exception {
    List<EpochRecord> whole = new ArrayList<>();
    byte[] reference = distil(dir.resolve("whole"), false, -1, -1, whole);
    assertEquals(3, whole.size());

    Path folder = dir.resolve("stopped");
    StopSignal.Stopped stopped = assertThrows(StopSignal.Stopped.class,
        () -> distil(folder, true, 2, 4, new ArrayList<>())); // optResume(true) with no checkpoint: a fresh run
    assertTrue(stopped.getMessage().contains("stopped after batch 4/10 of epoch 2/3"), stopped.getMessage());
    assertEquals(14, Checkpoint.inspect(folder.resolve("checkpoint.bin")).step());
    assertEquals(1, new RunFolder(folder).readEpochLog().size(), "epoch 1 logged");

    List<EpochRecord> resumed = new ArrayList<>();
    byte[] weights = distil(folder, true, -1, -1, resumed);
    assertArrayEquals(reference, weights, "the same weights, byte for byte");
    assertEquals(whole.stream().map(DjlDatasetLoopTest::computed).toList(),
        resumed.stream().map(DjlDatasetLoopTest::computed).toList(), "the same records, epoch 1 from the log");
    assertEquals(resumed.stream().map(DjlDatasetLoopTest::computed).toList(),
        new RunFolder(folder).readEpochLog().stream().map(DjlDatasetLoopTest::computed).toList(),
        "the folder's log holds the three epochs once");

    List<EpochRecord> afresh = new ArrayList<>();
    assertArrayEquals(reference, distil(folder, false, -1, -1, afresh), "without optResume: trained afresh");
    assertEquals(3, new RunFolder(folder).readEpochLog().size());
  }

  @Test
  void theBuilderRefusesWhatCannotWork() {
    try (Objective objective = Objectives.create("ce", LossOptions.defaults());
        Model model = Model.newInstance("student")) {
      TappedModel student = ModelZoo.create("cnn-small", 1, 10, 3);
      model.setBlock(student);
      student.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 1, 28, 28));
      NDManager m = model.getNDManager();
      ArrayDataset train = arrayDataset(m, TRAIN, Labels.FLOAT32);
      java.util.function.Supplier<TrainingLoop.Builder> base = () -> TrainingLoop.builder()
          .setStudent(student, m).setObjective(objective).setData(train, null).setConfig(recipe(1));

      IllegalStateException noData = assertThrows(IllegalStateException.class,
          () -> TrainingLoop.builder().setStudent(student, m).setObjective(objective).setConfig(recipe(1)).build());
      assertEquals("student, objective, data and config are required (missing: setData)", noData.getMessage());
      IllegalStateException resume = assertThrows(IllegalStateException.class,
          () -> base.get().optResume(true).build());
      assertEquals("optResume(true) needs optCheckpointFolder(folder) or optCheckpoint(file) to resume from",
          resume.getMessage());
      assertThrows(IllegalStateException.class,
          () -> base.get().optCheckpoint(Path.of("a.bin")).optCheckpointFolder(Path.of("b")).build());

      IllegalArgumentException augment = assertThrows(IllegalArgumentException.class,
          () -> base.get().setConfig(TrainingRecipe.builder().setBatchSize(10).build()).build());
      assertTrue(augment.getMessage().startsWith("a DJL dataset is trained on as it is: build the recipe with"
          + " optAugment(false)"), augment.getMessage());

      ArrayDataset doubles = new ArrayDataset.Builder().setData(m.zeros(new Shape(20, 1, 28, 28), DataType.FLOAT64))
          .optLabels(m.zeros(new Shape(20))).setSampling(10, false).build();
      IllegalArgumentException f64 = assertThrows(IllegalArgumentException.class,
          () -> base.get().setData(doubles, null).build());
      assertTrue(f64.getMessage().startsWith("item 0 of the DJL dataset: the image is float64;"), f64.getMessage());

      ArrayDataset flat = new ArrayDataset.Builder().setData(m.zeros(new Shape(20, 784)))
          .optLabels(m.zeros(new Shape(20))).setSampling(10, false).build();
      IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
          () -> base.get().setData(flat, null).build());
      assertTrue(shape.getMessage().contains("one image of shape (C, H, W) per item"), shape.getMessage());

      ArrayDataset rgb = new ArrayDataset.Builder().setData(m.zeros(new Shape(20, 3, 28, 28)))
          .optLabels(m.zeros(new Shape(20))).setSampling(10, false).build();
      IllegalArgumentException channels = assertThrows(IllegalArgumentException.class,
          () -> base.get().setData(rgb, null).build());
      assertEquals("the data has 3 channels, the model cnn-small was built for 1", channels.getMessage());
      ArrayDataset small = new ArrayDataset.Builder().setData(m.zeros(new Shape(20, 1, 14, 14)))
          .optLabels(m.zeros(new Shape(20))).setSampling(10, false).build();
      IllegalArgumentException testShape = assertThrows(IllegalArgumentException.class,
          () -> base.get().setData(train, small).build());
      assertEquals("the test set's images have shape (1, 14, 14), the training set's (1, 28, 28)",
          testShape.getMessage());

      float[] labels = new float[20];
      labels[13] = 3.5f;
      ArrayDataset half = new ArrayDataset.Builder().setData(m.zeros(new Shape(20, 1, 28, 28)))
          .optLabels(m.create(labels)).setSampling(10, false).build();
      DjlDatasetBatches halves = DjlDatasetBatches.forEvaluation(half, m, 10, 10);
      IllegalArgumentException notWhole = assertThrows(IllegalArgumentException.class, () -> halves.batch(0, 1));
      assertEquals("item 13 of the DJL dataset: label 3.5 is not a class index in [0, 10)", notWhole.getMessage());
      labels[13] = 10;
      ArrayDataset eleven = new ArrayDataset.Builder().setData(m.zeros(new Shape(20, 1, 28, 28)))
          .optLabels(m.create(labels)).setSampling(10, false).build();
      assertThrows(IllegalArgumentException.class,
          () -> DjlDatasetBatches.forEvaluation(eleven, m, 10, 10).batch(0, 1));
      IllegalArgumentException few = assertThrows(IllegalArgumentException.class,
          () -> new DjlDatasetBatches(half, m, 32, true, true, 0, 10));
      assertEquals("the DJL dataset of 20 items gives no full batch of 32", few.getMessage());
    }
  }
}

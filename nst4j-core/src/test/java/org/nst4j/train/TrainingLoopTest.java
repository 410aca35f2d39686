package org.nst4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.data.Augmentation;
import org.nst4j.data.DataSources;
import org.nst4j.data.DataSplits;
import org.nst4j.data.ImageDataset;
import org.nst4j.model.ModelZoo;
import org.nst4j.model.TappedModel;
import org.nst4j.transfer.LossOptions;
import org.nst4j.transfer.Objective;
import org.nst4j.transfer.Objectives;

/** What {@link TrainingLoop#prepare} builds from the configuration. */
class TrainingLoopTest {

  private static Augmentation loaderAugmentation(TrainingRecipe config) {
    DataSplits sample = DataSources.sample();
    ImageDataset train = sample.train().firstPerClass(2);
    try (Objective objective = Objectives.create("ce", LossOptions.defaults());
        Model model = Model.newInstance("student")) {
      TappedModel student = ModelZoo.create("cnn-small", train.channels(), train.numClasses(), 0);
      model.setBlock(student);
      student.initialize(model.getNDManager(), DataType.FLOAT32,
          new Shape(1, train.channels(), train.height(), train.width()));
      TrainingLoop loop = TrainingLoop.builder().setStudent(student, model.getNDManager()).setObjective(objective)
          .setData(train, null, sample.normalization()).setConfig(config).build();
      loop.prepare(false);
      return ((org.nst4j.data.BatchLoader) loop.loader()).augmentation();
    }
  }

  @Test
  void theConfiguredPadReachesTheBatchLoader() {
    TrainingRecipe.Builder b = TrainingRecipe.builder().setBatchSize(10);
    Augmentation fmnist = loaderAugmentation(b.build());
    assertEquals(2, fmnist.pad(), "default: the FMNIST-10k pad");
    assertTrue(fmnist.horizontalFlip());
    Augmentation cifar = loaderAugmentation(b.optPad(4).build());
    assertEquals(4, cifar.pad());
    assertTrue(cifar.horizontalFlip());
    assertTrue(loaderAugmentation(TrainingRecipe.builder().setBatchSize(10).optAugment(false).build()).isNone(),
        "--no-augment: no padding, no flip");
  }

  @Test
  void theTeacherRunsFoldedDuringTheRunAndIsUnfoldedAfterIt() {
    DataSplits sample = DataSources.sample();
    ImageDataset train = sample.train().firstPerClass(2);
    Shape input = new Shape(1, train.channels(), train.height(), train.width());
    try (Objective objective = Objectives.create("kd", LossOptions.defaults());
        Model model = Model.newInstance("student")) {
      TappedModel student = ModelZoo.create("cnn-small", train.channels(), train.numClasses(), 0);
      TappedModel teacher = ModelZoo.create("resnet8", train.channels(), train.numClasses(), 1);
      model.setBlock(student);
      student.initialize(model.getNDManager(), DataType.FLOAT32, input);
      teacher.initialize(model.getNDManager(), DataType.FLOAT32, input);
      List<Boolean> foldedPerBatch = new ArrayList<>();
      TrainingLoop loop = TrainingLoop.builder().setStudent(student, model.getNDManager()).optTeacher(teacher)
          .setObjective(objective).setData(train, null, sample.normalization())
          .setConfig(TrainingRecipe.builder().setBatchSize(10).setEpochs(1).build())
          .addListener(new LoopListener() {
            @Override
            public void onBatch(int epoch, int batch, double loss) {
              foldedPerBatch.add(teacher.isBatchNormFolded());
            }
          })
          .build();
      loop.run(false, List.of());
      assertEquals(2, foldedPerBatch.size());
      assertEquals(List.of(true, true), foldedPerBatch, "the frozen teacher runs folded");
      assertFalse(teacher.isBatchNormFolded(), "and is handed back unfolded");
    }
  }

  /** The student's parameters as saved, after a run of {@code epochs} that stops when {@code stopAt} says so. */
  private static byte[] train(Path checkpoint, boolean resume, List<EpochRecord> previous, int stopEpoch,
      int stopBatch, List<EpochRecord> out) throws Exception {
    DataSplits sample = DataSources.sample();
    ImageDataset train = sample.train().firstPerClass(10);
    try (Objective objective = Objectives.create("ce", LossOptions.defaults());
        Model model = Model.newInstance("student")) {
      TappedModel student = ModelZoo.create("cnn-small", train.channels(), train.numClasses(), 5);
      model.setBlock(student);
      student.initialize(model.getNDManager(), DataType.FLOAT32,
          new Shape(1, train.channels(), train.height(), train.width()));
      TrainingLoop loop = TrainingLoop.builder().setStudent(student, model.getNDManager()).setObjective(objective)
          .setData(train, null, sample.normalization())
          .setConfig(TrainingRecipe.builder().setBatchSize(10).setEpochs(3).optSeed(5).build())
          .optCheckpoint(checkpoint)
          .addListener(StopAt.batch(stopEpoch, stopBatch))
          .build();
      try {
        out.addAll(loop.run(resume, previous));
      } finally {
        StopSignal.process().clear();
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (DataOutputStream d = new DataOutputStream(bytes)) {
        student.saveParameters(d);
      }
      return bytes.toByteArray();
    }
  }

  @Test
  void aStopRequestedMidEpochCheckpointsThatStepAndTheResumedRunEndsWithTheSameWeights(@TempDir Path dir)
      throws Exception {
    List<EpochRecord> whole = new ArrayList<>();
    byte[] reference = train(dir.resolve("a.bin"), false, List.of(), -1, -1, whole);

    Path cp = dir.resolve("b.bin");
    List<EpochRecord> first = new ArrayList<>();
    StopSignal.Stopped stopped = org.junit.jupiter.api.Assertions.assertThrows(StopSignal.Stopped.class,
        () -> train(cp, false, List.of(), 2, 4, first));
    assertTrue(stopped.getMessage().contains("stopped after batch 4/10 of epoch 2/3"), stopped.getMessage());
    assertTrue(Files.isRegularFile(cp), "the checkpoint of that step is written");
    Checkpoint at = Checkpoint.inspect(cp);
    assertEquals(1, at.epochsDone());
    assertEquals(14, at.step(), "10 steps of epoch 1 and 4 of epoch 2");
    assertTrue(first.isEmpty(), "run() returns nothing when stopped");

    List<EpochRecord> resumed = new ArrayList<>();
    byte[] weights = train(cp, true, List.of(whole.get(0)), -1, -1, resumed);
    org.junit.jupiter.api.Assertions.assertArrayEquals(reference, weights, "same weights, byte for byte");
    assertEquals(3, resumed.size());
    EpochRecord a = whole.get(1);
    EpochRecord b = resumed.get(1);
    assertEquals(a.loss(), b.loss(), 0, "the stopped epoch's loss covers all its batches");
    assertEquals(a.trainAccuracy(), b.trainAccuracy(), 0);
    assertEquals(whole.get(2).loss(), resumed.get(2).loss(), 0);
  }

  @Test
  void aStopRequestedInTheLastStepOfAnEpochEndsThatEpochFirst(@TempDir Path dir) throws Exception {
    Path cp = dir.resolve("c.bin");
    StopSignal.Stopped stopped = org.junit.jupiter.api.Assertions.assertThrows(StopSignal.Stopped.class,
        () -> train(cp, false, List.of(), 1, 10, new ArrayList<>()));
    assertTrue(stopped.getMessage().contains("batch 10/10 of epoch 1/3"), stopped.getMessage());
    assertEquals(1, Checkpoint.inspect(cp).epochsDone(), "an ordinary end-of-epoch checkpoint");
    assertEquals(10, Checkpoint.inspect(cp).step());
  }
}

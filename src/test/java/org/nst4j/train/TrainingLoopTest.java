package org.nst4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
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
      return loop.loader().augmentation();
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
}

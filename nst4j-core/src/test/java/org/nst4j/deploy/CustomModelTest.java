package org.nst4j.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.modality.Classifications;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.data.DataSources;
import org.nst4j.data.DataSplits;
import org.nst4j.data.ImageDataset;
import org.nst4j.model.ModelZoo;
import org.nst4j.model.TappedBlock;
import org.nst4j.model.TappedModel;
import org.nst4j.store.ModelCard;
import org.nst4j.store.ModelStore;
import org.nst4j.train.Teachers;
import org.nst4j.transfer.DistillationBlock;
import org.nst4j.transfer.DjlFixtures;

/**
 * A custom student (a wrapped {@code SequentialBlock}, registered under its name) trained in a DJL loop, then
 * saved, reloaded, exported, classified with and used as a teacher, as a zoo model is.
 */
class CustomModelTest {

  @AfterEach
  void forget() {
    ModelZoo.unregister("my-cnn");
  }

  @Test
  void aRegisteredCustomModelIsSavedLoadedExportedClassifiedAndUsedAsATeacher(@TempDir Path dir) throws Exception {
    ModelZoo.register("my-cnn", (channels, classes, seed) -> DjlFixtures.tinyCnn("my-cnn", channels, classes));
    DataSplits sample = DataSources.sample();
    Path saved = dir.resolve("my-cnn");
    try (NDManager manager = NDManager.newBaseManager(); Model model = Model.newInstance("student")) {
      TappedModel student = ModelZoo.create("my-cnn", 1, 10, 0);
      DistillationBlock block = DistillationBlock.builder().setStudent(student).setMethod("ce").build();
      model.setBlock(block);
      try (Trainer trainer = model.newTrainer(new DefaultTrainingConfig(block.loss())
          .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.05f)).build()))) {
        trainer.initialize(new Shape(1, 1, 28, 28));
        EasyTrain.fit(trainer, 1, DjlFixtures.sample(manager, 20, 20), null);
      }
      ModelStore.save(saved, student, ModelCard.of(student, 28, 28, sample.normalization(),
          sample.train().classNames()));
    }
    assertEquals("my-cnn", ModelStore.readCard(saved).architecture());

    // Reloaded through the registered factory: what nst4j eval computes equals what the exported folder classifies.
    ImageDataset images = DeployFixtures.spread(sample.test(), 8);
    int[] predicted = DeployFixtures.argmaxByForward(saved, images);
    Path exported = dir.resolve("exported");
    ModelExport.export(saved, exported);
    try (Classifier classifier = Classifier.load(exported)) {
      for (int i = 0; i < images.size(); i++) {
        Classifications c = classifier.classify(DeployFixtures.gray(images, i));
        assertEquals(sample.train().classNames().get(predicted[i]), c.best().getClassName(), "image " + i);
      }
    }

    // As a teacher of another student.
    try (Model teacher = Teachers.fromFolder(saved, Device.cpu()); NDManager manager = NDManager.newBaseManager()) {
      assertInstanceOf(TappedBlock.class, teacher.getBlock());
      DistillationBlock block = DistillationBlock.builder().setStudent(ModelZoo.create("cnn-small", 1, 10, 0))
          .setTeacher(teacher).setMethod("kd+nst-poly").build();
      block.initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(1, 1, 28, 28));
      NDArray x = manager.randomNormal(new Shape(2, 1, 28, 28));
      NDList out = block.forward(new ParameterStore(manager, false), new NDList(x), false);
      float loss = block.loss().evaluate(new NDList(manager.create(new float[] {1, 2})), out).getFloat();
      assertTrue(Float.isFinite(loss) && loss > 0, "loss " + loss);
    }

    // Without the registration, loading says what to do.
    ModelZoo.unregister("my-cnn");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ModelStore.load(saved, Device.cpu()));
    assertTrue(e.getMessage().contains("unknown architecture 'my-cnn'"), e.getMessage());
    assertTrue(e.getMessage().endsWith("a custom model must be registered first with ModelZoo.register(\"my-cnn\","
        + " factory)"), e.getMessage());
    assertEquals(List.of(), ModelZoo.registered());
  }
}

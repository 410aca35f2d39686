package org.nst4j.transfer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.evaluator.Accuracy;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nst4j.model.ModelZoo;
import org.nst4j.model.Models;
import org.nst4j.model.TappedBlock;
import org.nst4j.model.TappedModel;

/** The DJL face of the objectives: {@link DistillationBlock} and {@link DistillationLoss} in {@code EasyTrain}. */
class DistillationBlockTest {

  static TappedBlock student() {
    return DjlFixtures.tinyCnn("tiny", 1, 10);
  }

  /** A frozen resnet8 teacher of seed 1 (untrained: these tests check the wiring, not the accuracy). */
  static TappedModel teacher(NDManager manager) {
    TappedModel t = ModelZoo.create("resnet8", 1, 10, 1);
    t.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 28, 28));
    Models.setTrainable(t, false);
    return t;
  }

  private static DefaultTrainingConfig config(DistillationBlock block) {
    return new DefaultTrainingConfig(block.loss())
        .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.05f)).build())
        .addEvaluator(new Accuracy())
        .addTrainingListeners(TrainingListener.Defaults.basic())
        .addTrainingListeners(block.epochListener());
  }

  private static Map<String, float[]> snapshot(Iterable<Pair<String, Parameter>> params) {
    Map<String, float[]> out = new HashMap<>();
    for (Pair<String, Parameter> p : params) {
      out.put(p.getKey(), p.getValue().getArray().toFloatArray());
    }
    return out;
  }

  @Test
  void fitNetsRegressorIsAParameterOfTheModelThatDjlsOptimiserTrains() throws Exception {
    try (NDManager manager = NDManager.newBaseManager(); Model model = Model.newInstance("student")) {
      TappedModel teacher = teacher(manager);
      DistillationBlock block = DistillationBlock.builder()
          .setStudent(student()).setTeacher(teacher).setMethod("fitnet").optSeed(3).build();
      model.setBlock(block);
      try (Trainer trainer = model.newTrainer(config(block))) {
        trainer.initialize(new Shape(1, 1, 28, 28));
        // FitNet's regressor (conv 16 -> 64 channels + BatchNorm γ, β) belongs to the trained model's block.
        assertEquals(3, block.objectiveParameters().size());
        Map<String, float[]> owned = snapshot(trainer.getModel().getBlock().getParameters());
        assertTrue(owned.containsKey("objective_0_weight"), owned.keySet().toString());
        assertArrayEquals(new long[] {64, 16, 1, 1},
            trainer.getModel().getBlock().getParameters().get("objective_0_weight").getArray().getShape().getShape());
        Map<String, float[]> teacherBefore = snapshot(teacher.getParameters());
        Map<String, float[]> before = snapshot(block.getParameters());

        EasyTrain.fit(trainer, 1, DjlFixtures.sample(manager, 8, 16), null);

        Map<String, float[]> after = snapshot(block.getParameters());
        for (String name : new String[] {"objective_0_weight", "objective_1_gamma", "objective_2_beta",
            "01student_01block_01Conv2d_weight"}) {
          assertFalse(java.util.Arrays.equals(before.get(name), after.get(name)), name + " was not updated");
        }
        snapshot(teacher.getParameters()).forEach((name, values) ->
            assertArrayEquals(teacherBefore.get(name), values, "the teacher changed: " + name));
        float loss = trainer.getTrainingResult().getTrainLoss();
        assertTrue(Float.isFinite(loss) && loss > 0, "train loss " + loss);
      }
    }
  }

  /** Every method with trained modules: all their parameters move under DJL's optimiser, the teacher's do not. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"vid|conv1:stage2,conv2:stage3", "ofd|conv2:stage3_pre",
      "reviewkd|conv1:stage2,conv2:stage3", "kd+fitnet|conv2:stage3"})
  void everyMethodsTrainedModulesAreUpdatedByEasyTrain(String method, String taps) throws Exception {
    try (NDManager manager = NDManager.newBaseManager(); Model model = Model.newInstance("student")) {
      TappedModel teacher = teacher(manager);
      DistillationBlock block = DistillationBlock.builder().setStudent(student()).setTeacher(teacher)
          .setMethod(method).optTrainingSetSize(80)
          .optOptions(LossOptions.builder().optTaps(List.of(taps.split(","))).build()).build();
      model.setBlock(block);
      try (Trainer trainer = model.newTrainer(config(block))) {
        trainer.initialize(new Shape(1, 1, 28, 28));
        assertFalse(block.objectiveParameters().isEmpty(), method + " has trained modules");
        Map<String, float[]> teacherBefore = snapshot(teacher.getParameters());
        Map<String, float[]> before = snapshot(block.getDirectParameters());
        EasyTrain.fit(trainer, 1, DjlFixtures.sample(manager, 8, 16), null);
        snapshot(block.getDirectParameters()).forEach((name, values) ->
            assertFalse(java.util.Arrays.equals(before.get(name), values), method + ": " + name + " was not updated"));
        snapshot(teacher.getParameters()).forEach((name, values) ->
            assertArrayEquals(teacherBefore.get(name), values, "the teacher changed: " + name));
      }
    }
  }

  @Test
  void theLossIsTheObjectiveOnFloatOrIntegerLabelsAndItsOutputCarriesBothModels() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TappedModel teacher = teacher(manager);
      TappedBlock student = student();
      DistillationBlock block = DistillationBlock.builder()
          .setStudent(student).setTeacher(teacher).setMethod("kd+nst-poly").build();
      block.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 28, 28));
      NDArray x = manager.randomNormal(new Shape(4, 1, 28, 28));
      ParameterStore ps = new ParameterStore(manager, false);
      NDList out = block.forward(ps, new NDList(x), false);
      // student logits + 2 taps, then the teacher's logits + 3 taps + 3 pre-ReLU taps.
      assertEquals(3 + 7, out.size());
      // The teacher runs folded (as in nst4j's loop): the same outputs up to rounding.
      assertTrue(teacher.isBatchNormFolded());
      teacher.unfoldBatchNorm();
      assertTrue(out.get(3).allClose(teacher.forward(ps, new NDList(x), false).head(), 1e-4, 1e-5, false));
      teacher.foldBatchNorm();
      assertTrue(out.get(3).allClose(teacher.forward(ps, new NDList(x), false).head(), 0, 0, false));
      assertFalse(out.get(3).hasGradient());
      NDArray intLabels = manager.create(new long[] {0, 3, 9, 3});
      NDArray floatLabels = manager.create(new float[] {0, 3, 9, 3});
      float fromInt = block.loss().evaluate(new NDList(intLabels), out).getFloat();
      float fromFloat = block.loss().evaluate(new NDList(floatLabels), out).getFloat();
      assertEquals(fromInt, fromFloat, 0f);
      // The same objective built directly.
      try (Objective direct = Objectives.create("kd+nst-poly", LossOptions.defaults())) {
        float expected = direct.compute(
            org.nst4j.model.ModelOutput.of(new NDList(out.subList(0, 3)), student),
            org.nst4j.model.ModelOutput.of(new NDList(out.subList(3, 10)), teacher), intLabels, false)
            .total().getFloat();
        assertEquals(expected, fromInt, 1e-6f);
      }
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> block.loss().evaluate(new NDList(manager.create(new float[] {0, 3.5f, 9, 3})), out));
      assertTrue(e.getMessage().startsWith("float labels must be whole class indices"), e.getMessage());
      e = assertThrows(IllegalArgumentException.class,
          () -> block.loss().evaluate(new NDList(intLabels), new NDList(out.subList(0, 3))));
      assertEquals("the distillation loss expects the output of its DistillationBlock (3 student and 7 teacher"
          + " arrays), got 3 arrays", e.getMessage());
    }
  }

  @Test
  void aTrainingBatchIsEvaluatedOnceInTrainingModeAndValidationInInferenceMode() {
    try (NDManager manager = NDManager.newBaseManager()) {
      DistillationBlock block = DistillationBlock.builder()
          .setStudent(student()).setTeacher(teacher(manager)).setMethod("fitnet").build();
      block.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 28, 28));
      NDArray x = manager.randomNormal(new Shape(4, 1, 28, 28));
      NDList labels = new NDList(manager.create(new float[] {1, 2, 3, 4}));
      NDList training = block.forward(new ParameterStore(manager, false), new NDList(x), true);
      float first = block.loss().evaluate(labels, training).getFloat();
      // DJL evaluates the loss again for its metrics after the step: the same value, no second BatchNorm update.
      assertEquals(first, block.loss().evaluate(labels, training).getFloat(), 0f);
      // In inference mode the student and the regressor use running statistics: another value.
      NDList validation = block.forward(new ParameterStore(manager, false), new NDList(x), false);
      float inference = block.loss().evaluate(labels, validation).getFloat();
      assertTrue(Math.abs(inference - first) > 1e-4, first + " vs " + inference);
      // A new training forward is computed afresh.
      NDList again = block.forward(new ParameterStore(manager, false), new NDList(x), true);
      assertFalse(again.head() == training.head());
      assertTrue(Float.isFinite(block.loss().evaluate(labels, again).getFloat()));
    }
  }

  @Test
  void theSavedParametersAreTheStudentsAlone() throws Exception {
    try (NDManager manager = NDManager.newBaseManager()) {
      TappedBlock student = student();
      DistillationBlock block = DistillationBlock.builder()
          .setStudent(student).setTeacher(teacher(manager)).setMethod("fitnet").build();
      block.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 28, 28));
      assertEquals(3, block.objectiveParameters().size());
      ByteArrayOutputStream wrapped = new ByteArrayOutputStream();
      block.saveParameters(new DataOutputStream(wrapped));
      ByteArrayOutputStream alone = new ByteArrayOutputStream();
      Models.saveParameters(student, alone);
      assertArrayEquals(alone.toByteArray(), wrapped.toByteArray());
    }
  }

  @Test
  void anUninitialisedBlockSaysHowToInitialiseIt() {
    try (NDManager manager = NDManager.newBaseManager()) {
      DistillationBlock block = DistillationBlock.builder()
          .setStudent(student()).setTeacher(teacher(manager)).setMethod("kd").build();
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> block.forward(new ParameterStore(manager, false), new NDList(manager.zeros(new Shape(1, 1, 28, 28))),
              false));
      assertEquals("the distillation block is not initialised; call trainer.initialize(new Shape(1, 1, H, W)) before"
          + " training or evaluating", e.getMessage());
    }
  }

  @Test
  void theEpochListenerDrivesTheWarmUpOfTheTerms() {
    try (NDManager manager = NDManager.newBaseManager()) {
      LossOptions options = LossOptions.builder().set(DkdMethod.WARMUP, 2).build();
      DistillationBlock block = DistillationBlock.builder().setStudent(student()).setTeacher(teacher(manager))
          .setMethod("dkd").optOptions(options).build();
      block.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 28, 28));
      NDList out = block.forward(new ParameterStore(manager, false),
          new NDList(manager.randomNormal(new Shape(4, 1, 28, 28))), false);
      NDList labels = new NDList(manager.create(new float[] {1, 2, 3, 4}));
      float ce;
      try (Objective ceOnly = Objectives.create("ce", LossOptions.defaults())) {
        ce = ceOnly.compute(org.nst4j.model.ModelOutput.of(new NDList(out.subList(0, 3)), block.student()), null,
            labels.head(), false).total().getFloat();
      }
      float full = block.loss().evaluate(labels, out).getFloat() - ce;
      TrainingListener listener = block.epochListener();
      listener.onTrainingBegin(null);
      assertEquals(full / 2, block.loss().evaluate(labels, out).getFloat() - ce, 1e-5f, "epoch 1 of a 2-epoch warm-up");
      listener.onEpoch(null);
      assertEquals(full, block.loss().evaluate(labels, out).getFloat() - ce, 1e-5f, "epoch 2");
    }
  }

  @Test
  void buildRefusesWhatCannotWorkInTermsOfItsArguments() {
    try (NDManager manager = NDManager.newBaseManager()) {
      TappedModel teacher = teacher(manager);
      assertEquals("method 'kd+nst-poly' needs a teacher (setTeacher)", refused(
          DistillationBlock.builder().setStudent(student()).setMethod("kd+nst-poly")));
      assertEquals("the method is required (setMethod), e.g. \"kd+nst-poly\"", refused(
          DistillationBlock.builder().setStudent(student()).setTeacher(teacher)));
      assertEquals("ofd needs the training set's size and the teacher's BatchNorms: give the number of training"
          + " images with optTrainingSetSize(n)", refused(
          DistillationBlock.builder().setStudent(student()).setTeacher(teacher).setMethod("ofd")));
      assertEquals("method 'crd' reads each image's index in the training set, which DJL's trainer does not pass to a"
          + " loss; train it with nst4j's own loop", refused(DistillationBlock.builder().setStudent(student())
          .setTeacher(teacher).setMethod("crd").optTrainingSetSize(100)));
      TappedModel unfrozen = ModelZoo.create("resnet8", 1, 10, 1);
      unfrozen.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 28, 28));
      assertTrue(refused(DistillationBlock.builder().setStudent(student()).setTeacher(unfrozen).setMethod("kd"))
          .startsWith("the teacher resnet8 is not frozen: parameter "));
      TappedModel other = ModelZoo.create("resnet8", 1, 7, 1);
      assertEquals("the teacher resnet8 predicts 7 classes, the student tiny 10", refused(
          DistillationBlock.builder().setStudent(student()).setTeacher(other).setMethod("kd")));
      // ce needs no teacher.
      assertEquals("ce", DistillationBlock.builder().setStudent(student()).setMethod("ce").build().method());
    }
  }

  private static String refused(DistillationBlock.Builder b) {
    return assertThrows(IllegalArgumentException.class, b::build).getMessage();
  }
}

package org.nst4j.bench;

import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nst4j.data.DataSplits;
import org.nst4j.data.ImageDataset;
import org.nst4j.model.ModelZoo;
import org.nst4j.model.TappedModel;
import org.nst4j.train.EpochRecord;
import org.nst4j.train.PhaseTimer;
import org.nst4j.train.ProcessMemory;
import org.nst4j.train.Teachers;
import org.nst4j.train.TrainingRecipe;
import org.nst4j.train.TrainingLoop;
import org.nst4j.transfer.LossOptions;
import org.nst4j.transfer.Objective;
import org.nst4j.transfer.Objectives;

/**
 * Times training epochs of the FMNIST-10k student setting (ResNet-8 student, ResNet-20 teacher, batch 64,
 * first 1,000 images per class) phase by phase, with the real training loop.
 *
 * <p>The teacher is the given one (an nst4j model folder, or a TorchScript file such as the bfloat16 teacher of
 * {@code bench compare}; see {@link Teachers#load}), or a freshly initialised ResNet-20: a random teacher costs
 * the same time as a trained one, which is all a timing needs.
 */
public final class EpochProfile {
  private EpochProfile() {}

  /**
   * The result of one profiled run.
   *
   * @param method the objective
   * @param secondsPerEpoch training time of each epoch (no evaluation)
   * @param phaseMillis mean milliseconds per step of each phase, over all epochs but the first
   *     (or over the only epoch)
   * @param steps steps per epoch
   * @param peakRssMb the process's peak RSS
   */
  public record Result(String method, List<Double> secondsPerEpoch, Map<String, Double> phaseMillis, long steps,
      double peakRssMb) {}

  /**
   * Runs {@code epochs} epochs and times them.
   *
   * @param data the data (training split used, first {@code perClass} per class)
   * @param perClass images per class
   * @param method the objective, e.g. {@code ce} or {@code kd+nst-poly}
   * @param teacherPath a saved teacher or a TorchScript teacher, or null for a randomly initialised ResNet-20
   * @param epochs epochs to time, ≥ 1
   * @param seed the seed
   * @return the timings
   */
  public static Result run(DataSplits data, int perClass, String method, Path teacherPath, int epochs, long seed) {
    return run(data, perClass, method, teacherPath, epochs, seed, null);
  }

  /**
   * Runs {@code epochs} epochs and times them, with the teacher's forward in {@code runtime}.
   *
   * @param runtime the teacher runtime, or null for {@link org.nst4j.train.TeacherRuntime#defaultFor}
   * @see #run(DataSplits, int, String, Path, int, long)
   */
  public static Result run(DataSplits data, int perClass, String method, Path teacherPath, int epochs, long seed,
      org.nst4j.train.TeacherRuntime runtime) {
    ImageDataset train = data.train().firstPerClass(perClass);
    TrainingRecipe config = TrainingRecipe.builder().setEpochs(epochs).optSeed(seed).build();
    PhaseTimer timer = new PhaseTimer();
    Map<String, Double> phases = new LinkedHashMap<>();
    try (Objective objective = Objectives.create(method, LossOptions.defaults());
        Model student = Model.newInstance("student");
        Model teacher = teacherPath == null ? Model.newInstance("teacher") : Teachers.load(teacherPath, null,
            train, ai.djl.Device.cpu())) {
      TappedModel s = ModelZoo.create("resnet8", train.channels(), train.numClasses(), seed);
      student.setBlock(s);
      Shape input = new Shape(1, train.channels(), train.height(), train.width());
      s.initialize(student.getNDManager(), DataType.FLOAT32, input);
      if (teacherPath == null) {
        TappedModel t = ModelZoo.create("resnet20", train.channels(), train.numClasses(), seed + 1);
        teacher.setBlock(t);
        t.initialize(teacher.getNDManager(), DataType.FLOAT32, input);
      }
      TrainingLoop loop = TrainingLoop.builder()
          .setStudent(s, student.getNDManager())
          .optTeacher((TappedModel) teacher.getBlock())
          .setObjective(objective)
          .setData(train, null, data.normalization())
          .setConfig(config)
          .optPhaseTimer(timer)
          .optTeacherRuntime(runtime != null ? runtime : org.nst4j.train.TeacherRuntime.defaultFor(
              (TappedModel) teacher.getBlock(), ai.djl.Device.cpu()))
          .addListener(new org.nst4j.train.LoopListener() {
            @Override
            public void onEpoch(EpochRecord record) {
              // The first epoch warms up libtorch (allocator, oneDNN primitives): dropped when more follow.
              if (record.epoch() == 1 && epochs > 1) {
                timer.reset();
              }
            }
          })
          .build();
      List<EpochRecord> records = loop.run();
      timer.meanMillis().forEach((k, v) -> phases.put(k.name().toLowerCase(java.util.Locale.ROOT), v));
      return new Result(objective.method(), records.stream().map(EpochRecord::seconds).toList(), phases,
          timer.steps() / Math.max(1, epochs > 1 ? epochs - 1 : 1), ProcessMemory.peakRssMb());
    }
  }
}

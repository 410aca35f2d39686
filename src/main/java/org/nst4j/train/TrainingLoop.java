package org.nst4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nst4j.data.Augmentation;
import org.nst4j.data.Batch;
import org.nst4j.data.BatchLoader;
import org.nst4j.data.ImageDataset;
import org.nst4j.data.Normalization;
import org.nst4j.model.ModelOutput;
import org.nst4j.model.TappedModel;
import org.nst4j.transfer.LossTerms;
import org.nst4j.transfer.Objective;

/**
 * The one training loop of nst4j, for teachers (objective {@code ce}, no teacher) and students (any
 * objective, a frozen teacher).
 *
 * <p>Per batch: the teacher runs first, in inference mode and outside the gradient collector (only one
 * collector may be open, and the teacher needs no graph); its outputs are detached. The student then runs
 * in training mode inside the collector, the objective is evaluated and back-propagated, and Nesterov SGD
 * updates the student and the objective's auxiliary parameters. Every batch's arrays live in a sub-manager
 * closed after the update, which keeps resident memory flat across epochs.
 */
public final class TrainingLoop {
  private final TappedModel student;
  private final NDManager manager;
  private final TappedModel teacher;
  private final Objective objective;
  private final ImageDataset train;
  private final ImageDataset test;
  private final Normalization normalization;
  private final TrainingConfig config;
  private final List<TrainingListener> listeners;
  private final Path checkpointFile;
  private final PhaseTimer timer;

  private TrainingLoop(Builder b) {
    this.student = b.student;
    this.manager = b.manager;
    this.teacher = b.teacher;
    this.objective = b.objective;
    this.train = b.train;
    this.test = b.test;
    this.normalization = b.normalization;
    this.config = b.config;
    this.listeners = List.copyOf(b.listeners);
    this.checkpointFile = b.checkpointFile;
    this.timer = b.timer;
  }

  /** A builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Runs the training from scratch, or from the checkpoint when {@code resume} is true and it exists.
   *
   * @param resume continue from {@code checkpointFile} if present
   * @param previous epoch records of the interrupted run (used when resuming, for best accuracy)
   * @return the per-epoch records of the whole run
   * @throws NonFiniteLossException if a loss term becomes NaN or infinite
   */
  public List<EpochRecord> run(boolean resume, List<EpochRecord> previous) {
    BatchLoader loader = new BatchLoader(train, config.batchSize(), true, config.dropLast(),
        config.augment() ? Augmentation.padCropFlip(2, true) : Augmentation.none(), normalization, config.seed());
    int batches = loader.batchesPerEpoch();
    if (batches < 1) {
      throw new IllegalArgumentException("training set of " + train.size() + " images gives no full batch of "
          + config.batchSize());
    }
    LearningRateSchedule schedule = config.scheduleFor(batches);
    ParameterStore studentStore = new ParameterStore(manager, false);
    ParameterStore teacherStore = new ParameterStore(manager, false);
    boolean useTeacher = objective.needsTeacher();
    if (useTeacher && teacher == null) {
      throw new IllegalArgumentException("method '" + objective.method() + "' needs a teacher (--teacher)");
    }

    initializeObjective(loader, studentStore, teacherStore, useTeacher);
    List<Parameter> parameters = new ArrayList<>();
    for (var pair : student.getParameters()) {
      parameters.add(pair.getValue());
    }
    List<Parameter> auxiliary = objective.parameters();
    parameters.addAll(auxiliary);
    List<EpochRecord> records = new ArrayList<>();
    try (NesterovSgd sgd = new NesterovSgd(NesterovSgd.trainable(parameters), config.momentum(),
        config.weightDecay(), config.nesterov())) {
      int firstEpoch = 1;
      long step = 0;
      if (resume && checkpointFile != null && Files.isRegularFile(checkpointFile)) {
        Checkpoint cp = Checkpoint.restore(checkpointFile, manager, student, auxiliary, sgd);
        firstEpoch = cp.epochsDone() + 1;
        step = cp.step();
        for (EpochRecord r : previous) {
          if (r.epoch() < firstEpoch) {
            records.add(r);
          }
        }
      }
      for (TrainingListener l : listeners) {
        l.onStart(config.epochs(), batches, firstEpoch);
      }
      for (int epoch = firstEpoch; epoch <= config.epochs(); epoch++) {
        EpochStats stats = new EpochStats();
        long start = System.nanoTime();
        int b = 0;
        for (Iterator<Batch> it = loader.epoch(epoch - 1); it.hasNext(); ) {
          if (timer != null) {
            timer.start();
          }
          Batch batch = it.next();
          b++;
          double rate = schedule.rate(step);
          double loss = trainBatch(batch, studentStore, teacherStore, useTeacher, sgd, rate, stats, epoch, b);
          step++;
          for (TrainingListener l : listeners) {
            l.onBatch(epoch, b, loss);
          }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long evalStart = System.nanoTime();
        double testAccuracy = test == null ? Double.NaN
            : Evaluator.accuracy(student, manager, test, normalization, config.evalBatchSize());
        double evalSeconds = (System.nanoTime() - evalStart) / 1e9;
        EpochRecord record = stats.toRecord(epoch, testAccuracy, schedule.rate(step - 1), seconds, evalSeconds);
        records.add(record);
        if (checkpointFile != null) {
          Checkpoint.write(checkpointFile, epoch, step, student, auxiliary, sgd);
        }
        for (TrainingListener l : listeners) {
          l.onEpoch(record);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return records;
  }

  private void initializeObjective(
      BatchLoader loader, ParameterStore studentStore, ParameterStore teacherStore, boolean useTeacher) {
    // Auxiliary blocks (FitNet's regressor) take their shapes from one real batch, run in inference
    // mode so that no BatchNorm statistic moves before training starts.
    Batch sample = loader.epoch(0).next();
    try (NDManager scope = manager.newSubManager()) {
      NDArray x = Evaluator.toImages(scope, sample);
      ModelOutput s = ModelOutput.of(student.forward(studentStore, new NDList(x), false), student.tapNames());
      ModelOutput t = useTeacher
          ? ModelOutput.of(teacher.forward(teacherStore, new NDList(x), false), teacher.tapNames())
          : null;
      objective.initialize(manager, s, t, config.seed());
    }
  }

  private double trainBatch(Batch batch, ParameterStore studentStore, ParameterStore teacherStore,
      boolean useTeacher, NesterovSgd sgd, double rate, EpochStats stats, int epoch, int b) {
    try (NDManager scope = manager.newSubManager()) {
      NDArray x = Evaluator.toImages(scope, batch);
      NDArray y = Evaluator.toLabels(scope, batch);
      mark(PhaseTimer.Phase.DATA);
      ModelOutput teacherOut = null;
      if (useTeacher) {
        teacherOut = ModelOutput.of(teacher.forward(teacherStore, new NDList(x), false), teacher.tapNames())
            .stopGradient();
      }
      mark(PhaseTimer.Phase.TEACHER);
      LossTerms terms;
      NDArray logits;
      try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
        ModelOutput studentOut =
            ModelOutput.of(student.forward(studentStore, new NDList(x), true), student.tapNames());
        mark(PhaseTimer.Phase.STUDENT_FORWARD);
        terms = objective.compute(studentOut, teacherOut, y, true);
        logits = studentOut.logits();
        mark(PhaseTimer.Phase.LOSS);
        collector.backward(terms.total());
        mark(PhaseTimer.Phase.BACKWARD);
      }
      double total = 0;
      Map<String, Double> values = new LinkedHashMap<>();
      for (Map.Entry<String, NDArray> term : terms.terms().entrySet()) {
        double v = term.getValue().stopGradient().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
        if (!Double.isFinite(v)) {
          throw new NonFiniteLossException(term.getKey(), v, epoch, b);
        }
        values.put(term.getKey(), v);
        total += v;
      }
      long correct = logits.stopGradient().argMax(1).eq(y).sum().getLong();
      sgd.step(rate);
      mark(PhaseTimer.Phase.OPTIMIZER);
      if (timer != null) {
        timer.endStep();
      }
      stats.add(values, total, correct, batch.size());
      return total;
    }
  }

  private void mark(PhaseTimer.Phase phase) {
    if (timer != null) {
      timer.mark(phase);
    }
  }

  /** Running sums of one epoch. */
  private static final class EpochStats {
    private final Map<String, Double> termSums = new LinkedHashMap<>();
    private double lossSum;
    private long correct;
    private long seen;
    private int batches;

    void add(Map<String, Double> terms, double loss, long batchCorrect, int size) {
      terms.forEach((k, v) -> termSums.merge(k, v, Double::sum));
      lossSum += loss;
      correct += batchCorrect;
      seen += size;
      batches++;
    }

    EpochRecord toRecord(int epoch, double testAccuracy, double rate, double seconds, double evalSeconds) {
      Map<String, Double> means = new LinkedHashMap<>();
      termSums.forEach((k, v) -> means.put(k, v / batches));
      return new EpochRecord(epoch, lossSum / batches, means, (double) correct / seen, testAccuracy, rate,
          seconds, evalSeconds, ProcessMemory.rssMb());
    }
  }

  /** Builder; student, manager, objective, training data, normalisation and config are required. */
  public static final class Builder {
    private TappedModel student;
    private NDManager manager;
    private TappedModel teacher;
    private Objective objective;
    private ImageDataset train;
    private ImageDataset test;
    private Normalization normalization;
    private TrainingConfig config;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private Path checkpointFile;
    private PhaseTimer timer;

    private Builder() {}

    /** Times the phases of every step (profiling); off by default. */
    public Builder optPhaseTimer(PhaseTimer timer) {
      this.timer = timer;
      return this;
    }

    /** The model to train and the manager owning its parameters. */
    public Builder setStudent(TappedModel student, NDManager manager) {
      this.student = student;
      this.manager = manager;
      return this;
    }

    /** A frozen teacher (initialised or loaded); never updated, run with {@code training = false}. */
    public Builder optTeacher(TappedModel teacher) {
      this.teacher = teacher;
      return this;
    }

    public Builder setObjective(Objective objective) {
      this.objective = objective;
      return this;
    }

    public Builder setData(ImageDataset train, ImageDataset test, Normalization normalization) {
      this.train = train;
      this.test = test;
      this.normalization = normalization;
      return this;
    }

    public Builder setConfig(TrainingConfig config) {
      this.config = config;
      return this;
    }

    public Builder addListener(TrainingListener listener) {
      this.listeners.add(listener);
      return this;
    }

    /** Where to write a checkpoint after every epoch (and resume from). */
    public Builder optCheckpoint(Path file) {
      this.checkpointFile = file;
      return this;
    }

    /** Checks that the required parts are present and builds the loop. */
    public TrainingLoop build() {
      if (student == null || manager == null || objective == null || train == null || normalization == null
          || config == null) {
        throw new IllegalStateException("student, objective, data and config are required");
      }
      if (train.channels() != student.inputChannels()) {
        throw new IllegalArgumentException("the data has " + train.channels() + " channels, the model "
            + student.architecture() + " was built for " + student.inputChannels());
      }
      if (teacher != null && teacher.inputChannels() != train.channels()) {
        throw new IllegalArgumentException("the teacher takes " + teacher.inputChannels()
            + " input channels, the data has " + train.channels());
      }
      return new TrainingLoop(this);
    }
  }
}

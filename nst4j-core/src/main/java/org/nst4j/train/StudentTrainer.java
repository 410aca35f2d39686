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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nst4j.data.BatchSource;
import org.nst4j.data.ImageBatch;
import org.nst4j.model.ModelOutput;
import org.nst4j.model.TappedModel;
import org.nst4j.transfer.LossTerms;
import org.nst4j.transfer.Objective;

/**
 * One student's side of {@link TrainingLoop}: the model, its objective (with the objective's trained
 * modules and term state: FitNet's regressor, CRD's memory banks), its optimiser, schedule, checkpoint
 * file, listeners, divergence guard and running epoch sums. The loop owns the batch stream and the
 * frozen teacher's forward; it hands each batch and the teacher's outputs to every student in turn, and
 * each student takes its own step ({@link #step}). A run trained alone is a loop of one student, so a
 * student trained beside others goes through exactly the same code, op for op.
 *
 * <p>Mutable and single-threaded: it is the state of one training run. Not public: built by
 * {@link TrainingLoop.Builder}.
 */
final class StudentTrainer {
  private final TappedModel student;
  private final NDManager manager;
  private final Objective objective;
  private final BatchSource test; // evaluation batches, or null
  private final TrainingRecipe config;
  private final List<LoopListener> listeners;
  private final Path checkpointFile;
  private final double divergenceFactor;

  // Running sum and count of the batch losses of this call of run() (the divergence guard's reference).
  private double lossSum;
  private long lossCount;
  private double lowestMean = Double.POSITIVE_INFINITY;

  // Set by prepare().
  private LearningRateSchedule schedule;
  private ParameterStore store;
  private List<Parameter> auxiliary;
  private NesterovSgd sgd;
  private int firstEpoch = 1;
  private long firstStep;
  private Checkpoint.Partial resumedPartial; // a checkpoint taken mid-epoch (StopSignal): where firstEpoch stands
  private boolean prepared;

  // Set while the loop runs.
  private long step;
  private EpochStats stats;
  private int startBatch; // batches of the current epoch trained before this call (a mid-epoch resume)
  private List<EpochRecord> records;
  private RuntimeException failure;
  private boolean finished;

  StudentTrainer(TappedModel student, NDManager manager, Objective objective, BatchSource test,
      TrainingRecipe config, List<LoopListener> listeners, Path checkpointFile,
      double divergenceFactor) {
    this.student = student;
    this.manager = manager;
    this.objective = objective;
    this.test = test;
    this.config = config;
    this.listeners = List.copyOf(listeners);
    this.checkpointFile = checkpointFile;
    this.divergenceFactor = divergenceFactor;
  }

  TappedModel student() {
    return student;
  }

  NDManager manager() {
    return manager;
  }

  TrainingRecipe config() {
    return config;
  }

  Path checkpointFile() {
    return checkpointFile;
  }

  boolean needsTeacher() {
    return objective.needsTeacher();
  }

  boolean isPrepared() {
    return prepared;
  }

  int firstEpoch() {
    return firstEpoch;
  }

  /** The exception that ended this student's run early, or null. */
  RuntimeException failure() {
    return failure;
  }

  /** Whether this student still trains: it has not failed nor finished. */
  boolean isTraining() {
    return prepared && failure == null && !finished;
  }

  /**
   * Builds the optimiser, meets the objective with the models on the loader's first batch and restores the
   * checkpoint; see {@link TrainingLoop#prepare}. Idempotent.
   */
  void prepare(BatchSource loader, TappedModel teacher, ParameterStore teacherStore, boolean resume) {
    if (prepared) {
      return;
    }
    int batches = loader.batchesPerEpoch();
    schedule = config.scheduleFor(batches);
    store = new ParameterStore(manager, false);
    if (objective.needsTeacher() && teacher == null) {
      throw new IllegalArgumentException("method '" + objective.method() + "' needs a teacher (--teacher)");
    }
    initializeObjective(loader.batch(0, 0), teacher, teacherStore);
    List<Parameter> parameters = new ArrayList<>();
    for (var pair : student.getParameters()) {
      parameters.add(pair.getValue());
    }
    auxiliary = objective.parameters();
    parameters.addAll(auxiliary);
    sgd = new NesterovSgd(NesterovSgd.trainable(parameters), config.momentum(), config.weightDecay(),
        config.nesterov());
    if (resume && checkpointFile != null && Files.isRegularFile(checkpointFile)) {
      try {
        Checkpoint cp = Checkpoint.restore(checkpointFile, manager, student, auxiliary, sgd);
        if (cp.epochsDone() > config.epochs()) {
          throw new IllegalArgumentException(checkpointFile + ": the checkpoint is at epoch " + cp.epochsDone()
              + ", past the " + config.epochs() + " epochs of this run");
        }
        objective.restoreState(cp.termStates()); // e.g. CRD's memory banks
        firstEpoch = cp.epochsDone() + 1;
        firstStep = cp.step();
        resumedPartial = cp.partial();
        if (resumedPartial != null && (resumedPartial.batches() >= batches
            || firstStep != (long) cp.epochsDone() * batches + resumedPartial.batches())) {
          throw new IllegalArgumentException(checkpointFile + ": the checkpoint stopped at batch "
              + resumedPartial.batches() + " of epoch " + firstEpoch + ", which does not fit this run's "
              + batches + " batches per epoch (resume with the batch size it was started with)");
        }
        // A ParameterStore caches each parameter's array on first use (the sample forward above): loading
        // replaced the arrays, so the student needs a fresh store or it would train the initial weights.
        store = new ParameterStore(manager, false);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    prepared = true;
  }

  private void initializeObjective(ImageBatch sample, TappedModel teacher, ParameterStore teacherStore) {
    // Auxiliary blocks (FitNet's regressor) take their shapes from one real batch, run in inference
    // mode so that no BatchNorm statistic moves before training starts. Evaluating the objective once on
    // that batch resolves its taps and aligns its maps, so a mismatch is refused before anything is written.
    boolean useTeacher = objective.needsTeacher();
    try (NDManager scope = manager.newSubManager()) {
      NDArray x = ModelAccuracy.toImages(scope, sample);
      NDArray y = ModelAccuracy.toLabels(scope, sample);
      ModelOutput s = forwardSample(student, store, x, "the model " + student.architecture());
      ModelOutput t = useTeacher
          ? forwardSample(teacher, teacherStore, x, "the teacher " + teacher.architecture())
          : null;
      objective.initialize(manager, s, t, config.seed());
      // The probe leaves no trace in the terms' state (CRD's banks, Z and sampler): training starts as if it
      // had not run.
      Map<String, byte[]> fresh = objective.saveState();
      try {
        objective.setBatchIndices(sample.indices());
        objective.compute(s, t, y, false);
        objective.restoreState(fresh);
      } catch (ai.djl.engine.EngineException e) {
        throw new IllegalArgumentException("the objective " + objective.method() + " cannot compare the student "
            + student.architecture() + " with the teacher " + (teacher == null ? "" : teacher.architecture())
            + ": " + TrainingLoop.firstLine(e));
      }
    }
  }

  /** One forward pass of the sample batch; an engine error here means the images do not fit the model. */
  private static ModelOutput forwardSample(TappedModel model, ParameterStore store, NDArray x, String who) {
    try {
      return ModelOutput.of(model.forward(store, new NDList(x), false), model);
    } catch (ai.djl.engine.EngineException e) {
      throw new IllegalArgumentException(who + " cannot process images of shape " + x.getShape()
          + " (C×H×W " + x.getShape().slice(1) + "): " + TrainingLoop.firstLine(e));
    }
  }

  /** Called once as the loop starts: keeps the earlier epochs' records and tells the listeners. */
  void start(List<EpochRecord> previous, int batches) {
    step = firstStep;
    records = new ArrayList<>();
    for (EpochRecord r : previous) {
      if (r.epoch() < firstEpoch) {
        records.add(r);
      }
    }
    for (LoopListener l : listeners) {
      l.onStart(config.epochs(), batches, firstEpoch);
    }
  }

  /**
   * Starts {@code epoch} for this student, if it trains in it.
   *
   * @return the batches of the epoch already trained (0, or where a mid-epoch checkpoint stopped), or -1 if
   *     the student does not train in this epoch (resumed past it, or done)
   */
  int beginEpoch(int epoch) {
    if (!isTraining() || epoch < firstEpoch || epoch > config.epochs()) {
      return -1;
    }
    stats = new EpochStats();
    objective.beginEpoch(epoch); // e.g. DKD's warm-up weight, a pure function of the epoch (resume-safe)
    startBatch = epoch == firstEpoch && resumedPartial != null ? stats.restore(resumedPartial) : 0;
    return startBatch;
  }

  /** Whether this student trains batch {@code b} (1-based) of the current epoch. */
  boolean trains(int b) {
    return isTraining() && stats != null && b > startBatch;
  }

  /**
   * One training step on a batch: the student's forward inside its own gradient collector, the objective,
   * the backward pass and the update; a failure (a non-finite or diverging loss, an engine error) ends this
   * student only.
   *
   * @param batch the batch
   * @param teacherOut the frozen teacher's detached outputs on it (null when the objective needs none)
   * @param sharedSeconds this student's share of the time spent making the batch and running the teacher
   * @param timer the phase timer, or null
   */
  void step(ImageBatch batch, ModelOutput teacherOut, int epoch, int b, double sharedSeconds, PhaseTimer timer) {
    long start = System.nanoTime();
    try {
      double loss = trainBatch(batch, objective.needsTeacher() ? teacherOut : null, schedule.rate(step), epoch, b,
          timer);
      step++;
      stats.seconds += sharedSeconds + (System.nanoTime() - start) / 1e9;
      for (LoopListener l : listeners) {
        l.onBatch(epoch, b, loss);
      }
    } catch (RuntimeException e) {
      failure = e;
    }
  }

  /**
   * The state of a student stopped on request after batch {@code b}: its weights are checked and a
   * mid-epoch checkpoint is written (a student that has not reached {@code b} yet keeps the checkpoint it
   * resumed from, which is further on).
   */
  void stopAfter(int epoch, int b) {
    if (!trains(b)) {
      return;
    }
    try {
      checkFiniteParameters(epoch, b);
      if (checkpointFile != null) {
        Checkpoint.write(checkpointFile, epoch - 1, step, student, auxiliary, sgd, stats.partial(b),
            objective.saveState());
      }
    } catch (IOException e) {
      failure = new UncheckedIOException(e);
    } catch (RuntimeException e) {
      failure = e;
    }
  }

  /**
   * Ends an epoch trained to its last batch: checks the weights, evaluates on the test set, logs the record
   * and writes the checkpoint.
   */
  void endEpoch(int epoch, int batches) {
    if (!isTraining() || stats == null) {
      return;
    }
    try {
      // A finite loss can still leave non-finite weights after the last update of the epoch: checked
      // here so that no checkpoint ever holds them (the previous one stays the last good one).
      checkFiniteParameters(epoch, batches);
      long evalStart = System.nanoTime();
      double testAccuracy = test == null ? Double.NaN
          : ModelAccuracy.accuracy(student, manager, test);
      double evalSeconds = (System.nanoTime() - evalStart) / 1e9;
      EpochRecord record = stats.toRecord(epoch, testAccuracy, schedule.rate(step - 1), evalSeconds);
      records.add(record);
      // The epoch's record is logged before its checkpoint is written: a kill between the two leaves a
      // log one epoch ahead of the checkpoint, which a resume trims and recomputes. (The other order
      // would lose the epoch's record for good.)
      for (LoopListener l : listeners) {
        l.onEpoch(record);
      }
      if (checkpointFile != null) {
        Checkpoint.write(checkpointFile, epoch, step, student, auxiliary, sgd, null, objective.saveState());
      }
      stats = null;
      finished = epoch == config.epochs();
    } catch (IOException e) {
      failure = new UncheckedIOException(e);
    } catch (RuntimeException e) {
      failure = e;
    }
  }

  /** Ends this student's run with {@code e} unless it already finished or failed. */
  void failUnlessDone(RuntimeException e) {
    if (prepared && failure == null && !finished) {
      failure = e;
    }
  }

  /** The records of the whole run (earlier epochs included); only meaningful once it has finished. */
  List<EpochRecord> records() {
    return List.copyOf(records);
  }

  /** Releases the optimiser's state. */
  void close() {
    if (sgd != null) {
      sgd.close();
    }
  }

  /** Whether a checkpoint of an earlier epoch exists to resume from after a failure in {@code epoch}. */
  private boolean checkpointKept(int epoch) {
    return epoch > 1 && checkpointFile != null && Files.isRegularFile(checkpointFile);
  }

  private void checkFiniteParameters(int epoch, int lastBatch) {
    Map<String, Parameter> named = new LinkedHashMap<>();
    for (var pair : student.getParameters()) {
      named.put("student parameter " + pair.getKey(), pair.getValue());
    }
    for (int i = 0; i < auxiliary.size(); i++) {
      named.put("objective parameter " + i, auxiliary.get(i));
    }
    for (Map.Entry<String, Parameter> e : named.entrySet()) {
      NDArray w = e.getValue().getArray();
      // Results of an op join its first operand's manager: w is attached to the scope for the check, so
      // the temporaries are freed with it and w returns to its own manager.
      try (NDManager scope = manager.newSubManager()) {
        w.tempAttach(scope);
        if (w.isNaN().logicalOr(w.isInfinite()).any().getBoolean()) {
          throw new NonFiniteLossException(e.getKey(), Double.NaN, epoch, lastBatch,
              checkpointKept(epoch));
        }
      }
    }
  }

  private double trainBatch(ImageBatch batch, ModelOutput teacherOut, double rate, int epoch, int b,
      PhaseTimer timer) {
    // The student's own sub-manager, closed after its update: its inputs are made here (not shared with the
    // teacher's batch manager) because an op's result joins its first operand's manager, and the student's
    // whole graph must be freed with its step, not kept until every student of the batch has stepped.
    try (NDManager scope = manager.newSubManager()) {
      NDArray x = ModelAccuracy.toImages(scope, batch);
      NDArray y = ModelAccuracy.toLabels(scope, batch);
      LossTerms terms;
      NDArray logits;
      try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
        ModelOutput studentOut = ModelOutput.of(student.forward(store, new NDList(x), true), student);
        mark(timer, PhaseTimer.Phase.STUDENT_FORWARD);
        objective.setBatchIndices(batch.indices()); // for IndexedTerms (CRD)
        terms = objective.compute(studentOut, teacherOut, y, true);
        logits = studentOut.logits();
        mark(timer, PhaseTimer.Phase.LOSS);
        collector.backward(terms.total());
        mark(timer, PhaseTimer.Phase.BACKWARD);
      }
      double total = 0;
      Map<String, Double> values = new LinkedHashMap<>();
      for (Map.Entry<String, NDArray> term : terms.terms().entrySet()) {
        double v = term.getValue().stopGradient().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
        if (!Double.isFinite(v)) {
          throw new NonFiniteLossException(term.getKey(), v, epoch, b, checkpointKept(epoch));
        }
        values.put(term.getKey(), v);
        total += v;
      }
      checkNotDiverging(total, epoch, b);
      long correct = logits.stopGradient().argMax(1).eq(y).sum().getLong();
      sgd.step(rate);
      mark(timer, PhaseTimer.Phase.OPTIMIZER);
      stats.add(values, total, correct, batch.size());
      return total;
    }
  }

  /**
   * The divergence guard: a loss over {@code divergenceFactor} times the running mean of the run's earlier
   * batch losses stops the run before the update, like a NaN (a loss growing towards 1e16 while staying
   * finite would otherwise finish at chance accuracy). The reference is the lowest value the running mean
   * has had: a diverging run drags its own running mean up (to 1e8 within an epoch at --lr 30), and would
   * never exceed it by much; in a healthy run the running mean only falls, so its lowest value is its
   * current one.
   */
  private void checkNotDiverging(double total, int epoch, int b) {
    if (divergenceFactor > 0 && lossCount >= TrainingLoop.DIVERGENCE_WARMUP_BATCHES && lowestMean > 0
        && total > divergenceFactor * lowestMean) {
      throw NonFiniteLossException.diverged(total, lowestMean, divergenceFactor, epoch, b, checkpointKept(epoch));
    }
    lossSum += total;
    lossCount++;
    lowestMean = Math.min(lowestMean, lossSum / lossCount);
  }

  private static void mark(PhaseTimer timer, PhaseTimer.Phase phase) {
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
    // This student's training time in the epoch: its own steps plus its share of the batch and teacher time.
    private double seconds;

    /** Takes the sums of a checkpoint taken mid-epoch; returns the batches they cover. */
    int restore(Checkpoint.Partial p) {
      termSums.putAll(p.termSums());
      lossSum = p.lossSum();
      correct = p.correct();
      seen = p.seen();
      batches = p.batches();
      seconds = p.seconds();
      return batches;
    }

    Checkpoint.Partial partial(int b) {
      return new Checkpoint.Partial(b, lossSum, termSums, correct, seen, seconds);
    }

    void add(Map<String, Double> terms, double loss, long batchCorrect, int size) {
      terms.forEach((k, v) -> termSums.merge(k, v, Double::sum));
      lossSum += loss;
      correct += batchCorrect;
      seen += size;
      batches++;
    }

    EpochRecord toRecord(int epoch, double testAccuracy, double rate, double evalSeconds) {
      Map<String, Double> means = new LinkedHashMap<>();
      termSums.forEach((k, v) -> means.put(k, v / batches));
      return new EpochRecord(epoch, lossSum / batches, means, (double) correct / seen, testAccuracy, rate,
          seconds, evalSeconds, ProcessMemory.rssMb());
    }
  }
}

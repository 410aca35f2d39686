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
import org.nst4j.data.ImageBatch;
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
 * collector may be open, and the teacher needs no graph); its outputs are detached. For the run, the
 * frozen teacher's BatchNorm layers are folded into its convolutions ({@link TappedModel#foldBatchNorm()}:
 * the same outputs up to float rounding, about a quarter less teacher time), and unfolded at the end. The
 * student then runs
 * in training mode inside the collector, the objective is evaluated and back-propagated, and Nesterov SGD
 * updates the student and the objective's auxiliary parameters. Every batch's arrays live in a sub-manager
 * closed after the update, which keeps resident memory flat across epochs.
 */
public final class TrainingLoop {
  /**
   * Default of the divergence guard: a batch loss over a thousand times the running mean (three orders of
   * magnitude) is not noise. Measured runs spike by less than tenfold; a run heading for 1e16 passes it long
   * before the loss becomes NaN.
   */
  public static final double DEFAULT_DIVERGENCE_FACTOR = 1000;
  /**
   * Batches whose losses only feed the running mean before the guard compares against it: the first batch's
   * loss is that of the initial model, a sound reference; later ones may already be those of a diverging run.
   */
  public static final int DIVERGENCE_WARMUP_BATCHES = 1;

  private final TappedModel student;
  private final NDManager manager;
  private final TappedModel teacher;
  private final Objective objective;
  private final ImageDataset train;
  private final ImageDataset test;
  private final Normalization normalization;
  private final TrainingRecipe config;
  private final List<LoopListener> listeners;
  private final Path checkpointFile;
  private final PhaseTimer timer;
  private final double divergenceFactor;
  // Running sum and count of the batch losses of this call of run() (the divergence guard's reference).
  private double lossSum;
  private long lossCount;
  private double lowestMean = Double.POSITIVE_INFINITY;

  // Set by prepare(): everything that can refuse the input, computed before the caller writes a file.
  private BatchLoader loader;
  private LearningRateSchedule schedule;
  private ParameterStore studentStore;
  private ParameterStore teacherStore;
  private List<Parameter> auxiliary;
  private NesterovSgd sgd;
  private int firstEpoch = 1;
  private long firstStep;
  private Checkpoint.Partial resumedPartial; // a checkpoint taken mid-epoch (StopSignal): where firstEpoch stands
  private boolean prepared;

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
    this.divergenceFactor = b.divergenceFactor;
  }

  /**
   * Checks a divergence factor.
   *
   * @param factor 0 (guard off) or a finite number &gt; 1
   * @throws IllegalArgumentException otherwise
   */
  public static void checkDivergenceFactor(double factor) {
    if (!(factor == 0 || (factor > 1 && Double.isFinite(factor)))) {
      throw new IllegalArgumentException("--divergence-factor must be > 1 (or 0 to turn the guard off), got "
          + factor);
    }
  }

  /** A builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Checks that the objective, the models and the data fit together, and restores the checkpoint when
   * resuming, without writing anything: the caller can then create its output knowing that the input is
   * good. Builds the batch loader, runs the first batch through the student and the teacher (inference
   * mode, no BatchNorm statistic moves), initialises the objective from those outputs (FitNet builds its
   * regressor; taps are resolved) and evaluates it once, so that an unknown tap or maps that cannot be
   * aligned are refused here rather than in the first training step. Idempotent; {@link #run} calls it if
   * the caller did not.
   *
   * @param resume restore {@code checkpointFile} if it exists
   * @throws IllegalArgumentException if the data, models and objective do not fit, or the checkpoint is not
   *     one of this run
   */
  public void prepare(boolean resume) {
    if (prepared) {
      return;
    }
    loader = new BatchLoader(train, config.batchSize(), true, config.dropLast(),
        config.augmentation(), normalization, config.seed());
    int batches = loader.batchesPerEpoch();
    if (batches < 1) {
      throw new IllegalArgumentException("training set of " + train.size() + " images gives no full batch of "
          + config.batchSize());
    }
    schedule = config.scheduleFor(batches);
    studentStore = new ParameterStore(manager, false);
    teacherStore = new ParameterStore(manager, false);
    if (objective.needsTeacher() && teacher == null) {
      throw new IllegalArgumentException("method '" + objective.method() + "' needs a teacher (--teacher)");
    }
    initializeObjective();
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
        studentStore = new ParameterStore(manager, false);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    prepared = true;
  }

  /** The first epoch {@link #run} trains: 1, or the one after the restored checkpoint. */
  public int firstEpoch() {
    return firstEpoch;
  }

  /** The loader of the training batches, made by {@link #prepare} (null before); for tests. */
  BatchLoader loader() {
    return loader;
  }

  /**
   * Runs the training from scratch, or from the checkpoint when {@code resume} is true and it exists.
   *
   * @param resume continue from {@code checkpointFile} if present (ignored if {@link #prepare} ran before)
   * @param previous epoch records of the interrupted run (used when resuming, for best accuracy)
   * @return the per-epoch records of the whole run
   * @throws NonFiniteLossException if a loss term becomes NaN or infinite
   */
  public List<EpochRecord> run(boolean resume, List<EpochRecord> previous) {
    prepare(resume);
    int batches = loader.batchesPerEpoch();
    boolean useTeacher = objective.needsTeacher();
    boolean foldTeacher = useTeacher && !teacher.isBatchNormFolded();
    if (foldTeacher) {
      teacher.foldBatchNorm();
    }
    List<EpochRecord> records = new ArrayList<>();
    try (NesterovSgd closing = sgd) {
      long step = firstStep;
      for (EpochRecord r : previous) {
        if (r.epoch() < firstEpoch) {
          records.add(r);
        }
      }
      for (LoopListener l : listeners) {
        l.onStart(config.epochs(), batches, firstEpoch);
      }
      for (int epoch = firstEpoch; epoch <= config.epochs(); epoch++) {
        EpochStats stats = new EpochStats();
        objective.beginEpoch(epoch); // e.g. DKD's warm-up weight, a pure function of the epoch (resume-safe)
        long start = System.nanoTime();
        int b = 0;
        if (epoch == firstEpoch && resumedPartial != null) { // stopped mid-epoch: skip what was trained
          b = stats.restore(resumedPartial);
          start -= (long) (resumedPartial.seconds() * 1e9);
        }
        for (Iterator<ImageBatch> it = loader.epoch(epoch - 1, b); it.hasNext(); ) {
          if (timer != null) {
            timer.start();
          }
          ImageBatch batch = it.next();
          b++;
          double rate = schedule.rate(step);
          double loss = trainBatch(batch, useTeacher, rate, stats, epoch, b);
          step++;
          for (LoopListener l : listeners) {
            l.onBatch(epoch, b, loss);
          }
          if (b < batches && StopSignal.process().requested() != null) { // the epoch's last step ends below
            checkFiniteParameters(epoch, b);
            if (checkpointFile != null) {
              Checkpoint.write(checkpointFile, epoch - 1, step, student, auxiliary, sgd,
                  stats.partial(b, (System.nanoTime() - start) / 1e9), objective.saveState());
            }
            throw stopped(epoch, b, batches);
          }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        // A finite loss can still leave non-finite weights after the last update of the epoch: checked
        // here so that no checkpoint ever holds them (the previous one stays the last good one).
        checkFiniteParameters(epoch, b);
        long evalStart = System.nanoTime();
        double testAccuracy = test == null ? Double.NaN
            : ModelAccuracy.accuracy(student, manager, test, normalization, config.evalBatchSize());
        double evalSeconds = (System.nanoTime() - evalStart) / 1e9;
        EpochRecord record = stats.toRecord(epoch, testAccuracy, schedule.rate(step - 1), seconds, evalSeconds);
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
        if (epoch < config.epochs() && StopSignal.process().requested() != null) {
          throw stopped(epoch, batches, batches);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (foldTeacher) {
        teacher.unfoldBatchNorm();
      }
    }
    return records;
  }

  /** The exception ending a run stopped on request after batch {@code b} of {@code epoch}, checkpoint written. */
  private StopSignal.Stopped stopped(int epoch, int b, int batches) {
    return new StopSignal.Stopped(StopSignal.process().requested() + ": stopped after batch " + b + "/" + batches
        + " of epoch " + epoch + "/" + config.epochs() + (checkpointFile == null ? " (no checkpoint file)"
        : "; checkpoint written to " + checkpointFile + "; resuming continues from it (train, distill: --resume;"
        + " experiment, sweep: the same command)"));
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

  private void initializeObjective() {
    // Auxiliary blocks (FitNet's regressor) take their shapes from one real batch, run in inference
    // mode so that no BatchNorm statistic moves before training starts. Evaluating the objective once on
    // that batch resolves its taps and aligns its maps, so a mismatch is refused before anything is written.
    ImageBatch sample = loader.batch(0, 0);
    boolean useTeacher = objective.needsTeacher();
    try (NDManager scope = manager.newSubManager()) {
      NDArray x = ModelAccuracy.toImages(scope, sample);
      NDArray y = ModelAccuracy.toLabels(scope, sample);
      ModelOutput s = forwardSample(student, studentStore, x, "the model " + student.architecture());
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
            + ": " + firstLine(e));
      }
    }
  }

  /** One forward pass of the sample batch; an engine error here means the images do not fit the model. */
  private static ModelOutput forwardSample(TappedModel model, ParameterStore store, NDArray x, String who) {
    try {
      return ModelOutput.of(model.forward(store, new NDList(x), false), model);
    } catch (ai.djl.engine.EngineException e) {
      throw new IllegalArgumentException(who + " cannot process images of shape " + x.getShape()
          + " (C×H×W " + x.getShape().slice(1) + "): " + firstLine(e));
    }
  }

  private static String firstLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  private double trainBatch(ImageBatch batch, boolean useTeacher, double rate, EpochStats stats, int epoch, int b) {
    try (NDManager scope = manager.newSubManager()) {
      NDArray x = ModelAccuracy.toImages(scope, batch);
      NDArray y = ModelAccuracy.toLabels(scope, batch);
      mark(PhaseTimer.Phase.DATA);
      ModelOutput teacherOut = null;
      if (useTeacher) {
        try {
          teacherOut = ModelOutput.of(teacher.forward(teacherStore, new NDList(x), false), teacher)
              .stopGradient();
        } catch (ai.djl.engine.EngineException e) {
          // The teacher passed the sample batch in prepare(): a failure now is in the teacher (a TorchScript
          // module that raises on some input), not in nst4j; name it, and where.
          throw new IllegalArgumentException("the teacher " + teacher.architecture() + " failed at epoch " + epoch
              + ", batch " + b + ": " + firstLine(e));
        }
      }
      mark(PhaseTimer.Phase.TEACHER);
      LossTerms terms;
      NDArray logits;
      try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
        ModelOutput studentOut =
            ModelOutput.of(student.forward(studentStore, new NDList(x), true), student);
        mark(PhaseTimer.Phase.STUDENT_FORWARD);
        objective.setBatchIndices(batch.indices()); // for IndexedTerms (CRD)
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
          throw new NonFiniteLossException(term.getKey(), v, epoch, b, checkpointKept(epoch));
        }
        values.put(term.getKey(), v);
        total += v;
      }
      checkNotDiverging(total, epoch, b);
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

  /**
   * The divergence guard: a loss over {@code divergenceFactor} times the running mean of the run's earlier
   * batch losses stops the run before the update, like a NaN (a loss growing towards 1e16 while staying
   * finite would otherwise finish at chance accuracy). The reference is the lowest value the running mean
   * has had: a diverging run drags its own running mean up (to 1e8 within an epoch at --lr 30), and would
   * never exceed it by much; in a healthy run the running mean only falls, so its lowest value is its
   * current one.
   */
  private void checkNotDiverging(double total, int epoch, int b) {
    if (divergenceFactor > 0 && lossCount >= DIVERGENCE_WARMUP_BATCHES && lowestMean > 0
        && total > divergenceFactor * lowestMean) {
      throw NonFiniteLossException.diverged(total, lowestMean, divergenceFactor, epoch, b, checkpointKept(epoch));
    }
    lossSum += total;
    lossCount++;
    lowestMean = Math.min(lowestMean, lossSum / lossCount);
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

    /** Takes the sums of a checkpoint taken mid-epoch; returns the batches they cover. */
    int restore(Checkpoint.Partial p) {
      termSums.putAll(p.termSums());
      lossSum = p.lossSum();
      correct = p.correct();
      seen = p.seen();
      batches = p.batches();
      return batches;
    }

    Checkpoint.Partial partial(int b, double seconds) {
      return new Checkpoint.Partial(b, lossSum, termSums, correct, seen, seconds);
    }

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
    private TrainingRecipe config;
    private final List<LoopListener> listeners = new ArrayList<>();
    private Path checkpointFile;
    private PhaseTimer timer;
    private double divergenceFactor = DEFAULT_DIVERGENCE_FACTOR;

    private Builder() {}

    /**
     * Stops the run when a batch loss exceeds {@code factor} times the (lowest) running mean of the run's
     * earlier batch losses; default {@value #DEFAULT_DIVERGENCE_FACTOR}.
     *
     * @param factor 0 to turn the guard off, or a finite number &gt; 1
     * @throws IllegalArgumentException otherwise
     */
    public Builder optDivergenceFactor(double factor) {
      checkDivergenceFactor(factor);
      this.divergenceFactor = factor;
      return this;
    }

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

    public Builder setConfig(TrainingRecipe config) {
      this.config = config;
      return this;
    }

    public Builder addListener(LoopListener listener) {
      this.listeners.add(listener);
      return this;
    }

    /** Adds listeners, in order, after those already added. */
    public Builder addListeners(java.util.Collection<? extends LoopListener> more) {
      more.forEach(this::addListener);
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

package org.nst4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import ai.djl.training.dataset.RandomAccessDataset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.nst4j.data.BatchLoader;
import org.nst4j.data.BatchSource;
import org.nst4j.data.ImageBatch;
import org.nst4j.data.ImageDataset;
import org.nst4j.data.Normalization;
import org.nst4j.deploy.onnx.OnnxTeacher;
import org.nst4j.model.ModelOutput;
import org.nst4j.model.TappedModel;
import org.nst4j.transfer.Objective;

/**
 * The one training loop of nst4j, for teachers (objective {@code ce}, no teacher) and students (any
 * objective, a frozen teacher), alone or several side by side.
 *
 * <p>Per batch: the teacher runs first, in inference mode and outside any gradient collector (only one
 * collector may be open, and the teacher needs no graph); its outputs are detached and live in the batch's
 * sub-manager, which outlives every student's step of that batch. For the run, the frozen teacher's
 * BatchNorm layers are folded into its convolutions ({@link TappedModel#foldBatchNorm()}: the same outputs
 * up to float rounding, about a quarter less teacher time), and unfolded at the end. The teacher's forward runs
 * in libtorch or, by default on the CPU, in ONNX Runtime ({@link TeacherRuntime}, {@link OnnxTeacher}: the same
 * folded graph; as fast in the loop for FMNIST-10k's ResNet-20, faster as the teacher grows). Each student
 * ({@link StudentTrainer}) then runs in training mode inside its own collector, in its own sub-manager closed
 * after its update (which keeps resident memory flat across epochs): objective, backward pass, Nesterov SGD
 * on the student and the objective's auxiliary parameters.
 *
 * <p>Several students ({@link #together}): batches are a pure function of (seed, epoch) ({@link BatchLoader}),
 * so students of one seed and batch recipe see the same batches; the teacher then runs once per batch for
 * all of them (issue 17, item 4). Each student keeps its own optimiser, objective, checkpoint, listeners and
 * divergence guard, and takes exactly the steps it would take alone: its results are bit-identical to a run
 * trained alone (TrainingRunTest proves it). Students may stand at different positions (one resumed from a
 * mid-epoch checkpoint, one from epoch 3, one new): the loop starts at the earliest and each student joins at
 * its own position. A student that fails (a NaN, a diverging loss) ends alone, the others go on; a stop
 * request (StopSignal) checkpoints every student at the same step.
 *
 * <p>For Java users: {@link #builder()} takes the data as nst4j's {@link ImageDataset}s or as any DJL
 * {@link RandomAccessDataset} ({@link DjlDatasetBatches} says which), a checkpoint folder and whether to resume
 * from it; {@link #run()} then trains. The batches come from a {@link BatchSource}, the same for both forms.
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

  private final List<StudentTrainer> students;
  private final NDManager manager; // the batches' sub-managers are made from it (the first student's)
  private final TappedModel teacher;
  private final Object train; // the ImageDataset or DJL dataset the batches are cut from (loops together share it)
  private final Normalization normalization; // an ImageDataset's; null for a DJL dataset (fed as it is)
  private final TrainingRecipe config; // the batch stream's recipe (seed, batch size, augmentation, epochs)
  private final PhaseTimer timer;
  private final BatchSource loader;
  private final boolean resume; // the builder's optResume: what prepare() and run() do
  private final List<EpochRecord> previous; // the records of the run resumed (from its checkpoint folder's log)
  private final TeacherRuntime teacherRuntime;
  private OnnxTeacher onnxTeacher; // the teacher in ONNX Runtime, for one runEach, made at its first batch

  // Set by prepare().
  private ParameterStore teacherStore;

  /**
   * What one student's run came to.
   *
   * @param records its per-epoch records, earlier (resumed) epochs included; empty if it failed
   * @param failure why it ended early (a {@link NonFiniteLossException}, {@link StopSignal.Stopped}, an
   *     engine error...), or null if it trained every epoch
   */
  public record Outcome(List<EpochRecord> records, RuntimeException failure) {
    /** Copies the records. */
    public Outcome {
      records = List.copyOf(records);
    }
  }

  private TrainingLoop(List<StudentTrainer> students, NDManager manager, TappedModel teacher, Object train,
      Normalization normalization, TrainingRecipe config, PhaseTimer timer, BatchSource loader,
      ParameterStore teacherStore, boolean resume, List<EpochRecord> previous, TeacherRuntime teacherRuntime) {
    this.students = List.copyOf(students);
    this.teacherRuntime = teacherRuntime;
    this.manager = manager;
    this.teacher = teacher;
    this.train = train;
    this.normalization = normalization;
    this.config = config;
    this.timer = timer;
    this.loader = loader;
    this.teacherStore = teacherStore;
    this.resume = resume;
    this.previous = List.copyOf(previous);
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

  /** A builder of a loop of one student. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * One loop training the students of {@code loops} side by side: one batch stream, one teacher forward per
   * batch. The loops must be prepared ({@link #prepare}) and share the teacher (the same instance, or none),
   * the training set, its normalisation and the batch stream's recipe (seed, batch size, last-batch policy,
   * augmentation, epochs); learning rates, schedules, weight decay and objectives may differ.
   *
   * @param loops prepared loops, in the order their students step
   * @return the joint loop; the given loops must not be run any more
   * @throws IllegalArgumentException if the loops cannot share their batches and teacher, or one is not prepared
   */
  public static TrainingLoop together(List<TrainingLoop> loops) {
    if (loops.isEmpty()) {
      throw new IllegalArgumentException("no loop to run");
    }
    TrainingLoop first = loops.get(0);
    List<StudentTrainer> all = new ArrayList<>();
    for (TrainingLoop l : loops) {
      if (l.teacherStore == null || l.students.stream().anyMatch(s -> !s.isPrepared())) {
        throw new IllegalArgumentException("prepare() every loop before running them together");
      }
      String why = l.teacher != first.teacher ? "another teacher"
          : l.train != first.train ? "another training set"
          : !Objects.equals(l.normalization, first.normalization) ? "another normalisation"
          : !sameBatchStream(l.config, first.config) ? "another batch stream (seed, batch size, augmentation or"
              + " epochs: " + l.config + " vs " + first.config + ")"
          : l.teacherRuntime != first.teacherRuntime ? "another teacher runtime (" + l.teacherRuntime + " vs "
              + first.teacherRuntime + ")"
          : null;
      if (why != null) {
        throw new IllegalArgumentException("cannot train these runs side by side: one has " + why);
      }
      all.addAll(l.students);
    }
    return new TrainingLoop(all, first.manager, first.teacher, first.train, first.normalization, first.config,
        first.timer, first.loader, first.teacherStore, false, List.of(), first.teacherRuntime);
  }

  /** Whether two recipes give the same batches, epoch for epoch (and the same number of epochs). */
  private static boolean sameBatchStream(TrainingRecipe a, TrainingRecipe b) {
    return a.seed() == b.seed() && a.batchSize() == b.batchSize() && a.dropLast() == b.dropLast()
        && a.augmentation().equals(b.augmentation()) && a.epochs() == b.epochs();
  }

  /**
   * Checks that the objective, the models and the data fit together, and restores the checkpoint when the
   * builder asked to resume ({@link Builder#optResume}), without writing anything: the caller can then create
   * its output knowing that the input is good. Runs the first batch through the student and the teacher
   * (inference mode, no BatchNorm statistic moves), initialises the objective from those outputs (FitNet builds
   * its regressor; taps are resolved) and evaluates it once, so that an unknown tap or maps that cannot be
   * aligned are refused here rather than in the first training step. Idempotent; {@link #run()} calls it if
   * the caller did not.
   *
   * @throws IllegalArgumentException if the data, models and objective do not fit, or the checkpoint is not
   *     one of this run
   */
  public void prepare() {
    prepare(resume);
  }

  /**
   * {@link #prepare()}, resuming or not whatever the builder said (the CLI's runs decide per run folder).
   *
   * @param resume restore the checkpoint file if it exists
   */
  void prepare(boolean resume) {
    if (teacherStore == null) {
      teacherStore = new ParameterStore(manager, false);
    }
    for (StudentTrainer s : students) {
      s.prepare(loader, teacher, teacherStore, resume);
    }
  }

  /** The first epoch {@link #run} trains: 1, or the one after the restored checkpoint (the earliest student's). */
  public int firstEpoch() {
    return students.stream().mapToInt(StudentTrainer::firstEpoch).min().orElse(1);
  }

  /** The source of the training batches; for tests. */
  BatchSource loader() {
    return loader;
  }

  /**
   * Trains the loop's one student: from scratch, or, when the builder asked to resume
   * ({@link Builder#optResume}) and its checkpoint exists, from that checkpoint (mid-epoch included), with the
   * earlier epochs' records read from the checkpoint folder's {@code epochs.jsonl}. A run stopped on request
   * ({@link StopSignal}) and built again with {@code optResume(true)} ends with the same weights and epoch
   * records (timings aside) as an uninterrupted one.
   *
   * @return the per-epoch records of the whole run (the resumed run's earlier epochs included when they were
   *     logged in a checkpoint folder)
   * @throws NonFiniteLossException if a loss term becomes NaN or infinite
   * @throws StopSignal.Stopped if stopped on request (checkpoint written)
   * @throws IllegalStateException if the loop trains several students (use {@link #runEach})
   */
  public List<EpochRecord> run() {
    return run(resume, previous);
  }

  /**
   * Runs the training of a loop of one student from scratch, or from the checkpoint when {@code resume} is
   * true and it exists.
   *
   * @param resume continue from {@code checkpointFile} if present (ignored if {@link #prepare} ran before)
   * @param previous epoch records of the interrupted run (used when resuming, for best accuracy)
   * @return the per-epoch records of the whole run
   */
  List<EpochRecord> run(boolean resume, List<EpochRecord> previous) {
    if (students.size() != 1) {
      throw new IllegalStateException("a loop of " + students.size() + " students: use runEach");
    }
    prepare(resume);
    Outcome o = runEach(List.of(previous)).get(0);
    if (o.failure() != null) {
      throw o.failure();
    }
    return o.records();
  }

  /** The records of the run resumed, read from the checkpoint folder's log when building (empty if none). */
  List<EpochRecord> previous() {
    return previous;
  }

  /**
   * Trains every student to the end of its epochs, or until it fails, or until a stop is requested
   * ({@link StopSignal}: every student is checkpointed at the same step and its outcome is the
   * {@link StopSignal.Stopped} exception).
   *
   * @param previous per student, in order, the epoch records of its interrupted run (empty for a new run)
   * @return per student, in order, its records or why it ended early
   * @throws IllegalArgumentException if {@code previous} does not hold one list per student
   * @throws IllegalStateException if the loop is not prepared
   */
  public List<Outcome> runEach(List<List<EpochRecord>> previous) {
    if (previous.size() != students.size()) {
      throw new IllegalArgumentException(previous.size() + " record lists for " + students.size() + " students");
    }
    if (teacherStore == null || students.stream().anyMatch(s -> !s.isPrepared())) {
      throw new IllegalStateException("prepare() the loop first");
    }
    int batches = loader.batchesPerEpoch();
    boolean anyTeacher = teacher != null && students.stream().anyMatch(StudentTrainer::needsTeacher);
    boolean foldTeacher = anyTeacher && !teacher.isBatchNormFolded();
    if (foldTeacher) {
      teacher.foldBatchNorm();
    }
    try {
      for (int i = 0; i < students.size(); i++) {
        students.get(i).start(previous.get(i), batches);
      }
      for (int epoch = firstEpoch(); epoch <= config.epochs(); epoch++) {
        int from = batches;
        for (StudentTrainer s : students) {
          int at = s.beginEpoch(epoch);
          if (at >= 0) {
            from = Math.min(from, at);
          }
        }
        int b = from;
        for (Iterator<ImageBatch> it = loader.epoch(epoch - 1, from); it.hasNext() && from < batches; ) {
          b++;
          trainBatch(it, epoch, b);
          if (b < batches && StopSignal.process().requested() != null) { // the epoch's last step ends below
            for (StudentTrainer s : students) {
              s.stopAfter(epoch, b);
            }
            throw stopped(epoch, b, batches);
          }
        }
        for (StudentTrainer s : students) {
          s.endEpoch(epoch, batches);
        }
        if (epoch < config.epochs() && StopSignal.process().requested() != null) {
          throw stopped(epoch, batches, batches);
        }
      }
    } catch (RuntimeException e) {
      // A stop request, or a failure of the teacher: every student still training ends with it.
      for (StudentTrainer s : students) {
        s.failUnlessDone(e);
      }
    } finally {
      for (StudentTrainer s : students) {
        s.close();
      }
      if (onnxTeacher != null) {
        onnxTeacher.close();
        onnxTeacher = null;
      }
      if (foldTeacher) {
        teacher.unfoldBatchNorm();
      }
    }
    List<Outcome> outcomes = new ArrayList<>();
    for (StudentTrainer s : students) {
      outcomes.add(s.failure() != null ? new Outcome(List.of(), s.failure()) : new Outcome(s.records(), null));
    }
    return outcomes;
  }

  /**
   * One batch for every student that trains it: the batch is made and the teacher run once, in a sub-manager
   * that outlives every student's step; each student's time is its own step plus an equal share of that.
   */
  private void trainBatch(Iterator<ImageBatch> it, int epoch, int b) {
    List<StudentTrainer> stepping = new ArrayList<>();
    for (StudentTrainer s : students) {
      if (s.trains(b)) {
        stepping.add(s);
      }
    }
    long start = System.nanoTime();
    if (timer != null) {
      timer.start();
    }
    ImageBatch batch = it.next();
    if (stepping.isEmpty()) {
      return; // every student still training starts later in this epoch (resumed from a mid-epoch checkpoint)
    }
    try (NDManager scope = manager.newSubManager()) {
      ModelOutput teacherOut = null;
      if (teacher != null && stepping.stream().anyMatch(StudentTrainer::needsTeacher)) {
        try {
          // Every tap, main and pre-ReLU, comes out of the one forward: the union of what the students read.
          if (teacherRuntime == TeacherRuntime.ONNX_RUNTIME) {
            mark(PhaseTimer.Phase.DATA);
            if (onnxTeacher == null) {
              // Made here, from the folded weights, with the batch's image size; as many threads as libtorch's.
              onnxTeacher = OnnxTeacher.of(teacher, new ai.djl.ndarray.types.Shape(batch.channels(), batch.height(),
                  batch.width()), ai.djl.pytorch.jni.JniUtils.getNumThreads());
            }
            teacherOut = onnxTeacher.forward(scope, batch); // no graph: ONNX Runtime's outputs are plain arrays
          } else {
            NDArray x = ModelAccuracy.toImages(scope, batch);
            mark(PhaseTimer.Phase.DATA);
            teacherOut = ModelOutput.of(teacher.forward(teacherStore, new NDList(x), false), teacher).stopGradient();
          }
        } catch (ai.djl.engine.EngineException e) {
          // The teacher passed the sample batch in prepare(): a failure now is in the teacher (a TorchScript
          // module that raises on some input), not in nst4j; name it, and where.
          throw new IllegalArgumentException("the teacher " + teacher.architecture() + " failed at epoch " + epoch
              + ", batch " + b + ": " + firstLine(e));
        }
      } else {
        mark(PhaseTimer.Phase.DATA);
      }
      mark(PhaseTimer.Phase.TEACHER);
      double shared = (System.nanoTime() - start) / 1e9 / stepping.size();
      for (StudentTrainer s : stepping) {
        s.step(batch, teacherOut, epoch, b, shared, timer);
      }
      if (timer != null) {
        timer.endStep();
      }
    }
  }

  /** The exception ending a run stopped on request after batch {@code b} of {@code epoch}, checkpoints written. */
  private StopSignal.Stopped stopped(int epoch, int b, int batches) {
    List<Path> files = students.stream().map(StudentTrainer::checkpointFile).filter(f -> f != null).toList();
    String where = files.isEmpty() ? " (no checkpoint file)"
        : "; checkpoint" + (files.size() == 1 ? " written to " + files.get(0)
            : "s written for " + files.size() + " runs (" + files.get(0) + ", ...)")
        + "; resuming continues from it (train, distill: --resume; experiment, sweep: the same command)";
    return new StopSignal.Stopped(StopSignal.process().requested() + ": stopped after batch " + b + "/" + batches
        + " of epoch " + epoch + "/" + config.epochs() + where);
  }

  static String firstLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  private void mark(PhaseTimer.Phase phase) {
    if (timer != null) {
      timer.mark(phase);
    }
  }

  /**
   * Builder of a loop of one student. Required: the student and its manager ({@link #setStudent}), the objective,
   * the data ({@link #setData(ImageDataset, ImageDataset, Normalization)} or
   * {@link #setData(RandomAccessDataset, RandomAccessDataset)}) and the recipe ({@link #setConfig}). Optional: a
   * teacher, listeners, where checkpoints go ({@link #optCheckpointFolder} or {@link #optCheckpoint}) and
   * whether to resume from there ({@link #optResume}). {@link #build()} checks that the parts fit.
   */
  public static final class Builder {
    private TappedModel student;
    private NDManager manager;
    private TappedModel teacher;
    private Objective objective;
    private ImageDataset train;
    private ImageDataset test;
    private Normalization normalization;
    private RandomAccessDataset djlTrain;
    private RandomAccessDataset djlTest;
    private TrainingRecipe config;
    private final List<LoopListener> listeners = new ArrayList<>();
    private Path checkpointFile;
    private Path checkpointFolder;
    private boolean resume;
    private PhaseTimer timer;
    private double divergenceFactor = DEFAULT_DIVERGENCE_FACTOR;
    private TeacherRuntime teacherRuntime;

    private Builder() {}

    /**
     * Where the teacher's forward runs (default: {@link TeacherRuntime#defaultFor(TappedModel, ai.djl.Device)}).
     * ONNX Runtime runs on the CPU only and needs a teacher {@link org.nst4j.model.ModelGraph} can describe (the
     * zoo's models); {@link #build} refuses it otherwise.
     */
    public Builder optTeacherRuntime(TeacherRuntime runtime) {
      this.teacherRuntime = Objects.requireNonNull(runtime, "runtime");
      return this;
    }

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

    /**
     * The model to train and the manager owning its parameters (a DJL dataset's items are read in its
     * sub-managers).
     */
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

    /**
     * nst4j's own data: 8-bit images, normalised and augmented (as the recipe says) batch by batch
     * ({@link BatchLoader}). Replaces DJL datasets given before.
     *
     * @param train the training set
     * @param test the test set evaluated after every epoch, or null (test accuracy NaN)
     * @param normalization the normalisation of both
     */
    public Builder setData(ImageDataset train, ImageDataset test, Normalization normalization) {
      this.train = train;
      this.test = test;
      this.normalization = normalization;
      this.djlTrain = null;
      this.djlTest = null;
      return this;
    }

    /**
     * A DJL user's data, fed as it is, in nst4j's seeded order ({@link DjlDatasetBatches} says which datasets
     * work: float32 images (C, H, W), already normalised, and integer or float32 labels). The recipe must not
     * augment ({@code TrainingRecipe.Builder.optAugment(false)}). Replaces nst4j data sets given before.
     *
     * @param train the training set
     * @param test the test set evaluated after every epoch, or null (test accuracy NaN)
     */
    public Builder setData(RandomAccessDataset train, RandomAccessDataset test) {
      this.djlTrain = train;
      this.djlTest = test;
      this.train = null;
      this.test = null;
      this.normalization = null;
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

    /**
     * Where to write a checkpoint after every epoch (and when stopped on request) and resume from
     * ({@link #optResume}); no epoch log is kept, so a resumed {@link #run()} returns the records of the epochs
     * it trained only. Exclusive with {@link #optCheckpointFolder}.
     */
    public Builder optCheckpoint(Path file) {
      this.checkpointFile = file;
      return this;
    }

    /**
     * A folder for the run's {@code checkpoint.bin} (written after every epoch, and when stopped on request) and
     * {@code epochs.jsonl} (one {@link EpochRecord} per line, as the CLI's run folders have them), created when
     * the run starts (not by building). Without {@link #optResume} a run starts afresh and rewrites both. Exclusive with
     * {@link #optCheckpoint}.
     */
    public Builder optCheckpointFolder(Path folder) {
      this.checkpointFolder = folder;
      return this;
    }

    /**
     * Whether to continue from the checkpoint (default false): when it exists, {@link TrainingLoop#run()}
     * restores it — weights, optimiser, the objective's modules and state, the position inside an epoch — and
     * trains the rest, ending as an uninterrupted run would; when it does not exist yet, the run starts afresh
     * (so the same program can be restarted after a stop). Needs {@link #optCheckpointFolder} (then the earlier
     * epochs' records are read from its log) or {@link #optCheckpoint}.
     */
    public Builder optResume(boolean resume) {
      this.resume = resume;
      return this;
    }

    /**
     * Checks that the parts are present and fit, and builds the loop.
     *
     * @throws IllegalStateException if a required part is missing, both checkpoint options are given, or resume
     *     is asked without a checkpoint
     * @throws IllegalArgumentException if the data does not fit the models or the recipe (channels, labels, an
     *     epoch without a full batch, augmentation of a DJL dataset), or the folder's epoch log cannot be read
     */
    public TrainingLoop build() {
      if (student == null || manager == null || objective == null || config == null
          || (train == null && djlTrain == null) || (train != null && normalization == null)) {
        throw new IllegalStateException("student, objective, data and config are required (missing: "
            + String.join(", ", missing()) + ")");
      }
      if (checkpointFile != null && checkpointFolder != null) {
        throw new IllegalStateException("give optCheckpoint(file) or optCheckpointFolder(folder), not both");
      }
      if (resume && checkpointFile == null && checkpointFolder == null) {
        throw new IllegalStateException("optResume(true) needs optCheckpointFolder(folder) or optCheckpoint(file)"
            + " to resume from");
      }
      BatchSource batches;
      BatchSource evaluation;
      int channels;
      if (train != null) {
        batches = new BatchLoader(train, config.batchSize(), true, config.dropLast(), config.augmentation(),
            normalization, config.seed());
        evaluation = test == null ? null : BatchLoader.forEvaluation(test, config.evalBatchSize(), normalization);
        channels = train.channels();
      } else {
        DjlDatasetBatches djl = DjlDatasetBatches.forTraining(djlTrain, manager, config, student.numClasses());
        batches = djl;
        DjlDatasetBatches djlEval = djlTest == null ? null
            : DjlDatasetBatches.forEvaluation(djlTest, manager, config.evalBatchSize(), student.numClasses());
        if (djlEval != null && !djlEval.imageShape().equals(djl.imageShape())) {
          throw new IllegalArgumentException("the test set's images have shape " + djlEval.imageShape()
              + ", the training set's " + djl.imageShape());
        }
        evaluation = djlEval;
        channels = djl.channels();
      }
      if (channels != student.inputChannels()) {
        throw new IllegalArgumentException("the data has " + channels + " channels, the model "
            + student.architecture() + " was built for " + student.inputChannels());
      }
      if (teacher != null && teacher.inputChannels() != channels) {
        throw new IllegalArgumentException("the teacher takes " + teacher.inputChannels()
            + " input channels, the data has " + channels);
      }
      TeacherRuntime runtime = teacherRuntime;
      if (runtime == null) {
        runtime = teacher == null ? TeacherRuntime.LIBTORCH : TeacherRuntime.defaultFor(teacher, manager.getDevice());
      }
      if (runtime == TeacherRuntime.ONNX_RUNTIME && teacher != null) {
        checkOnnxTeacher(teacher, manager.getDevice());
      }
      List<LoopListener> all = new ArrayList<>();
      List<EpochRecord> previous = List.of();
      Path checkpoint = checkpointFile;
      if (checkpointFolder != null) {
        RunFolder folder = new RunFolder(checkpointFolder);
        checkpoint = folder.checkpoint();
        try {
          if (resume && Files.isRegularFile(checkpoint)) {
            previous = folder.readEpochLog();
          }
        } catch (IOException e) {
          throw new UncheckedIOException(checkpointFolder + ": " + e.getMessage(), e);
        }
        all.add(new EpochLogWriter(folder, previous)); // first: an epoch is logged before others see it
      }
      all.addAll(listeners);
      StudentTrainer one = new StudentTrainer(student, manager, objective, evaluation, config, all, checkpoint,
          divergenceFactor);
      return new TrainingLoop(List.of(one), manager, teacher, train != null ? train : djlTrain, normalization,
          config, timer, batches, null, resume, previous, runtime);
    }

    /** Refuses the ONNX Runtime teacher where it cannot run, naming the way out. */
    private static void checkOnnxTeacher(TappedModel teacher, ai.djl.Device device) {
      String why = device.isGpu() ? "runs on the CPU, this run on " + device
          : !org.nst4j.model.ModelGraph.describes(teacher) ? "needs a teacher nst4j can describe as a graph (the zoo's"
              + " models), not " + teacher.architecture() + " (" + teacher.getClass().getSimpleName() + ")"
          : !TeacherRuntime.onnxRuntimeAvailable() ? "needs com.microsoft.onnxruntime:onnxruntime on the class path"
          : null;
      if (why != null) {
        throw new IllegalArgumentException("the onnxruntime teacher runtime " + why + "; use --teacher-runtime"
            + " libtorch");
      }
    }

    private List<String> missing() {
      List<String> m = new ArrayList<>();
      if (student == null || manager == null) {
        m.add("setStudent");
      }
      if (objective == null) {
        m.add("setObjective");
      }
      if (train == null && djlTrain == null || train != null && normalization == null) {
        m.add("setData");
      }
      if (config == null) {
        m.add("setConfig");
      }
      return m;
    }
  }
}

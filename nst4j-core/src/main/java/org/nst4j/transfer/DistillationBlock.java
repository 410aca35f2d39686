package org.nst4j.transfer;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.listener.TrainingListenerAdapter;
import ai.djl.util.PairList;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.nst4j.model.ModelOutput;
import org.nst4j.model.TappedModel;

/**
 * Distillation inside a plain DJL training loop: the block a DJL {@link Model} trains, holding the student and
 * the objective's trained modules (FitNet's regressors, VID's, OFD's connectors, ReviewKD's fusion) as its
 * parameters, and running the frozen teacher on every batch; {@link #loss()} is the matching DJL {@link
 * ai.djl.training.loss.Loss}. With them {@code EasyTrain.fit(trainer, epochs, anyDjlDataset, test)} distils:
 *
 * <pre>{@code
 * DistillationBlock block = DistillationBlock.builder()
 *     .setStudent(student).setTeacher(teacher).setMethod("kd+nst-poly").build();
 * model.setBlock(block);
 * Trainer trainer = model.newTrainer(new DefaultTrainingConfig(block.loss())
 *     .addTrainingListeners(block.epochListener()));
 * trainer.initialize(new Shape(1, 1, 28, 28));
 * EasyTrain.fit(trainer, 2, train, test);
 * }</pre>
 *
 * <p><b>How logits and taps travel.</b> The block's forward output is the student's {@code [logits, taps...,
 * pre-ReLU taps...]} (as {@link TappedModel}'s, so index 0 is the logits DJL's {@code Accuracy} reads), then,
 * when the objective reads the teacher, the teacher's output in the same layout, cut from the autograd graph.
 * {@link #loss()} splits that list by the two models' tap counts. The labels are {@code labels.get(0)}: B class
 * indices, int32/int64 or float (DJL's {@code ArrayDataset} gives float32) holding whole numbers.
 *
 * <p><b>Where the teacher runs, and why there.</b> DJL 0.36's {@code EasyTrain.trainBatch} opens the gradient
 * collector, then per split calls {@code trainer.forward}, {@code loss.evaluate} and {@code backward}, and only
 * after closing the collector notifies {@code TrainingListener.onTrainingBatch}: a listener cannot supply the
 * teacher's outputs before the loss, and a second collector cannot be opened. So the teacher runs inside this
 * block's forward, inside the collector, without gradients: its parameters are frozen (none requires a
 * gradient: the factories in {@code org.nst4j.train.Teachers} freeze them), it runs in inference mode with its
 * own {@link ParameterStore}, and its outputs are detached, so libtorch records no graph for it and the
 * trainer's optimiser never sees it (it is not a child block). As nst4j's own loop does, {@link Builder#build}
 * folds the teacher's BatchNorms into its convolutions ({@link TappedModel#foldBatchNorm()}: the same outputs up
 * to float rounding, about a quarter less teacher time); {@code teacher.unfoldBatchNorm()} undoes it, should
 * the teacher ever be trained again ({@link Builder#optFoldTeacher} keeps it as it is).
 *
 * <p><b>Trained modules.</b> {@link #initialize} builds the student, then runs a probe batch of the input shape
 * (zeros, inference mode: no running statistic moves) through both models and builds the objective's modules
 * from the shapes seen ({@link Objective#initialize}). Their parameters are this block's ({@link
 * #getParameters()} lists them, before the student's, as {@code objective_<i>_<name>}), so {@code
 * trainer.initialize} hands them to the trainer's optimiser; a training forward also registers them in the
 * trainer's parameter store. Only one device is supported (nst4j trains on the CPU).
 *
 * <p><b>Saving.</b> {@link #saveParameters} writes the student's parameters alone (as the student's own {@code
 * saveParameters} would), so the saved or exported model is the student without the modules; to save with a
 * card, give the student to {@code ModelStore.save} in a model of its own.
 *
 * <p>Each loss value is computed once per training batch in training mode (the modules' BatchNorms on batch
 * statistics); DJL evaluates the loss a second time for its metrics after the step, and that call returns the
 * value already computed rather than moving the running statistics again. Validation batches are computed in
 * inference mode.
 */
public final class DistillationBlock extends AbstractBlock {
  private static final byte VERSION = 1;

  private final TappedModel student;
  private final TappedModel teacher;
  private final Objective objective;
  private final long seed;
  private final List<Parameter> modules = new ArrayList<>();
  private final List<ai.djl.util.Pair<String, Parameter>> moduleList = new ArrayList<>();
  private final DistillationLoss loss;
  private ParameterStore teacherStore;
  /** The student logits of the last training forward, and the loss computed from them (identity only). */
  private NDArray lastTrainingLogits;
  private NDArray lastTrainingLoss;

  private DistillationBlock(Builder b, Objective objective) {
    super(VERSION);
    this.student = addChildBlock("student", b.student);
    this.teacher = b.teacher;
    this.objective = objective;
    this.seed = b.seed;
    this.loss = new DistillationLoss(this);
  }

  /** A builder: student, teacher and method are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The student (a child of this block; what to save and export after training). */
  public TappedModel student() {
    return student;
  }

  /** The frozen teacher, or null for an objective that reads none ({@code ce}). */
  public TappedModel teacher() {
    return teacher;
  }

  /** The normalised method string, e.g. {@code kd+nst-poly}. */
  public String method() {
    return objective.method();
  }

  /** The DJL loss that evaluates the objective on this block's output (one per block). */
  public DistillationLoss loss() {
    return loss;
  }

  /**
   * A DJL training listener that tells the objective's terms which epoch begins ({@link
   * Objective#beginEpoch}), for the methods with a warm-up (DKD, ReviewKD, ...): epoch 1 when training begins,
   * then one more after each {@code onEpoch}. Without it those terms stay at full weight.
   *
   * @return a new listener, to add to the training config
   */
  public TrainingListener epochListener() {
    return new TrainingListenerAdapter() {
      private int epoch = 1;

      @Override
      public void onTrainingBegin(Trainer trainer) {
        epoch = 1;
        objective.beginEpoch(epoch);
      }

      @Override
      public void onEpoch(Trainer trainer) {
        objective.beginEpoch(++epoch);
      }
    };
  }

  /** The objective's trained parameters (empty before {@link #initialize} or for methods without modules). */
  public List<Parameter> objectiveParameters() {
    return List.copyOf(modules);
  }

  @Override
  public ParameterList getDirectParameters() {
    return new ParameterList(moduleList);
  }

  /**
   * Initialises the student, then builds the objective's modules from a probe batch (see the class comment).
   *
   * @throws IllegalArgumentException if the input is not B×C×H×W with the student's channels, or the objective
   *     cannot pair the two models' taps
   */
  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape in = inputShapes[0];
    if (in.dimension() != 4 || in.get(1) != student.inputChannels()) {
      throw new IllegalArgumentException("the input shape must be B×" + student.inputChannels() + "×H×W for "
          + student.architecture() + ", got " + in);
    }
    student.initialize(manager, dataType, inputShapes);
    teacherStore = new ParameterStore(manager, false);
    // Two images at least: the modules' BatchNorms are built from the shapes only, but a batch of one is a
    // degenerate case for the terms' shape checks.
    Shape probe = new Shape(Math.max(2, in.get(0)), in.get(1), in.get(2), in.get(3));
    try (NDManager scope = manager.newSubManager()) {
      NDArray x = scope.zeros(probe, dataType);
      ParameterStore ps = new ParameterStore(scope, false);
      ModelOutput s = ModelOutput.of(student.forward(ps, new NDList(x), false), student);
      ModelOutput t = objective.needsTeacher() ? runTeacher(x) : null;
      objective.initialize(manager, s, t, seed);
    }
    modules.clear();
    moduleList.clear();
    modules.addAll(objective.parameters());
    for (int i = 0; i < modules.size(); i++) {
      moduleList.add(new ai.djl.util.Pair<>("objective_" + i + "_" + modules.get(i).getName(), modules.get(i)));
    }
  }

  private ModelOutput runTeacher(NDArray x) {
    return ModelOutput.of(teacher.forward(teacherStore, new NDList(x), false), teacher).stopGradient();
  }

  /**
   * Runs the student (in the given mode) and the frozen teacher (inference mode, detached).
   *
   * @throws IllegalStateException if the block is not initialised ({@code trainer.initialize(shape)} first)
   */
  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    if (teacherStore == null) {
      throw new IllegalStateException("the distillation block is not initialised; call trainer.initialize(new"
          + " Shape(1, " + student.inputChannels() + ", H, W)) before training or evaluating");
    }
    if (training) {
      for (Parameter p : modules) {
        NDArray held = ps.getValue(p, inputs.head().getDevice(), true);
        if (held != p.getArray()) {
          throw new IllegalStateException("DistillationBlock trains on one device only: the parameter store copied "
              + p.getName() + " to " + inputs.head().getDevice());
        }
      }
    }
    NDList out = new NDList(student.forward(ps, inputs, training, params));
    if (objective.needsTeacher()) {
      ModelOutput t = runTeacher(inputs.head());
      out.add(t.logits());
      out.addAll(t.taps().values());
      out.addAll(t.preReluTaps().values());
    }
    if (training) {
      lastTrainingLogits = out.head();
      lastTrainingLoss = null;
    }
    return out;
  }

  /**
   * The objective on one forward output of this block (what {@link DistillationLoss#evaluate} returns).
   *
   * @param labels {@code labels.get(0)}: the B class indices
   * @param predictions this block's forward output
   * @return the scalar loss
   */
  NDArray evaluate(NDList labels, NDList predictions) {
    if (labels == null || labels.isEmpty()) {
      throw new IllegalArgumentException("the distillation loss needs the labels (labels.get(0)), got none");
    }
    int ns = 1 + student.tapNames().size() + student.preReluTapNames().size();
    int nt = objective.needsTeacher() ? 1 + teacher.tapNames().size() + teacher.preReluTapNames().size() : 0;
    if (predictions.size() != ns + nt) {
      throw new IllegalArgumentException("the distillation loss expects the output of its DistillationBlock ("
          + ns + " student and " + nt + " teacher arrays), got " + predictions.size() + " arrays");
    }
    boolean training = predictions.head() == lastTrainingLogits;
    if (training && lastTrainingLoss != null) {
      return lastTrainingLoss.stopGradient();
    }
    ModelOutput s = ModelOutput.of(new NDList(predictions.subList(0, ns)), student);
    ModelOutput t = nt == 0 ? null : ModelOutput.of(new NDList(predictions.subList(ns, ns + nt)), teacher);
    NDArray total = objective.compute(s, t, labels.head(), training).total();
    if (training) {
      lastTrainingLoss = total;
    }
    return total;
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    List<Shape> out = new ArrayList<>(List.of(student.getOutputShapes(inputShapes)));
    if (objective.needsTeacher()) {
      out.addAll(List.of(teacher.getOutputShapes(inputShapes)));
    }
    return out.toArray(new Shape[0]);
  }

  /** Writes the student's parameters alone (see the class comment). */
  @Override
  public void saveParameters(DataOutputStream os) throws IOException {
    student.saveParameters(os);
  }

  /** Reads parameters written by {@link #saveParameters} (the student's) into the student. */
  @Override
  public void loadParameters(NDManager manager, DataInputStream is)
      throws IOException, ai.djl.MalformedModelException {
    student.loadParameters(manager, is);
  }

  /** Builds a {@link DistillationBlock}. */
  public static final class Builder {
    private TappedModel student;
    private TappedModel teacher;
    private String method;
    private LossOptions options = LossOptions.defaults();
    private long seed;
    private int trainingSetSize;
    private boolean foldTeacher = true;

    private Builder() {}

    /**
     * Whether {@link #build} folds the teacher's BatchNorms into its convolutions (default true; see the class
     * comment).
     *
     * @param fold false to leave the teacher unfolded
     * @return this builder
     */
    public Builder optFoldTeacher(boolean fold) {
      this.foldTeacher = fold;
      return this;
    }

    /**
     * The student to train: a zoo model, a {@code TappedBlock} or any {@link TappedModel}, initialised or not.
     *
     * @param student the student
     * @return this builder
     */
    public Builder setStudent(TappedModel student) {
      this.student = student;
      return this;
    }

    /**
     * The frozen teacher: initialised, with parameters that require no gradient (as {@code
     * org.nst4j.train.Teachers} returns them). Not needed for {@code ce}.
     *
     * @param teacher the teacher
     * @return this builder
     */
    public Builder setTeacher(TappedModel teacher) {
      this.teacher = teacher;
      return this;
    }

    /**
     * The teacher as a DJL model whose block is a {@link TappedModel} (what {@code Teachers} returns); the caller
     * keeps it open while training and closes it after.
     *
     * @param teacher the model
     * @return this builder
     * @throws IllegalArgumentException if its block is not a {@link TappedModel}
     */
    public Builder setTeacher(Model teacher) {
      if (teacher == null || !(teacher.getBlock() instanceof TappedModel t)) {
        throw new IllegalArgumentException("the teacher model's block must be a TappedModel (load it with"
            + " org.nst4j.train.Teachers), got " + (teacher == null ? "null" : teacher.getBlock()));
      }
      this.teacher = t;
      return this;
    }

    /**
     * The objective, as a method string of the registry: {@code kd+nst-poly}, {@code fitnet}, {@code at+nst-poly},
     * ... (see {@link TransferMethods}).
     *
     * @param method the method string
     * @return this builder
     */
    public Builder setMethod(String method) {
      this.method = method;
      return this;
    }

    /**
     * The methods' options (weights, temperature, taps, spatial policy); the defaults otherwise.
     *
     * @param options the options
     * @return this builder
     */
    public Builder optOptions(LossOptions options) {
      this.options = options;
      return this;
    }

    /**
     * The seed of the objective's modules' initialisation (0 otherwise).
     *
     * @param seed the seed
     * @return this builder
     */
    public Builder optSeed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * The number of training images, which the methods that need a training run's context read ({@code ofd},
     * {@code reviewkd}: they also read the teacher's pre-ReLU BatchNorms).
     *
     * @param images N ≥ 1
     * @return this builder
     */
    public Builder optTrainingSetSize(int images) {
      this.trainingSetSize = images;
      return this;
    }

    /**
     * Builds the block and its objective.
     *
     * @return the block (initialise it through {@code trainer.initialize})
     * @throws IllegalArgumentException if the student or method is missing, the method string is bad, the method
     *     needs a teacher and none is given, the teacher takes other channels or predicts other classes, the
     *     teacher is not initialised or not frozen, a method needs the training set size and none is given, or
     *     the method reads each image's dataset index ({@code crd}), which DJL's trainer does not pass to a loss
     */
    public DistillationBlock build() {
      if (student == null) {
        throw new IllegalArgumentException("the student is required (setStudent)");
      }
      if (method == null || method.isBlank()) {
        throw new IllegalArgumentException("the method is required (setMethod), e.g. \"kd+nst-poly\"");
      }
      if (options == null) {
        throw new IllegalArgumentException("the options must not be null (LossOptions.defaults())");
      }
      List<TransferMethod> methods = TransferMethods.parse(method);
      for (TransferMethod m : methods) {
        if (m.needsTrainingRun() && trainingSetSize < 1) {
          throw new IllegalArgumentException(m.name() + " needs the training set's size and the teacher's"
              + " BatchNorms: give the number of training images with optTrainingSetSize(n)");
        }
      }
      if (trainingSetSize < 0) {
        throw new IllegalArgumentException("the training set size must be >= 1, got " + trainingSetSize);
      }
      if (teacher != null) {
        checkTeacher();
      }
      TermContext context = trainingSetSize > 0 ? TermContext.of(trainingSetSize, teacher) : TermContext.none();
      Objective objective = Objectives.create(method, options, context);
      if (objective.needsTeacher() && teacher == null) {
        objective.close();
        throw new IllegalArgumentException("method '" + objective.method() + "' needs a teacher (setTeacher)");
      }
      if (objective instanceof CompositeObjective c && c.terms().stream().anyMatch(t -> t instanceof IndexedTerm)) {
        objective.close();
        throw new IllegalArgumentException("method '" + objective.method() + "' reads each image's index in the"
            + " training set, which DJL's trainer does not pass to a loss; train it with nst4j's own loop");
      }
      if (foldTeacher && objective.needsTeacher() && !teacher.isBatchNormFolded()) {
        teacher.foldBatchNorm();
      }
      return new DistillationBlock(this, objective);
    }

    private void checkTeacher() {
      if (teacher.inputChannels() != student.inputChannels()) {
        throw new IllegalArgumentException("the teacher " + teacher.architecture() + " takes "
            + teacher.inputChannels() + " input channels, the student " + student.architecture() + " "
            + student.inputChannels());
      }
      if (teacher.numClasses() != student.numClasses()) {
        throw new IllegalArgumentException("the teacher " + teacher.architecture() + " predicts "
            + teacher.numClasses() + " classes, the student " + student.architecture() + " "
            + student.numClasses());
      }
      if (!teacher.isInitialized()) {
        throw new IllegalArgumentException("the teacher " + teacher.architecture() + " is not initialised (load it"
            + " with org.nst4j.train.Teachers, or initialise and train it first)");
      }
      for (Parameter p : teacher.getParameters().values()) {
        if (p.getArray().hasGradient()) {
          throw new IllegalArgumentException("the teacher " + teacher.architecture() + " is not frozen: parameter "
              + p.getName() + " requires a gradient (Models.setTrainable(teacher, false))");
        }
      }
    }
  }
}

package org.nst4j.detection;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nst4j.data.Normalization;
import org.nst4j.model.ModelOutput;
import org.nst4j.model.TappedModel;
import org.nst4j.transfer.CeMethod;
import org.nst4j.transfer.LossOptions;
import org.nst4j.transfer.TermContext;
import org.nst4j.transfer.TransferMethod;
import org.nst4j.transfer.TransferMethods;
import org.nst4j.transfer.TransferTerm;

/**
 * The transfer terms of a detector trained against a frozen teacher detector, on the two backbones' taps (the
 * dense-prediction setting of feature distillation: the heads are not compared, only the feature maps they read
 * and those below).
 *
 * <p>The methods come from the registry ({@link TransferMethods}) and make their terms exactly as for a
 * classifier ({@link TransferMethod#createTerm(LossOptions, TermContext)}); what differs is the sum. A classifier's
 * objective is CE plus the terms; a detector's is its CenterNet loss plus the terms, so {@code ce} adds nothing
 * here (written alone it means "no teacher"), and a method that reads what only a classifier has — logits and
 * labels (kd, dkd) — or each image's index in a classification training set (crd's memory banks) is refused with a
 * message naming it ({@link #checkMethod}). Methods that read only taps or pre-ReLU taps are accepted: nst-*, at,
 * fitnet, rkd, pkt, sp, kdsvd, vid, ofd, reviewkd.
 *
 * <p>Per batch, as in the classification loop ({@code train.TrainingLoop}): the teacher's backbone runs first, in
 * inference mode with its BatchNorm folded into its convolutions, outside the gradient collector, its outputs
 * detached; then the student inside the collector. The terms' trained modules (FitNet's regressor, VID's and
 * OFD's connectors) are updated with the student ({@link #parameters()}), checkpointed with it, and never saved
 * with the detector.
 */
public final class BackboneDistillation implements AutoCloseable {
  private static final Set<TransferMethod.Input> CLASSIFIER_ONLY =
      EnumSet.of(TransferMethod.Input.LOGITS, TransferMethod.Input.LABELS, TransferMethod.Input.DATASET_INDICES);

  private final String method;
  private final List<TransferTerm> terms;
  private final TappedModel teacher;
  private final String teacherArch;
  private final Normalization teacherNormalization;
  private final ParameterStore teacherStore;
  private boolean folded;

  private BackboneDistillation(String method, List<TransferTerm> terms, DetectorStore.Loaded teacher) {
    this.method = method;
    this.terms = List.copyOf(terms);
    this.teacher = teacher.detector().backbone();
    this.teacherArch = teacher.card().arch();
    this.teacherNormalization = teacher.card().inputNormalization();
    this.teacherStore = new ParameterStore(teacher.manager(), false);
  }

  /**
   * The methods of a method string that a detector can be distilled with.
   *
   * @param method e.g. {@code nst-poly}, {@code at+nst-poly}; {@code ce} alone means no transfer term
   * @return the methods, {@code ce} left out (empty for {@code ce})
   * @throws IllegalArgumentException for an unknown method, or one that reads logits, labels or dataset indices
   */
  public static List<TransferMethod> checkMethod(String method) {
    List<TransferMethod> out = new ArrayList<>();
    for (TransferMethod m : TransferMethods.parse(method)) {
      if (m.name().equals(CeMethod.NAME)) {
        continue; // the detector's own loss takes CE's place
      }
      Set<TransferMethod.Input> wrong = EnumSet.noneOf(TransferMethod.Input.class);
      for (TransferMethod.Input i : m.reads()) {
        if (CLASSIFIER_ONLY.contains(i)) {
          wrong.add(i);
        }
      }
      if (!wrong.isEmpty()) {
        throw new IllegalArgumentException("--method " + m.name() + " cannot distill a detector: it reads "
            + describe(wrong) + ", which a detector does not have (its CenterNet loss replaces the cross-entropy);"
            + " use a method that reads only feature maps: " + String.join(", ", tapOnlyMethods()));
      }
      out.add(m);
    }
    return out;
  }

  /** The registry's methods a detector can use, in registry order. */
  public static List<String> tapOnlyMethods() {
    List<String> names = new ArrayList<>();
    for (TransferMethod m : TransferMethods.ALL) {
      if (m.readsTaps() && m.reads().stream().noneMatch(CLASSIFIER_ONLY::contains)) {
        names.add(m.name());
      }
    }
    return names;
  }

  private static String describe(Set<TransferMethod.Input> inputs) {
    List<String> words = new ArrayList<>();
    for (TransferMethod.Input i : inputs) {
      words.add(switch (i) {
        case LOGITS -> "a classifier's logits";
        case LABELS -> "class labels";
        case DATASET_INDICES -> "each image's index in a classification training set";
        default -> i.name().toLowerCase(java.util.Locale.ROOT);
      });
    }
    return String.join(" and ", words);
  }

  /**
   * Makes the terms of a method string against a loaded teacher detector.
   *
   * @param method a method string that {@link #checkMethod} accepts, with at least one transfer method
   * @param options the methods' options, taps and spatial policy
   * @param teacher the teacher detector (its manager stays the caller's to close)
   * @param trainingImages the training set's size (for the term context)
   * @return the distillation, not yet initialised
   * @throws IllegalArgumentException if the method is refused or adds no term
   */
  public static BackboneDistillation create(String method, LossOptions options, DetectorStore.Loaded teacher,
      int trainingImages) {
    List<TransferMethod> methods = checkMethod(method);
    if (methods.isEmpty()) {
      throw new IllegalArgumentException("--method " + method + " adds no transfer term, so --teacher would be"
          + " unused; give a method such as nst-poly, at or fitnet, or leave out --teacher");
    }
    TermContext context = TermContext.of(trainingImages, teacher.detector().backbone());
    List<TransferTerm> terms = new ArrayList<>();
    try {
      for (TransferMethod m : methods) {
        terms.add(m.createTerm(options, context));
      }
    } catch (RuntimeException e) {
      terms.forEach(TransferTerm::close);
      throw e;
    }
    return new BackboneDistillation(TransferMethods.normalize(TransferMethods.parse(method)), terms, teacher);
  }

  /** The normalised method string. */
  public String method() {
    return method;
  }

  /** The teacher's input normalisation (its own card's; the student's may differ). */
  public Normalization teacherNormalization() {
    return teacherNormalization;
  }

  /**
   * Runs the frozen teacher's backbone on a batch, without gradients; the first call folds its BatchNorm into
   * its convolutions (the same outputs up to rounding, a quarter less time), which {@link #close} undoes.
   *
   * @param images the batch, normalised with {@link #teacherNormalization()}
   * @return the teacher's taps, detached
   */
  public ModelOutput teacherOutput(NDArray images) {
    if (!folded) {
      teacher.foldBatchNorm();
      folded = true;
    }
    return ModelOutput.of(teacher.forward(teacherStore, new NDList(images), false), teacher).stopGradient();
  }

  /**
   * Builds the terms' trained modules from one batch's outputs and evaluates the terms once, so that taps that
   * do not exist or maps that cannot be compared are refused before training starts.
   *
   * @param manager owner of the trained modules (the student's)
   * @param student the student backbone's output on a sample batch (inference mode)
   * @param teacher the teacher's output on the same batch
   * @param seed initialisation seed of the trained modules
   * @param studentArch the student's architecture, for messages
   * @throws IllegalArgumentException if the terms cannot compare the two backbones
   */
  public void initialize(NDManager manager, ModelOutput student, ModelOutput teacher, long seed, String studentArch) {
    try {
      for (TransferTerm t : terms) {
        t.initialize(manager, student, teacher, seed);
      }
      compute(student, teacher, false);
    } catch (EngineException | IllegalArgumentException e) {
      throw new IllegalArgumentException("--method " + method + " cannot compare the student's backbone "
          + studentArch + " with the teacher's " + teacherArch + ": " + firstLine(e));
    }
    for (TransferTerm t : terms) {
      if (t.saveState() != null) { // crd is refused; a future term with state needs the checkpoint to hold it
        throw new IllegalArgumentException("--method " + t.name() + " keeps a state that detector checkpoints do"
            + " not hold");
      }
    }
  }

  /**
   * The weighted terms on one batch.
   *
   * @param student the student backbone's output (with gradient when training)
   * @param teacher the teacher's, detached
   * @param training trained modules' BatchNorm in training mode
   * @return term name → weighted scalar, in method order
   */
  public Map<String, NDArray> compute(ModelOutput student, ModelOutput teacher, boolean training) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    for (TransferTerm t : terms) {
      out.put(t.name(), t.compute(student, teacher, null, training));
    }
    return out;
  }

  /** Tells every term an epoch begins (warm-ups). */
  public void beginEpoch(int epoch) {
    for (TransferTerm t : terms) {
      t.beginEpoch(epoch);
    }
  }

  /** The terms' trained parameters, in term order (checkpointed, never saved with the detector). */
  public List<Parameter> parameters() {
    List<Parameter> all = new ArrayList<>();
    for (TransferTerm t : terms) {
      all.addAll(t.parameters());
    }
    return all;
  }

  /** Releases the terms' modules and unfolds the teacher's BatchNorm. */
  @Override
  public void close() {
    terms.forEach(TransferTerm::close);
    if (folded) {
      teacher.unfoldBatchNorm();
      folded = false;
    }
  }

  private static String firstLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}

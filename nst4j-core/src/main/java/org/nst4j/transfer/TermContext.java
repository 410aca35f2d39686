package org.nst4j.transfer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nst4j.model.TappedModel;
import org.nst4j.model.TappedModel.BatchNormParameters;

/**
 * What a training run knows that {@link LossOptions} does not, for the methods whose term needs it at
 * construction ({@link TransferMethod#createTerm(LossOptions, TermContext)}): the number of training images
 * (CRD's memory banks) and the frozen teacher's pre-ReLU taps with the BatchNorm (γ, β) that produced each (OFD's
 * margins; ReviewKD's default teacher maps).
 *
 * <p>{@link #none()} is the context of the {@code loss} command and of tests: no run, so the methods that need
 * one refuse with a message saying what is missing ({@link #requireRun}).
 *
 * @param trainingImages N, the size of the training set the run iterates (0: not a training run)
 * @param teacher the teacher's architecture, for messages (null: no teacher)
 * @param teacherPreReluBatchNorms per pre-ReLU tap of the teacher, in its order, the γ and β of the BatchNorm
 *     that produced it (empty for a teacher without pre-ReLU taps, e.g. TorchScript, or no teacher)
 */
public record TermContext(int trainingImages, String teacher, Map<String, BatchNormParameters> teacherPreReluBatchNorms) {

  /** Checks and copies. */
  public TermContext {
    if (trainingImages < 0) {
      throw new IllegalArgumentException("the number of training images must be ≥ 0, got " + trainingImages);
    }
    teacherPreReluBatchNorms = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(teacherPreReluBatchNorms));
  }

  private static final TermContext NONE = new TermContext(0, null, Map.of());

  /** No training run (the {@code loss} command, tests). */
  public static TermContext none() {
    return NONE;
  }

  /**
   * The context of a training run.
   *
   * @param trainingImages the number of training images the run iterates, ≥ 1
   * @param teacher the frozen teacher, initialised (its BatchNorm parameters are read now), or null
   * @return the context
   */
  public static TermContext of(int trainingImages, TappedModel teacher) {
    if (trainingImages < 1) {
      throw new IllegalArgumentException("a training run has at least one image, got " + trainingImages);
    }
    Map<String, BatchNormParameters> bns = new LinkedHashMap<>();
    if (teacher != null) {
      for (String tap : teacher.preReluTapNames()) {
        bns.put(tap, teacher.preReluBatchNorm(tap));
      }
    }
    return new TermContext(trainingImages, teacher == null ? null : teacher.architecture(), bns);
  }

  /** Whether this is a training run's context (not {@link #none()}). */
  public boolean isRun() {
    return trainingImages > 0;
  }

  /** The teacher's pre-ReLU tap names, in order (empty if none). */
  public List<String> teacherPreReluTaps() {
    return List.copyOf(teacherPreReluBatchNorms.keySet());
  }

  /**
   * Refuses a method outside a training run.
   *
   * @param method the method's name
   * @param what what it needs from the run, e.g. "the number of training images"
   * @throws IllegalArgumentException if this is {@link #none()}
   */
  public void requireRun(String method, String what) {
    if (!isRun()) {
      throw new IllegalArgumentException(method + " needs " + what + ", which only a training run (distill)"
          + " provides; it cannot be evaluated on saved tensors");
    }
  }

  /**
   * Refuses a method whose teacher exposes no pre-ReLU taps.
   *
   * @param method the method's name
   * @param hint how to proceed instead, appended to the message (may be empty)
   * @throws IllegalArgumentException if the teacher has no pre-ReLU taps
   */
  public void requireTeacherPreReluTaps(String method, String hint) {
    if (teacherPreReluBatchNorms.isEmpty()) {
      throw new IllegalArgumentException(method + " reads the teacher's pre-ReLU maps (taps <stage>_pre), but the"
          + " teacher " + (teacher == null ? "" : teacher + " ") + "exposes none (a TorchScript teacher has none;"
          + " nst4j's zoo models have them)" + (hint.isEmpty() ? "" : "; " + hint));
    }
  }
}

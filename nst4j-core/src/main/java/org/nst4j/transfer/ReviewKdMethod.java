package org.nst4j.transfer;

import java.util.List;
import java.util.Set;

/**
 * {@code reviewkd}: knowledge review (Chen et al., CVPR 2021; spec part 2, "ReviewKD"), as mdistiller's
 * {@code ReviewKD}: attention-based fusion of the student's levels from deep to shallow, then the hierarchical
 * context loss against the teacher's maps, with a linear warm-up; see {@link ReviewKdTerm}. The fusion modules
 * train with the student and are never exported.
 *
 * <p>Default pairs: each student stage map with the teacher's pre-ReLU map of the same stage ({@code stageN :
 * stageN_pre}), as mdistiller reads the teacher's {@code preact_feats}. So by default it needs a training run
 * whose teacher exposes pre-ReLU taps ({@link TermContext}); a TorchScript teacher is refused unless {@code
 * --taps} names the maps. The warm-up weight min(epoch/warm-up, 1) follows the training loop's epochs. The
 * {@code loss} command refuses it.
 */
public final class ReviewKdMethod implements TransferMethod {
  /** The method's name. */
  public static final String NAME = ReviewKdTerm.NAME;
  /** Weight w (mdistiller's CIFAR-100 1). */
  public static final MethodOption<Double> WEIGHT = MethodOption.real("reviewkd_weight", "--reviewkd-weight", "W",
      "ReviewKD weight", ReviewKdTerm.DEFAULT_WEIGHT, v -> v >= 0, ">= 0", "ReviewKD weight w.");
  /** Warm-up epochs (mdistiller's 20). */
  public static final MethodOption<Integer> WARMUP = MethodOption.integer("reviewkd_warmup", "--reviewkd-warmup",
      "E", "ReviewKD warm-up", ReviewKdTerm.DEFAULT_WARMUP, v -> v >= 0, ">= 0",
      "ReviewKD warm-up epochs: the term is weighted min(epoch/E, 1) (0: no warm-up).");

  ReviewKdMethod() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String paper() {
    return "Chen, Liu, Zhao & Jia 2021, \"Distilling Knowledge via Knowledge Review\"";
  }

  @Override
  public String summary() {
    return "hierarchical context loss of attention-fused student levels against the teacher's pre-ReLU maps";
  }

  @Override
  public Set<Input> reads() {
    return Set.of(Input.TAPS, Input.PRE_RELU_TAPS);
  }

  @Override
  public boolean trainsModules() {
    return true;
  }

  @Override
  public boolean needsTrainingRun() {
    return true;
  }

  @Override
  public List<MethodOption<?>> options() {
    return List.of(WEIGHT, WARMUP);
  }

  @Override
  public List<String> describe(LossOptions o) {
    return List.of("w_review=" + MethodOption.format(o.get(WEIGHT)) + " warm-up " + o.get(WARMUP));
  }

  /** Refused: the teacher's pre-ReLU maps and the warm-up's epochs are a training run's. */
  @Override
  public TransferTerm createTerm(LossOptions o) {
    return createTerm(o, TermContext.none());
  }

  @Override
  public TransferTerm createTerm(LossOptions o, TermContext context) {
    context.requireRun(NAME, "the teacher's pre-ReLU maps and the epochs of its warm-up");
    if (o.taps() == null) {
      context.requireTeacherPreReluTaps(NAME, "name the maps to compare with --taps student:teacher");
    }
    return new ReviewKdTerm(o.get(WEIGHT), o.get(WARMUP), o.taps());
  }
}

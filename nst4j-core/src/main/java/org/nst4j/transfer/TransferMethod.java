package org.nst4j.transfer;

import java.util.List;
import java.util.Set;

/**
 * Everything nst4j knows about one distillation method, in one class: its name, its paper, its typed options
 * with their defaults and rules, what it reads, whether it trains modules of its own, how it is described in
 * reports, and the factory of its loss term.
 *
 * <p>The CLI ({@code distill}, {@code loss}, {@code sweep}), the experiment-file reader, the run identity in
 * {@code config.json}, the reports' method column and the tap checks all read the methods through {@link
 * TransferMethods}; nothing else names a method. Adding a method is one class implementing this interface (plus
 * its term, if that is a class of its own) and one line in {@link TransferMethods#ALL}.
 *
 * <p>Implementations are stateless singletons; the state of a training run lives in the {@link TransferTerm}
 * that {@link #createTerm} makes.
 */
public interface TransferMethod {

  /** What a method's term reads from a batch, which decides what a run must provide and check. */
  enum Input {
    /** The student's and the teacher's logits (KD, DKD). */
    LOGITS,
    /** The batch's labels. */
    LABELS,
    /** Feature maps at named taps of both models (FitNet, AT, NST, ...). */
    TAPS,
    /** Pre-ReLU feature maps (OFD). */
    PRE_RELU_TAPS,
    /** Each image's index in the training set (CRD's memory banks). */
    DATASET_INDICES
  }

  /** The method's name in method strings, e.g. {@code nst-poly}; lower case, no {@code +}. */
  String name();

  /** The paper, e.g. {@code Huang & Wang 2017, "Like What You Like"}. */
  String paper();

  /** One line on what the term computes, for help texts and documentation. */
  String summary();

  /** What the term reads. */
  Set<Input> reads();

  /** Whether the term trains modules of its own (regressors, embeddings), which are never exported. */
  default boolean trainsModules() {
    return false;
  }

  /** The method's options, in documentation order (shared options are the same objects across methods). */
  List<MethodOption<?>> options();

  /**
   * The share of the cross-entropy this method leaves (KD: 1 − α, since its loss is (1 − α)·CE + α·...); the
   * objective's one CE term gets the product over its methods.
   *
   * @param options the run's options
   * @return a weight in [0, 1]
   */
  default double crossEntropyShare(LossOptions options) {
    return 1;
  }

  /**
   * The options that matter for this method, in words, for the reports' method column (e.g. {@code T=4 α=0.9});
   * parts equal to another method's of the same objective are shown once.
   *
   * @param options the run's options
   * @return the parts, in order; empty when there is nothing to say
   */
  List<String> describe(LossOptions options);

  /**
   * Makes the method's term for one run.
   *
   * @param options the run's options (values of this method's options, taps, spatial policy)
   * @return a new term; null only for {@code ce}, whose cross-entropy every objective has
   */
  TransferTerm createTerm(LossOptions options);

  /**
   * Makes the method's term for one run, with what the run knows ({@link TermContext}: the number of training
   * images, the teacher's pre-ReLU BatchNorms). The default ignores the context; a method that needs it
   * overrides this, says so in {@link #needsTrainingRun()}, and refuses {@link TermContext#none()} with a message
   * naming what is missing.
   *
   * @param options the run's options
   * @param context what the run knows ({@link TermContext#none()} outside a training run)
   * @return a new term; null only for {@code ce}
   */
  default TransferTerm createTerm(LossOptions options, TermContext context) {
    return createTerm(options);
  }

  /**
   * Whether the term can only be made inside a training run ({@link #createTerm(LossOptions, TermContext)}
   * with a run's context): the {@code loss} command refuses such methods.
   */
  default boolean needsTrainingRun() {
    return false;
  }

  /** Whether the term reads feature maps (and so the taps must exist in both models). */
  default boolean readsTaps() {
    return reads().contains(Input.TAPS) || reads().contains(Input.PRE_RELU_TAPS);
  }
}

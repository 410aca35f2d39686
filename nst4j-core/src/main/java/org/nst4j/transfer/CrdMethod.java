package org.nst4j.transfer;

import java.util.List;
import java.util.Set;

/**
 * {@code crd}: contrastive representation distillation (Tian et al., ICLR 2020; spec part 2, "CRD"), as
 * RepDistiller's and mdistiller's {@code ContrastMemory}/{@code ContrastLoss}: trained embeddings of both
 * models' pooled last maps, scored against memory banks of every training image's embeddings with K negatives
 * each; see {@link CrdTerm}. The embeddings train with the student and are never exported.
 *
 * <p>Needs a training run ({@link TermContext}): the memory banks hold one row per training image, so the term
 * is built for the run's N, and the training loop gives it each batch's dataset indices ({@link IndexedTerm}).
 * The banks, Z and the negatives' sampler are saved in checkpoints, so a resumed run is bit-identical. The
 * {@code loss} command refuses it.
 */
public final class CrdMethod implements TransferMethod {
  /** The method's name. */
  public static final String NAME = CrdTerm.NAME;
  /** Weight w (0.8, the authors' CIFAR-100 setting). */
  public static final MethodOption<Double> WEIGHT = MethodOption.real("crd_weight", "--crd-weight", "W",
      "CRD weight", CrdTerm.DEFAULT_WEIGHT, v -> v >= 0, ">= 0", "CRD weight w.");
  /** Embedding size d (128). */
  public static final MethodOption<Integer> FEATURE_DIM = MethodOption.integer("crd_feature_dim",
      "--crd-feature-dim", "D", "CRD embedding size", CrdTerm.DEFAULT_FEATURE_DIM, v -> v >= 1, ">= 1",
      "CRD embedding size d.");
  /** Negatives per image K (16384). */
  public static final MethodOption<Integer> NEGATIVES = MethodOption.integer("crd_negatives", "--crd-negatives",
      "K", "CRD negatives", CrdTerm.DEFAULT_NEGATIVES, v -> v >= 1, ">= 1",
      "CRD negatives K per image, drawn with replacement from the other training images.");
  /** Temperature T (0.07). */
  public static final MethodOption<Double> TEMPERATURE = MethodOption.real("crd_temperature", "--crd-temperature",
      "T", "CRD temperature", CrdTerm.DEFAULT_TEMPERATURE, v -> v > 0, "> 0", "CRD temperature T.");
  /** Memory momentum (0.5). */
  public static final MethodOption<Double> MOMENTUM = MethodOption.real("crd_momentum", "--crd-momentum", "M",
      "CRD memory momentum", CrdTerm.DEFAULT_MOMENTUM, v -> v >= 0 && v < 1, "in [0, 1)",
      "CRD memory-bank momentum: a row becomes normalise(m·row + (1 − m)·embedding).");

  CrdMethod() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String paper() {
    return "Tian, Krishnan & Isola 2020, \"Contrastive Representation Distillation\"";
  }

  @Override
  public String summary() {
    return "NCE of student and teacher embeddings against memory banks of every training image";
  }

  @Override
  public Set<Input> reads() {
    return Set.of(Input.TAPS, Input.DATASET_INDICES);
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
    return List.of(WEIGHT, FEATURE_DIM, NEGATIVES, TEMPERATURE, MOMENTUM);
  }

  @Override
  public List<String> describe(LossOptions o) {
    return List.of("w_crd=" + MethodOption.format(o.get(WEIGHT)) + " d=" + o.get(FEATURE_DIM) + " K="
        + o.get(NEGATIVES) + " T=" + MethodOption.format(o.get(TEMPERATURE)) + " m="
        + MethodOption.format(o.get(MOMENTUM)));
  }

  /** Refused: the memory banks need the number of training images, which only a training run knows. */
  @Override
  public TransferTerm createTerm(LossOptions o) {
    return createTerm(o, TermContext.none());
  }

  @Override
  public TransferTerm createTerm(LossOptions o, TermContext context) {
    context.requireRun(NAME, "the number of training images (its memory banks hold one row per image)");
    return new CrdTerm(o.get(WEIGHT), context.trainingImages(), o.get(FEATURE_DIM), o.get(NEGATIVES),
        o.get(TEMPERATURE), o.get(MOMENTUM), o.taps());
  }
}

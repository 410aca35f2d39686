package org.nst4j.transfer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nst4j.model.TappedModel.BatchNormParameters;

/**
 * {@code ofd}: overhaul of feature distillation (Heo et al., ICCV 2019; spec part 2, "OFD"): the partial L2
 * distance between a trained connector of the student's pre-ReLU maps and the teacher's, with per-channel
 * margins from the teacher's BatchNorm before each ReLU; see {@link OfdTerm}. The connectors train with the
 * student and are never exported.
 *
 * <p>Needs a training run ({@link TermContext}): the margins are {@link OfdTerm#margins} of the γ and β the
 * teacher reports for each of its pre-ReLU taps ({@code TappedModel.preReluBatchNorm}, as the authors' and
 * mdistiller's {@code get_bn_before_relu}). A teacher without pre-ReLU taps (TorchScript) is refused, and so is
 * the {@code loss} command. Default taps: every {@code <stage>_pre} tap of both models, by name (mdistiller's
 * {@code preact_feats[1:]}: every stage).
 */
public final class OfdMethod implements TransferMethod {
  /** The method's name. */
  public static final String NAME = OfdTerm.NAME;
  /** Weight w (mdistiller's CIFAR-100 0.001). */
  public static final MethodOption<Double> WEIGHT = MethodOption.real("ofd_weight", "--ofd-weight", "W",
      "OFD weight", OfdTerm.DEFAULT_WEIGHT, v -> v >= 0, ">= 0", "OFD weight w.");

  OfdMethod() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String paper() {
    return "Heo et al. 2019, \"A Comprehensive Overhaul of Feature Distillation\"";
  }

  @Override
  public String summary() {
    return "partial L2 between connected student and teacher pre-ReLU maps, with margins from the teacher's BatchNorm";
  }

  @Override
  public Set<Input> reads() {
    return Set.of(Input.PRE_RELU_TAPS);
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
    return List.of(WEIGHT);
  }

  @Override
  public List<String> describe(LossOptions o) {
    return List.of("w_ofd=" + MethodOption.format(o.get(WEIGHT)));
  }

  /** Refused: OFD's margins come from the teacher's BatchNorms, which only a training run knows. */
  @Override
  public TransferTerm createTerm(LossOptions o) {
    return createTerm(o, TermContext.none());
  }

  @Override
  public TransferTerm createTerm(LossOptions o, TermContext context) {
    context.requireRun(NAME, "the margins of the teacher's BatchNorms before its ReLUs");
    context.requireTeacherPreReluTaps(NAME, "OFD's margins come from the BatchNorm that produced each of them");
    Map<String, double[]> margins = new LinkedHashMap<>();
    for (Map.Entry<String, BatchNormParameters> e : context.teacherPreReluBatchNorms().entrySet()) {
      margins.put(e.getKey(), OfdTerm.margins(e.getValue().gammaAsDouble(), e.getValue().betaAsDouble()));
    }
    return new OfdTerm(o.get(WEIGHT), o.taps(), margins);
  }
}

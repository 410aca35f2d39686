package org.nst4j.transfer;

import java.util.List;
import java.util.Set;

/**
 * {@code rkd}: relational knowledge distillation (Park et al., CVPR 2019; spec part 2, "RKD") on the
 * global-average-pooled last tap: SmoothL1 between the students' and the teacher's normalised pairwise
 * distances ({@code w_d}) and triplet angles ({@code w_a}); see {@link RkdTerm}.
 */
public final class RkdMethod implements TransferMethod {
  /** The method's name. */
  public static final String NAME = RkdTerm.NAME;
  /** Weight of the distance term (spec default 25). */
  public static final MethodOption<Double> DISTANCE_WEIGHT = MethodOption.real("rkd_distance_weight",
      "--rkd-distance-weight", "W", "RKD distance weight", RkdTerm.DEFAULT_DISTANCE_WEIGHT, v -> v >= 0, ">= 0",
      "RKD weight w_d of the distance term.");
  /** Weight of the angle term (spec default 50). */
  public static final MethodOption<Double> ANGLE_WEIGHT = MethodOption.real("rkd_angle_weight",
      "--rkd-angle-weight", "W", "RKD angle weight", RkdTerm.DEFAULT_ANGLE_WEIGHT, v -> v >= 0, ">= 0",
      "RKD weight w_a of the angle term.");

  RkdMethod() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String paper() {
    return "Park et al. 2019, \"Relational Knowledge Distillation\"";
  }

  @Override
  public String summary() {
    return "SmoothL1 between pairwise-distance and triplet-angle structures of the pooled features";
  }

  @Override
  public Set<Input> reads() {
    return Set.of(Input.TAPS);
  }

  @Override
  public List<MethodOption<?>> options() {
    return List.of(DISTANCE_WEIGHT, ANGLE_WEIGHT);
  }

  @Override
  public List<String> describe(LossOptions o) {
    return List.of("w_d=" + MethodOption.format(o.get(DISTANCE_WEIGHT)) + " w_a="
        + MethodOption.format(o.get(ANGLE_WEIGHT)));
  }

  @Override
  public TransferTerm createTerm(LossOptions o) {
    return new RkdTerm(o.get(DISTANCE_WEIGHT), o.get(ANGLE_WEIGHT), o.taps());
  }
}

package org.nst4j.transfer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.nst4j.model.ModelOutput;

/**
 * Builds {@link Objective}s from method strings (spec, "Sums"), through the registry {@link TransferMethods}.
 *
 * <p>Every objective has exactly one CE term, named {@code ce}, whose weight is the product of its methods'
 * {@link TransferMethod#crossEntropyShare} (1 − α when {@code kd} is present, since the KD loss carries its
 * (1 − α)·CE; else 1). The methods' terms follow in the order given, each under its own name ({@code kd},
 * {@code fitnet}, {@code at}, {@code nst-poly}, ...). {@code ce} may be written as a token ({@code ce+at}) and
 * is then implied; the normalised method string drops it unless it stands alone.
 */
public final class Objectives {
  private Objectives() {}

  /**
   * Creates the objective of a method string.
   *
   * @param method e.g. {@code nst-poly}, {@code kd+nst-poly}, {@code at+nst-poly} (case and spaces ignored)
   * @param options weights and switches
   * @return the objective (call {@link Objective#initialize} before the first {@link Objective#compute})
   * @throws IllegalArgumentException for an empty, unknown or repeated method token
   */
  public static Objective create(String method, LossOptions options) {
    return create(method, options, TermContext.none());
  }

  /**
   * Creates the objective of a method string for a training run: each method's term is made with {@link
   * TransferMethod#createTerm(LossOptions, TermContext)}.
   *
   * @param method e.g. {@code kd+ofd}
   * @param options weights and switches
   * @param context what the run knows (training set size, teacher's pre-ReLU BatchNorms)
   * @return the objective
   * @throws IllegalArgumentException for a bad method string, or a method the context cannot serve
   */
  public static Objective create(String method, LossOptions options, TermContext context) {
    List<TransferMethod> methods = TransferMethods.parse(method);
    if (context == null) {
      throw new IllegalArgumentException("the term context must not be null (TermContext.none() outside a run)");
    }
    if (options == null) {
      throw new IllegalArgumentException("loss options must not be null");
    }
    double ce = 1;
    for (TransferMethod m : methods) {
      ce *= m.crossEntropyShare(options);
    }
    List<TransferTerm> terms = new ArrayList<>();
    terms.add(new CrossEntropyTerm(ce));
    for (TransferMethod m : methods) {
      TransferTerm t = m.createTerm(options, context);
      if (t != null) {
        terms.add(t);
      }
    }
    return new CompositeObjective(TransferMethods.normalize(methods), terms);
  }

  /**
   * Evaluates a method on saved tensors (the service behind the {@code loss} command).
   *
   * <p>Feature maps are positional: the i-th student map is tap {@code tap<i>} of the student, likewise for
   * the teacher, so {@link LossOptions#taps()} names taps {@code tap0}, {@code tap1}, ... What each term needs:
   * <ul>
   *   <li>{@code kd}: student and teacher logits and labels (its (1 − α)·CE part needs the labels);
   *   <li>{@code nst-*}, {@code at}, {@code fitnet}: at least one student and one teacher map;
   *   <li>the CE: student logits and labels. When they are absent and the method is not {@code ce} or
   *       contains no {@code kd}, the CE is omitted and a note says so: the report then holds the transfer
   *       terms only (the spec's L = CE + ..., minus the CE).
   * </ul>
   * A FitNet regressor is freshly initialised (seed 0) and applied in training mode (BatchNorm with batch
   * statistics), i.e. the value the first training step would see. All arrays made here are freed.
   *
   * @param manager manager of the inputs (a sub-manager is used for the computation)
   * @param method the method string
   * @param options weights and switches
   * @param studentFeatures student maps B×C×H×W, in tap order (may be empty for {@code ce}/{@code kd})
   * @param teacherFeatures teacher maps, in tap order
   * @param studentLogits B×K, or null
   * @param teacherLogits B×K, or null
   * @param labels B int64/int32 labels in [0, K), or null
   * @return the report
   * @throws IllegalArgumentException naming what is missing or inconsistent
   */
  public static LossReport evaluate(
      NDManager manager,
      String method,
      LossOptions options,
      List<NDArray> studentFeatures,
      List<NDArray> teacherFeatures,
      NDArray studentLogits,
      NDArray teacherLogits,
      NDArray labels) {
    List<TransferMethod> methods = TransferMethods.parse(method);
    String normalized = TransferMethods.normalize(methods);
    for (TransferMethod m : methods) {
      if (m.needsTrainingRun()) {
        throw new IllegalArgumentException(m.name() + " cannot be evaluated on saved tensors: its term needs what"
            + " only a training run knows (the training set or the teacher's BatchNorm parameters); use it with"
            + " distill");
      }
    }
    List<NDArray> sf = studentFeatures == null ? List.of() : studentFeatures;
    List<NDArray> tf = teacherFeatures == null ? List.of() : teacherFeatures;
    boolean needsMaps = methods.stream().anyMatch(TransferMethod::readsTaps);
    List<String> notes = new ArrayList<>();
    for (TransferMethod m : methods) {
      if (m == TransferMethods.get(CeMethod.NAME) || !m.reads().contains(TransferMethod.Input.LOGITS)) {
        continue;
      }
      List<String> missing = new ArrayList<>();
      if (studentLogits == null) {
        missing.add("student logits");
      }
      if (teacherLogits == null) {
        missing.add("teacher logits");
      }
      if (labels == null) {
        missing.add("labels");
      }
      if (!missing.isEmpty()) {
        throw new IllegalArgumentException(
            m.name() + " needs student logits, teacher logits and labels; missing: " + String.join(", ", missing));
      }
    }
    boolean ceComputable = studentLogits != null && labels != null;
    if (!ceComputable && !needsMaps) {
      throw new IllegalArgumentException(
          normalized + " needs student logits and labels for the cross-entropy; missing: "
              + (studentLogits == null ? "student logits" + (labels == null ? ", labels" : "") : "labels"));
    }
    if (needsMaps && (sf.isEmpty() || tf.isEmpty())) {
      throw new IllegalArgumentException(
          normalized + " needs student and teacher feature maps; got " + sf.size() + " student and "
              + tf.size() + " teacher maps");
    }
    if (!ceComputable) {
      notes.add("ce omitted: " + (studentLogits == null ? "no student logits" : "no labels")
          + " given, so the total is the transfer terms only");
    }
    checkBatch(sf, tf, studentLogits, teacherLogits, labels);
    if (labels != null && studentLogits != null) {
      checkLabels(labels, studentLogits.getShape().get(studentLogits.getShape().dimension() - 1));
    }
    try (NDManager sub = manager.newSubManager()) {
      // Inputs are temporarily attached to the sub-manager, so every array computed from them is made there
      // and freed on close, when the inputs return to their own manager.
      // (Each array once: a second tempAttach would take the sub-manager for its home.)
      Set<NDArray> inputs = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
      inputs.addAll(sf);
      inputs.addAll(tf);
      inputs.add(studentLogits);
      inputs.add(teacherLogits);
      inputs.add(labels);
      for (NDArray a : inputs) {
        if (a != null) {
          a.tempAttach(sub);
        }
      }
      ModelOutput s = ModelOutput.of(studentLogits, positional(sf));
      ModelOutput t = ModelOutput.of(teacherLogits, positional(tf));
      CompositeObjective full = (CompositeObjective) create(method, options);
      List<TransferTerm> terms = new ArrayList<>();
      for (TransferTerm term : full.terms()) {
        if (!(term instanceof CrossEntropyTerm) || ceComputable) {
          terms.add(term);
        }
      }
      try (CompositeObjective obj = new CompositeObjective(normalized, terms)) {
        for (TransferMethod m : methods) {
          if (m.trainsModules()) {
            notes.add(m.name() + ": trained modules freshly initialised (seed 0), BatchNorm on batch statistics");
          }
        }
        obj.initialize(sub, s, t, 0);
        Map<String, Double> values = new LinkedHashMap<>();
        LossTerms lt = obj.compute(s, t, labels, true);
        for (Map.Entry<String, NDArray> e : lt.terms().entrySet()) {
          values.put(e.getKey(), Scalars.value(e.getValue()));
        }
        return new LossReport(normalized, values, notes, options.toMap(methods));
      }
    }
  }

  private static Map<String, NDArray> positional(List<NDArray> maps) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    for (int i = 0; i < maps.size(); i++) {
      out.put("tap" + i, maps.get(i));
    }
    return out;
  }

  private static void checkBatch(
      List<NDArray> sf, List<NDArray> tf, NDArray zs, NDArray zt, NDArray labels) {
    Long batch = null;
    String first = null;
    List<Object[]> all = new ArrayList<>();
    for (int i = 0; i < sf.size(); i++) {
      all.add(new Object[] {"student map " + i, sf.get(i)});
    }
    for (int i = 0; i < tf.size(); i++) {
      all.add(new Object[] {"teacher map " + i, tf.get(i)});
    }
    all.add(new Object[] {"student logits", zs});
    all.add(new Object[] {"teacher logits", zt});
    all.add(new Object[] {"labels", labels});
    for (Object[] e : all) {
      NDArray a = (NDArray) e[1];
      if (a == null) {
        continue;
      }
      if (a.getShape().dimension() == 0) {
        throw new IllegalArgumentException(e[0] + " is a scalar; expected a batch");
      }
      long b = a.getShape().get(0);
      if (batch == null) {
        batch = b;
        first = (String) e[0];
      } else if (b != batch) {
        throw new IllegalArgumentException(
            e[0] + " has batch size " + b + " but " + first + " has " + batch + " (shape " + a.getShape() + ")");
      }
    }
  }

  private static void checkLabels(NDArray labels, long classes) {
    long[] y = labels.toType(ai.djl.ndarray.types.DataType.INT64, false).toLongArray();
    for (int i = 0; i < y.length; i++) {
      if (y[i] < 0 || y[i] >= classes) {
        throw new IllegalArgumentException(
            "label " + y[i] + " of image " + i + " is outside [0, " + classes + ") for the logits' " + classes
                + " classes");
      }
    }
  }
}

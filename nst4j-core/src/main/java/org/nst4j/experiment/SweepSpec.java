package org.nst4j.experiment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import org.nst4j.model.ModelZoo;
import org.nst4j.train.TrainingRecipe;
import org.nst4j.transfer.LossOptions;
import org.nst4j.transfer.NstMethod;
import org.nst4j.transfer.TransferMethods;

/**
 * A hyper-parameter sweep: one method, trained for every (λ, taps) setting and seed on the training subset
 * minus a validation split carved from it, and evaluated on that validation split (never on the test set).
 *
 * @param data data-set name or path
 * @param dataDir where named data sets are looked for first, or null
 * @param perClass first N training images per class (before carving), or null for all
 * @param valPerClass the last K images of each class of that subset form the validation split
 * @param arch the student's architecture
 * @param teacher the teacher: a model saved by nst4j or a TorchScript file
 * @param teacherTaps names of a TorchScript teacher's maps after its logits, or null (tap1..tapN)
 * @param method the method string (with an NST term when {@code lambdas} is not empty)
 * @param base loss options of every setting, before its λ and taps are applied
 * @param lambdas NST weights λ to try (empty: the base λ only)
 * @param taps tap lists to try (empty: the method's default taps only)
 * @param config hyper-parameters (the seed is replaced by each run's)
 * @param seeds seeds of every setting
 * @param out output folder: {@code runs/<setting>/seed-<s>/}, {@code sweep.md}, {@code sweep.csv}
 */
public record SweepSpec(String data, Path dataDir, Integer perClass, int valPerClass, String arch, Path teacher,
    List<String> teacherTaps, String method, LossOptions base, List<Double> lambdas, List<List<String>> taps, TrainingRecipe config,
    List<Long> seeds, Path out) {

  /**
   * Checks every part.
   *
   * @throws IllegalArgumentException naming the option and the bad value
   */
  public SweepSpec {
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(teacher, "teacher");
    if (teacherTaps != null) {
      teacherTaps = List.copyOf(teacherTaps.stream().map(String::trim).toList());
      if (teacherTaps.isEmpty() || teacherTaps.stream().anyMatch(t -> t.isEmpty() || t.contains(":"))
          || new LinkedHashSet<>(teacherTaps).size() != teacherTaps.size()) {
        throw new IllegalArgumentException("--teacher-taps: names must be distinct, non-blank and without ':', got "
            + teacherTaps);
      }
    }
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(out, "--out");
    base = base == null ? LossOptions.defaults() : base;
    lambdas = List.copyOf(lambdas == null ? List.of() : lambdas);
    List<List<String>> t = new ArrayList<>();
    for (List<String> l : taps == null ? List.<List<String>>of() : taps) {
      if (l == null || l.isEmpty() || l.stream().anyMatch(s -> s == null || s.isBlank())) {
        throw new IllegalArgumentException("--taps: each setting needs tap names, got " + taps);
      }
      t.add(List.copyOf(l.stream().map(String::trim).toList()));
    }
    taps = List.copyOf(t);
    seeds = List.copyOf(seeds == null || seeds.isEmpty() ? List.of(0L) : seeds);
    if (perClass != null && perClass < 2) {
      throw new IllegalArgumentException("--per-class must be ≥ 2 (some images train, some validate), got " + perClass);
    }
    if (valPerClass < 1) {
      throw new IllegalArgumentException("--val-per-class must be ≥ 1, got " + valPerClass);
    }
    if (perClass != null && valPerClass >= perClass) {
      throw new IllegalArgumentException("--val-per-class " + valPerClass + " leaves no training image of the "
          + perClass + " per class");
    }
    if (!ModelZoo.isKnown(arch)) {
      throw new IllegalArgumentException("--student: unknown architecture '" + arch + "'; known: "
          + String.join(", ", ModelZoo.architectures()));
    }
    method = TransferMethods.normalize(TransferMethods.parse(method));
    if (!lambdas.isEmpty()
        && TransferMethods.parse(method).stream().noneMatch(m -> m.options().contains(NstMethod.LAMBDA))) {
      throw new IllegalArgumentException("--lambdas sets the NST weight λ, but method '" + method
          + "' has no NST term");
    }
    for (Double l : lambdas) {
      if (l == null || !(l >= 0) || !Double.isFinite(l)) {
        throw new IllegalArgumentException("--lambdas: each λ must be a number ≥ 0, got " + lambdas);
      }
    }
    if (new LinkedHashSet<>(lambdas).size() != lambdas.size()) {
      throw new IllegalArgumentException("--lambdas: a value appears twice in " + lambdas);
    }
    if (new LinkedHashSet<>(taps).size() != taps.size()) {
      throw new IllegalArgumentException("--taps: a setting appears twice in " + taps);
    }
    for (Long s : seeds) {
      if (s == null || s < 0) {
        throw new IllegalArgumentException("--seeds: seeds must be integers ≥ 0, got " + seeds);
      }
    }
    if (new LinkedHashSet<>(seeds).size() != seeds.size()) {
      throw new IllegalArgumentException("--seeds: a seed appears twice in " + seeds);
    }
    // Every setting's options must be valid (e.g. λ ≥ 0); build them once now to fail before training.
    for (Setting s : settings(method, base, lambdas, taps)) {
      Objects.requireNonNull(s.options());
    }
  }

  /** A sweep against a teacher saved by nst4j, or a TorchScript teacher whose maps are tap1..tapN. */
  public SweepSpec(String data, Path dataDir, Integer perClass, int valPerClass, String arch, Path teacher,
      String method, LossOptions base, List<Double> lambdas, List<List<String>> taps, TrainingRecipe config,
      List<Long> seeds, Path out) {
    this(data, dataDir, perClass, valPerClass, arch, teacher, null, method, base, lambdas, taps, config, seeds, out);
  }

  /**
   * One point of the sweep.
   *
   * @param label names its row and its run folders, e.g. {@code lambda-25_taps-stage2+stage3}
   * @param lambda its λ, or null when λ is not swept
   * @param taps its taps, or null for the method's default
   * @param options its loss options
   */
  public record Setting(String label, Double lambda, List<String> taps, LossOptions options) {}

  /** The settings: every λ × every tap list, λ outermost, in the order given. */
  public List<Setting> settings() {
    return settings(method, base, lambdas, taps);
  }

  private static List<Setting> settings(String method, LossOptions base, List<Double> lambdas,
      List<List<String>> taps) {
    List<Double> ls = lambdas.isEmpty() ? java.util.Collections.singletonList(null) : lambdas;
    List<List<String>> ts = taps.isEmpty() ? java.util.Collections.singletonList(null) : taps;
    List<Setting> out = new ArrayList<>();
    for (Double l : ls) {
      for (List<String> t : ts) {
        LossOptions.Builder b = base.toBuilder();
        List<String> parts = new ArrayList<>();
        if (l != null) {
          b.set(NstMethod.LAMBDA, l);
          parts.add("lambda-" + MethodSpec.num(l));
        }
        if (t != null) {
          b.optTaps(t);
          parts.add("taps-" + String.join("+", t).replace(':', '='));
        }
        String label = parts.isEmpty() ? method : String.join("_", parts);
        if (!MethodSpec.LABEL.matcher(label).matches()) {
          throw new IllegalArgumentException("--taps: tap names must be letters, digits, '.', '_' or '-' (they"
              + " name folders), got " + t);
        }
        out.add(new Setting(label, l, t, b.build()));
      }
    }
    return out;
  }

  /** The name of the carved data, recorded in every run's summary (and checked when a sweep is resumed). */
  public String splitsName() {
    return data + " (per class: " + (perClass == null ? "all" : "first " + perClass) + ", the last " + valPerClass
        + " held out as validation)";
  }
}

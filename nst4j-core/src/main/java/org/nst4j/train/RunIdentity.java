package org.nst4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nst4j.store.Json;
import org.nst4j.transfer.CeMethod;
import org.nst4j.transfer.LossOptions;
import org.nst4j.transfer.MethodOption;
import org.nst4j.transfer.TransferMethod;
import org.nst4j.transfer.TransferMethods;

/**
 * What a run is, as structured data: the part of {@code config.json} that decides whether a run folder holds
 * the run asked for (to resume it, or to skip it in a grid). Compared as values ({@link #differences}), never as
 * text: a new option of one method changes nothing for the run folders of the others.
 *
 * <p>{@code config.json} holds, besides the teacher and the command, {@code role}, {@code arch}, {@code method},
 * {@code dataset}, {@code per_class}, the {@code schedule} ({@link TrainingRecipe#toMap()}), and in
 * {@code method_options} only the options of the run's methods, defaults included ({@link
 * LossOptions#valuesOf}), with {@code taps} and {@code spatial}. Folders written before this format (a
 * {@code config} text and a {@code loss_options} text holding every option of the seven first methods) are
 * read too ({@link #read}): an option missing from such a text did not exist then, so the run used what is now
 * its default.
 *
 * @param role {@code teacher} or {@code student}
 * @param arch the student's (or teacher's) architecture
 * @param method the normalised method string
 * @param dataset the data set's name, or null when unknown
 * @param perClass images per class, or null for all
 * @param schedule the training configuration ({@link TrainingRecipe#toMap()}); keys absent are unknown
 * @param methodOptions option key → value for the run's methods; null when unknown
 * @param taps the requested taps, or null for each method's default
 * @param spatial the spatial policy ({@code pool} or {@code refuse})
 * @param teacherRuntime where the teacher's forward ran ({@link TeacherRuntime#cliName()}), for a student whose
 *     method reads the teacher; null otherwise. A folder written before the setting existed ran libtorch.
 */
public record RunIdentity(String role, String arch, String method, String dataset, Integer perClass,
    Map<String, Object> schedule, Map<String, Object> methodOptions, List<String> taps, String spatial,
    String teacherRuntime) {

  /**
   * The version of the {@code config.json} layout written now (the first one had no {@code format}); 3 added
   * {@code teacher_runtime}, which a student reading its teacher always records.
   */
  public static final int FORMAT = 3;

  /** The parts of an identity, for choosing which to compare. */
  public enum Part {
    ROLE, ARCH, METHOD, DATASET, PER_CLASS, SCHEDULE, METHOD_OPTIONS,
    /** Where the teacher ran: compared wherever the schedule is (a result), not on resume (like a rate). */
    TEACHER_RUNTIME
  }

  /** What {@code --resume} checks: the run is the same model on the same data (hyper-parameters may change). */
  public static final Set<Part> WHAT_RESUME_CHECKS =
      Collections.unmodifiableSet(EnumSet.of(Part.ROLE, Part.ARCH, Part.METHOD, Part.DATASET, Part.PER_CLASS));

  /** Copies the collections. */
  public RunIdentity {
    schedule = schedule == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(schedule));
    methodOptions = methodOptions == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(methodOptions));
    taps = taps == null ? null : List.copyOf(taps);
  }

  /**
   * The identity of a run about to train.
   *
   * @param role {@code teacher} or {@code student}
   * @param arch the architecture
   * @param method the method string (normalised here)
   * @param dataset the data set's name, or null
   * @param perClass images per class, or null
   * @param config the training configuration
   * @param options the loss options
   * @return the identity
   */
  public static RunIdentity of(String role, String arch, String method, String dataset, Integer perClass,
      TrainingRecipe config, LossOptions options) {
    return of(role, arch, method, dataset, perClass, config, options, null);
  }

  /**
   * The identity of a run about to train, with where its teacher runs.
   *
   * @param teacherRuntime the teacher's runtime, or null without a teacher; recorded only if the method reads
   *     the teacher (a {@code ce} student's result does not depend on it)
   * @see #of(String, String, String, String, Integer, TrainingRecipe, LossOptions)
   */
  public static RunIdentity of(String role, String arch, String method, String dataset, Integer perClass,
      TrainingRecipe config, LossOptions options, TeacherRuntime teacherRuntime) {
    List<TransferMethod> methods = TransferMethods.parse(method);
    return new RunIdentity(role, arch, TransferMethods.normalize(methods), dataset, perClass, config.toMap(),
        options.valuesOf(methods), options.taps(), options.spatial().name().toLowerCase(Locale.ROOT),
        teacherRuntime != null && readsTeacher(methods) ? teacherRuntime.cliName() : null);
  }

  /** Whether a method string's terms read the teacher: every method but {@code ce} (the student's logits only). */
  private static boolean readsTeacher(List<TransferMethod> methods) {
    return methods.stream().anyMatch(m -> !m.name().equals(CeMethod.NAME));
  }

  /** The identity of a run spec. */
  public static RunIdentity of(RunSpec spec) {
    return of(spec.role(), spec.arch(), spec.method(), spec.data().name(), spec.perClass(), spec.config(),
        spec.lossOptions(), spec.teacherRuntime());
  }

  /**
   * The entries this identity puts into {@code config.json}.
   *
   * @return key → value, in order
   */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("format", FORMAT);
    m.put("role", role);
    m.put("arch", arch);
    m.put("method", method);
    m.put("dataset", dataset);
    m.put("per_class", perClass);
    m.put("schedule", schedule);
    m.put("method_options", methodOptions);
    m.put("taps", taps);
    m.put("spatial", spatial);
    if (teacherRuntime != null) {
      m.put("teacher_runtime", teacherRuntime);
    }
    return m;
  }

  /**
   * Reads the identity of a run folder's {@code config.json}, of either layout.
   *
   * @param configJson the file
   * @return the identity
   * @throws IllegalArgumentException if the file is not readable JSON or names an unknown method
   */
  public static RunIdentity read(Path configJson) {
    JsonNode n;
    try {
      n = Json.PRETTY.readTree(configJson.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException(configJson + ": not readable JSON (" + e.getMessage().split("\n")[0] + ")");
    }
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException(configJson + ": not a run configuration (a JSON object)");
    }
    String method = text(n, "method");
    List<TransferMethod> methods;
    try {
      methods = TransferMethods.parse(method == null ? "ce" : method);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(configJson + ": " + e.getMessage());
    }
    Integer perClass = n.hasNonNull("per_class") ? n.get("per_class").asInt() : null;
    if (n.has("format")) {
      Map<String, Object> schedule = Json.PRETTY.convertValue(n.get("schedule"), Map.class);
      Map<String, Object> options = n.hasNonNull("method_options")
          ? Json.PRETTY.convertValue(n.get("method_options"), Map.class) : null;
      List<String> taps = n.hasNonNull("taps") ? Json.PRETTY.convertValue(n.get("taps"), List.class) : null;
      return new RunIdentity(text(n, "role"), text(n, "arch"), method, text(n, "dataset"), perClass, schedule,
          options, taps, text(n, "spatial"), savedRuntime(n, methods));
    }
    // The first layout: the schedule and every loss option as text.
    Map<String, Object> schedule = legacySchedule(text(n, "config"));
    Map<String, String> legacy = legacyOptions(text(n, "loss_options"));
    Map<String, Object> options = null;
    List<String> taps = null;
    String spatial = null;
    if (legacy != null) {
      options = new LinkedHashMap<>();
      for (TransferMethod m : methods) {
        for (MethodOption<?> o : m.options()) {
          String v = o.legacyKey() == null ? null : legacy.get(o.legacyKey());
          options.putIfAbsent(o.key(), v == null ? o.defaultValue() : o.parse(v));
        }
      }
      String t = legacy.get("taps");
      if (t != null && !t.equals("default")) {
        taps = new ArrayList<>();
        for (String s : t.replaceAll("^\\[|\\]$", "").split(",")) {
          taps.add(s.trim());
        }
      }
      spatial = legacy.get("spatial");
    }
    return new RunIdentity(text(n, "role"), text(n, "arch"), method, text(n, "dataset"), perClass, schedule,
        options, taps, spatial, savedRuntime(n, methods));
  }

  /**
   * The teacher runtime a folder records; for a student whose method reads the teacher, a folder of a layout
   * before 3 was written before the setting existed, when every teacher ran in libtorch.
   */
  private static String savedRuntime(JsonNode n, List<TransferMethod> methods) {
    String saved = text(n, "teacher_runtime");
    if (saved == null && n.path("format").asInt(1) < 3 && "student".equals(text(n, "role"))
        && readsTeacher(methods)) {
      return TeacherRuntime.LIBTORCH.cliName();
    }
    return saved;
  }

  /**
   * How a saved run differs from this one, in the parts asked for: e.g. {@code arch resnet20 (now resnet8)}.
   * A schedule key absent from either side (an old folder did not record it) is not compared.
   *
   * @param saved the identity read from a run folder
   * @param parts what to compare
   * @return the differences, empty when the folder holds this run
   */
  public List<String> differences(RunIdentity saved, Set<Part> parts) {
    List<String> out = new ArrayList<>();
    if (parts.contains(Part.ROLE)) {
      compare(out, "role", saved.role, role);
    }
    if (parts.contains(Part.ARCH)) {
      compare(out, "arch", saved.arch, arch);
    }
    if (parts.contains(Part.METHOD)) {
      compare(out, "method", saved.method, method);
    }
    if (parts.contains(Part.DATASET)) {
      compare(out, "dataset", saved.dataset, dataset);
    }
    if (parts.contains(Part.PER_CLASS)) {
      compare(out, "per_class", saved.perClass, perClass);
    }
    if (parts.contains(Part.SCHEDULE)) {
      for (Map.Entry<String, Object> e : schedule.entrySet()) {
        if (saved.schedule.containsKey(e.getKey())) {
          compare(out, e.getKey(), saved.schedule.get(e.getKey()), e.getValue());
        }
      }
    }
    if (parts.contains(Part.TEACHER_RUNTIME)) {
      compare(out, "teacher_runtime", saved.teacherRuntime, teacherRuntime);
    }
    if (parts.contains(Part.METHOD_OPTIONS)) {
      if (saved.methodOptions == null) {
        out.add("loss options unknown (config.json records none)");
      } else if (methodOptions != null) {
        for (Map.Entry<String, Object> e : methodOptions.entrySet()) {
          compare(out, e.getKey(), saved.methodOptions.get(e.getKey()), e.getValue());
        }
        compare(out, "taps", saved.taps, taps);
        compare(out, "spatial", saved.spatial, spatial);
      }
    }
    return out;
  }

  private static void compare(List<String> out, String key, Object was, Object now) {
    if (!sameValue(was, now)) {
      out.add(key + " " + show(was) + " (now " + show(now) + ")");
    }
  }

  /** Equality of JSON-like values: numbers by value (50 and 50.0 are one number), lists element-wise. */
  static boolean sameValue(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) {
      return x.doubleValue() == y.doubleValue();
    }
    if (a instanceof List<?> x && b instanceof List<?> y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!sameValue(x.get(i), y.get(i))) {
          return false;
        }
      }
      return true;
    }
    return Objects.equals(a, b);
  }

  private static String show(Object v) {
    if (v == null) {
      return "null";
    }
    return v instanceof Number ? MethodOption.format(((Number) v).doubleValue()) : v.toString();
  }

  private static String text(JsonNode n, String key) {
    JsonNode v = n.get(key);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static final Pattern MULTISTEP = Pattern.compile("multistep\\[([^\\]]*)\\]");

  /**
   * The schedule of a first-layout {@code config} text, e.g. {@code epochs=15 batch=64 lr=0.05 cosine
   * momentum=0.9 nesterov wd=5.0E-4 seed=0 augment} (what {@code TrainingRecipe.toString()} wrote then).
   */
  static Map<String, Object> legacySchedule(String text) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (text == null) {
      return m;
    }
    Matcher ms = MULTISTEP.matcher(text);
    if (ms.find()) {
      List<Integer> milestones = new ArrayList<>();
      for (String s : ms.group(1).split(",")) {
        if (!s.isBlank()) {
          milestones.add(Integer.parseInt(s.trim()));
        }
      }
      m.put("lr_schedule", "multistep");
      m.put("milestones", milestones);
      text = ms.replaceFirst("");
    }
    boolean nesterov = false;
    boolean augment = false;
    for (String token : text.trim().split("\\s+")) {
      int eq = token.indexOf('=');
      if (eq < 0) {
        switch (token) {
          case "cosine", "constant" -> m.put("lr_schedule", token);
          case "nesterov" -> nesterov = true;
          case "augment" -> augment = true;
          default -> { } // nothing else was written
        }
        continue;
      }
      String k = token.substring(0, eq);
      String v = token.substring(eq + 1);
      switch (k) {
        case "epochs" -> m.put("epochs", Integer.parseInt(v));
        case "batch" -> m.put("batch", Integer.parseInt(v));
        case "lr" -> m.put("lr", Double.parseDouble(v));
        case "momentum" -> m.put("momentum", Double.parseDouble(v));
        case "wd" -> m.put("weight_decay", Double.parseDouble(v));
        case "seed" -> m.put("seed", Long.parseLong(v));
        case "pad" -> m.put("pad", Integer.parseInt(v));
        default -> { }
      }
    }
    m.put("nesterov", nesterov);
    m.put("augment", augment);
    if (augment && !m.containsKey("pad")) {
      m.put("pad", TrainingRecipe.DEFAULT_PAD); // the text wrote the pad only when it was not the default
    }
    return m;
  }

  /**
   * The values of a first-layout {@code loss_options} text, e.g. {@code LossOptions{lambda=50.0, nstScale=half,
   * ..., taps=[stage1, stage2], spatial=pool}}, by their old names; null for no text.
   */
  static Map<String, String> legacyOptions(String text) {
    if (text == null) {
      return null;
    }
    String body = text.trim();
    if (body.startsWith("LossOptions{") && body.endsWith("}")) {
      body = body.substring("LossOptions{".length(), body.length() - 1);
    }
    Map<String, String> m = new LinkedHashMap<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i <= body.length(); i++) {
      char c = i < body.length() ? body.charAt(i) : ',';
      if (c == '[') {
        depth++;
      } else if (c == ']') {
        depth--;
      } else if (c == ',' && depth == 0) {
        String entry = body.substring(start, i).trim();
        int eq = entry.indexOf('=');
        if (eq > 0) {
          m.put(entry.substring(0, eq), entry.substring(eq + 1));
        }
        start = i + 1;
      }
    }
    return m;
  }
}

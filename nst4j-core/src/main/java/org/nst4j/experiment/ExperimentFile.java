package org.nst4j.experiment;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.nst4j.data.DataSources;
import org.nst4j.model.ModelZoo;
import org.nst4j.train.Teachers;
import org.nst4j.train.TeacherRuntime;
import org.nst4j.train.TrainingRecipe;
import org.nst4j.transfer.LossOptions;
import org.nst4j.transfer.MethodOption;
import org.nst4j.transfer.SpatialPolicy;
import org.nst4j.transfer.TransferMethod;
import org.nst4j.transfer.TransferMethods;

/**
 * Reads an experiment's YAML file into an {@link ExperimentSpec}, checking every field: an unknown key, a
 * value of the wrong type, an out-of-range number, an unknown method or architecture is an {@link
 * IllegalArgumentException} whose message names the file and the field, e.g. {@code
 * experiments/x.yaml: schedule.lr: must be > 0, got -1}.
 *
 * <p>The format (keys in snake_case; relative paths are relative to the working directory, like every other
 * path given to nst4j):
 *
 * <pre>
 * name: fmnist-10k                  # required; letters, digits, . _ -
 * description: free text            # optional
 * protocol: free text               # optional: what protocol the file encodes (quoted in the report)
 * role: student                     # student (default) or teacher (a teacher recipe)
 * data:                             # or just  data: NAME
 *   name: fashion-mnist             # a data-set name or path (as --data)
 *   per_class: 1000                 # optional: first N training images per class
 *   data_dir: /some/folder          # optional (as --data-dir)
 * teacher: models/fmnist-resnet20   # student role; default models/fmnist-resnet20 for Fashion-MNIST; a run or
 *                                   #   model folder saved by nst4j, or a TorchScript file exported from PyTorch
 *                                   #   (teacher.pt) whose forward returns (logits, map_1, ..., map_n)
 * teacher_taps: [map1, map2]        # TorchScript teacher only: names of the maps after its logits, in order
 * teacher_runtime: libtorch         # where the teacher's forward runs: onnxruntime (default on the CPU for a
 *                                   # teacher saved by nst4j) or libtorch (TeacherRuntime)
 *                                   #   (a list, or comma-separated text; default tap1..tapN); methods' taps
 *                                   #   name them, e.g. taps: [stage3:map2]
 * teacher_recipe: experiments/teacher-fmnist-resnet20.yaml   # optional: how to train the teacher
 * student: resnet8                  # student role: the student's architecture
 * arch: resnet20                    # teacher role: the teacher's architecture
 * schedule:                         # every key optional; defaults: the FMNIST-10k student recipe
 *   epochs: 15                      #   (teacher role: its teacher recipe, 30 epochs, batch 128, lr 0.1)
 *   batch: 64
 *   lr: 0.05
 *   momentum: 0.9
 *   nesterov: true
 *   weight_decay: 5e-4
 *   lr_schedule: cosine             # cosine (per step, to 0) | multistep | constant
 *   milestones: [8, 12]             # multistep only
 *   lr_decay: 0.1                   # multistep factor
 *   drop_last: true
 *   augment: true                   # pad-crop-flip
 *   pad: 2                          # its zero padding in pixels, ≥ 0 (CIFAR: 4)
 *   eval_batch: 500
 * methods:                          # student role, in report order
 *   - ce                            # a method string with the default options
 *   - method: nst-poly              # or a mapping: method plus options
 *     name: nst-poly-l25            # optional label (default: the method string); names the run folders
 *     lambda: 25
 *     taps: [stage3]
 * seeds: [0, 1]                     # default [0]; a teacher recipe takes one
 * out: runs/fmnist-10k              # default runs/NAME
 * </pre>
 *
 * <p>Method options: {@code lambda, nst_scale (half|full), keep_teacher_term, nst_degree, nst_c, nst_sigma2
 * (number or auto), kd_temperature, kd_alpha, fitnet_beta, at_beta, at_p, taps (list, or comma-separated),
 * spatial (pool|refuse)}; unset ones take the defaults of transfer-losses.md.
 */
public final class ExperimentFile {
  /** The teacher a Fashion-MNIST experiment uses when its file names none (shipped with the repository). */
  public static final Path DEFAULT_FMNIST_TEACHER = Path.of("models", "fmnist-resnet20");
  /** The recipe of {@link #DEFAULT_FMNIST_TEACHER}. */
  public static final Path DEFAULT_FMNIST_TEACHER_RECIPE = Path.of("experiments", "teacher-fmnist-resnet20.yaml");

  private static final List<String> TOP_KEYS = List.of("name", "description", "protocol", "role", "data",
      "teacher", "teacher_taps", "teacher_recipe", "teacher_runtime", "student", "arch", "schedule", "methods",
      "seeds", "out");
  private static final List<String> DATA_KEYS = List.of("name", "per_class", "data_dir");
  private static final List<String> SCHEDULE_KEYS = List.of("epochs", "batch", "lr", "momentum", "nesterov",
      "weight_decay", "lr_schedule", "milestones", "lr_decay", "drop_last", "augment", "pad", "eval_batch");
  /** The keys of a method entry besides its methods' own options ({@link TransferMethod#options()}). */
  private static final List<String> METHOD_KEYS = List.of("method", "name", "taps", "spatial");
  private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  /**
   * Largest experiment file read, checked before reading: the longest recipe here is under 3 KiB, and a
   * YAML parser given one huge scalar takes minutes and gigabytes before refusing it.
   */
  public static final long DEFAULT_MAX_BYTES = 1L << 20;

  /** System property raising {@link #DEFAULT_MAX_BYTES} (NST4J_JAVA_OPTS="-Dnst4j.experiment.maxBytes=N"). */
  public static final String MAX_BYTES_PROPERTY = "nst4j.experiment.maxBytes";

  private ExperimentFile() {}

  /**
   * Reads and checks an experiment file.
   *
   * @param file the YAML file
   * @return the experiment
   * @throws IllegalArgumentException if the file is missing, larger than {@link #DEFAULT_MAX_BYTES} (or the
   *     {@value #MAX_BYTES_PROPERTY} property), not YAML, or any field is wrong
   */
  public static ExperimentSpec read(Path file) {
    return parse(readText(file), file);
  }

  /**
   * The text of an experiment file (classification or detection), after the checks every such file gets.
   *
   * @param file the YAML file
   * @return its text
   * @throws IllegalArgumentException if the file is missing, larger than the limit, or cannot be read
   */
  static String readText(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(file + ": no such experiment file");
    }
    String text;
    try {
      long max = Long.getLong(MAX_BYTES_PROPERTY, DEFAULT_MAX_BYTES);
      long size = Files.size(file);
      if (size > max) {
        throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, "%s: %,d bytes, over the limit of"
            + " %,d bytes for an experiment file (NST4J_JAVA_OPTS=-D%s=N raises it)", file, size, max,
            MAX_BYTES_PROPERTY));
      }
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot be read (" + e.getMessage() + ")");
    }
    return text;
  }

  /**
   * The YAML tree of an experiment file's text, duplicate keys refused.
   *
   * @param yaml the text
   * @param file its name, for messages
   * @return the tree (null for an empty text)
   * @throws IllegalArgumentException naming the file and the line when the text is not YAML
   */
  static JsonNode yamlTree(String yaml, Path file) {
    JsonNode root;
    try {
      ObjectMapper mapper = new ObjectMapper(new YAMLFactory());
      mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
      root = mapper.readTree(yaml);
    } catch (JsonProcessingException e) {
      String m = e.getOriginalMessage() == null ? e.getMessage() : e.getOriginalMessage();
      String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
      throw new IllegalArgumentException(file + ": not valid YAML" + where + ": " + m.split("\n")[0]);
    }
    return root;
  }

  /**
   * Parses and checks the text of an experiment file.
   *
   * @param yaml the text
   * @param file the file's name, for messages
   * @return the experiment
   * @throws IllegalArgumentException naming the file and the field
   */
  public static ExperimentSpec parse(String yaml, Path file) {
    JsonNode root = yamlTree(yaml, file);
    return new Reader(file).read(root, yaml);
  }

  /**
   * Walks the tree; every error names {@code file} and the field's path. Package-private with its typed accessors:
   * the detection experiment's file ({@link DetectionExperimentFile}) reads its fields, seeds and method entries
   * with them.
   */
  static final class Reader {
    private final Path file;

    Reader(Path file) {
      this.file = file;
    }

    ExperimentSpec read(JsonNode root, String yaml) {
      if (root == null || root.isMissingNode() || root.isNull()) {
        throw fail("", "the file is empty; it needs at least name, data, " + "student, teacher and methods");
      }
      checkKeys(root, "", TOP_KEYS);
      String name = requiredString(root, "name");
      if (!NAME.matcher(name).matches()) {
        throw fail("name", "must be letters, digits, '.', '_' or '-' (it names the output folder), got '" + name + "'");
      }
      String description = optionalString(root, "description");
      String protocol = optionalString(root, "protocol");
      String roleText = optionalString(root, "role");
      ExperimentSpec.Role role;
      if (roleText == null || roleText.equalsIgnoreCase("student")) {
        role = ExperimentSpec.Role.STUDENT;
      } else if (roleText.equalsIgnoreCase("teacher")) {
        role = ExperimentSpec.Role.TEACHER;
      } else {
        throw fail("role", "must be student or teacher, got '" + roleText + "'");
      }

      // data
      JsonNode dataNode = root.get("data");
      if (dataNode == null || dataNode.isNull()) {
        throw fail("data", "missing (a data-set name such as fashion-mnist or sample, or a folder)");
      }
      String data;
      Integer perClass = null;
      Path dataDir = null;
      if (dataNode.isTextual()) {
        data = dataNode.asText().trim();
      } else if (dataNode.isObject()) {
        checkKeys(dataNode, "data", DATA_KEYS);
        data = requiredString(dataNode, "data", "name");
        perClass = optionalInt(dataNode, "data", "per_class", 1);
        String dir = optionalString(dataNode, "data", "data_dir");
        dataDir = dir == null ? null : Path.of(dir);
      } else {
        throw fail("data", "must be a data-set name or a mapping with name, per_class, data_dir");
      }
      if (data.isEmpty()) {
        throw fail("data.name", "must not be empty");
      }
      if (!isDataName(data)) {
        throw fail(dataNode.isTextual() ? "data" : "data.name", "unknown data set '" + data + "'; known names: "
            + String.join(", ", DataSources.knownNames()) + " (or the path of a data-set folder, containing '/')");
      }
      boolean fmnist = isFashionMnist(data);

      // models
      String archKey = role == ExperimentSpec.Role.TEACHER ? "arch" : "student";
      String otherKey = role == ExperimentSpec.Role.TEACHER ? "student" : "arch";
      if (root.has(otherKey)) {
        throw fail(otherKey, role == ExperimentSpec.Role.TEACHER
            ? "a teacher recipe names its architecture with 'arch', not 'student'"
            : "a student experiment names its architecture with 'student' ('arch' is for role: teacher)");
      }
      String arch = requiredString(root, archKey);
      if (!ModelZoo.isKnown(arch)) {
        throw fail(archKey, "unknown architecture '" + arch + "'; known: "
            + String.join(", ", ModelZoo.architectures()));
      }
      Path teacher = null;
      Path recipe = null;
      List<String> teacherTaps = null;
      TeacherRuntime runtime = null;
      if (role == ExperimentSpec.Role.TEACHER) {
        for (String k : List.of("teacher", "teacher_taps", "teacher_recipe", "teacher_runtime", "methods")) {
          if (root.has(k)) {
            throw fail(k, "not allowed in a teacher recipe (role: teacher), which trains with ce");
          }
        }
      } else {
        String t = optionalString(root, "teacher");
        String r = optionalString(root, "teacher_recipe");
        if (t == null) {
          if (!fmnist) {
            throw fail("teacher", "missing: the path of the teacher's saved model (a run folder or model folder)");
          }
          teacher = DEFAULT_FMNIST_TEACHER;
          recipe = r == null ? DEFAULT_FMNIST_TEACHER_RECIPE : Path.of(r);
        } else {
          teacher = Path.of(t);
          recipe = r == null ? null : Path.of(r);
        }
        teacherTaps = teacherTaps(root.get("teacher_taps"), t == null ? null : teacher);
        String rt = optionalString(root, "teacher_runtime");
        if (rt != null) {
          try {
            runtime = TeacherRuntime.of(rt);
          } catch (IllegalArgumentException e) {
            throw fail("teacher_runtime", e.getMessage());
          }
        }
      }

      TrainingRecipe config = schedule(root.get("schedule"), role);
      List<MethodSpec> methods = role == ExperimentSpec.Role.TEACHER
          ? List.of(MethodSpec.of("ce", LossOptions.defaults()))
          : methods(root.get("methods"));
      List<Long> seeds = seeds(root.get("seeds"));
      String outText = optionalString(root, "out");
      Path out = outText == null ? Path.of("runs", name) : Path.of(outText);
      try {
        return new ExperimentSpec(file, yaml, name, description, protocol, role, data, dataDir, perClass, teacher,
            teacherTaps, recipe, arch, config, methods, seeds, out, runtime);
      } catch (IllegalArgumentException e) {
        throw e.getMessage().startsWith(file.toString()) ? e : fail("", e.getMessage());
      }
    }

    /**
     * The names of a TorchScript teacher's maps, or null when the key is absent. Whether their number is the
     * module's is checked when the grid starts (that needs the module loaded on the data's shape).
     *
     * @param node the value of {@code teacher_taps}
     * @param teacher the file's {@code teacher}, or null when it names none (the default teacher)
     */
    private List<String> teacherTaps(JsonNode node, Path teacher) {
      if (node == null || node.isNull()) {
        return null;
      }
      String p = "teacher_taps";
      if (teacher == null) {
        throw fail(p, "names the maps of a TorchScript teacher, but the file names no teacher; give its .pt file"
            + " with 'teacher:'");
      }
      List<String> names = stringList(node, p, "[map1, map2] or \"map1, map2\"");
      require(!names.isEmpty(), p, "must name at least one map (leave the key out for tap1..tapN)");
      Set<String> seen = new LinkedHashSet<>();
      for (String n : names) {
        require(!n.contains(":"), p, "a tap name cannot contain ':' (methods' taps use it to pair a student tap"
            + " with a teacher tap), got '" + n + "'");
        require(seen.add(n), p, "'" + n + "' appears twice in " + names);
      }
      if (Files.exists(teacher) && !Teachers.isTorchScript(teacher)) {
        throw fail(p, "names the maps of a TorchScript teacher (a .pt file whose forward returns (logits, map_1,"
            + " ..., map_n)), but " + teacher + " is a model saved by nst4j, whose taps its architecture names;"
            + " remove teacher_taps");
      }
      return names;
    }

    private TrainingRecipe schedule(JsonNode node, ExperimentSpec.Role role) {
      // The defaults are the FMNIST-10k recipes: the student's, or the teacher's for a teacher recipe.
      TrainingRecipe.Builder b =
          role == ExperimentSpec.Role.TEACHER ? TrainingRecipe.teacherRecipe() : TrainingRecipe.studentRecipe();
      if (node == null || node.isNull()) {
        return b.build();
      }
      if (!node.isObject()) {
        throw fail("schedule", "must be a mapping of " + String.join(", ", SCHEDULE_KEYS));
      }
      checkKeys(node, "schedule", SCHEDULE_KEYS);
      String p = "schedule";
      Integer epochs = optionalInt(node, p, "epochs", 1);
      if (epochs != null) {
        b.setEpochs(epochs);
      }
      Integer batch = optionalInt(node, p, "batch", 1);
      if (batch != null) {
        b.setBatchSize(batch);
      }
      Double lr = optionalDouble(node, p, "lr");
      if (lr != null) {
        b.setLearningRate(lr);
      }
      Double momentum = optionalDouble(node, p, "momentum");
      if (momentum != null) {
        b.optMomentum(momentum);
      }
      Boolean nesterov = optionalBoolean(node, p, "nesterov");
      if (nesterov != null) {
        b.optNesterov(nesterov);
      }
      Double wd = optionalDouble(node, p, "weight_decay");
      if (wd != null) {
        b.optWeightDecay(wd);
      }
      String sched = optionalString(node, p, "lr_schedule");
      if (sched != null) {
        try {
          b.optSchedule(TrainingRecipe.Schedule.valueOf(sched.trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          throw fail(p + ".lr_schedule", "must be cosine, multistep or constant, got '" + sched + "'");
        }
      }
      JsonNode ms = node.get("milestones");
      if (ms != null && !ms.isNull()) {
        if (!ms.isArray()) {
          throw fail(p + ".milestones", "must be a list of epochs, e.g. [8, 12]");
        }
        int[] milestones = new int[ms.size()];
        for (int i = 0; i < ms.size(); i++) {
          milestones[i] = intValue(ms.get(i), p + ".milestones[" + i + "]", 1);
        }
        b.optMilestones(milestones);
      }
      Double decay = optionalDouble(node, p, "lr_decay");
      if (decay != null) {
        b.optLrDecay(decay);
      }
      Boolean dropLast = optionalBoolean(node, p, "drop_last");
      if (dropLast != null) {
        b.optDropLast(dropLast);
      }
      Boolean augment = optionalBoolean(node, p, "augment");
      if (augment != null) {
        b.optAugment(augment);
      }
      Integer pad = optionalInt(node, p, "pad", 0);
      if (pad != null) {
        b.optPad(pad);
      }
      Integer evalBatch = optionalInt(node, p, "eval_batch", 1);
      if (evalBatch != null) {
        b.optEvalBatchSize(evalBatch);
      }
      try {
        return b.build();
      } catch (TrainingRecipe.InvalidSettingException e) {
        throw fail("schedule." + e.key(), e.rule()); // the rule is TrainingRecipe's, the path the file's
      }
    }

    private List<MethodSpec> methods(JsonNode node) {
      if (node == null || node.isNull()) {
        throw fail("methods", "missing: a list of methods such as [ce, kd, nst-poly]");
      }
      if (!node.isArray() || node.isEmpty()) {
        throw fail("methods", "must be a non-empty list of methods");
      }
      List<MethodSpec> out = new ArrayList<>();
      for (int i = 0; i < node.size(); i++) {
        JsonNode m = node.get(i);
        String p = "methods[" + i + "]";
        if (m.isTextual()) {
          out.add(method(p, m.asText(), null, LossOptions.builder()));
        } else if (m.isObject()) {
          String method = requiredString(m, p, "method");
          p = p + " (" + method + ")";
          out.add(method(p, method, optionalString(m, p, "name"), lossOptions(m, p, method)));
        } else {
          throw fail(p, "must be a method string or a mapping with 'method' and options, got " + m);
        }
      }
      return out;
    }

    MethodSpec method(String p, String method, String label, LossOptions.Builder options) {
      LossOptions built;
      try {
        built = options.build();
      } catch (IllegalArgumentException e) {
        throw fail(p, e.getMessage());
      }
      try {
        MethodSpec m = MethodSpec.of(method, built);
        return label == null ? m : new MethodSpec(label, m.method(), built);
      } catch (IllegalArgumentException e) {
        throw fail(p, e.getMessage());
      }
    }

    LossOptions.Builder lossOptions(JsonNode m, String p, String method) {
      LossOptions.Builder b = LossOptions.builder();
      List<TransferMethod> methods;
      try {
        methods = TransferMethods.parse(method);
      } catch (IllegalArgumentException e) {
        throw fail(p, e.getMessage());
      }
      Map<String, MethodOption<?>> known = new LinkedHashMap<>();
      for (TransferMethod t : methods) {
        for (MethodOption<?> o : t.options()) {
          known.put(o.key(), o);
        }
      }
      Iterator<String> names = m.fieldNames();
      while (names.hasNext()) {
        String key = names.next();
        if (METHOD_KEYS.contains(key)) {
          continue;
        }
        MethodOption<?> o = known.get(key);
        if (o == null) {
          throw fail(p + "." + key, "unknown key; the options of " + method + " are "
              + (known.isEmpty() ? "none" : String.join(", ", known.keySet())) + ", besides "
              + String.join(", ", METHOD_KEYS));
        }
        JsonNode v = m.get(key);
        if (v == null || v.isNull()) {
          continue;
        }
        if (v.isContainerNode()) {
          throw fail(p + "." + key, "must be a single value, got " + describe(v));
        }
        try {
          b.parse(o, v.asText());
        } catch (IllegalArgumentException e) {
          throw fail(p + "." + key, e.getMessage());
        }
      }
      JsonNode taps = m.get("taps");
      if (taps != null && !taps.isNull()) {
        b.optTaps(stringList(taps, p + ".taps", "[stage3]"));
      }
      String spatial = optionalString(m, p, "spatial");
      if (spatial != null) {
        try {
          b.optSpatial(SpatialPolicy.parse(spatial));
        } catch (IllegalArgumentException e) {
          throw fail(p + ".spatial", e.getMessage());
        }
      }
      return b;
    }

    List<Long> seeds(JsonNode node) {
      if (node == null || node.isNull()) {
        return List.of(0L);
      }
      List<Long> seeds = new ArrayList<>();
      if (node.isArray()) {
        if (node.isEmpty()) {
          throw fail("seeds", "must not be empty");
        }
        for (int i = 0; i < node.size(); i++) {
          seeds.add((long) intValue(node.get(i), "seeds[" + i + "]", 0));
        }
      } else {
        seeds.add((long) intValue(node, "seeds", 0));
      }
      Set<Long> unique = new LinkedHashSet<>(seeds);
      require(unique.size() == seeds.size(), "seeds", "a seed appears twice in " + seeds);
      return seeds;
    }

    // ---- typed accessors ----

    void checkKeys(JsonNode node, String path, List<String> known) {
      if (!node.isObject()) {
        throw fail(path, "must be a mapping");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        String key = it.next().getKey();
        if (!known.contains(key)) {
          throw fail(path, "unknown key '" + key + "'; known keys: " + String.join(", ", known));
        }
      }
    }

    String requiredString(JsonNode node, String key) {
      return requiredString(node, "", key);
    }

    String requiredString(JsonNode node, String parent, String key) {
      String s = optionalString(node, parent, key);
      if (s == null || s.isBlank()) {
        throw fail(join(parent, key), "missing");
      }
      return s.trim();
    }

    String optionalString(JsonNode node, String key) {
      return optionalString(node, "", key);
    }

    String optionalString(JsonNode node, String parent, String key) {
      JsonNode v = node.get(key);
      if (v == null || v.isNull()) {
        return null;
      }
      if (!v.isValueNode() || v.isBoolean()) {
        throw fail(join(parent, key), "must be text, got " + v);
      }
      return v.asText();
    }

    Integer optionalInt(JsonNode node, String parent, String key, int min) {
      JsonNode v = node.get(key);
      return v == null || v.isNull() ? null : intValue(v, join(parent, key), min);
    }

    int intValue(JsonNode v, String path, int min) {
      long value;
      if (v.isIntegralNumber() && v.canConvertToLong()) {
        value = v.asLong();
      } else if (v.isTextual() && v.asText().trim().matches("[-+]?\\d{1,18}")) {
        value = Long.parseLong(v.asText().trim());
      } else {
        throw fail(path, "must be an integer, got " + describe(v));
      }
      if (value < min || value > Integer.MAX_VALUE) {
        throw fail(path, "must be an integer ≥ " + min + ", got " + value);
      }
      return (int) value;
    }

    Double optionalDouble(JsonNode node, String parent, String key) {
      JsonNode v = node.get(key);
      return v == null || v.isNull() ? null : doubleValue(v, join(parent, key));
    }

    private double doubleValue(JsonNode v, String path) {
      double d;
      if (v.isNumber()) {
        d = v.asDouble();
      } else if (v.isTextual()) {
        // YAML 1.1 reads 5e-4 (no dot) as text; accept any number Java can parse.
        try {
          d = Double.parseDouble(v.asText().trim());
        } catch (NumberFormatException e) {
          throw fail(path, "must be a number, got " + describe(v));
        }
      } else {
        throw fail(path, "must be a number, got " + describe(v));
      }
      if (!Double.isFinite(d)) {
        throw fail(path, "must be a finite number, got " + describe(v));
      }
      return d;
    }

    Boolean optionalBoolean(JsonNode node, String parent, String key) {
      JsonNode v = node.get(key);
      if (v == null || v.isNull()) {
        return null;
      }
      if (v.isBoolean()) {
        return v.asBoolean();
      }
      if (v.isTextual() && (v.asText().equalsIgnoreCase("true") || v.asText().equalsIgnoreCase("false"))) {
        return Boolean.parseBoolean(v.asText());
      }
      throw fail(join(parent, key), "must be true or false, got " + describe(v));
    }

    List<String> stringList(JsonNode v, String path, String example) {
      List<String> out = new ArrayList<>();
      if (v.isTextual()) {
        for (String s : v.asText().split(",")) {
          out.add(s.trim());
        }
      } else if (v.isArray()) {
        for (int i = 0; i < v.size(); i++) {
          JsonNode e = v.get(i);
          if (!e.isTextual()) {
            throw fail(path + "[" + i + "]", "must be a tap name, got " + describe(e));
          }
          out.add(e.asText().trim());
        }
      } else {
        throw fail(path, "must be a list of tap names, e.g. " + example + ", got " + describe(v));
      }
      for (String s : out) {
        require(!s.isEmpty(), path, "tap names must not be empty, got " + v);
      }
      return out;
    }

    private static String describe(JsonNode v) {
      return v.isTextual() ? "'" + v.asText() + "'" : v.toString();
    }

    private static String join(String parent, String key) {
      return parent.isEmpty() ? key : parent + "." + key;
    }

    void require(boolean ok, String path, String message) {
      if (!ok) {
        throw fail(path, message);
      }
    }

    IllegalArgumentException fail(String path, String message) {
      return new IllegalArgumentException(file + ": " + (path.isEmpty() ? "" : path + ": ") + message);
    }
  }

  /**
   * Whether {@link DataSources#resolve} can take this name: a known name or alias, or a path (it contains
   * '/' or names an existing folder). Whether the data is actually there is checked when it is loaded.
   */
  static boolean isDataName(String data) {
    return DataSources.isNameOrPath(data);
  }

  /** Whether a data name means Fashion-MNIST (whose experiments get the shipped teacher by default). */
  static boolean isFashionMnist(String data) {
    return DataSources.FASHION_MNIST.equals(DataSources.canonicalName(data));
  }
}

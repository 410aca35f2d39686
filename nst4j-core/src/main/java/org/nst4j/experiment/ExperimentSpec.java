package org.nst4j.experiment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import org.nst4j.train.TeacherRuntime;
import org.nst4j.train.TrainingRecipe;

/**
 * One experiment, as read from its YAML file by {@link ExperimentFile}: which model to train on which data,
 * with which methods and seeds, and where. Immutable.
 *
 * <p>A {@link Role#STUDENT} experiment trains {@code arch} once per (method, seed) against {@code teacher},
 * each run in {@code <out>/runs/<label>/seed-<s>/}. A {@link Role#TEACHER} experiment is the recipe of a
 * teacher: one run with cross-entropy, whose run folder is {@code out} itself (so {@code out/model/} is the
 * teacher other experiments point at).
 *
 * @param file the YAML file (as given, for messages and reports)
 * @param yaml the YAML file's text (quoted in the report)
 * @param name the experiment's name
 * @param description free text, or null
 * @param protocol the protocol the file encodes (free text, e.g. a spec's name and path), or null
 * @param role student grid or teacher recipe
 * @param data a data-set name or path, as {@link org.nst4j.data.DataSources#resolve} takes it
 * @param dataDir where named data sets are looked for first, or null
 * @param perClass first N training images per class, or null for all
 * @param teacher the teacher (student role): a model saved by nst4j or a TorchScript file; else null
 * @param teacherTaps names of a TorchScript teacher's maps after its logits, in order, or null ({@code tap1..tapN},
 *     or the taps of an nst4j teacher's architecture)
 * @param teacherRecipe the YAML file that trains the teacher (named in the error when it is missing), or null
 * @param arch the architecture trained (the student's, or the teacher's for a recipe)
 * @param config the hyper-parameters (its seed is replaced by each run's seed)
 * @param methods the methods in file order (a recipe has the single method {@code ce})
 * @param seeds the seeds in file order
 * @param out the experiment's output folder
 * @param teacherRuntime where the teacher's forward runs ({@code teacher_runtime}), or null for {@link
 *     TeacherRuntime#defaultFor(Path, ai.djl.Device)}
 */
public record ExperimentSpec(
    Path file,
    String yaml,
    String name,
    String description,
    String protocol,
    Role role,
    String data,
    Path dataDir,
    Integer perClass,
    Path teacher,
    List<String> teacherTaps,
    Path teacherRecipe,
    String arch,
    TrainingRecipe config,
    List<MethodSpec> methods,
    List<Long> seeds,
    Path out,
    TeacherRuntime teacherRuntime) {

  /** What an experiment trains. */
  public enum Role {
    /** Students against a frozen teacher, one run per (method, seed). */
    STUDENT,
    /** A teacher, one run with cross-entropy. */
    TEACHER
  }

  /** Checks the invariants {@link ExperimentFile} establishes (so a hand-built spec is as safe). */
  public ExperimentSpec {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(arch, "arch");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(out, "out");
    methods = List.copyOf(methods);
    seeds = List.copyOf(seeds);
    yaml = yaml == null ? "" : yaml;
    if (teacherTaps != null) {
      teacherTaps = List.copyOf(teacherTaps);
      if (teacherTaps.isEmpty() || teacherTaps.stream().anyMatch(t -> t.isBlank() || t.contains(":"))
          || new LinkedHashSet<>(teacherTaps).size() != teacherTaps.size()) {
        throw new IllegalArgumentException(file + ": teacher_taps: names must be distinct, non-blank and without"
            + " ':', got " + teacherTaps);
      }
    }
    if (methods.isEmpty()) {
      throw new IllegalArgumentException(file + ": methods: at least one method is needed");
    }
    if (seeds.isEmpty()) {
      throw new IllegalArgumentException(file + ": seeds: at least one seed is needed");
    }
    if (new LinkedHashSet<>(seeds).size() != seeds.size()) {
      throw new IllegalArgumentException(file + ": seeds: a seed appears twice in " + seeds);
    }
    LinkedHashSet<String> labels = new LinkedHashSet<>();
    for (MethodSpec m : methods) {
      if (!labels.add(m.label())) {
        throw new IllegalArgumentException(file + ": methods: label '" + m.label() + "' appears twice; give the"
            + " methods distinct names with 'name:'");
      }
    }
    if (role == Role.TEACHER) {
      if (teacher != null || teacherTaps != null) {
        throw new IllegalArgumentException(file + ": a teacher recipe (role: teacher) takes no teacher");
      }
      if (methods.size() != 1 || !methods.get(0).method().equals("ce")) {
        throw new IllegalArgumentException(file + ": a teacher recipe trains with ce only");
      }
      if (seeds.size() != 1) {
        throw new IllegalArgumentException(file + ": seeds: a teacher recipe trains one model (its run folder is"
            + " out), give one seed, got " + seeds);
      }
    } else if (teacher == null) {
      throw new IllegalArgumentException(file + ": teacher: missing (the path of a model saved by nst4j)");
    }
  }

  /**
   * An experiment without {@code teacher_taps} (a teacher saved by nst4j, or a TorchScript teacher whose maps
   * are {@code tap1..tapN}); see the canonical constructor.
   */
  public ExperimentSpec(Path file, String yaml, String name, String description, String protocol, Role role,
      String data, Path dataDir, Integer perClass, Path teacher, Path teacherRecipe, String arch,
      TrainingRecipe config, List<MethodSpec> methods, List<Long> seeds, Path out) {
    this(file, yaml, name, description, protocol, role, data, dataDir, perClass, teacher, null, teacherRecipe, arch,
        config, methods, seeds, out, null);
  }

  /**
   * An experiment with {@code teacher_taps} and the default teacher runtime; see the canonical constructor.
   */
  public ExperimentSpec(Path file, String yaml, String name, String description, String protocol, Role role,
      String data, Path dataDir, Integer perClass, Path teacher, List<String> teacherTaps, Path teacherRecipe,
      String arch, TrainingRecipe config, List<MethodSpec> methods, List<Long> seeds, Path out) {
    this(file, yaml, name, description, protocol, role, data, dataDir, perClass, teacher, teacherTaps, teacherRecipe,
        arch, config, methods, seeds, out, null);
  }

  /**
   * This experiment with another teacher runtime.
   *
   * @param runtime the runtime, or null to keep the file's
   * @return the changed experiment
   */
  public ExperimentSpec withTeacherRuntime(TeacherRuntime runtime) {
    return runtime == null ? this : new ExperimentSpec(file, yaml, name, description, protocol, role, data, dataDir,
        perClass, teacher, teacherTaps, teacherRecipe, arch, config, methods, seeds, out, runtime);
  }

  /** Where this experiment's teacher runs on {@code device}: the file's choice, or the default. */
  public TeacherRuntime teacherRuntimeOn(ai.djl.Device device) {
    return teacher == null ? null : teacherRuntime != null ? teacherRuntime : TeacherRuntime.defaultFor(teacher, device);
  }

  /** The run folder of one (method, seed). */
  public Path runDir(MethodSpec method, long seed) {
    return role == Role.TEACHER ? out : out.resolve("runs").resolve(method.label()).resolve("seed-" + seed);
  }

  /** The method labels, in file order. */
  public List<String> labels() {
    return methods.stream().map(MethodSpec::label).toList();
  }

  /**
   * This experiment with command-line overrides applied; every argument may be null (keep the file's value).
   *
   * @param onlyMethods labels of the methods to keep (in the file's order, whatever the order given)
   * @param newSeeds seeds replacing the file's
   * @param epochs epochs replacing the file's
   * @param newOut output folder replacing the file's
   * @param newTeacher teacher replacing the file's
   * @return the changed experiment
   * @throws IllegalArgumentException naming the option and the bad value
   */
  public ExperimentSpec withOverrides(List<String> onlyMethods, List<Long> newSeeds, Integer epochs, Path newOut,
      Path newTeacher) {
    return withOverrides(onlyMethods, newSeeds, epochs, newOut, newTeacher, null);
  }

  /**
   * This experiment with command-line overrides applied; every argument may be null (keep the file's value).
   *
   * @param onlyMethods labels of the methods to keep (in the file's order, whatever the order given)
   * @param newSeeds seeds replacing the file's
   * @param epochs epochs replacing the file's
   * @param newOut output folder replacing the file's
   * @param newTeacher teacher replacing the file's (its {@code teacher_taps} are kept unless replaced too)
   * @param newTeacherTaps names of the TorchScript teacher's maps replacing the file's {@code teacher_taps}
   * @return the changed experiment
   * @throws IllegalArgumentException naming the option and the bad value
   */
  public ExperimentSpec withOverrides(List<String> onlyMethods, List<Long> newSeeds, Integer epochs, Path newOut,
      Path newTeacher, List<String> newTeacherTaps) {
    List<MethodSpec> ms = methods;
    if (onlyMethods != null) {
      if (role == Role.TEACHER) {
        throw new IllegalArgumentException("--methods: " + file + " is a teacher recipe (it trains with ce only)");
      }
      if (onlyMethods.isEmpty()) {
        throw new IllegalArgumentException("--methods: give at least one method");
      }
      for (String l : onlyMethods) {
        if (!labels().contains(l.trim())) {
          throw new IllegalArgumentException("--methods: '" + l.trim() + "' is not a method of " + file
              + "; it defines: " + String.join(", ", labels()));
        }
      }
      List<String> wanted = onlyMethods.stream().map(String::trim).toList();
      ms = new ArrayList<>();
      for (MethodSpec m : methods) {
        if (wanted.contains(m.label())) {
          ms.add(m);
        }
      }
    }
    List<Long> ss = seeds;
    if (newSeeds != null) {
      for (Long s : newSeeds) {
        if (s == null || s < 0) {
          throw new IllegalArgumentException("--seeds: seeds must be integers ≥ 0, got " + newSeeds);
        }
      }
      if (newSeeds.isEmpty() || new LinkedHashSet<>(newSeeds).size() != newSeeds.size()) {
        throw new IllegalArgumentException("--seeds: give distinct seeds, got " + newSeeds);
      }
      ss = newSeeds;
    }
    TrainingRecipe c = config;
    if (epochs != null) {
      if (epochs < 1) {
        throw new IllegalArgumentException("--epochs must be ≥ 1, got " + epochs);
      }
      c = config.toBuilder().setEpochs(epochs).build();
    }
    if (newTeacher != null && role == Role.TEACHER) {
      throw new IllegalArgumentException("--teacher: " + file + " is a teacher recipe; it takes no teacher");
    }
    List<String> tt = teacherTaps;
    if (newTeacherTaps != null) {
      if (role == Role.TEACHER) {
        throw new IllegalArgumentException("--teacher-taps: " + file + " is a teacher recipe; it takes no teacher");
      }
      tt = newTeacherTaps.stream().map(String::trim).toList();
      if (tt.isEmpty() || tt.stream().anyMatch(t -> t.isEmpty() || t.contains(":"))
          || new LinkedHashSet<>(tt).size() != tt.size()) {
        throw new IllegalArgumentException("--teacher-taps: names must be distinct, non-blank and without ':', got "
            + newTeacherTaps);
      }
    }
    return new ExperimentSpec(file, yaml, name, description, protocol, role, data, dataDir, perClass,
        newTeacher != null ? newTeacher : teacher, tt, teacherRecipe, arch, c, ms, ss, newOut != null ? newOut : out,
        teacherRuntime);
  }
}

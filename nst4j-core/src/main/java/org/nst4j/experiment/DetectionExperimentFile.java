package org.nst4j.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.nst4j.data.DataSources;
import org.nst4j.detection.BackboneDistillation;
import org.nst4j.detection.FmnistDet;
import org.nst4j.model.ModelZoo;
import org.nst4j.transfer.CeMethod;
import org.nst4j.transfer.LossOptions;

/**
 * Reads a detection experiment's YAML file into a {@link DetectionExperimentSpec}, with the checks and messages of
 * {@link ExperimentFile} (its field readers are shared): an unknown key, a wrong type, an unknown architecture, a
 * method a detector cannot use, a row naming an unknown teacher — each an {@link IllegalArgumentException} naming
 * the file and the field.
 *
 * <pre>
 * name: fmnist-det                    # required; names the output folder
 * description: free text              # optional
 * data:                               # the FMNIST-Det folder; generated (detection-data fmnist-det) when absent
 *   folder: data/fmnist-det-2k        # required
 *   source: fashion-mnist             # where the items come from (default fashion-mnist; sample; an IDX folder)
 *   data_dir: /some/folder            # optional, as --data-dir
 *   seed: 13                          # generator seed (default 13)
 *   train: 2000                       # training scenes (default 10000)
 *   test: 500                         # test scenes (default 2000)
 * detector:                           # the schedule of every run (detect train's options and defaults)
 *   arch: resnet8                     # rows' default backbone architecture (required)
 *   tap: stage3
 *   epochs: 10
 *   batch: 16
 *   lr: 0.02
 *   momentum: 0.9
 *   weight_decay: 1.0e-4
 *   flip: true
 * backbone_grid: runs/fmnist-10k      # optional: the classification experiment rows' grid_method refers to
 * teachers:                           # optional: teacher detectors trained first, into OUT/teachers/NAME
 *   - name: resnet20
 *     arch: resnet20
 *     backbone: runs/x/model          # optional classification run (default scratch)
 *     seed: 0                         # default 0
 *     epochs: 10                      # default the schedule's
 * rows:                               # required, in table order
 *   - name: scratch                   # a detector from scratch
 *   - name: nst-poly-backbone         # a backbone from the grid's run BACKBONE_GRID/runs/nst-poly/seed-{seed}
 *     grid_method: nst-poly
 *   - name: mine                      # or any run folder; {seed} is replaced by the row's seed
 *     backbone: runs/cls/seed-{seed}
 *   - name: distill-nst-poly          # distilled from a teacher (a teachers: name or a detect train run folder)
 *     teacher: resnet20
 *     method: nst-poly                # a tap-only method or sum; its options as in experiment files
 *     lambda: 50
 *     taps: [stage3]
 *     arch: resnet8                   # optional, default detector.arch
 * seeds: [0, 1]                       # default [0]
 * out: runs/fmnist-det                # default runs/NAME
 * report: docs/results/fmnist-det     # where results.md/csv and predictions.png go (default out)
 * </pre>
 */
public final class DetectionExperimentFile {
  private static final List<String> TOP_KEYS = List.of("name", "description", "data", "detector", "backbone_grid",
      "teachers", "rows", "seeds", "out", "report");
  private static final List<String> DATA_KEYS = List.of("folder", "source", "data_dir", "seed", "train", "test");
  private static final List<String> DETECTOR_KEYS = List.of("arch", "tap", "epochs", "batch", "lr", "momentum",
      "weight_decay", "flip");
  private static final List<String> TEACHER_KEYS = List.of("name", "arch", "backbone", "seed", "epochs");
  /** A row's own keys; the others are its method's (method, taps, spatial and the registry's options). */
  private static final List<String> ROW_KEYS = List.of("arch", "backbone", "grid_method", "teacher");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+=-]*");

  private DetectionExperimentFile() {}

  /**
   * Reads and checks a detection experiment file.
   *
   * @param file the YAML file
   * @return the experiment
   * @throws IllegalArgumentException if the file is missing, too large, not YAML, or a field is wrong
   */
  public static DetectionExperimentSpec read(Path file) {
    return parse(ExperimentFile.readText(file), file);
  }

  /**
   * Parses and checks the text of a detection experiment file.
   *
   * @param yaml the text
   * @param file its name, for messages
   * @return the experiment
   */
  public static DetectionExperimentSpec parse(String yaml, Path file) {
    JsonNode root = ExperimentFile.yamlTree(yaml, file);
    ExperimentFile.Reader r = new ExperimentFile.Reader(file);
    if (root == null || !root.isObject()) {
      throw r.fail("", "the file is empty; it needs at least name, data, detector and rows");
    }
    r.checkKeys(root, "", TOP_KEYS);
    String name = r.requiredString(root, "name");
    r.require(NAME.matcher(name).matches(), "name", "must be letters, digits, '.', '_', '+', '=' or '-', got '"
        + name + "'");

    JsonNode d = root.get("data");
    r.require(d != null && d.isObject(), "data", "missing: a mapping with folder (and source, seed, train, test)");
    r.checkKeys(d, "data", DATA_KEYS);
    String source = r.optionalString(d, "data", "source");
    source = source == null ? DataSources.FASHION_MNIST : source.trim();
    r.require(ExperimentFile.isDataName(source), "data.source", "unknown data set '" + source + "'; known names: "
        + String.join(", ", DataSources.knownNames()) + " (or an IDX folder's path)");
    String dataDir = r.optionalString(d, "data", "data_dir");
    Integer dataSeed = r.optionalInt(d, "data", "seed", 0);
    Integer train = r.optionalInt(d, "data", "train", 1);
    Integer test = r.optionalInt(d, "data", "test", 1);
    DetectionExperimentSpec.Data data = new DetectionExperimentSpec.Data(Path.of(r.requiredString(d, "data",
        "folder")), source, dataDir == null ? null : Path.of(dataDir),
        dataSeed == null ? FmnistDet.DEFAULT_SEED : dataSeed, train == null ? FmnistDet.DEFAULT_TRAIN : train,
        test == null ? FmnistDet.DEFAULT_TEST : test);

    JsonNode s = root.get("detector");
    r.require(s != null && s.isObject(), "detector", "missing: a mapping with arch (and tap, epochs, batch, lr, ...)");
    r.checkKeys(s, "detector", DETECTOR_KEYS);
    String arch = arch(r, s, "detector");
    String tap = r.optionalString(s, "detector", "tap");
    Integer epochs = r.optionalInt(s, "detector", "epochs", 1);
    Integer batch = r.optionalInt(s, "detector", "batch", 1);
    Double lr = r.optionalDouble(s, "detector", "lr");
    Double momentum = r.optionalDouble(s, "detector", "momentum");
    Double wd = r.optionalDouble(s, "detector", "weight_decay");
    Boolean flip = r.optionalBoolean(s, "detector", "flip");
    r.require(lr == null || lr > 0, "detector.lr", "must be > 0, got " + lr);
    r.require(momentum == null || (momentum >= 0 && momentum < 1), "detector.momentum", "must be in [0, 1)");
    r.require(wd == null || wd >= 0, "detector.weight_decay", "must be ≥ 0");
    // The defaults are detect train's.
    DetectionExperimentSpec.Schedule schedule = new DetectionExperimentSpec.Schedule(tap == null ? "stage3" : tap.trim(),
        epochs == null ? 10 : epochs, batch == null ? 16 : batch, lr == null ? 0.02 : lr,
        momentum == null ? 0.9 : momentum, wd == null ? 1e-4 : wd, flip == null || flip);

    List<DetectionExperimentSpec.Teacher> teachers = new ArrayList<>();
    JsonNode ts = root.get("teachers");
    if (ts != null && !ts.isNull()) {
      r.require(ts.isArray(), "teachers", "must be a list of mappings with name and arch");
      for (int i = 0; i < ts.size(); i++) {
        String p = "teachers[" + i + "]";
        JsonNode t = ts.get(i);
        r.checkKeys(t, p, TEACHER_KEYS);
        String tn = r.requiredString(t, p, "name");
        r.require(NAME.matcher(tn).matches(), p + ".name", "must be a folder name, got '" + tn + "'");
        for (DetectionExperimentSpec.Teacher other : teachers) {
          r.require(!other.name().equals(tn), p + ".name", "'" + tn + "' is used twice");
        }
        Integer ts2 = r.optionalInt(t, p, "seed", 0);
        teachers.add(new DetectionExperimentSpec.Teacher(tn, arch(r, t, p), r.optionalString(t, p, "backbone"),
            ts2 == null ? 0 : ts2, r.optionalInt(t, p, "epochs", 1)));
      }
    }

    String grid = r.optionalString(root, "backbone_grid");
    JsonNode rowsNode = root.get("rows");
    r.require(rowsNode != null && rowsNode.isArray() && !rowsNode.isEmpty(), "rows",
        "missing: a non-empty list of rows (mappings with name and backbone, grid_method or teacher + method)");
    List<DetectionExperimentSpec.Row> rows = new ArrayList<>();
    Set<String> labels = new LinkedHashSet<>();
    for (int i = 0; i < rowsNode.size(); i++) {
      rows.add(row(r, rowsNode.get(i), "rows[" + i + "]", arch, grid, teachers, labels));
    }
    List<Long> seeds = r.seeds(root.get("seeds"));
    String out = r.optionalString(root, "out");
    String report = r.optionalString(root, "report");
    Path outPath = out == null ? Path.of("runs", name) : Path.of(out);
    return new DetectionExperimentSpec(file, yaml, name, r.optionalString(root, "description"), data, schedule,
        teachers, rows, seeds, outPath, report == null ? outPath : Path.of(report));
  }

  private static DetectionExperimentSpec.Row row(ExperimentFile.Reader r, JsonNode node, String p, String arch,
      String grid, List<DetectionExperimentSpec.Teacher> teachers, Set<String> labels) {
    r.require(node.isObject(), p, "must be a mapping with name and backbone, grid_method or teacher + method");
    String label = r.requiredString(node, p, "name");
    r.require(NAME.matcher(label).matches(), p + ".name", "must be a folder name, got '" + label + "'");
    r.require(labels.add(label), p + ".name", "'" + label + "' is used twice");
    String rowArch = node.has("arch") ? arch(r, node, p) : arch;
    String backbone = r.optionalString(node, p, "backbone");
    String gridMethod = r.optionalString(node, p, "grid_method");
    r.require(backbone == null || gridMethod == null, p, "give backbone or grid_method, not both");
    if (backbone != null && backbone.trim().equals("scratch")) {
      backbone = null;
    }
    if (gridMethod != null) {
      r.require(grid != null, p + ".grid_method", "needs backbone_grid: the classification experiment's output folder"
          + " (e.g. runs/fmnist-10k), whose runs/<method>/seed-<s> hold the backbones");
      r.require(MethodSpec.LABEL.matcher(gridMethod.trim()).matches(), p + ".grid_method",
          "must be a method label of the grid, got '" + gridMethod + "'");
      backbone = Path.of(grid).resolve("runs").resolve(gridMethod.trim()).resolve("seed-{seed}").toString();
    }
    String teacher = r.optionalString(node, p, "teacher");
    // The method entry: the row's keys removed, the rest read exactly as under an experiment's methods:.
    ObjectNode entry = node.deepCopy();
    for (String k : ROW_KEYS) {
      entry.remove(k);
    }
    if (!entry.has("method")) {
      entry.put("method", CeMethod.NAME);
    }
    String method = entry.get("method").asText();
    boolean transfers; // the method first: a refused method's options would only confuse the message
    try {
      transfers = !BackboneDistillation.checkMethod(method).isEmpty();
    } catch (IllegalArgumentException e) {
      throw r.fail(p + ".method", e.getMessage());
    }
    MethodSpec m = r.method(p, method, null, r.lossOptions(entry, p + " (" + method + ")", method));
    r.require(!transfers || teacher != null, p + ".teacher", "missing: method " + m.method() + " distills from a"
        + " teacher detector (a name of teachers: or a detect train run folder)");
    r.require(transfers || teacher == null, p + ".method", "missing: a row with a teacher needs a transfer method"
        + " (e.g. nst-poly, at, fitnet)");
    if (teacher != null && !teacher.contains("/")) {
      boolean known = teachers.stream().anyMatch(t -> t.name().equals(teacher.trim()));
      r.require(known, p + ".teacher", "no teacher named '" + teacher + "' in teachers: (a path needs a '/')");
    }
    LossOptions options = m.options();
    return new DetectionExperimentSpec.Row(label, rowArch, backbone, teacher == null ? null : teacher.trim(),
        m.method(), options);
  }

  private static String arch(ExperimentFile.Reader r, JsonNode node, String p) {
    String a = r.requiredString(node, p, "arch");
    r.require(ModelZoo.isKnown(a), p + ".arch", "unknown architecture '" + a + "'; known: "
        + String.join(", ", ModelZoo.architectures()));
    return a;
  }
}

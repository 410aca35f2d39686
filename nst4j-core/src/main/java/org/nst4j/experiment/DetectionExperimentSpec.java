package org.nst4j.experiment;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.nst4j.transfer.LossOptions;

/**
 * A detection experiment, as read from its YAML file ({@link DetectionExperimentFile}): FMNIST-Det detectors whose
 * backbones start from scratch or from classification runs, and detectors distilled from teacher detectors, each
 * row trained with every seed.
 *
 * @param file the experiment file
 * @param yaml its text (quoted in the report)
 * @param name the experiment's name
 * @param description free text, or null
 * @param data the FMNIST-Det folder and how to generate it when absent
 * @param schedule the detector training schedule every run shares
 * @param teachers teacher detectors the experiment trains first (rows name them), in order
 * @param rows the table's rows, in order
 * @param seeds the seeds of every row
 * @param out where the runs go: {@code <out>/teachers/<name>}, {@code <out>/runs/<row>/seed-<s>}
 * @param report where the report goes (default {@code out})
 */
public record DetectionExperimentSpec(Path file, String yaml, String name, String description, Data data,
    Schedule schedule, List<Teacher> teachers, List<Row> rows, List<Long> seeds, Path out, Path report) {

  /** Copies the lists and checks that names are unique. */
  public DetectionExperimentSpec {
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(schedule, "schedule");
    teachers = List.copyOf(teachers);
    rows = List.copyOf(rows);
    seeds = List.copyOf(seeds);
    if (rows.isEmpty() || seeds.isEmpty()) {
      throw new IllegalArgumentException("an experiment needs at least one row and one seed");
    }
  }

  /**
   * The FMNIST-Det data set.
   *
   * @param folder its folder ({@code train/}, {@code test/}); generated when absent
   * @param source where the items come from (a data-set name such as {@code fashion-mnist}, or an IDX folder)
   * @param dataDir where named data sets are looked for first, or null
   * @param seed the generator's seed
   * @param train training scenes
   * @param test test scenes
   */
  public record Data(Path folder, String source, Path dataDir, long seed, int train, int test) {}

  /**
   * The detector schedule (the options of {@code detect train}).
   *
   * @param tap the backbone tap the heads read
   * @param epochs epochs
   * @param batch images per batch
   * @param lr base rate, cosine-annealed per step to 0
   * @param momentum Nesterov momentum
   * @param weightDecay weight decay
   * @param flip random horizontal flips
   */
  public record Schedule(String tap, int epochs, int batch, double lr, double momentum, double weightDecay,
      boolean flip) {}

  /**
   * A teacher detector the experiment trains (once, before the rows).
   *
   * @param name how rows name it; its folder is {@code <out>/teachers/<name>}
   * @param arch its backbone architecture
   * @param backbone a classification run to start its backbone from, or null (scratch)
   * @param seed its seed
   * @param epochs its epochs (null: the schedule's)
   */
  public record Teacher(String name, String arch, String backbone, long seed, Integer epochs) {}

  /**
   * A row of the table: one detector configuration, trained with every seed.
   *
   * @param label the row's name (its run folders: {@code <out>/runs/<label>/seed-<s>})
   * @param arch the backbone architecture
   * @param backbone the classification run the backbone starts from, {@code {seed}} replaced by the run's seed;
   *     null for scratch
   * @param teacher a teacher of the file's {@code teachers} (by name) or a detector run folder; null for none
   * @param method the transfer method on the backbone taps ({@code ce}: none)
   * @param options its options
   */
  public record Row(String label, String arch, String backbone, String teacher, String method, LossOptions options) {
    /** The backbone's run folder for a seed, or null for scratch. */
    public Path backboneFor(long seed) {
      return backbone == null ? null : Path.of(backbone.replace("{seed}", Long.toString(seed)));
    }
  }

  /** The folder of a teacher the file trains. */
  public Path teacherDir(String teacherName) {
    return out.resolve("teachers").resolve(teacherName);
  }

  /** The run folder of a row's seed. */
  public Path runDir(Row row, long seed) {
    return out.resolve("runs").resolve(row.label()).resolve("seed-" + seed);
  }

  /** A row's teacher detector folder: a teacher of the file, or the path given; null for none. */
  public Path teacherOf(Row row) {
    if (row.teacher() == null) {
      return null;
    }
    for (Teacher t : teachers) {
      if (t.name().equals(row.teacher())) {
        return teacherDir(t.name());
      }
    }
    return Path.of(row.teacher());
  }
}

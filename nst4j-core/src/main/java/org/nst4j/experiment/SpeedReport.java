package org.nst4j.experiment;

import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.nst4j.bench.InferenceSpeed;
import org.nst4j.bench.MachineInfo;
import org.nst4j.store.Json;
import org.nst4j.store.ModelCard;
import org.nst4j.store.ModelStore;
import org.nst4j.train.Teachers;

/**
 * The student's inference speed next to its teacher's, for an experiment's report: the reason people distil.
 *
 * <p>Measured once, by {@link InferenceSpeed} at batch 1 and 64 on the trained student of the grid's first
 * run and on the teacher, and kept in {@value #FILE} in the experiment's output folder. Later reports read
 * that file instead of measuring again, so that a report rebuilt on a finished grid is the same byte for byte
 * (a speed measured anew would differ in its last digits); delete the file to measure again.
 *
 * @param date the day of the measurement (ISO-8601)
 * @param threads libtorch's intra-op threads during the measurement
 * @param machine the machine it ran on
 * @param rows one row per (model, batch size): the teacher's first, then the student's
 */
public record SpeedReport(String date, int threads, MachineInfo machine, List<Row> rows) {
  /** The file in the experiment's output folder. */
  public static final String FILE = "inference-speed.json";
  /** Batch sizes measured: one image (latency-bound serving) and a full batch (throughput). */
  public static final int[] BATCH_SIZES = {1, 64};

  /**
   * One measurement.
   *
   * @param role {@code teacher} or {@code student}
   * @param architecture the model's architecture
   * @param parameters its learnable parameter count
   * @param batch images per forward pass
   * @param imagesPerSecond images classified per second
   * @param millisPerBatch mean wall time of one forward pass
   */
  public record Row(String role, String architecture, long parameters, int batch, double imagesPerSecond,
      double millisPerBatch) {}

  /** Checks that there are rows. */
  public SpeedReport {
    rows = List.copyOf(rows);
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("a speed report needs at least one measurement");
    }
  }

  /**
   * Measures the student and the teacher now.
   *
   * @param student a run or model folder holding the trained student
   * @param teacher the teacher: an nst4j run/model folder or a TorchScript file
   * @return the measurements, with libtorch's current intra-op thread count
   */
  public static SpeedReport measure(Path student, Path teacher) {
    ModelCard card = ModelStore.readCard(student);
    List<InferenceSpeed.Result> t = Teachers.isTorchScript(teacher)
        ? InferenceSpeed.measureTorchScript(teacher,
            new Shape(card.inputChannels(), card.inputHeight(), card.inputWidth()), card.numClasses(), BATCH_SIZES)
        : InferenceSpeed.measureSaved(teacher, BATCH_SIZES);
    List<InferenceSpeed.Result> s = InferenceSpeed.measureSaved(student, BATCH_SIZES);
    List<Row> rows = new ArrayList<>();
    t.forEach(r -> rows.add(row("teacher", r)));
    s.forEach(r -> rows.add(row("student", r)));
    return new SpeedReport(java.time.LocalDate.now().toString(), ai.djl.pytorch.jni.JniUtils.getNumThreads(),
        MachineInfo.current(), rows);
  }

  private static Row row(String role, InferenceSpeed.Result r) {
    return new Row(role, r.architecture(), r.parameters(), r.batchSize(), r.imagesPerSecond(), r.millisPerBatch());
  }

  /**
   * Reads {@value #FILE} from a folder.
   *
   * @param dir the experiment's output folder
   * @return the report, or null if the folder has none
   * @throws IOException if the file exists but cannot be read as a speed report
   */
  public static SpeedReport read(Path dir) throws IOException {
    Path f = dir.resolve(FILE);
    if (!Files.exists(f)) {
      return null;
    }
    try {
      return Json.PRETTY.readValue(f.toFile(), new TypeReference<SpeedReport>() {});
    } catch (IOException | RuntimeException e) {
      throw new IOException(f + ": not a speed report (" + e.getMessage().lines().findFirst().orElse("")
          + "); delete it to measure again", e);
    }
  }

  /**
   * Writes this report as {@value #FILE} into a folder.
   *
   * @param dir the experiment's output folder
   */
  public void write(Path dir) throws IOException {
    Json.writeAtomically(dir.resolve(FILE), this);
  }

  /**
   * The Markdown section: a table with each student row's speed-up over the teacher at the same batch size.
   *
   * @return the section, starting with its heading
   */
  public String markdown() {
    StringBuilder sb = new StringBuilder("## Inference speed\n\n");
    sb.append("| model | architecture | parameters | batch | images/s | ms / batch | speed-up over the teacher |\n");
    sb.append("|---|---|--:|--:|--:|--:|--:|\n");
    for (Row r : rows) {
      Row base = rows.stream().filter(o -> o.role().equals("teacher") && o.batch() == r.batch()).findFirst()
          .orElse(null);
      sb.append(String.format(Locale.ROOT, "| %s | %s | %,d | %d | %.0f | %.2f | %s |%n", r.role(),
          r.architecture(), r.parameters(), r.batch(), r.imagesPerSecond(), r.millisPerBatch(),
          base == null ? "" : String.format(Locale.ROOT, "%.2f×", r.imagesPerSecond() / base.imagesPerSecond())));
    }
    sb.append(String.format(Locale.ROOT, "%nForward passes in inference mode (BatchNorm running statistics, no "
        + "autograd) on one fixed batch, after %d warm-up passes, for at least %.0f s per row; libtorch with %d "
        + "intra-op thread(s); measured on %s on %s. Kept in `%s`: rebuilding the report reuses these numbers "
        + "(delete the file to measure again).%n", InferenceSpeed.DEFAULT_WARMUP, InferenceSpeed.DEFAULT_MIN_SECONDS,
        threads, date, machine.describe(), FILE));
    return sb.toString();
  }
}

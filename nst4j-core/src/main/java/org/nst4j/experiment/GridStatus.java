package org.nst4j.experiment;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nst4j.train.RunFolder;
import org.nst4j.train.RunSummary;

/**
 * The state of each cell of a grid, read from its run folder, its Slurm log and the queue: what {@code
 * nst4j experiment FILE --status} prints and what the report lists for cells that did not finish.
 */
public final class GridStatus {
  /** What a cell is doing. */
  public enum State {
    /** Its {@code summary.json} exists. */
    DONE,
    /** A Slurm task is training it. */
    RUNNING,
    /** A Slurm task waits for it (possibly requeued, then it resumes from its checkpoint). */
    PENDING,
    /** It stopped with an {@code error:} line, or Slurm ended its task (time limit, memory, node failure). */
    FAILED,
    /** It has epochs or a checkpoint but nothing is running it: the next submission or run resumes it. */
    STOPPED,
    /** Nothing has been trained. */
    NOT_STARTED
  }

  /**
   * One cell.
   *
   * @param index its array index (its position in the grid, from 0)
   * @param label its method or setting
   * @param seed its seed
   * @param state what it is doing
   * @param detail the epoch reached, the job, the accuracy or the error line
   */
  public record Row(int index, String label, long seed, State state, String detail) {}

  private GridStatus() {}

  /**
   * Reads every cell's state.
   *
   * @param cells the grid's cells, in array order
   * @param epochs the epochs of each run
   * @param logs the Slurm log folder ({@code cell-<index>.err}); may not exist
   * @param queue the queue's entry of each cell index that a submission of this grid still shows
   * @return one row per cell
   */
  public static List<Row> of(List<GridRunner.Cell> cells, int epochs, Path logs, Map<Integer, Slurm.QueueEntry> queue)
      throws IOException {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < cells.size(); i++) {
      GridRunner.Cell c = cells.get(i);
      RunFolder f = new RunFolder(c.dir());
      Slurm.QueueEntry q = queue.get(i);
      State state;
      String detail;
      int logged = f.isComplete() ? epochs : f.readEpochLog().size();
      if (f.isComplete()) {
        state = State.DONE;
        RunSummary s = f.readSummary();
        detail = String.format(Locale.ROOT, "%d epoch%s, final accuracy %.2f %%", s.epochs(), s.epochs() == 1 ? "" : "s",
            100 * s.testAccuracy());
      } else if (q != null && q.active() && (q.state().equals("RUNNING") || q.state().equals("COMPLETING"))) {
        state = State.RUNNING;
        detail = String.format(Locale.ROOT, "epoch %d/%d, job %s", Math.min(epochs, logged + 1), epochs, q.jobId());
      } else if (q != null && q.active()) {
        state = State.PENDING;
        detail = "job " + q.jobId() + " " + q.state().toLowerCase(Locale.ROOT) + " (" + q.reason() + ")"
            + (logged > 0 ? ", resumes after epoch " + logged : "");
      } else {
        String error = lastError(logs.resolve("cell-" + i + ".err"));
        if (error != null) {
          state = State.FAILED;
          detail = error;
        } else if (q != null && q.state().equals("CANCELLED")) { // cancelled is not failed: resubmit to go on
          boolean started = logged > 0 || Files.exists(f.checkpoint());
          state = started ? State.STOPPED : State.NOT_STARTED;
          detail = "job " + q.jobId() + " cancelled" + (started ? " after epoch " + logged + "/" + epochs : "");
        } else if (q != null) {
          state = State.FAILED;
          detail = "Slurm ended job " + q.jobId() + ": " + q.state() + (q.reason().equals("None") ? "" : " (" + q.reason() + ")");
        } else if (logged > 0 || Files.exists(f.checkpoint())) {
          state = State.STOPPED;
          detail = "interrupted after epoch " + logged + "/" + epochs + "; the next run or submission resumes it";
        } else {
          state = State.NOT_STARTED;
          detail = "";
        }
      }
      rows.add(new Row(i, c.label(), c.seed(), state, detail));
    }
    return List.copyOf(rows);
  }

  /**
   * The last {@code error:} line a task wrote after its last start (earlier attempts' errors are history), or
   * null if there is none or no log.
   */
  static String lastError(Path log) throws IOException {
    if (!Files.isRegularFile(log)) {
      return null;
    }
    String error = null;
    for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
      if (line.startsWith(SlurmScript.START_MARK)) {
        error = null;
      } else if (line.startsWith("error:")) {
        error = line.strip();
      }
    }
    return error;
  }

  /** The rows as an aligned text table, then a count per state. */
  public static String table(List<Row> rows) {
    int width = rows.stream().mapToInt(r -> r.label().length()).max().orElse(5);
    StringBuilder sb = new StringBuilder();
    int[] counts = new int[State.values().length];
    for (Row r : rows) {
      counts[r.state().ordinal()]++;
      sb.append(String.format(Locale.ROOT, "%4d  %-" + width + "s  seed %-4d  %-11s  %s%n", r.index(), r.label(),
          r.seed(), r.state().name().toLowerCase(Locale.ROOT).replace('_', ' '), r.detail()).stripTrailing()
          .concat("\n"));
    }
    List<String> parts = new ArrayList<>();
    for (State s : State.values()) {
      if (counts[s.ordinal()] > 0) {
        parts.add(counts[s.ordinal()] + " " + s.name().toLowerCase(Locale.ROOT).replace('_', ' '));
      }
    }
    sb.append(rows.size()).append(rows.size() == 1 ? " cell: " : " cells: ").append(String.join(", ", parts))
        .append('\n');
    return sb.toString();
  }

  /**
   * The report's section on cells that did not finish (empty when all did, so a finished grid's report does
   * not change): which cells, in what state, and why.
   */
  public static String unfinishedSection(List<Row> rows) {
    List<Row> open = rows.stream().filter(r -> r.state() != State.DONE).toList();
    if (open.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder("## Unfinished runs\n\n");
    sb.append(open.size()).append(" of ").append(rows.size()).append(" runs did not finish; the tables above"
        + " count only finished runs.\n\n");
    sb.append("| cell | method | seed | state | why |\n|--:|---|--:|---|---|\n");
    for (Row r : open) {
      sb.append("| ").append(r.index()).append(" | ").append(ReportText.cell(r.label())).append(" | ")
          .append(r.seed()).append(" | ").append(r.state().name().toLowerCase(Locale.ROOT).replace('_', ' '))
          .append(" | ").append(ReportText.cell(r.detail())).append(" |\n");
    }
    return sb.append('\n').toString();
  }
}

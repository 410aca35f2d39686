package org.nst4j.experiment;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import org.nst4j.bench.MachineInfo;
import org.nst4j.data.DataSplits;
import org.nst4j.store.Json;
import org.nst4j.train.ConsoleProgress;
import org.nst4j.train.RunFolder;
import org.nst4j.train.RunIdentity;
import org.nst4j.train.RunSpec;
import org.nst4j.train.RunSummary;
import org.nst4j.train.StopSignal;
import org.nst4j.train.TrainingRun;

/**
 * Runs a grid of runs one after the other, each in its own folder: runs whose {@code summary.json} exists are
 * skipped, an interrupted run continues from its checkpoint ({@link RunSpec#resume()}), and a folder holding
 * a run of another configuration is refused before anything is trained. Shared by {@link Experiment} and
 * {@link Sweep}.
 */
public final class GridRunner {
  /**
   * One run of a grid.
   *
   * @param label the method or setting it belongs to
   * @param seed its seed
   * @param dir its run folder
   * @param expected the identity of its run; a folder whose {@code config.json} differs in the {@code compared}
   *     parts holds another run and is refused
   * @param compared the parts of the identity that must agree
   */
  public record Cell(String label, long seed, Path dir, RunIdentity expected, Set<RunIdentity.Part> compared) {
    /** Copies the set. */
    public Cell {
      compared = Set.copyOf(compared);
    }
  }

  /** Makes the spec of a cell's run once the data is loaded; it must set {@code optResume(true)}. */
  @FunctionalInterface
  public interface RunFactory {
    /**
     * Builds a run.
     *
     * @param cell the cell
     * @param data the loaded data
     * @return the run's spec
     */
    RunSpec create(Cell cell, DataSplits data);
  }

  /**
   * What a grid did.
   *
   * @param trained runs trained (or finished) in this call
   * @param skipped runs already complete
   */
  public record Outcome(int trained, int skipped) {}

  private GridRunner() {}

  /**
   * Runs every cell that is not complete, one after the other.
   *
   * @param name the grid's name, prefixing progress lines
   * @param cells the runs, in order
   * @param prepare checks and loads what training needs (the teacher, the data); called once, and only when
   *     some cell has to be trained
   * @param factory makes each run's spec
   * @param progress where progress lines go (stderr), one as each run starts, with the ETA
   * @return how many runs were trained and skipped
   * @throws IllegalArgumentException if a folder holds a run of another configuration (before any training)
   */
  public static Outcome run(String name, List<Cell> cells, Supplier<DataSplits> prepare, RunFactory factory,
      PrintWriter progress) throws IOException {
    return run(name, cells, prepare, factory, progress, false);
  }

  /**
   * Runs every cell that is not complete; with {@code shared}, the pending cells of one seed train side by
   * side in one loop ({@link TrainingRun#executeTogether}: one teacher forward per batch for all of them,
   * results bit-identical to the runs trained alone), seed after seed in the order of their first cell.
   * A run that fails in a group ends alone; the grid stops after that group with the failure (a stop request
   * first: the exit code of a stopped grid is the signal's).
   *
   * @param shared group the pending cells by seed
   * @see #run(String, List, Supplier, RunFactory, PrintWriter)
   */
  public static Outcome run(String name, List<Cell> cells, Supplier<DataSplits> prepare, RunFactory factory,
      PrintWriter progress, boolean shared) throws IOException {
    List<Cell> pending = new ArrayList<>();
    for (Cell c : cells) {
      checkSameRun(c);
      if (!new RunFolder(c.dir()).isComplete()) {
        pending.add(c);
      }
    }
    int skipped = cells.size() - pending.size();
    if (pending.isEmpty()) {
      progress.printf(Locale.ROOT, "[%s] all %d runs are complete; nothing to train%n", name, cells.size());
      progress.flush();
      return new Outcome(0, skipped);
    }
    DataSplits data = prepare.get();
    long start = System.nanoTime();
    int done = 0;
    for (List<Cell> group : groups(pending, shared)) {
      Cell c = group.get(0);
      int index = cells.indexOf(c) + 1;
      if (StopSignal.process().requested() != null) {
        throw new StopSignal.Stopped(StopSignal.process().requested() + ": stopped before run " + index + "/"
            + cells.size() + " (" + c.label() + " seed " + c.seed() + "); the same command continues the grid");
      }
      double elapsed = (System.nanoTime() - start) / 1e9;
      String eta = done == 0 ? "ETA after the first run" : "ETA " + ConsoleProgress.duration(elapsed / done * (pending.size() - done));
      String which = group.size() == 1 ? String.format(Locale.ROOT, "run %d/%d: %s seed %d", index, cells.size(),
          c.label(), c.seed())
          : String.format(Locale.ROOT, "runs %s/%d side by side, one teacher pass: %s seed %d",
              String.join(",", group.stream().map(g -> String.valueOf(cells.indexOf(g) + 1)).toList()), cells.size(),
              String.join(", ", group.stream().map(Cell::label).toList()), c.seed());
      progress.printf(Locale.ROOT, "[%s] %s (%d%s of %d to train%s; %s)%n", name, which, done + 1,
          group.size() == 1 ? "" : "-" + (done + group.size()), pending.size(),
          skipped > 0 ? ", " + skipped + " already complete" : "", eta);
      progress.flush();
      List<RunSpec> specs = new ArrayList<>();
      for (Cell g : group) {
        RunSpec spec = factory.create(g, data);
        if (!spec.resume()) {
          throw new IllegalStateException("grid runs must resume interrupted runs");
        }
        specs.add(spec);
      }
      List<TrainingRun.Outcome> outcomes = TrainingRun.executeTogether(specs);
      TrainingRun.Outcome failed = null;
      for (int k = 0; k < group.size(); k++) {
        TrainingRun.Outcome o = outcomes.get(k);
        if (o.failure() == null) {
          MachineInfo.current().writeTo(group.get(k).dir());
          done++;
        } else if (failed == null || (o.failure() instanceof StopSignal.Stopped
            && !(failed.failure() instanceof StopSignal.Stopped))) {
          if (failed != null) {
            o.failure().addSuppressed(failed.failure());
          }
          failed = o;
        } else if (failed.failure() != o.failure()) {
          failed.failure().addSuppressed(o.failure());
        }
      }
      if (failed != null) {
        failed.get(); // throws it
      }
    }
    progress.printf(Locale.ROOT, "[%s] %s trained in %s, %d already complete%n", name, runs(done),
        ConsoleProgress.duration((System.nanoTime() - start) / 1e9), skipped);
    progress.flush();
    return new Outcome(done, skipped);
  }

  /** The pending cells in training order: one group per seed (in order of first appearance) if shared. */
  static List<List<Cell>> groups(List<Cell> pending, boolean shared) {
    if (!shared) {
      return pending.stream().map(List::of).toList();
    }
    java.util.Map<Long, List<Cell>> bySeed = new java.util.LinkedHashMap<>();
    for (Cell c : pending) {
      bySeed.computeIfAbsent(c.seed(), k -> new ArrayList<>()).add(c);
    }
    return List.copyOf(bySeed.values());
  }

  /**
   * The cell at an array index.
   *
   * @throws IllegalArgumentException if the grid has no such cell
   */
  public static Cell cell(List<Cell> cells, int index) {
    if (index < 0 || index >= cells.size()) {
      throw new IllegalArgumentException("--cell " + index + ": the grid has " + runs(cells.size())
          + ", numbered 0 to " + (cells.size() - 1));
    }
    return cells.get(index);
  }

  /** Reads the summary of each complete cell; null for the others. */
  static List<RunSummary> summaries(List<Cell> cells) throws IOException {
    List<RunSummary> out = new ArrayList<>();
    for (Cell c : cells) {
      RunFolder f = new RunFolder(c.dir());
      out.add(f.isComplete() ? f.readSummary() : null);
    }
    return out;
  }

  /**
   * Refuses a folder whose {@code config.json} describes another run (another method, schedule, loss options,
   * ...): skipping or resuming it would mix runs of different configurations in one report.
   */
  static void checkSameRun(Cell c) throws IOException {
    RunFolder f = new RunFolder(c.dir());
    if (!Files.isRegularFile(f.config())) {
      if (f.isComplete()) {
        throw new IllegalArgumentException(c.dir() + " holds a finished run without config.json; cannot check it"
            + " belongs to this grid (move it away or choose another output folder)");
      }
      return;
    }
    RunIdentity saved = RunIdentity.read(f.config());
    List<String> differences = c.expected().differences(saved, c.compared());
    if (!differences.isEmpty()) {
      throw new IllegalArgumentException(c.dir() + " holds another run: its " + String.join(", ", differences)
          + " (choose another output folder, or delete that run to retrain it)");
    }
  }

  /** "1 run", "2 runs". */
  static String runs(int n) {
    return n + (n == 1 ? " run" : " runs");
  }
}

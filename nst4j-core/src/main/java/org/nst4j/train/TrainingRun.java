package org.nst4j.train;

import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nst4j.store.Json;
import org.nst4j.store.ModelCard;
import org.nst4j.store.ModelStore;
import org.nst4j.data.ImageDataset;
import org.nst4j.model.ModelZoo;
import org.nst4j.model.TappedModel;
import org.nst4j.transfer.Objective;
import org.nst4j.transfer.Objectives;
import org.nst4j.transfer.TermContext;
import org.nst4j.transfer.TransferMethods;

/**
 * Runs one {@link RunSpec} end to end: checks every input before writing anything, trains with
 * checkpoints, saves the model with its card, and writes {@code summary.json}.
 */
public final class TrainingRun {
  private TrainingRun() {}

  /**
   * What one run of {@link #executeTogether} came to: its summary, or the exception that ended it (its
   * message saying what was kept in the run folder, as {@link #execute} would have thrown it).
   *
   * @param spec the run
   * @param summary its summary, or null if it failed
   * @param failure why it did not finish (an {@link IOException}, a {@link RuntimeException} such as
   *     {@link NonFiniteLossException} or {@link StopSignal.Stopped}), or null
   */
  public record Outcome(RunSpec spec, RunSummary summary, Exception failure) {
    /** The summary, or the failure thrown (a RuntimeException or an IOException, as it was). */
    public RunSummary get() throws IOException {
      if (failure instanceof IOException io) {
        throw io;
      }
      if (failure != null) {
        throw (RuntimeException) failure;
      }
      return summary;
    }
  }

  /**
   * Executes a run.
   *
   * <p>The run folder is a small transactional store. One process writes it at a time ({@link RunLock}); a
   * folder left inconsistent by a killed writer is repaired first ({@link RunFolder#recover}). A run that
   * replaces another ({@code --overwrite}) is written beside it ({@link RunFolder#staging}) and swapped in
   * only when it has finished: on any failure the run it was to replace is left byte for byte as it was. A
   * new run that fails before its first checkpoint leaves the folder as it was found (absent or empty).
   *
   * @param spec what to run
   * @return the run's summary (the existing one, untouched, when resuming a finished run of the same
   *     configuration)
   * @throws IllegalArgumentException on bad input, before anything is written; if another process writes the
   *     folder; if the folder holds files that are not an nst4j run; if {@code --resume} names another run
   * @throws NonFiniteLossException if a loss term becomes non-finite or diverges (the last checkpoint is kept)
   */
  public static RunSummary execute(RunSpec spec) throws IOException {
    return executeTogether(List.of(spec)).get(0).get();
  }

  /**
   * Executes runs side by side in one {@link TrainingLoop}: one batch stream, one forward of the frozen
   * teacher per batch, each run with its own folder, lock, {@code config.json}, checkpoints, optimiser,
   * objective and summary, every result bit-identical to the run executed alone ({@link #execute} is the
   * case of one run). Runs already finished are returned as they are (as {@link #execute} does with
   * {@code --resume}); runs at different positions (one resumed mid-epoch, one new) train together, each
   * joining at its own position. A run that fails (a diverging loss) ends alone and the others go on.
   *
   * <p>Each run's {@code wall_seconds} is the group's wall time, and its seconds per epoch are its own steps
   * plus an equal share of the batches' and the teacher's time.
   *
   * @param specs runs sharing their teacher (the same path and taps), data, subset, device and batch
   *     stream (seed, batch size, augmentation, epochs)
   * @return one outcome per spec, in order
   * @throws IllegalArgumentException on bad input in any run, before anything is written (as {@link #execute});
   *     if the runs cannot share their batches and teacher
   * @throws IOException if a run folder cannot be created or locked
   */
  public static List<Outcome> executeTogether(List<RunSpec> specs) throws IOException {
    checkShareable(specs);
    long wallStart = System.nanoTime();
    List<RunFolder> folders = new ArrayList<>();
    List<Path> firstCreated = new ArrayList<>();
    try {
      for (RunSpec spec : specs) {
        RunFolder folder = new RunFolder(spec.out());
        folder.checkUsable();
        folders.add(folder);
        firstCreated.add(firstMissing(spec.out().toAbsolutePath().normalize()));
        Files.createDirectories(spec.out());
      }
      // An --overwrite run's unfinished files stay in the staging folder, which the next writer removes; the
      // run it was to replace is never touched before the swap.
      return underLocks(specs, folders, 0, wallStart);
    } finally {
      for (int i = 0; i < firstCreated.size(); i++) {
        if (firstCreated.get(i) != null) {
          removeEmptyFolders(specs.get(i).out().toAbsolutePath().normalize(), firstCreated.get(i));
        }
      }
    }
  }

  /** Refuses runs that cannot share one batch stream and one teacher. */
  private static void checkShareable(List<RunSpec> specs) {
    if (specs.isEmpty()) {
      throw new IllegalArgumentException("no run to execute");
    }
    RunSpec a = specs.get(0);
    for (RunSpec b : specs) {
      String why = !java.util.Objects.equals(a.teacher(), b.teacher()) ? "teacher"
          : !java.util.Objects.equals(a.teacherTaps(), b.teacherTaps()) ? "teacher taps"
          : a.data() != b.data() ? "data"
          : !java.util.Objects.equals(a.perClass(), b.perClass()) ? "subset (--per-class)"
          : !a.device().equals(b.device()) ? "device"
          : a.teacherRuntime() != b.teacherRuntime() ? "teacher runtime"
          : a.config().seed() != b.config().seed() ? "seed"
          : a.config().batchSize() != b.config().batchSize() ? "batch size"
          : a.config().epochs() != b.config().epochs() ? "epochs"
          : a.config().dropLast() != b.config().dropLast() ? "last-batch policy"
          : !a.config().augmentation().equals(b.config().augmentation()) ? "augmentation"
          : null;
      if (why != null) {
        throw new IllegalArgumentException("cannot train " + a.out() + " and " + b.out() + " side by side: their "
            + why + " differ");
      }
    }
  }

  /** Takes the lock of run {@code i} and, under it, those of the following runs, then executes them all. */
  private static List<Outcome> underLocks(List<RunSpec> specs, List<RunFolder> folders, int i, long wallStart)
      throws IOException {
    if (i == specs.size()) {
      return executeLocked(specs, folders, wallStart);
    }
    return folders.get(i).underLock(specs.get(i).command(), specs.get(i).warnings(),
        () -> underLocks(specs, folders, i + 1, wallStart));
  }

  /** A run being trained: what it needs from preparation to its summary. */
  private record Pending(int index, RunSpec spec, RunFolder folder, RunFolder work, Model model,
      TappedModel student, Objective objective, TrainingLoop loop, boolean resuming, boolean replacing,
      List<EpochRecord> previous) {}

  private static List<Outcome> executeLocked(List<RunSpec> specs, List<RunFolder> folders, long wallStart)
      throws IOException {
    Outcome[] outcomes = new Outcome[specs.size()];
    List<Integer> toTrain = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      RunSpec spec = specs.get(i);
      RunFolder folder = folders.get(i);
      if (folder.holdsRun() && !spec.resume() && !spec.overwrite()) {
        throw new IllegalArgumentException(spec.out() + " holds another run; use --resume to continue it or"
            + " --overwrite to replace it");
      }
      RunSummary finished = finishedRun(spec, folder);
      if (finished != null) {
        outcomes[i] = new Outcome(spec, finished, null);
      } else {
        toTrain.add(i);
      }
    }
    if (toTrain.isEmpty()) {
      return List.of(outcomes);
    }
    // Everything that can be wrong with the input is checked here, before the first file is written.
    RunSpec first = specs.get(toTrain.get(0));
    ImageDataset train = first.perClass() == null ? first.data().train()
        : first.data().train().firstPerClass(first.perClass());
    ImageDataset test = first.data().test();
    List<Model> owned = new ArrayList<>();
    List<Objective> objectives = new ArrayList<>();
    try {
      // The teacher is loaded before the objectives, once for all runs: a method's term may need what the run
      // knows of it (TermContext: the teacher's pre-ReLU BatchNorms) and of the training set (its size).
      TappedModel teacher = first.teacher() == null ? null : loadTeacher(first, train, owned);
      List<Pending> pending = new ArrayList<>();
      for (int i : toTrain) {
        pending.add(prepare(i, specs.get(i), folders.get(i), train, test, teacher, owned, objectives));
      }
      checkClasses(train, first.warnings());

      List<Pending> training = new ArrayList<>();
      for (Pending p : pending) {
        try {
          Files.createDirectories(p.work().dir());
          if (!p.resuming() || !Files.isRegularFile(p.work().config())) {
            // A resumed run keeps the configuration it was started with (the summary records the final one).
            writeConfig(p.spec(), p.work(), teacher);
          }
          training.add(p);
        } catch (RuntimeException | IOException e) {
          outcomes[p.index()] = failed(p, e);
        } catch (Error e) {
          afterFailure(e, p.spec(), p.folder(), p.work(), p.replacing(), p.resuming());
          throw e;
        }
      }
      if (!training.isEmpty()) {
        List<TrainingLoop.Outcome> results;
        try {
          results = TrainingLoop.together(training.stream().map(Pending::loop).toList())
              .runEach(training.stream().map(Pending::previous).toList());
        } catch (Error e) {
          for (Pending p : training) {
            afterFailure(e, p.spec(), p.folder(), p.work(), p.replacing(), p.resuming());
          }
          throw e;
        }
        for (int k = 0; k < training.size(); k++) {
          Pending p = training.get(k);
          TrainingLoop.Outcome r = results.get(k);
          if (r.failure() != null) {
            outcomes[p.index()] = failed(p, r.failure());
            continue;
          }
          try {
            RunSummary summary = finish(p.spec(), p.work(), p.model(), p.student(), train, p.objective().method(),
                r.records(), p.previous(), wallStart);
            if (p.replacing()) {
              p.folder().replaceWith(p.work());
            }
            outcomes[p.index()] = new Outcome(p.spec(), summary, null);
          } catch (RuntimeException | IOException e) {
            outcomes[p.index()] = failed(p, e);
          } catch (Error e) {
            afterFailure(e, p.spec(), p.folder(), p.work(), p.replacing(), p.resuming());
            throw e;
          }
        }
      }
    } finally {
      for (Objective o : objectives) {
        o.close();
      }
      for (Model m : owned) {
        m.close();
      }
    }
    return List.of(outcomes);
  }

  /** The outcome of a run that failed once it had started writing, after {@link #afterFailure}. */
  private static Outcome failed(Pending p, Exception e) {
    Throwable t = afterFailure(e, p.spec(), p.folder(), p.work(), p.replacing(), p.resuming());
    return new Outcome(p.spec(), null, t instanceof Exception x ? x : e);
  }

  /**
   * Makes a run's objective, student and loop and prepares the loop (the objective meets the models on a
   * sample batch, taps resolved, maps aligned; the checkpoint is restored): every refusal happens before the
   * first file is written. The objective and the model join {@code objectives} and {@code owned}.
   */
  private static Pending prepare(int index, RunSpec spec, RunFolder folder, ImageDataset train, ImageDataset test,
      TappedModel teacher, List<Model> owned, List<Objective> objectives) throws IOException {
    TrainingRecipe config = spec.config();
    Objective objective = Objectives.create(spec.method(), spec.lossOptions(), TermContext.of(train.size(),
        teacher));
    objectives.add(objective);
    if (teacher == null && objective.needsTeacher()) {
      throw new IllegalArgumentException("method '" + spec.method() + "' needs a teacher: give --teacher PATH");
    }
    TappedModel student = ModelZoo.create(spec.arch(), train.channels(), train.numClasses(), config.seed());
    Model model = Model.newInstance(ModelStore.MODEL_NAME, spec.device());
    owned.add(model);
    model.setBlock(student);
    student.initialize(model.getNDManager(), DataType.FLOAT32,
        new Shape(1, train.channels(), train.height(), train.width()));

    boolean resuming = spec.resume() && Files.isRegularFile(folder.checkpoint());
    // A run that replaces another (--overwrite, or --resume of a run killed before its first checkpoint)
    // is written into the staging folder; the old files stay in place until it has finished.
    boolean replacing = !resuming && folder.holdsRun();
    RunFolder work = replacing ? new RunFolder(folder.staging()) : folder;
    // Resuming, work is folder: the loop reads the earlier epochs' records from its log.
    TrainingLoop loop = TrainingLoop.builder()
        .setStudent(student, model.getNDManager())
        .optTeacher(teacher)
        .optTeacherRuntime(spec.teacherRuntime() == null ? TeacherRuntime.LIBTORCH : spec.teacherRuntime())
        .setObjective(objective)
        .setData(train, test, spec.data().normalization())
        .setConfig(config)
        .optDivergenceFactor(spec.divergenceFactor())
        .optCheckpointFolder(work.dir())
        .optResume(resuming)
        .addListeners(listeners(spec))
        .build();
    loop.prepare();
    List<EpochRecord> previous = loop.previous();
    return new Pending(index, spec, folder, work, model, student, objective, loop, resuming, replacing, previous);
  }

  /**
   * The finished run in {@code folder} when {@code --resume} asks for it and it is the run asked for; null when
   * there is one to train. The identity comes first, finished or not: a finished run of another configuration
   * must not be reported as the result of this one. An unknown method is reported before anything else.
   */
  private static RunSummary finishedRun(RunSpec spec, RunFolder folder) throws IOException {
    String method = TransferMethods.normalize(TransferMethods.parse(spec.method()));
    if (!spec.resume() || !folder.holdsRun()) {
      return null;
    }
    checkSameRun(folder, spec, method);
    if (!folder.isComplete()) {
      return null;
    }
    RunSummary finished = folder.readSummary();
    checkSameResult(folder, finished, spec);
    return finished;
  }

  /** Loads the frozen teacher; its model joins {@code owned}, which the caller closes. */
  private static TappedModel loadTeacher(RunSpec spec, ImageDataset train, List<Model> owned) {
    Model teacherModel = Teachers.load(spec.teacher(), spec.teacherTaps(), train, spec.device());
    owned.add(teacherModel);
    return (TappedModel) teacherModel.getBlock();
  }

  /** The listeners a run adds to the loop besides its epoch log: the progress display, then the spec's own. */
  private static List<LoopListener> listeners(RunSpec spec) {
    List<LoopListener> all = new ArrayList<>();
    if (spec.progress()) {
      all.add(ConsoleProgress.forStderr(spec.label()));
    }
    all.addAll(spec.listeners());
    return all;
  }

  /** Writes {@code config.json}: the run's identity ({@link RunIdentity}), its teacher and its command. */
  private static void writeConfig(RunSpec spec, RunFolder work, TappedModel teacher) throws IOException {
    Map<String, Object> configJson = new LinkedHashMap<>(RunIdentity.of(spec).toJson());
    configJson.put("teacher", spec.teacher() == null ? null : spec.teacher().toString());
    configJson.put("teacher_taps", teacher == null ? null : teacher.tapNames());
    configJson.put("command", spec.command());
    Json.writeAtomically(work.config(), configJson);
  }

  /** Saves the model, writes the summary and removes the checkpoint of a run whose epochs are done. */
  private static RunSummary finish(RunSpec spec, RunFolder work, Model model, TappedModel student,
      ImageDataset train, String method, List<EpochRecord> records, List<EpochRecord> previous, long wallStart)
      throws IOException {
    TrainingRecipe config = spec.config();
    EpochRecord last = records.get(records.size() - 1);
    EpochRecord best = last;
    for (EpochRecord r : records) {
      if (r.testAccuracy() > best.testAccuracy()) {
        best = r;
      }
    }
    ModelCard card = new ModelCard(ModelCard.FORMAT, spec.arch(), train.channels(), train.height(), train.width(),
        train.numClasses(), train.classNames(), spec.data().name(), spec.data().normalization().mean(),
        spec.data().normalization().std(), spec.role(), method, config.seed(), config.epochs(),
        last.testAccuracy(), student.tapNames(), ModelStore.paramsFileName(), spec.command(),
        Instant.now().toString(), null);
    ModelStore.save(work.model(), model, card);
    List<Double> perEpoch = new ArrayList<>();
    for (EpochRecord r : records) {
      perEpoch.add(r.seconds());
    }
    double previousWall = 0;
    for (EpochRecord r : records) {
      if (previous.contains(r)) {
        previousWall += r.seconds() + r.evalSeconds();
      }
    }
    RunSummary summary = new RunSummary(spec.role(), spec.arch(), method,
        spec.teacher() == null ? null : spec.teacher().toString(), spec.data().name(), config.seed(),
        config.epochs(), spec.perClass(), train.size(), last.testAccuracy(), best.testAccuracy(), best.epoch(),
        previousWall + (System.nanoTime() - wallStart) / 1e9, perEpoch, ProcessMemory.peakRssMb(),
        config.toString(), spec.command());
    Json.writeAtomically(work.summary(), summary);
    Files.deleteIfExists(work.checkpoint());
    return summary;
  }

  /**
   * Cleans up after a run failed once it had started writing, and returns the exception to throw, its message
   * saying what was kept. A replacing run's files are discarded (the old run was never touched); a new run
   * without a checkpoint is removed (the folder is left as it was found); otherwise the checkpoint stays
   * for {@code --resume}.
   */
  private static Throwable afterFailure(Throwable e, RunSpec spec, RunFolder folder, RunFolder work,
      boolean replacing, boolean resuming) {
    try {
      if (replacing) {
        RunFolder.deleteTree(work.dir());
        String kept = "the run in " + folder.dir() + " is unchanged (the new run was discarded)";
        return e instanceof NonFiniteLossException n ? n.withOutcome(kept + "; lower the learning rate or loss"
            + " weight") : withOutcome(e, kept);
      }
      if (!resuming && !Files.isRegularFile(work.checkpoint())) {
        // Failed before its first checkpoint: nothing worth keeping was made, and a folder holding a run
        // that cannot resume would only be in the way of the next attempt.
        folder.clear();
        return e;
      }
      if (!(e instanceof NonFiniteLossException) && Files.isRegularFile(work.checkpoint())) {
        int done = Checkpoint.inspect(work.checkpoint()).epochsDone();
        return withOutcome(e, "the checkpoint of epoch " + done + " in " + folder.dir() + " is kept (continue"
            + " with --resume)");
      }
    } catch (IOException | RuntimeException cleanup) {
      e.addSuppressed(cleanup);
    }
    return e;
  }

  /**
   * The same exception type (so that the CLI classifies it the same way) with what happened to the run
   * folder appended to its message; exceptions of other types (bugs) are returned as they are.
   */
  private static Throwable withOutcome(Throwable e, String outcome) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().split("\n")[0];
    Throwable wrapped;
    if (e instanceof java.nio.file.FileSystemException fs) {
      String file = fs.getFile() == null ? "" : fs.getFile() + ": ";
      wrapped = new IOException(file + (fs.getReason() == null ? fs.getClass().getSimpleName() : fs.getReason())
          + "; " + outcome, e);
    } else if (e instanceof IOException) {
      wrapped = new IOException(m + "; " + outcome, e);
    } else if (e instanceof java.io.UncheckedIOException u) {
      return withOutcome(u.getCause(), outcome);
    } else if (e instanceof IllegalArgumentException) {
      wrapped = new IllegalArgumentException(m + "; " + outcome, e);
    } else {
      return e;
    }
    return wrapped;
  }

  /** The highest ancestor of {@code dir} (or itself) that does not exist yet; null if {@code dir} exists. */
  private static Path firstMissing(Path dir) {
    Path first = null;
    for (Path p = dir; p != null && !Files.exists(p); p = p.getParent()) {
      first = p;
    }
    return first;
  }

  /** Removes the folders this run created, from {@code dir} up to {@code top}, as long as they are empty. */
  private static void removeEmptyFolders(Path dir, Path top) {
    for (Path p = dir; p != null && p.startsWith(top); p = p.getParent()) {
      try (var left = Files.list(p)) {
        if (left.findAny().isPresent()) {
          return;
        }
      } catch (IOException e) {
        return;
      }
      try {
        Files.delete(p);
      } catch (IOException e) {
        return;
      }
    }
  }

  /**
   * Refuses a training set that cannot train a meaningful classifier: fewer than two classes with images
   * (accuracy would be 100 % by construction). Classes without an image in a data set that fixes its classes
   * (a subset of CIFAR, say) get a warning: the model's outputs are right, those classes are never seen.
   * (Numbered classes counted from the labels, where a gap means a damaged label file, are refused when the
   * data is read: {@code DataSources.readIdxFolder}.)
   *
   * @param train the training set
   * @param warnings where the warning about empty classes goes
   * @throws IllegalArgumentException for fewer than two classes with images
   */
  static void checkClasses(ImageDataset train, java.util.function.Consumer<String> warnings) {
    if (train.numClasses() < 2) {
      throw new IllegalArgumentException(train.name() + ": " + train.numClasses() + " class "
          + train.classNames() + "; a classifier needs at least 2");
    }
    int[] counts = train.classCounts();
    List<String> empty = new ArrayList<>();
    for (int c = 0; c < counts.length; c++) {
      if (counts[c] == 0) {
        empty.add(c + (train.classNames().get(c).equals(Integer.toString(c)) ? "" : " (" + train.classNames().get(c)
            + ")"));
      }
    }
    if (empty.size() >= counts.length - 1) {
      throw new IllegalArgumentException(train.name() + ": every training image is of one class; a classifier"
          + " needs at least 2");
    }
    if (!empty.isEmpty()) {
      String list = empty.size() <= 8 ? String.join(", ", empty)
          : String.join(", ", empty.subList(0, 8)) + ", ... (" + empty.size() + " in all)";
      warnings.accept(train.name() + ": " + empty.size() + " of " + counts.length + " classes have no training"
          + " image: " + list + " (they are trained as never seen)");
    }
  }

  /**
   * Refuses to report a finished run as the result of another configuration: {@code --resume} of a finished
   * run prints its numbers only if they answer the command given (the same epochs, seed and hyper-parameters
   * as the summary records, and the same teacher).
   */
  static void checkSameResult(RunFolder folder, RunSummary finished, RunSpec spec) {
    List<String> differences = new ArrayList<>();
    if (Files.isRegularFile(folder.config())) {
      differences.addAll(RunIdentity.of(spec).differences(savedIdentity(folder),
          java.util.EnumSet.of(RunIdentity.Part.SCHEDULE, RunIdentity.Part.METHOD_OPTIONS,
              RunIdentity.Part.TEACHER_RUNTIME)));
    }
    String teacherWas = finished.teacher() == null ? "none"
        : Path.of(finished.teacher()).toAbsolutePath().normalize().toString();
    String teacherNow = spec.teacher() == null ? "none" : spec.teacher().toAbsolutePath().normalize().toString();
    if (!teacherWas.equals(teacherNow)) {
      differences.add("teacher " + teacherWas + " (now " + teacherNow + ")");
    }
    if (!differences.isEmpty()) {
      throw new IllegalArgumentException("--resume: " + spec.out() + " holds a finished run with "
          + String.join(", ", differences) + "; its result is not one of this configuration (use --overwrite to"
          + " replace it, or another --out)");
    }
  }

  /**
   * Refuses to resume a run with another architecture, method, data set or subset: the checkpoint would
   * mean something else. Hyper-parameters (rate, epochs, loss weights) may change, e.g. to get past a
   * diverging loss.
   */
  static void checkSameRun(RunFolder folder, RunSpec spec, String method) {
    if (!Files.isRegularFile(folder.config())) {
      return;
    }
    List<String> differences = RunIdentity.of(spec).differences(savedIdentity(folder), RunIdentity.WHAT_RESUME_CHECKS);
    if (!differences.isEmpty()) {
      throw new IllegalArgumentException("--resume: " + spec.out() + " holds a run with " + String.join(", ",
          differences) + "; resume it with the same settings, or use another --out");
    }
  }

  /** The identity in a run folder's {@code config.json}; an unreadable one is a one-line error. */
  private static RunIdentity savedIdentity(RunFolder folder) {
    try {
      return RunIdentity.read(folder.config());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(folder.config() + ": unreadable run configuration; cannot check that"
          + " --resume continues the same run (" + e.getMessage() + ")");
    }
  }

  /**
   * Refuses a teacher that cannot serve this data: other input channels or another number of classes.
   * A different image size is allowed (global pooling; taps are pooled to the smaller map).
   */
  static void checkTeacherFits(ModelCard card, ImageDataset train) {
    if (card.inputChannels() != train.channels()) {
      throw new IllegalArgumentException("the teacher (" + card.architecture() + ") takes " + card.inputChannels()
          + " input channels, the data has " + train.channels());
    }
    if (card.numClasses() != train.numClasses()) {
      throw new IllegalArgumentException("the teacher (" + card.architecture() + ") predicts " + card.numClasses()
          + " classes, the data has " + train.numClasses());
    }
  }
}

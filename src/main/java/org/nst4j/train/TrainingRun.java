package org.nst4j.train;

import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nst4j.data.ImageDataset;
import org.nst4j.model.ModelZoo;
import org.nst4j.model.TappedModel;
import org.nst4j.store.Json;
import org.nst4j.store.ModelCard;
import org.nst4j.store.ModelStore;
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
   * Executes a run.
   *
   * @param spec what to run
   * @return the run's summary (the existing one, untouched, when resuming a finished run)
   * @throws IllegalArgumentException on bad input, before anything is written
   * @throws NonFiniteLossException if a loss term diverges (the last checkpoint is kept)
   */
  public static RunSummary execute(RunSpec spec) throws IOException {
    long wallStart = System.nanoTime();
    RunFolder folder = new RunFolder(spec.out());
    if (Files.exists(spec.out()) && !Files.isDirectory(spec.out())) {
      throw new IllegalArgumentException(spec.out() + " exists and is not a folder");
    }
    if (folder.holdsRun()) {
      if (spec.resume()) {
        if (folder.isComplete()) {
          return folder.readSummary();
        }
      } else if (!spec.overwrite()) {
        throw new IllegalArgumentException(spec.out() + " holds another run; use --resume to continue it or"
            + " --overwrite to replace it");
      }
    }

    // Everything that can be wrong with the input is checked here, before the first file is written.
    ImageDataset train = spec.perClass() == null ? spec.data().train() : spec.data().train().firstPerClass(spec.perClass());
    ImageDataset test = spec.data().test();
    TrainingConfig config = spec.config();
    List<Model> owned = new ArrayList<>();
    // The teacher is loaded before the objective: a method's term may need what the run knows of it
    // (TermContext: the teacher's pre-ReLU BatchNorms) and of the training set (its size).
    TappedModel teacher = null;
    if (spec.teacher() != null) {
      TransferMethods.parse(spec.method()); // an unknown method is reported before a teacher is loaded
      Model teacherModel = Teachers.load(spec.teacher(), spec.teacherTaps(), train, spec.device());
      owned.add(teacherModel);
      teacher = (TappedModel) teacherModel.getBlock();
    }
    try (Objective objective = Objectives.create(spec.method(), spec.lossOptions(), TermContext.of(train.size(),
        teacher))) {
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
      if (resuming) {
        checkSameRun(folder, spec, objective.method());
      }
      TrainingLoop.Builder loopBuilder = TrainingLoop.builder()
          .setStudent(student, model.getNDManager())
          .optTeacher(teacher)
          .setObjective(objective)
          .setData(train, test, spec.data().normalization())
          .setConfig(config)
          .optCheckpoint(folder.checkpoint());
      List<EpochRecord> previous = resuming ? folder.readEpochLog() : List.of();
      loopBuilder.addListener(new EpochLogWriter(folder, previous));
      if (spec.progress()) {
        loopBuilder.addListener(ConsoleProgress.forStderr(spec.label()));
      }
      TrainingLoop loop = loopBuilder.build();
      // The objective meets the models here (one forward of a sample batch, taps resolved, maps aligned)
      // and the checkpoint is restored: every refusal happens before the first file is written.
      loop.prepare(resuming);

      boolean heldRun = folder.holdsRun();
      boolean createdDir = !Files.exists(spec.out());
      boolean stashed = spec.overwrite() && heldRun;
      if (stashed) {
        // The old run is set aside, not deleted, until the new one completes: a new run that diverges in
        // its first epoch gives the folder back as it was.
        folder.stashRun();
      }
      Files.createDirectories(spec.out());
      Map<String, Object> configJson = new LinkedHashMap<>(RunIdentity.of(spec).toJson());
      configJson.put("teacher", spec.teacher() == null ? null : spec.teacher().toString());
      configJson.put("teacher_taps", teacher == null ? null : teacher.tapNames());
      configJson.put("command", spec.command());
      if (!resuming || !Files.isRegularFile(folder.config())) {
        // A resumed run keeps the configuration it was started with (the summary records the final one).
        Json.writeAtomically(folder.config(), configJson);
      }

      List<EpochRecord> records;
      try {
        records = loop.run(resuming, previous);
      } catch (NonFiniteLossException e) {
        if (!e.checkpointKept() && !resuming && (!heldRun || stashed)) {
          // Diverged in the first epoch of a new run: nothing worth keeping was made, so the folder is
          // left as it was found (absent, without a run, or with the run --overwrite would have replaced)
          // rather than holding a run that cannot resume.
          folder.clear();
          folder.restoreStash();
          if (createdDir) {
            try (var left = Files.list(spec.out())) {
              if (left.findAny().isEmpty()) {
                Files.delete(spec.out());
              }
            }
          }
        }
        throw e;
      }

      EpochRecord last = records.get(records.size() - 1);
      EpochRecord best = last;
      for (EpochRecord r : records) {
        if (r.testAccuracy() > best.testAccuracy()) {
          best = r;
        }
      }
      ModelCard card = new ModelCard(ModelCard.FORMAT, spec.arch(), train.channels(), train.height(), train.width(),
          train.numClasses(), train.classNames(), spec.data().name(), spec.data().normalization().mean(),
          spec.data().normalization().std(), spec.role(), objective.method(), config.seed(), config.epochs(),
          last.testAccuracy(), student.tapNames(), ModelStore.paramsFileName(), spec.command(),
          Instant.now().toString(), null);
      ModelStore.save(folder.model(), model, card);
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
      RunSummary summary = new RunSummary(spec.role(), spec.arch(), objective.method(),
          spec.teacher() == null ? null : spec.teacher().toString(), spec.data().name(), config.seed(),
          config.epochs(), spec.perClass(), train.size(), last.testAccuracy(), best.testAccuracy(), best.epoch(),
          previousWall + (System.nanoTime() - wallStart) / 1e9, perEpoch, ProcessMemory.peakRssMb(),
          config.toString(), spec.command());
      Json.writeAtomically(folder.summary(), summary);
      Files.deleteIfExists(folder.checkpoint());
      folder.dropStash();
      return summary;
    } finally {
      for (Model m : owned) {
        m.close();
      }
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
    RunIdentity saved;
    try {
      saved = RunIdentity.read(folder.config());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(folder.config() + ": unreadable run configuration; cannot check that"
          + " --resume continues the same run (" + e.getMessage() + ")");
    }
    List<String> differences = RunIdentity.of(spec).differences(saved, RunIdentity.WHAT_RESUME_CHECKS);
    if (!differences.isEmpty()) {
      throw new IllegalArgumentException("--resume: " + spec.out() + " holds a run with " + String.join(", ",
          differences) + "; resume it with the same settings, or use another --out");
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

  /** Appends each epoch's record to {@code epochs.jsonl}, after trimming it to the resumed epochs. */
  private static final class EpochLogWriter implements TrainingListener {
    private final RunFolder folder;
    private final List<EpochRecord> previous;

    EpochLogWriter(RunFolder folder, List<EpochRecord> previous) {
      this.folder = folder;
      this.previous = previous;
    }

    @Override
    public void onStart(int epochs, int batchesPerEpoch, int firstEpoch) {
      List<EpochRecord> kept = new ArrayList<>();
      for (EpochRecord r : previous) {
        if (r.epoch() < firstEpoch) {
          kept.add(r);
        }
      }
      try {
        folder.rewriteEpochLog(kept);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    @Override
    public void onEpoch(EpochRecord record) {
      try {
        Json.appendLine(folder.epochLog(), record);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }
}

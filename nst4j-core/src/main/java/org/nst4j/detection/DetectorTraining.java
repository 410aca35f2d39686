package org.nst4j.detection;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import javax.imageio.ImageIO;
import org.nst4j.data.Normalization;
import org.nst4j.model.ModelOutput;
import org.nst4j.model.ModelZoo;
import org.nst4j.model.Models;
import org.nst4j.model.TappedModel;
import org.nst4j.store.Json;
import org.nst4j.store.ModelCard;
import org.nst4j.store.ModelStore;
import org.nst4j.train.Checkpoint;
import org.nst4j.train.EpochRecord;
import org.nst4j.train.LearningRateSchedule;
import org.nst4j.train.LoopListener;
import org.nst4j.train.NesterovSgd;
import org.nst4j.train.NonFiniteLossException;
import org.nst4j.train.ProcessMemory;
import org.nst4j.train.RunFolder;
import org.nst4j.train.RunIdentity;
import org.nst4j.train.RunLock;
import org.nst4j.transfer.CeMethod;
import org.nst4j.transfer.LossOptions;
import org.nst4j.transfer.TransferMethod;
import org.nst4j.transfer.TransferMethods;

/**
 * Trains a {@link CenterNetDetector} on a COCO-style data set with the run-folder contract of the
 * classification runs ({@code org.nst4j.train.TrainingRun}): one writer at a time ({@link RunLock}),
 * {@code config.json} first, one line per epoch in {@code epochs.jsonl}, a checkpoint per epoch
 * ({@link Checkpoint}) that {@code --resume} continues to the same final weights, an {@code --overwrite} run
 * written beside the old one and swapped in when finished, and nothing written for bad input.
 *
 * <p>After the last epoch the detector is evaluated on the test split: {@code detections.json} (COCO results
 * format) is written beside {@code ground-truth.json} (a copy of the split's annotations it was scored
 * against, so the figures can be recomputed with any COCO tool without the data set), the model to
 * {@code model/} ({@link DetectorStore}), and the COCO and VOC07 figures to {@code summary.json}
 * ({@link DetectionSummary}).
 *
 * <p>Per batch, as in the classification loop: the arrays live in a sub-manager closed after the update; one
 * gradient collector; Nesterov SGD with weight decay; the rate cosine-annealed per step to 0.
 */
public final class DetectorTraining {
  /** The role written to {@code config.json} and {@code summary.json}. */
  public static final String ROLE = "detector";

  private DetectorTraining() {}

  /**
   * What to train.
   *
   * @param data a folder with {@code train/} and {@code test/} COCO splits
   * @param arch the backbone architecture (a zoo name)
   * @param tap the backbone tap the heads read
   * @param backbone a classification run (or model folder) to initialise the backbone from, or null
   * @param epochs epochs, ≥ 1
   * @param batchSize images per batch, ≥ 1
   * @param learningRate base rate, &gt; 0
   * @param momentum SGD momentum
   * @param weightDecay L2 weight decay
   * @param flip random horizontal flips
   * @param seed initialisation, batch order and flips
   * @param out the run folder
   * @param resume continue the run in {@code out}
   * @param overwrite replace the run in {@code out}
   * @param command the command line, recorded
   * @param listeners progress listeners (a {@code ConsoleProgress}, tests)
   * @param warnings where warnings go
   * @param teacher a trained detector (run folder or model folder) to distill from, or null
   * @param method the transfer method(s) on the backbone taps ({@link BackboneDistillation}); {@code ce}, the
   *     default, adds none
   * @param lossOptions the methods' options, taps and spatial policy (null: the defaults)
   */
  public record Spec(Path data, String arch, String tap, Path backbone, int epochs, int batchSize,
      double learningRate, double momentum, double weightDecay, boolean flip, long seed, Path out, boolean resume,
      boolean overwrite, String command, List<LoopListener> listeners, Consumer<String> warnings, Path teacher,
      String method, LossOptions lossOptions) {
    /**
     * Checks the numbers and the method: an unknown method, one a detector cannot use, a transfer method
     * without a teacher and a teacher without a transfer method are refused.
     */
    public Spec {
      Objects.requireNonNull(data, "data");
      Objects.requireNonNull(out, "out");
      method = TransferMethods.normalize(TransferMethods.parse(method == null ? CeMethod.NAME : method));
      lossOptions = lossOptions == null ? LossOptions.defaults() : lossOptions;
      boolean transfers = !BackboneDistillation.checkMethod(method).isEmpty();
      if (transfers && teacher == null) {
        throw new IllegalArgumentException("--method " + method + " distills from a teacher detector: give --teacher"
            + " RUN (a detect train run folder)");
      }
      if (!transfers && teacher != null) {
        throw new IllegalArgumentException("--teacher " + teacher + " is unused by --method " + method + " (no"
            + " transfer term); give a method such as nst-poly, at or fitnet");
      }
      if (!ModelZoo.isKnown(arch)) {
        throw new IllegalArgumentException("--backbone-arch: unknown architecture '" + arch + "' (e.g. "
            + String.join(", ", ModelZoo.examples()) + ")");
      }
      if (epochs < 1) {
        throw new IllegalArgumentException("--epochs must be ≥ 1, got " + epochs);
      }
      if (batchSize < 1) {
        throw new IllegalArgumentException("--batch must be ≥ 1, got " + batchSize);
      }
      if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
        throw new IllegalArgumentException("--lr must be a finite number > 0, got " + learningRate);
      }
      if (!(momentum >= 0 && momentum < 1) || !(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
        throw new IllegalArgumentException("momentum must be in [0, 1) and weight decay ≥ 0");
      }
      if (resume && overwrite) {
        throw new IllegalArgumentException("--resume and --overwrite exclude each other");
      }
      listeners = List.copyOf(listeners);
      warnings = warnings == null ? w -> { } : warnings;
    }

    /** A spec without distillation (method {@code ce}, no teacher). */
    public Spec(Path data, String arch, String tap, Path backbone, int epochs, int batchSize, double learningRate,
        double momentum, double weightDecay, boolean flip, long seed, Path out, boolean resume, boolean overwrite,
        String command, List<LoopListener> listeners, Consumer<String> warnings) {
      this(data, arch, tap, backbone, epochs, batchSize, learningRate, momentum, weightDecay, flip, seed, out, resume,
          overwrite, command, listeners, warnings, null, CeMethod.NAME, null);
    }

    /** This spec distilled from {@code teacher} with {@code method} and {@code options}. */
    public Spec withDistillation(Path teacher, String method, LossOptions options) {
      return new Spec(data, arch, tap, backbone, epochs, batchSize, learningRate, momentum, weightDecay, flip, seed,
          out, resume, overwrite, command, listeners, warnings, teacher, method, options);
    }

    /** This spec with {@code resume} set (a grid continues what it started). */
    public Spec withResume(boolean r) {
      return new Spec(data, arch, tap, backbone, epochs, batchSize, learningRate, momentum, weightDecay, flip, seed,
          out, r, overwrite, command, listeners, warnings, teacher, method, lossOptions);
    }

    /** Whether the run distills from a teacher. */
    public boolean distills() {
      return teacher != null;
    }

    /** The name a checkpoint is written under: a checkpoint of another backbone is refused. */
    String checkpointName() {
      return "centernet/" + arch + "/" + tap;
    }
  }

  /**
   * Runs a spec end to end (see the class comment).
   *
   * @return the summary (the existing one when resuming a finished run of the same configuration)
   * @throws IllegalArgumentException for bad input, before anything is written
   * @throws NonFiniteLossException if a loss becomes NaN or infinite (the last checkpoint is kept)
   */
  public static DetectionSummary execute(Spec spec) throws IOException {
    long wallStart = System.nanoTime();
    RunFolder folder = new RunFolder(spec.out());
    folder.checkUsable();
    if (spec.backbone() != null) {
      ModelStore.modelDir(spec.backbone()); // a missing backbone is refused before the data is read
    }
    if (spec.teacher() != null) {
      DetectorStore.modelDir(spec.teacher()); // likewise a missing or unfinished teacher
    }
    boolean created = !Files.exists(spec.out());
    Files.createDirectories(spec.out());
    try {
      return folder.underLock(spec.command(), spec.warnings(), () -> executeLocked(spec, folder, wallStart));
    } finally {
      if (created) {
        try (var left = Files.list(spec.out())) {
          if (left.findAny().isEmpty()) {
            Files.delete(spec.out());
          }
        } catch (IOException e) {
          // left for the user: an empty folder does no harm
        }
      }
    }
  }

  private static DetectionSummary executeLocked(Spec spec, RunFolder folder, long wallStart) throws IOException {
    if (folder.holdsRun() && !spec.resume() && !spec.overwrite()) {
      throw new IllegalArgumentException(spec.out() + " holds another run; use --resume to continue it or"
          + " --overwrite to replace it");
    }
    RunIdentity identity = identity(spec);
    if (spec.resume() && folder.holdsRun()) {
      checkSameRun(folder, identity, false);
      if (folder.isComplete()) {
        checkSameRun(folder, identity, true);
        return Json.PRETTY.readValue(folder.summary().toFile(), DetectionSummary.class);
      }
    }

    // Everything that can be wrong with the input is checked before the first file is written.
    CocoSplits splits = CocoReader.readSplits(spec.data());
    List<CocoCategory> categories = new ArrayList<>(splits.train().categories());
    categories.sort((a, b) -> Integer.compare(a.id(), b.id()));
    if (categories.isEmpty()) {
      throw new IllegalArgumentException(spec.data() + ": the training split has no categories");
    }
    Map<Integer, Integer> channelOf = new LinkedHashMap<>();
    List<Integer> categoryIds = new ArrayList<>();
    List<String> categoryNames = new ArrayList<>();
    for (CocoCategory c : categories) {
      channelOf.put(c.id(), categoryIds.size());
      categoryIds.add(c.id());
      categoryNames.add(c.name());
    }
    if (!splits.test().categoriesById().keySet().equals(splits.train().categoriesById().keySet())) {
      throw new IllegalArgumentException(spec.data() + ": the train and test splits have different category ids");
    }
    if (splits.train().images().isEmpty() || splits.test().images().isEmpty()) {
      throw new IllegalArgumentException(spec.data() + ": a split has no images");
    }
    int channels = channelsOf(splits.train());
    Normalization normalization = inputNormalization(spec.backbone(), channels);
    DetectionBatches train = DetectionBatches.load(splits.train(), channels, channelOf);
    DetectionBatches test = DetectionBatches.load(splits.test(), channels, channelOf);
    if (test.height() != train.height() || test.width() != train.width()) {
      throw new IllegalArgumentException(spec.data() + ": test images are " + test.width() + "×" + test.height()
          + ", training images " + train.width() + "×" + train.height());
    }

    DetectorStore.Loaded teacher = null;
    BackboneDistillation distillation = null;
    try (NDManager manager = NDManager.newBaseManager()) {
      if (spec.distills()) {
        teacher = DetectorStore.load(spec.teacher());
        if (teacher.card().inputChannels() != channels) {
          throw new IllegalArgumentException("--teacher " + spec.teacher() + " takes " + teacher.card().inputChannels()
              + " input channels, the detection images have " + channels);
        }
        distillation = BackboneDistillation.create(spec.method(), spec.lossOptions(), teacher, train.size());
      }
      CenterNetDetector detector = CenterNetDetector.create(spec.arch(), channels, categoryIds.size(), spec.tap(),
          spec.seed());
      Shape inputShape = new Shape(1, channels, train.height(), train.width());
      detector.initialize(manager, DataType.FLOAT32, inputShape);
      int stride = detector.stride(inputShape);
      if (train.height() % stride != 0 || train.width() % stride != 0) {
        throw new IllegalArgumentException("images of " + train.width() + "×" + train.height()
            + " are not a multiple of the detector's stride " + stride);
      }
      if (spec.backbone() != null) {
        int copied = initialiseBackbone(detector, spec.backbone(), manager);
        spec.warnings().accept("backbone: " + copied + " parameter arrays from " + spec.backbone() + "; inputs"
            + " normalised as it was trained, " + normalization);
      }
      if (distillation != null) {
        initializeDistillation(distillation, detector, manager, train, normalization, spec);
      }
      List<Parameter> auxiliary = distillation == null ? List.of() : distillation.parameters();
      List<Parameter> parameters = new ArrayList<>();
      for (var pair : detector.getParameters()) {
        parameters.add(pair.getValue());
      }
      parameters.addAll(auxiliary);
      int batches = train.batchesPerEpoch(spec.batchSize());
      LearningRateSchedule schedule = LearningRateSchedule.cosine(spec.learningRate(), (long) batches * spec.epochs());
      try (NesterovSgd sgd = new NesterovSgd(NesterovSgd.trainable(parameters), spec.momentum(), spec.weightDecay(),
          true)) {
        boolean resuming = spec.resume() && Files.isRegularFile(folder.checkpoint());
        int firstEpoch = 1;
        long step = 0;
        if (resuming) {
          Checkpoint cp = Checkpoint.restore(folder.checkpoint(), manager, spec.checkpointName(), detector, auxiliary,
              sgd);
          if (cp.epochsDone() > spec.epochs()) {
            throw new IllegalArgumentException(folder.checkpoint() + ": the checkpoint is at epoch "
                + cp.epochsDone() + ", past the " + spec.epochs() + " epochs of this run");
          }
          firstEpoch = cp.epochsDone() + 1;
          step = cp.step();
        }
        boolean replacing = !resuming && folder.holdsRun();
        RunFolder work = replacing ? new RunFolder(folder.staging()) : folder;
        List<EpochRecord> previous = resuming ? folder.readEpochLog() : List.of();
        Files.createDirectories(work.dir());
        try {
          if (!resuming || !Files.isRegularFile(work.config())) {
            Json.writeAtomically(work.config(), config(spec, identity, normalization));
          }
          List<EpochRecord> records = new ArrayList<>();
          for (EpochRecord r : previous) {
            if (r.epoch() < firstEpoch) {
              records.add(r);
            }
          }
          work.rewriteEpochLog(records);
          for (LoopListener l : spec.listeners()) {
            l.onStart(spec.epochs(), batches, firstEpoch);
          }
          // A fresh store: a restored checkpoint replaced the parameters' arrays.
          ParameterStore ps = new ParameterStore(manager, false);
          Step context = new Step(detector, ps, manager, sgd, train, stride, normalization, distillation);
          for (int epoch = firstEpoch; epoch <= spec.epochs(); epoch++) {
            long start = System.nanoTime();
            if (distillation != null) {
              distillation.beginEpoch(epoch);
            }
            Map<String, Double> sums = new LinkedHashMap<>();
            double lossSum = 0;
            int b = 0;
            for (int[] positions : train.epoch(spec.seed(), epoch, spec.batchSize(), spec.flip())) {
              b++;
              double rate = schedule.rate(step);
              Map<String, Double> terms = trainBatch(context, positions, rate, epoch, b,
                  epoch > 1 && Files.isRegularFile(work.checkpoint()));
              step++;
              double total = 0;
              for (Map.Entry<String, Double> e : terms.entrySet()) {
                sums.merge(e.getKey(), e.getValue(), Double::sum);
                total += e.getValue();
              }
              lossSum += total;
              for (LoopListener l : spec.listeners()) {
                l.onBatch(epoch, b, total);
              }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Map<String, Double> means = new LinkedHashMap<>();
            for (Map.Entry<String, Double> e : sums.entrySet()) {
              means.put(e.getKey(), e.getValue() / b);
            }
            EpochRecord record = new EpochRecord(epoch, lossSum / b, means, Double.NaN, Double.NaN,
                schedule.rate(step - 1), seconds, 0, ProcessMemory.rssMb());
            records.add(record);
            // As in the classification loop: the record before the checkpoint (a resume trims a log ahead).
            Json.appendLine(work.epochLog(), record);
            for (LoopListener l : spec.listeners()) {
              l.onEpoch(record);
            }
            Checkpoint.write(work.checkpoint(), epoch, step, spec.checkpointName(), detector, auxiliary, sgd);
          }

          long evalStart = System.nanoTime();
          List<Detection> found = DetectorInference.detect(detector, manager, test, categoryIds, normalization);
          CocoWriter.writeResults(work.detections(), found);
          Json.writeAtomically(work.groundTruth(), Files.readAllBytes(testInstances(spec.data())));
          EvaluationReport report = EvaluationReport.evaluate(splits.test(), found);
          double evalSeconds = (System.nanoTime() - evalStart) / 1e9;
          DetectorCard card = new DetectorCard(DetectorStore.FORMAT, spec.arch(), spec.tap(), channels, train.height(),
              train.width(), categoryIds, categoryNames, spec.seed(), spec.data().toAbsolutePath().normalize().toString(),
              DetectorStore.PARAMS_FILE, spec.command(), normalization);
          // The detector alone: the terms' trained modules (FitNet's regressor, ...) served training only.
          DetectorStore.save(work.model(), detector, card);
          List<Double> perEpoch = new ArrayList<>();
          double previousWall = 0;
          for (EpochRecord r : records) {
            perEpoch.add(r.seconds());
            if (previous.contains(r)) {
              previousWall += r.seconds();
            }
          }
          CocoMetrics m = report.coco();
          DetectionSummary summary = new DetectionSummary(ROLE, spec.arch(), spec.tap(), absolute(spec.backbone()),
              absolute(spec.data()), spec.seed(), spec.epochs(), spec.batchSize(), spec.learningRate(), train.size(),
              test.size(), report.objects(), found.size(), m.ap(), m.ap50(), m.ap75(), m.apSmall(), m.apMedium(),
              m.apLarge(), m.ar100(), report.voc07().map(), records.get(records.size() - 1).loss(),
              previousWall + (System.nanoTime() - wallStart) / 1e9, perEpoch, evalSeconds, ProcessMemory.peakRssMb(),
              spec.command(), spec.method(), absolute(spec.teacher()));
          Json.writeAtomically(work.summary(), summary);
          Files.deleteIfExists(work.checkpoint());
          if (replacing) {
            folder.replaceWith(work);
          }
          return summary;
        } catch (RuntimeException | IOException | Error e) {
          if (replacing) {
            deleteTree(work.dir());
          } else if (!resuming && !Files.isRegularFile(work.checkpoint())) {
            folder.clear(); // failed before the first checkpoint: leave the folder as it was found
          }
          throw e;
        }
      }
    } finally {
      if (distillation != null) {
        distillation.close();
      }
      if (teacher != null) {
        teacher.close();
      }
    }
  }

  /**
   * The input normalisation of a detector: the backbone card's when the backbone starts from a classification run
   * (its first convolution and BatchNorm were trained on inputs normalised so; fed [0, 1] pixels instead, every
   * activation would be shifted — on Fashion-MNIST's statistics, mean 0.286 and std 0.353, by −0.81 at the
   * background), else the identity on [0, 1] (a backbone trained from scratch: its first BatchNorm absorbs the
   * scale, and the zero padding equals the black background).
   *
   * @param backbone the classification run, or null
   * @param channels the detection images' channels
   * @return the normalisation
   * @throws IllegalArgumentException if the backbone's card records another number of channels
   */
  static Normalization inputNormalization(Path backbone, int channels) {
    if (backbone == null) {
      return Normalization.unit(channels);
    }
    ModelCard card = ModelStore.readCard(backbone);
    if (card.normalizationMean() == null || card.normalizationStd() == null
        || card.normalizationMean().length != channels) {
      throw new IllegalArgumentException("--backbone " + backbone + ": its model card records no normalisation of "
          + channels + " channel(s), which the detection images have");
    }
    return new Normalization(card.normalizationMean(), card.normalizationStd());
  }

  /**
   * Builds the terms' trained modules and checks that they can compare the two backbones, on the first training
   * images, both models in inference mode (no BatchNorm statistic moves before training).
   */
  private static void initializeDistillation(BackboneDistillation distillation, CenterNetDetector detector,
      NDManager manager, DetectionBatches train, Normalization normalization, Spec spec) {
    int[] sample = new int[Math.min(spec.batchSize(), train.size())];
    for (int i = 0; i < sample.length; i++) {
      sample[i] = i;
    }
    try (NDManager scope = manager.newSubManager()) {
      NDList out = detector.forward(new ParameterStore(scope, false), new NDList(train.images(scope, sample,
          normalization)), false);
      ModelOutput t = distillation.teacherOutput(train.images(scope, sample, distillation.teacherNormalization()));
      distillation.initialize(manager, detector.backboneOutput(out), t, spec.seed(), spec.arch());
    }
  }

  /** What every training step uses. */
  private record Step(CenterNetDetector detector, ParameterStore ps, NDManager manager, NesterovSgd sgd,
      DetectionBatches train, int stride, Normalization normalization, BackboneDistillation distillation) {}

  /** The split's annotation file: the copy in the run folder is of the very file that was scored. */
  static Path testInstances(Path data) {
    return testSplit(data).resolve(CocoReader.INSTANCES);
  }

  /**
   * The folder of the split a detector run is evaluated on: {@code test/}, else {@code val/}.
   *
   * @param data a data set folder
   * @return its test split's folder
   */
  public static Path testSplit(Path data) {
    return Files.isDirectory(data.resolve("test")) ? data.resolve("test") : data.resolve("val");
  }

  private static Map<String, Double> trainBatch(Step c, int[] positions, double rate, int epoch, int b,
      boolean checkpointKept) {
    try (NDManager scope = c.manager().newSubManager()) {
      NDList batch = c.train().batch(scope, positions, c.stride(), c.normalization());
      // The teacher first, outside the collector and without gradients (only one collector may be open).
      ModelOutput teacherOut = c.distillation() == null ? null
          : c.distillation().teacherOutput(c.train().images(scope, positions, c.distillation().teacherNormalization()));
      NDList losses;
      Map<String, NDArray> transfer = Map.of();
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDList out = c.detector().forward(c.ps(), new NDList(batch.get(0)), true);
        losses = CenterNetLoss.loss(out, batch.subNDList(1));
        NDArray total = losses.get(0);
        if (teacherOut != null) {
          transfer = c.distillation().compute(c.detector().backboneOutput(out), teacherOut, true);
          for (NDArray t : transfer.values()) {
            total = total.add(t);
          }
        }
        collector.backward(total);
      }
      Map<String, Double> terms = new LinkedHashMap<>();
      // The weighted terms: they add up to the loss, as the classification runs' terms do.
      terms.put("heat", value(losses.get(1)));
      terms.put("size", CenterNetLoss.SIZE_WEIGHT * value(losses.get(2)));
      terms.put("offset", CenterNetLoss.OFFSET_WEIGHT * value(losses.get(3)));
      for (Map.Entry<String, NDArray> e : transfer.entrySet()) {
        terms.put(e.getKey(), value(e.getValue()));
      }
      for (Map.Entry<String, Double> e : terms.entrySet()) {
        if (!Double.isFinite(e.getValue())) {
          throw new NonFiniteLossException(e.getKey(), e.getValue(), epoch, b, checkpointKept);
        }
      }
      c.sgd().step(rate);
      return terms;
    }
  }

  private static double value(NDArray x) {
    return x.stopGradient().toType(DataType.FLOAT64, false).getDouble();
  }

  /**
   * Copies a classification run's backbone parameters into the detector's backbone, by name: the same
   * architecture and input channels are required; the classifier is copied only when its shape fits (the
   * heads never read it).
   *
   * @return the number of parameter arrays copied
   */
  static int initialiseBackbone(CenterNetDetector detector, Path run, NDManager manager) {
    try (Model model = ModelStore.load(run, Device.cpu())) {
      TappedModel source = (TappedModel) model.getBlock();
      TappedModel target = detector.backbone();
      if (!source.architecture().equals(target.architecture())) {
        throw new IllegalArgumentException("--backbone " + run + " is a " + source.architecture()
            + ", the detector's backbone is a " + target.architecture() + " (--backbone-arch)");
      }
      if (source.inputChannels() != target.inputChannels()) {
        throw new IllegalArgumentException("--backbone " + run + " takes " + source.inputChannels()
            + " input channels, the detection images have " + target.inputChannels());
      }
      Map<String, Parameter> from = new LinkedHashMap<>();
      for (var pair : source.getParameters()) {
        from.put(pair.getKey(), pair.getValue());
      }
      int copied = 0;
      for (var pair : target.getParameters()) {
        Parameter src = from.get(pair.getKey());
        NDArray dst = pair.getValue().getArray();
        if (src == null || !src.getArray().getShape().equals(dst.getShape())) {
          continue;
        }
        Models.replaceData(dst, manager.create(src.getArray().toFloatArray(), dst.getShape()));
        copied++;
      }
      if (copied == 0) {
        throw new IllegalArgumentException("--backbone " + run + ": no parameter fits the detector's backbone");
      }
      return copied;
    }
  }

  /** 1 for gray images, 3 for colour, from the first training image. */
  private static int channelsOf(CocoDataset split) {
    Path f = split.imageFile(split.images().get(0));
    try {
      var image = ImageIO.read(f.toFile());
      if (image == null) {
        throw new IllegalArgumentException(f + ": not a readable image");
      }
      return image.getColorModel().getNumColorComponents() >= 3 ? 3 : 1;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The schedule keys a resumed run must share with the one it continues (the rest may change, as --lr). */
  private static final List<String> FIXED_KEYS = List.of("tap", "backbone", "teacher", "seed", "batch_size", "flip");

  /**
   * What a detector run is ({@code config.json}, compared by {@code --resume} and by the detection experiment
   * before it skips or continues a run folder): role {@code detector}, the backbone architecture, the method,
   * the data folder as {@code dataset}, and in the schedule the tap, the backbone's and teacher's run folders,
   * seed, epochs, batch, rate, momentum, weight decay and flips; the method options as for classification runs
   * ({@link LossOptions#valuesOf}: only those of the run's methods).
   *
   * @param spec the run
   * @return its identity
   */
  public static RunIdentity identity(Spec spec) {
    Map<String, Object> schedule = new LinkedHashMap<>();
    schedule.put("tap", spec.tap());
    schedule.put("backbone", absolute(spec.backbone()));
    schedule.put("teacher", absolute(spec.teacher()));
    schedule.put("seed", spec.seed());
    schedule.put("epochs", spec.epochs());
    schedule.put("batch_size", spec.batchSize());
    schedule.put("learning_rate", spec.learningRate());
    schedule.put("momentum", spec.momentum());
    schedule.put("weight_decay", spec.weightDecay());
    schedule.put("flip", spec.flip());
    schedule.put("lr_schedule", "cosine per step to 0");
    List<TransferMethod> methods = TransferMethods.parse(spec.method());
    return new RunIdentity(ROLE, spec.arch(), spec.method(), absolute(spec.data()), null, schedule,
        spec.lossOptions().valuesOf(methods), spec.lossOptions().taps(),
        spec.lossOptions().spatial().name().toLowerCase(Locale.ROOT), null); // the teacher runs in libtorch
  }

  /**
   * Reads a detector run's identity from its {@code config.json}, of either layout: the identity's (written
   * since distillation), or the flat one of the first detector runs (no {@code format} key; method {@code ce}).
   *
   * @param configJson the file
   * @return the identity
   * @throws IllegalArgumentException if the file is unreadable
   */
  public static RunIdentity readIdentity(Path configJson) {
    JsonNode n;
    try {
      n = Json.PRETTY.readTree(configJson.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException(configJson + ": unreadable run configuration");
    }
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException(configJson + ": not a run configuration (a JSON object)");
    }
    if (n.has("format")) {
      return RunIdentity.read(configJson);
    }
    Map<String, Object> schedule = new LinkedHashMap<>();
    for (String k : List.of("tap", "backbone", "seed", "epochs", "batch_size", "learning_rate", "momentum",
        "weight_decay", "flip")) {
      if (n.has(k)) {
        schedule.put(k, Json.PRETTY.convertValue(n.get(k), Object.class));
      }
    }
    schedule.put("teacher", null);
    return new RunIdentity(n.path("role").asText(null), n.path("arch").asText(null), CeMethod.NAME,
        n.path("data").asText(null), null, schedule, Map.of(), null, "pool", null);
  }

  /** {@code config.json}: the identity, the input normalisation and the command. */
  private static Map<String, Object> config(Spec spec, RunIdentity identity, Normalization normalization) {
    Map<String, Object> c = new LinkedHashMap<>(identity.toJson());
    c.put("normalization", normalization);
    c.put("command", spec.command());
    return c;
  }

  /**
   * Refuses to resume a run of another configuration: always another role, architecture, method, data, tap,
   * backbone, teacher, seed, batch or flips; for a finished run (whose result would be reported as this one's)
   * also other epochs, rates or method options.
   */
  private static void checkSameRun(RunFolder folder, RunIdentity now, boolean finished) {
    if (!Files.isRegularFile(folder.config())) {
      return;
    }
    RunIdentity saved = readIdentity(folder.config());
    EnumSet<RunIdentity.Part> parts = EnumSet.of(RunIdentity.Part.ROLE, RunIdentity.Part.ARCH,
        RunIdentity.Part.METHOD, RunIdentity.Part.DATASET, RunIdentity.Part.SCHEDULE);
    if (finished) {
      parts.add(RunIdentity.Part.METHOD_OPTIONS);
    }
    List<String> differences = finished ? now.differences(saved, parts)
        : restrict(now, FIXED_KEYS).differences(restrict(saved, FIXED_KEYS), parts);
    if (!differences.isEmpty()) {
      throw new IllegalArgumentException("--resume: " + folder.dir() + " holds " + (finished ? "a finished run" : "a run")
          + " with " + String.join(", ", differences) + "; resume it with the same settings, --overwrite it, or use"
          + " another --out");
    }
  }

  /** An identity whose schedule holds only the given keys. */
  private static RunIdentity restrict(RunIdentity id, List<String> keys) {
    Map<String, Object> schedule = new LinkedHashMap<>();
    for (String k : keys) {
      if (id.schedule().containsKey(k)) {
        schedule.put(k, id.schedule().get(k));
      }
    }
    return new RunIdentity(id.role(), id.arch(), id.method(), id.dataset(), id.perClass(), schedule,
        id.methodOptions(), id.taps(), id.spatial(), id.teacherRuntime());
  }

  /** A path as recorded: absolute and normalised; null stays null. */
  static String absolute(Path p) {
    return p == null ? null : p.toAbsolutePath().normalize().toString();
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var walk = Files.walk(root)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}

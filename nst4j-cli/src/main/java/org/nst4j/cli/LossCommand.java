package org.nst4j.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.nst4j.data.NpyFile;
import org.nst4j.transfer.LossReport;
import org.nst4j.transfer.Objectives;
import org.nst4j.transfer.TransferMethods;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code nst4j loss}: evaluates a transfer objective on saved tensors ({@code .npy}) and prints one JSON
 * object with the total and each weighted term (see {@link Objectives#evaluate}).
 */
@Command(name = "loss", mixinStandardHelpOptions = true,
    description = "Evaluate a transfer loss on saved .npy tensors and print one JSON object. Feature maps are"
        + " taps tap0, tap1, ... in the order given.")
final class LossCommand implements Callable<Integer>, LossOptionsMixin.TakesMethodOptions {
  @Mixin LossOptionsMixin loss = new LossOptionsMixin();
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--method", required = true, paramLabel = "M",
      completionCandidates = LossOptionsMixin.MethodNames.class,
      description = "${COMPLETION-CANDIDATES}, or a sum such as kd+nst-poly.")
  String method;

  @Option(names = "--student-features", paramLabel = "NPY",
      description = "A student feature map B×C×H×W (.npy, float32/64); repeat for several taps.")
  List<Path> studentFeatures = new ArrayList<>();

  @Option(names = "--teacher-features", paramLabel = "NPY",
      description = "A teacher feature map B×C×H×W (.npy); repeat for several taps.")
  List<Path> teacherFeatures = new ArrayList<>();

  @Option(names = "--student-logits", paramLabel = "NPY", description = "Student logits B×K (.npy).")
  Path studentLogits;

  @Option(names = "--teacher-logits", paramLabel = "NPY", description = "Teacher logits B×K (.npy).")
  Path teacherLogits;

  @Option(names = "--labels", paramLabel = "NPY",
      description = "Labels B (.npy, int64 or int32). Without labels the CE is omitted (and reported so).")
  Path labels;

  @Override
  public Integer call() {
    var options = loss.toOptions();
    TransferMethods.parse(method);
    try (NDManager manager = NDManager.newBaseManager()) {
      List<NDArray> sf = new ArrayList<>();
      for (Path p : studentFeatures) {
        sf.add(read(manager, p));
      }
      List<NDArray> tf = new ArrayList<>();
      for (Path p : teacherFeatures) {
        tf.add(read(manager, p));
      }
      NDArray zs = studentLogits == null ? null : read(manager, studentLogits);
      NDArray zt = teacherLogits == null ? null : read(manager, teacherLogits);
      NDArray y = labels == null ? null : read(manager, labels);
      LossReport report = Objectives.evaluate(manager, method, options, sf, tf, zs, zt, y);
      for (var term : report.terms().entrySet()) {
        if (!Double.isFinite(term.getValue())) {
          // Finite inputs can still overflow (huge activations squared): a NaN printed as a result is not one.
          throw new IllegalArgumentException("the term " + term.getKey() + " is " + term.getValue() + " on these"
              + " tensors (finite, but too large for float32 arithmetic?); no loss is printed");
        }
      }
      spec.commandLine().getOut().println(report.toJson());
      spec.commandLine().getOut().flush();
    }
    return 0;
  }

  /**
   * Reads a tensor as float64 (float32 files widened exactly; the losses are evaluated in double precision,
   * since this command checks a loss's value and a float32 evaluation differs from the formula by rounding:
   * PKT's weight 30000 times a float32 log-ratio is off by ~1e-4 relative) or int64, and refuses one that
   * cannot give a meaningful loss: no values (a dimension of 0, e.g. zero channels) or NaN/infinite values.
   */
  static NDArray read(NDManager manager, Path path) {
    NpyFile.Values v = NpyFile.read(path);
    Shape shape = new Shape(v.shape());
    NDArray a = v.isInteger() ? manager.create(v.longs(), shape) : manager.create(v.reals(), shape);
    if (a.getShape().size() == 0) {
      throw new IllegalArgumentException(path + ": shape " + a.getShape() + " holds no values; a loss needs at"
          + " least one per dimension");
    }
    if (a.getDataType().isFloating()) {
      long bad = a.isNaN().logicalOr(a.isInfinite()).countNonzero().getLong();
      if (bad > 0) {
        throw new IllegalArgumentException(path + ": " + bad + " of " + a.getShape().size() + " values are NaN or"
            + " infinite; a loss of them would be NaN");
      }
    }
    return a;
  }
}

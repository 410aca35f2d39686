package org.nst4j.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.nst4j.transfer.LossReport;
import org.nst4j.transfer.NpyFile;
import org.nst4j.transfer.Objectives;
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
final class LossCommand implements Callable<Integer> {
  @Mixin LossOptionsMixin loss = new LossOptionsMixin();
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--method", required = true, paramLabel = "M",
      description = "ce, kd, fitnet, at, nst-linear, nst-poly, nst-gauss, or a sum such as kd+nst-poly.")
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
    Objectives.parse(method);
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
   * Reads a tensor and refuses one that cannot give a meaningful loss: no values (a dimension of 0, e.g.
   * zero channels) or NaN/infinite values.
   */
  private static NDArray read(NDManager manager, Path path) {
    NDArray a = NpyFile.read(manager, path);
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

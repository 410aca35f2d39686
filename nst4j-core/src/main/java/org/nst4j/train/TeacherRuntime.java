package org.nst4j.train;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.Locale;
import org.nst4j.model.TappedModel;
import org.nst4j.model.ModelGraph;
import org.nst4j.store.ModelStore;

/**
 * Which runtime computes the frozen teacher's forward pass during distillation. The student always trains in
 * libtorch (autograd); the teacher needs no gradient, so it may run elsewhere.
 *
 * <p>The runtime changes the teacher's outputs by float rounding only (the two compute the same folded graph
 * in a different order), but a run's numbers then differ in their last digits: it is part of a run's identity
 * ({@code teacher_runtime} in {@code config.json}, {@link RunIdentity}), and runs of different runtimes are
 * never taken for one another.
 *
 * <p>The default ({@link #defaultFor}) is written once, here: ONNX Runtime where it can run (the CPU, a teacher
 * of the zoo's architectures, ONNX Runtime on the class path), libtorch otherwise. Measured (docs/performance.md,
 * "The frozen teacher in ONNX Runtime"): ONNX Runtime runs FMNIST-10k's ResNet-20 teacher 1.5× faster alone but
 * no faster inside the training loop (libtorch's OpenMP threads still spin on the cores when it starts), a
 * ResNet-56 teacher's epoch in 0.86× the time, and three methods' FMNIST-10k accuracy within a standard deviation
 * of libtorch's.
 */
public enum TeacherRuntime {
  /** libtorch through DJL, as the student: BatchNorm folded, channels-last (every run before this setting). */
  LIBTORCH("libtorch"),
  /**
   * ONNX Runtime ({@code org.nst4j.deploy.onnx.OnnxTeacher}): the same folded graph, exported in memory, with
   * its activations in ONNX Runtime's blocked layout from the first convolution to the last.
   */
  ONNX_RUNTIME("onnxruntime");

  private final String cliName;

  TeacherRuntime(String cliName) {
    this.cliName = cliName;
  }

  /** The name on the command line, in experiment files and in {@code config.json}. */
  public String cliName() {
    return cliName;
  }

  @Override
  public String toString() {
    return cliName;
  }

  /**
   * The runtime named {@code name}.
   *
   * @param name {@code libtorch} or {@code onnxruntime} (case-insensitive)
   * @return the runtime
   * @throws IllegalArgumentException naming the accepted values
   */
  public static TeacherRuntime of(String name) {
    for (TeacherRuntime r : values()) {
      if (r.cliName.equals(name == null ? null : name.toLowerCase(Locale.ROOT))) {
        return r;
      }
    }
    throw new IllegalArgumentException("unknown teacher runtime '" + name + "'; expected libtorch or onnxruntime");
  }

  /**
   * The default runtime: ONNX Runtime if nst4j can describe the teacher as a graph ({@link
   * ModelGraph#describes}: the zoo's models, not a TorchScript module or a user's wrapped block), the device is
   * the CPU (nst4j ships ONNX Runtime's CPU build) and ONNX Runtime is on the class path (an optional dependency
   * of nst4j-core); libtorch otherwise.
   *
   * @param describable whether {@link ModelGraph} describes the teacher
   * @param device the device the run trains on
   * @return the runtime
   */
  public static TeacherRuntime defaultFor(boolean describable, Device device) {
    return describable && !device.isGpu() && onnxRuntimeAvailable() ? ONNX_RUNTIME : LIBTORCH;
  }

  /**
   * {@link #defaultFor(boolean, Device)} for a teacher file or folder: a TorchScript file is not describable; an
   * nst4j model is if the architecture its card names is (built, not loaded, to ask). A folder without a
   * readable card (a teacher not trained yet) is taken for the zoo model it will be; the run refuses it anyway
   * until it exists.
   */
  public static TeacherRuntime defaultFor(Path teacher, Device device) {
    if (Teachers.isTorchScript(teacher)) {
      return LIBTORCH;
    }
    boolean describable;
    try {
      describable = ModelGraph.describes(ModelStore.create(teacher, ModelStore.readCard(teacher)));
    } catch (IllegalArgumentException e) {
      describable = true;
    }
    return defaultFor(describable, device);
  }

  /** {@link #defaultFor(boolean, Device)} for a loaded teacher. */
  public static TeacherRuntime defaultFor(TappedModel teacher, Device device) {
    return defaultFor(ModelGraph.describes(teacher), device);
  }

  /** Whether ONNX Runtime's Java API is on the class path. */
  static boolean onnxRuntimeAvailable() {
    try {
      Class.forName("ai.onnxruntime.OrtEnvironment", false, TeacherRuntime.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}

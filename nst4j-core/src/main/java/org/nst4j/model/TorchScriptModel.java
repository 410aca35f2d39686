package org.nst4j.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.nst4j.data.DataFormatException;

/**
 * A frozen teacher exported from PyTorch as TorchScript, seen as a {@link TappedModel}: its {@code forward}
 * takes the normalised B×C×H×W batch and returns a tuple {@code (logits, tap_1, ..., tap_n)} of B×K logits
 * and B×C_i×H_i×W_i feature maps, so that KD, AT, FitNet and NST work against it exactly as against a zoo
 * model.
 *
 * <p>The module runs in inference mode ({@code module.eval()}, no autograd) whatever the caller asks: nst4j
 * never trains it. It receives the batches nst4j's data pipeline makes — pixels scaled to [0, 1] and
 * normalised with the data set's mean and std — so it must have been trained on that same normalisation,
 * or normalise inside its own {@code forward}.
 *
 * <p>Load with {@link #load}; it checks the module once on a probe batch of the data's shape and refuses,
 * naming the file, a module whose output is not a tuple of arrays, whose logits are not B×K for the data's K
 * classes, whose maps are not 4-D, or whose outputs are not float32.
 *
 * <p>float32 only, checked on the probe and on every forward ({@link #checkFloat32}): DJL 0.36's PyTorch JNI
 * cannot hold a bfloat16 tensor. Reading the type of one returned by a module is safe (DJL reads it as
 * {@code UNKNOWN}), and so are element-wise ops and {@code toType(FLOAT32)}, but every JNI call that passes
 * a data type back to libtorch — creating or casting to {@code BFLOAT16}, and ops that pass the array's own
 * type such as {@code softmax} or {@code zerosLike}, which KD and the other losses call — reaches a
 * {@code throw;} without an exception in DJL's native {@code GetScalarTypeFromDType} and aborts the JVM
 * ("terminate called without an active exception"; docs/performance.md, issue 17 item 3). A teacher may
 * compute in bfloat16 inside its forward, as long as it casts its outputs back to float32.
 */
public final class TorchScriptModel extends TappedModel {
  private static final byte VERSION = 1;
  /** Batch size of the probe forward pass run by {@link #load}. */
  private static final int PROBE_BATCH = 2;

  private final PtSymbolBlock module;

  /** A wrapper named {@code name} (its {@link #architecture()}, {@code torchscript:<file name>}). */
  private TorchScriptModel(PtSymbolBlock module, String name, List<String> taps, int inputChannels,
      int numClasses) {
    super(VERSION, name, taps, inputChannels, numClasses);
    this.module = addChildBlock("module", module);
  }

  private static List<Path> ptFiles(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> Files.isRegularFile(p)
              && p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".pt"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new DataFormatException(dir + ": cannot be listed (" + e.getMessage() + ")", e);
    }
  }

  /**
   * The {@code .pt} files directly in a folder, sorted by name.
   *
   * @param dir the folder
   * @return the files (possibly none)
   * @throws DataFormatException if the folder cannot be listed
   */
  public static List<Path> ptFilesIn(Path dir) {
    return ptFiles(dir);
  }

  /** The TorchScript file a path names: itself, or the one {@code .pt} file of a folder. */
  static Path resolveFile(Path path) {
    if (Files.isRegularFile(path)) {
      return path;
    }
    if (!Files.isDirectory(path)) {
      throw new DataFormatException(path + ": no such file or folder");
    }
    List<Path> files = ptFiles(path);
    if (files.isEmpty()) {
      throw new DataFormatException(path + ": holds no .pt TorchScript file");
    }
    if (files.size() > 1) {
      throw new DataFormatException(path + ": holds several .pt files (" + files.stream()
          .map(p -> p.getFileName().toString()).toList() + "); give the file itself");
    }
    return files.get(0);
  }

  /**
   * Loads a TorchScript teacher and checks it on a probe batch.
   *
   * @param path a TorchScript file, or a folder holding exactly one {@code .pt} file
   * @param tapNames names of the maps after the logits, in order, or null/empty for {@code tap1..tapN}
   * @param inputChw the shape of one input image, C×H×W
   * @param numClasses the number of classes the logits must have
   * @param device where to run it
   * @return a DJL model owning the module, whose block is the {@link TorchScriptModel}; the caller closes it
   * @throws DataFormatException naming the file if it is not a loadable TorchScript module, fails on the
   *     probe batch, returns something else than a tuple of arrays, has logits of another width, or has
   *     maps that are not 4-D
   * @throws IllegalArgumentException if tap names are given but their number differs from the module's maps,
   *     or they repeat or are blank
   */
  public static Model load(Path path, List<String> tapNames, Shape inputChw, int numClasses, Device device) {
    return load(path, tapNames, inputChw, numClasses, device, "--teacher-taps");
  }

  /**
   * {@link #load(Path, List, Shape, int, Device)} with the tap names called {@code tapsArgument} in messages (the
   * command line's {@code --teacher-taps}, a Java API's parameter name).
   *
   * @param path a TorchScript file, or a folder holding exactly one {@code .pt} file
   * @param tapNames names of the maps after the logits, in order, or null/empty for {@code tap1..tapN}
   * @param inputChw the shape of one input image, C×H×W
   * @param numClasses the number of classes the logits must have
   * @param device where to run it
   * @param tapsArgument how messages name {@code tapNames}
   * @return a DJL model owning the module, whose block is the {@link TorchScriptModel}; the caller closes it
   */
  public static Model load(Path path, List<String> tapNames, Shape inputChw, int numClasses, Device device,
      String tapsArgument) {
    if (inputChw.dimension() != 3) {
      throw new IllegalArgumentException("input shape must be C×H×W, got " + inputChw);
    }
    ModelZoo.checkCounts((int) inputChw.get(0), numClasses);
    Path file = resolveFile(path);
    Model model = Model.newInstance("teacher", device, "PyTorch");
    try {
      try {
        model.load(file);
      } catch (EngineException | IOException | MalformedModelException | IllegalArgumentException e) {
        throw new DataFormatException(file + ": not a loadable TorchScript module (" + firstLine(e) + ")", e);
      }
      PtSymbolBlock module = (PtSymbolBlock) model.getBlock();
      JniUtils.enableInferenceMode(module);
      int maps = probe(file, module, (PtNDManager) model.getNDManager(), inputChw, numClasses);
      List<String> names = tapNames(tapNames, maps, file, tapsArgument);
      TorchScriptModel wrapper = new TorchScriptModel(module, "torchscript:" + file.getFileName(), names,
          (int) inputChw.get(0), numClasses);
      // Records the input shape; the module's parameters are already there, so nothing is allocated.
      wrapper.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1).addAll(inputChw));
      model.setBlock(wrapper);
      return model;
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /** Runs the module on a zero batch; returns the number of maps after the logits. */
  private static int probe(Path file, PtSymbolBlock module, PtNDManager parent, Shape inputChw, int numClasses) {
    Shape input = new Shape(PROBE_BATCH).addAll(inputChw);
    try (PtNDManager scope = (PtNDManager) parent.newSubManager()) {
      PtNDArray x = (PtNDArray) scope.zeros(input, DataType.FLOAT32);
      IValue in = IValue.from(x);
      IValue out;
      try {
        out = module.forward(in);
      } catch (EngineException e) {
        throw new DataFormatException(file + ": forward fails on a " + describe(input) + " batch ("
            + firstLine(e) + ")", e);
      } finally {
        in.close();
      }
      try {
        if (!out.isTuple()) {
          throw new DataFormatException(file + ": forward returns " + out.getType() + ", expected a tuple"
              + " (logits, map_1, ..., map_n) of tensors; return (logits,) for a logits-only teacher");
        }
        IValue[] items = out.toIValueTuple();
        try {
          if (items.length == 0) {
            throw new DataFormatException(file + ": forward returns an empty tuple, expected (logits, maps...)");
          }
          for (int i = 0; i < items.length; i++) {
            if (!items[i].isTensor()) {
              throw new DataFormatException(file + ": element " + i + " of the tuple forward returns is "
                  + items[i].getType() + ", expected a tensor");
            }
            PtNDArray tensor = items[i].toTensor(scope);
            checkFloat32(tensor, file.toString(), i == 0 ? "the logits (element 0 of the tuple forward returns)"
                : "map " + i + " (element " + i + " of the tuple forward returns)");
            Shape s = tensor.getShape();
            if (i == 0 && (s.dimension() != 2 || s.get(0) != PROBE_BATCH || s.get(1) != numClasses)) {
              throw new DataFormatException(file + ": logits (first element) have shape " + s + " for a "
                  + describe(input) + " batch, expected (" + PROBE_BATCH + ", " + numClasses
                  + "): the teacher must predict the data's " + numClasses + " classes");
            }
            if (i > 0 && (s.dimension() != 4 || s.get(0) != PROBE_BATCH)) {
              throw new DataFormatException(file + ": map " + i + " has shape " + s + " for a "
                  + describe(input) + " batch, expected B×C×H×W");
            }
          }
          return items.length - 1;
        } finally {
          for (IValue v : items) {
            v.close();
          }
        }
      } finally {
        out.close();
      }
    }
  }

  private static List<String> tapNames(List<String> requested, int maps, Path file, String argument) {
    List<String> names = new ArrayList<>();
    if (requested == null || requested.isEmpty()) {
      for (int i = 1; i <= maps; i++) {
        names.add("tap" + i);
      }
      return names;
    }
    if (requested.size() != maps) {
      throw new IllegalArgumentException(argument + " names " + requested.size() + " map"
          + (requested.size() == 1 ? "" : "s") + " " + requested + ", but " + file + " returns " + maps
          + " after its logits");
    }
    HashSet<String> seen = new HashSet<>();
    for (String n : requested) {
      String t = n == null ? "" : n.trim();
      if (t.isEmpty() || t.contains(":") || !seen.add(t)) {
        throw new IllegalArgumentException("teacher tap names must be distinct, non-blank and without ':',"
            + " got " + requested);
      }
      names.add(t);
    }
    return names;
  }

  private static String describe(Shape s) {
    StringBuilder sb = new StringBuilder();
    for (long d : s.getShape()) {
      sb.append(sb.length() == 0 ? "" : "×").append(d);
    }
    return sb.toString();
  }

  private static String firstLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  /** Runs the module in inference mode ({@code training} is ignored: a TorchScript teacher is frozen). */
  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDList out = module.forward(ps, inputs, false);
    if (out.size() != tapNames().size() + 1) {
      throw new IllegalStateException(architecture() + " returned " + out.size()
          + " arrays, expected logits and " + tapNames().size() + " maps as on the probe batch");
    }
    for (int i = 0; i < out.size(); i++) {
      checkFloat32(out.get(i), architecture(), i == 0 ? "the logits" : "map " + i);
    }
    return out;
  }

  /**
   * Refuses an output that is not float32 before any nst4j or DJL code touches it: a bfloat16 tensor would
   * abort the JVM at the first op that passes its type to libtorch (see the class comment). Reading the type
   * is safe: DJL 0.36 reads bfloat16 (and the other libtorch types its JNI does not map) as
   * {@link DataType#UNKNOWN}.
   *
   * @param array an output of the module
   * @param who names the module in the message (its file)
   * @param what names the output
   * @throws DataFormatException if the array is not float32
   */
  static void checkFloat32(NDArray array, String who, String what) {
    DataType type = array.getDataType();
    if (type != DataType.FLOAT32) {
      String seen = type == DataType.UNKNOWN ? "of a type DJL 0.36 cannot hold (it reads as 'unknown': bfloat16,"
          + " int16, complex...)" : type.name().toLowerCase(Locale.ROOT);
      throw new DataFormatException(who + ": " + what + " is " + seen + "; nst4j takes float32 outputs only (a"
          + " bfloat16 tensor would abort the JVM in DJL 0.36's PyTorch JNI). Compute in bfloat16 inside forward if"
          + " you like, but cast what it returns: return tuple(t.float() for t in (logits, map1, ...))");
    }
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return module.getOutputShapes(inputShapes);
  }

  /** Nothing to do: the module arrives with its parameters. */
  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {}
}

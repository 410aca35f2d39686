package org.nst4j.experiment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import org.nst4j.data.DataSources;
import org.nst4j.data.DataSplits;
import org.nst4j.data.IdxWriter;
import org.nst4j.train.RunSpec;
import org.nst4j.train.TrainingRecipe;
import org.nst4j.train.TrainingRun;

/**
 * Shared, built once per test JVM: a tiny Fashion-MNIST folder cut from the embedded sample (its folder
 * name contains "fashion", so it gets the Fashion-MNIST classes and normalisation) and a tiny cnn-small
 * teacher trained on it. Small enough that a 2 × 2 grid trains in seconds on a loaded machine.
 */
final class Fixtures {
  /** Training images per class of the tiny folder. */
  static final int TRAIN_PER_CLASS = 12;
  /** Test images per class of the tiny folder. */
  static final int TEST_PER_CLASS = 10;

  private static Path root;
  private static Path data;
  private static Path teacher;

  private static int savedThreads = -1;

  private Fixtures() {}

  /**
   * One libtorch intra-op thread while these tests run: the tiny models gain nothing from two, and on a
   * loaded 2-core machine two spinning threads per process made each run 5–10× slower (measured). Undone by
   * {@link #restoreThreads()}.
   */
  static synchronized void oneThread() {
    ai.djl.engine.Engine.getEngine("PyTorch");
    if (savedThreads < 0) {
      savedThreads = ai.djl.pytorch.jni.JniUtils.getNumThreads();
    }
    ai.djl.pytorch.jni.JniUtils.setNumThreads(1);
  }

  /** Restores the thread count {@link #oneThread()} replaced. */
  static synchronized void restoreThreads() {
    if (savedThreads > 0) {
      ai.djl.pytorch.jni.JniUtils.setNumThreads(savedThreads);
      savedThreads = -1;
    }
  }

  /** A temporary folder removed when the JVM exits. */
  static synchronized Path root() {
    if (root == null) {
      try {
        root = Files.createTempDirectory("nst4j-experiment-test");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Path r = root;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(r)));
    }
    return root;
  }

  /** The tiny data folder: 12 training and 10 test images per class, in IDX files. */
  static synchronized Path data() {
    if (data == null) {
      DataSplits sample = DataSources.sample();
      Path dir = root().resolve("tiny-fashion");
      try {
        Files.createDirectories(dir);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      var train = sample.train().firstPerClass(TRAIN_PER_CLASS);
      var test = sample.test().firstPerClass(TEST_PER_CLASS);
      IdxWriter.writeImages(dir.resolve(DataSources.IDX_FILES.get(0)), train);
      IdxWriter.writeLabels(dir.resolve(DataSources.IDX_FILES.get(1)), train);
      IdxWriter.writeImages(dir.resolve(DataSources.IDX_FILES.get(2)), test);
      IdxWriter.writeLabels(dir.resolve(DataSources.IDX_FILES.get(3)), test);
      data = dir;
    }
    return data;
  }

  /** A cnn-small teacher trained for one epoch on {@link #data()}. */
  static synchronized Path teacher() throws IOException {
    if (teacher == null) {
      Path out = root().resolve("teacher");
      TrainingRun.execute(RunSpec.builder().setArch("cnn-small").setData(DataSources.resolve(data().toString(), null))
          .setConfig(TrainingRecipe.builder().setEpochs(1).setBatchSize(20).setLearningRate(0.05).build())
          .setOut(out).optProgress(false).optCommand("test teacher").build());
      teacher = out;
    }
    return teacher;
  }

  static void delete(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // Best effort at exit.
    }
  }

  /** Splits one CSV line (RFC 4180 quoting). */
  static java.util.List<String> csvFields(String line) {
    java.util.List<String> out = new java.util.ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cur.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          cur.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString());
    return out;
  }
}

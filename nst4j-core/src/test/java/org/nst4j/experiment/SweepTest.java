package org.nst4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.data.DataSources;
import org.nst4j.data.DataSplits;
import org.nst4j.data.ImageDataset;
import org.nst4j.model.TappedModel;
import org.nst4j.store.ModelStore;
import org.nst4j.train.ModelAccuracy;
import org.nst4j.train.RunFolder;
import org.nst4j.train.RunSummary;
import org.nst4j.train.TrainingRecipe;
import org.nst4j.transfer.LossOptions;
import org.nst4j.transfer.NstMethod;

class SweepTest {
  @BeforeAll
  static void threads() {
    Fixtures.oneThread();
  }

  @AfterAll
  static void restore() {
    Fixtures.restoreThreads();
  }

  private static SweepSpec spec(Path out, List<Double> lambdas, List<List<String>> taps) throws Exception {
    return new SweepSpec(Fixtures.data().toString(), null, 10, 3, "cnn-small", Fixtures.teacher(), "nst-poly",
        LossOptions.defaults(), lambdas, taps,
        TrainingRecipe.builder().setEpochs(1).setBatchSize(14).setLearningRate(0.05).build(), List.of(0L), out);
  }

  private static String key(ImageDataset ds, int i) {
    byte[] px = new byte[ds.imageSize()];
    ds.copyImage(i, px, 0);
    return ds.label(i) + ":" + Arrays.toString(px);
  }

  @Test
  void carvesTheLastKOfEachClassOfTheSubsetInFileOrder() {
    ImageDataset train = DataSources.sample().train();
    Sweep.Carved c = Sweep.carve(train, 10, 3);
    ImageDataset subset = train.firstPerClass(10);
    assertEquals(70, c.train().size());
    assertEquals(30, c.validation().size());
    int[] seen = new int[10];
    int t = 0;
    int v = 0;
    for (int i = 0; i < subset.size(); i++) {
      int label = subset.label(i);
      // Of each class's 10 images in file order, the first 7 train and the last 3 validate.
      if (seen[label]++ < 7) {
        assertEquals(key(subset, i), key(c.train(), t++), "train image " + i);
      } else {
        assertEquals(key(subset, i), key(c.validation(), v++), "validation image " + i);
      }
    }
    for (int k = 0; k < 10; k++) {
      assertEquals(3, c.validation().classCounts()[k]);
    }
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Sweep.carve(train, 3, 3)).getMessage()
        .contains("leaves no training image of class"));
  }

  @Test
  void theSweepNeverTouchesTheTestSet(@TempDir Path dir) throws Exception {
    DataSplits real = DataSources.resolve(Fixtures.data().toString(), null);
    // A test split made of images that appear nowhere in the training split (every pixel 255, label 9).
    int n = 50;
    byte[] px = new byte[n * real.train().imageSize()];
    Arrays.fill(px, (byte) 255);
    int[] labels = new int[n];
    Arrays.fill(labels, 9);
    ImageDataset poison = ImageDataset.of("poison", px, labels, 1, 28, 28, real.train().classNames());
    DataSplits poisoned = new DataSplits(real.name(), real.train(), poison, real.normalization());
    SweepSpec spec = spec(dir.resolve("sweep"), List.of(5.0, 50.0), List.of());
    DataSplits splits = Sweep.validationSplits(poisoned, spec);
    Set<String> testImages = new HashSet<>();
    for (int i = 0; i < poison.size(); i++) {
      testImages.add(key(poison, i));
    }
    for (ImageDataset ds : List.of(splits.train(), splits.test())) {
      for (int i = 0; i < ds.size(); i++) {
        assertTrue(!testImages.contains(key(ds, i)), ds.name() + " image " + i + " comes from the test split");
      }
    }

    ByteArrayOutputStream log = new ByteArrayOutputStream();
    AtomicInteger loads = new AtomicInteger();
    Experiment.Options options = new Experiment.Options(false, false, Device.cpu(), "nst4j sweep test",
        new PrintWriter(new java.io.OutputStreamWriter(log, StandardCharsets.UTF_8), true), () -> {});
    Sweep.Result r = Sweep.run(spec, options, () -> {
      loads.incrementAndGet();
      return poisoned;
    });
    assertEquals(new GridRunner.Outcome(2, 0), r.outcome());
    assertEquals(List.of("lambda-5", "lambda-50"), r.groups().stream().map(ResultGroup::label).toList());
    Sweep.Carved carved = Sweep.carve(real.train(), 10, 3);
    for (ResultGroup g : r.groups()) {
      RunResult run = g.runs().get(0);
      RunSummary s = run.summary();
      assertEquals(70, s.trainImages(), "trained on the subset minus the validation split");
      assertEquals(spec.splitsName(), s.dataset());
      // The accuracy in the summary is the saved model's accuracy on the carved validation split.
      try (Model m = ModelStore.load(run.dir(), Device.cpu())) {
        double onValidation = ModelAccuracy.accuracy((TappedModel) m.getBlock(), m.getNDManager(), carved.validation(),
            real.normalization(), 100);
        assertEquals(onValidation, s.testAccuracy(), 1e-9, g.label());
      }
      for (var e : new RunFolder(run.dir()).readEpochLog()) {
        assertTrue(e.testAccuracy() * 30 == Math.rint(e.testAccuracy() * 30), "per-epoch accuracy is out of 30"
            + " validation images: " + e.testAccuracy());
      }
    }
    assertEquals(r.groups().stream().max((a, b) -> Double.compare(a.finalAccuracy().mean(),
        b.finalAccuracy().mean())).orElseThrow().finalAccuracy().mean(), r.best().finalAccuracy().mean());
    List<String> csv = Files.readAllLines(r.sweepCsv());
    assertEquals(List.of("label", "method", "options", "lambda", "taps", "n", "seeds", "final_val_acc_mean_pct",
        "final_val_acc_std_pct", "best_val_acc_mean_pct", "best_val_acc_std_pct", "seconds_per_epoch_mean"),
        Fixtures.csvFields(csv.get(0)));
    assertEquals("5", Fixtures.csvFields(csv.get(1)).get(3));
    assertEquals(100 * r.groups().get(1).runs().get(0).summary().testAccuracy(),
        Double.parseDouble(Fixtures.csvFields(csv.get(2)).get(7)), 1e-4);
    assertTrue(Files.readString(r.sweepMd()).contains("Best: **" + Sweep.describeBest(r.best()) + "**"));
    // No chart library in nst4j-core: no picture (nst4j-cli draws it).
    assertFalse(Files.exists(dir.resolve("sweep").resolve(Sweep.SWEEP_PNG)));

    // The same sweep again trains nothing (the grid runner's skip), and rewrites the same table.
    byte[] before = Files.readAllBytes(r.sweepCsv());
    Sweep.Result again = Sweep.run(spec, options, () -> {
      loads.incrementAndGet();
      return poisoned;
    });
    assertEquals(new GridRunner.Outcome(0, 2), again.outcome());
    assertEquals(1, loads.get(), "a finished sweep loads no data");
    assertTrue(Arrays.equals(before, Files.readAllBytes(r.sweepCsv())));
  }

  @Test
  void settingsAreEveryLambdaTimesEveryTapList(@TempDir Path dir) throws Exception {
    SweepSpec s = spec(dir, List.of(5.0, 12.5), List.of(List.of("stage3"), List.of("stage2", "stage3")));
    List<SweepSpec.Setting> settings = s.settings();
    assertEquals(List.of("lambda-5_taps-stage3", "lambda-5_taps-stage2+stage3", "lambda-12.5_taps-stage3",
        "lambda-12.5_taps-stage2+stage3"), settings.stream().map(SweepSpec.Setting::label).toList());
    assertEquals(12.5, settings.get(3).options().get(NstMethod.LAMBDA).doubleValue());
    assertEquals(List.of("stage2", "stage3"), settings.get(3).options().taps());
    assertEquals(List.of("nst-poly"), spec(dir, List.of(), List.of()).settings().stream()
        .map(SweepSpec.Setting::label).toList());
  }

  @Test
  void sweepsAgainstATorchScriptTeacherWithNamedMaps(@TempDir Path dir) throws Exception {
    TrainingRecipe c = TrainingRecipe.builder().setEpochs(1).setBatchSize(14).setLearningRate(0.05).build();
    Path teacher = ExperimentTest.torchScriptTeacher();
    SweepSpec spec = new SweepSpec(Fixtures.data().toString(), null, 10, 3, "cnn-small", teacher,
        List.of("map1", "map2"), "nst-poly", LossOptions.defaults(), List.of(10.0), List.of(List.of("block3:map2")),
        c, List.of(0L), dir.resolve("ok"));
    Sweep.Result r = Sweep.run(spec, new Experiment.Options(false, false, Device.cpu(), "t",
        new PrintWriter(new ByteArrayOutputStream(), true), () -> {}));
    assertEquals(1, r.outcome().trained());
    Path run = dir.resolve("ok/runs").resolve(spec.settings().get(0).label()).resolve("seed-0");
    assertTrue(Files.readString(run.resolve("config.json")).contains("\"teacher_taps\" : [ \"map1\", \"map2\" ]"));
    double nst = new RunFolder(run).readEpochLog().get(0).terms().get("nst-poly");
    assertTrue(Double.isFinite(nst) && nst > 0, "nst term " + nst);

    SweepSpec tooMany = new SweepSpec(Fixtures.data().toString(), null, 10, 3, "cnn-small", teacher,
        List.of("a", "b", "c"), "nst-poly", null, List.of(10.0), null, c, null, dir.resolve("bad"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sweep.run(tooMany,
        new Experiment.Options(false, false, Device.cpu(), "t", new PrintWriter(new ByteArrayOutputStream()),
            () -> {})));
    assertTrue(e.getMessage().startsWith("--teacher-taps: names 3 maps [a, b, c], but the forward of"),
        e.getMessage());
    assertTrue(!Files.exists(dir.resolve("bad")), "nothing written");
  }

  @Test
  void badSweepsAreRefusedWithTheOptionNamed(@TempDir Path dir) throws Exception {
    TrainingRecipe c = TrainingRecipe.builder().build();
    String[][] cases = {
      {"kd", "10", "3", "--lambdas sets the NST weight"},
      {"nst-poly", "10", "10", "--val-per-class 10 leaves no training image"},
      {"nst-poly", "10", "0", "--val-per-class must be ≥ 1"},
    };
    for (String[] k : cases) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SweepSpec("sample", null,
          Integer.parseInt(k[1]), Integer.parseInt(k[2]), "resnet8", dir, k[0], null, List.of(5.0), null, c, null,
          dir));
      assertTrue(e.getMessage().contains(k[3]), e.getMessage());
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SweepSpec("sample", null, 10,
        3, "resnet8", dir, "nst-poly", null, List.of(-1.0), null, c, null, dir));
    assertTrue(e.getMessage().contains("--lambdas"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Sweep.run(new SweepSpec("sample", null, 10, 3, "resnet8",
        dir.resolve("no-teacher"), "nst-poly", null, List.of(5.0), null, c, null, dir.resolve("o")),
        Experiment.Options.defaults("t")));
    assertTrue(e.getMessage().startsWith("--teacher: "), e.getMessage());
  }
}

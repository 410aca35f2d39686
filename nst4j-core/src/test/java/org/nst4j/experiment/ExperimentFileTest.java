package org.nst4j.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.train.TeacherRuntime;
import org.nst4j.train.TrainingRecipe;
import org.nst4j.transfer.LossOptions;
import org.nst4j.transfer.AtMethod;
import org.nst4j.transfer.FitNetMethod;
import org.nst4j.transfer.KdMethod;
import org.nst4j.transfer.NstGaussMethod;
import org.nst4j.transfer.NstMethod;
import org.nst4j.transfer.NstPolyMethod;

class ExperimentFileTest {
  private static final Path F = Path.of("x.yaml");

  private static final String MINIMAL = """
      name: tiny
      data: {name: sample, per_class: 20}
      teacher: some/teacher
      student: resnet8
      methods: [ce, nst-poly]
      """;

  private static String error(String yaml) {
    return assertThrows(IllegalArgumentException.class, () -> ExperimentFile.parse(yaml, F)).getMessage();
  }

  @Test
  void theShippedFmnist10kFileEncodesTheProtocolExactly() {
    ExperimentSpec s = ExperimentFile.read(Path.of("experiments/fmnist-10k.yaml"));
    assertEquals(ExperimentSpec.Role.STUDENT, s.role());
    assertEquals("fashion-mnist", s.data());
    assertEquals(1000, s.perClass());
    assertEquals("resnet8", s.arch());
    assertEquals(Path.of("models/fmnist-resnet20"), s.teacher());
    assertEquals(Path.of("experiments/teacher-fmnist-resnet20.yaml"), s.teacherRecipe());
    TrainingRecipe c = s.config();
    assertEquals(15, c.epochs());
    assertEquals(64, c.batchSize());
    assertEquals(0.05, c.learningRate());
    assertEquals(0.9, c.momentum());
    assertTrue(c.nesterov());
    assertEquals(5e-4, c.weightDecay());
    assertEquals(TrainingRecipe.Schedule.COSINE, c.schedule());
    assertTrue(c.dropLast());
    assertTrue(c.augment());
    assertEquals(List.of(0L, 1L, 2L), s.seeds());
    assertEquals(List.of("ce", "kd", "fitnet", "at", "nst-linear", "nst-poly", "nst-gauss", "kd+nst-poly",
        "dkd", "dkd-warmup5", "rkd", "pkt", "sp", "kdsvd", "vid", "ofd", "crd", "reviewkd", "reviewkd-warmup5",
        "dkd+nst-poly", "crd+nst-poly"), s.labels());
    LossOptions kd = s.methods().get(1).options();
    assertEquals(4, kd.get(KdMethod.TEMPERATURE).doubleValue());
    assertEquals(0.9, kd.get(KdMethod.ALPHA).doubleValue());
    LossOptions fitnet = s.methods().get(2).options();
    assertEquals(100, fitnet.get(FitNetMethod.BETA).doubleValue());
    assertEquals(List.of("stage3"), fitnet.taps());
    LossOptions at = s.methods().get(3).options();
    assertEquals(1000, at.get(AtMethod.BETA).doubleValue());
    assertEquals(List.of("stage1", "stage2", "stage3"), at.taps());
    assertEquals(20, s.methods().get(8).options().get(org.nst4j.transfer.DkdMethod.WARMUP).intValue());
    assertEquals(5, s.methods().get(9).options().get(org.nst4j.transfer.DkdMethod.WARMUP).intValue());
    assertEquals(5, s.methods().get(18).options().get(org.nst4j.transfer.ReviewKdMethod.WARMUP).intValue());
    for (int i = 4; i < 8; i++) {
      LossOptions nst = s.methods().get(i).options();
      assertEquals(50, nst.get(NstMethod.LAMBDA).doubleValue(), s.labels().get(i));
      assertTrue(nst.get(NstMethod.SCALE).equals("half"), "λ/2 form");
      assertEquals(25, NstMethod.scale(nst));
      assertEquals(List.of("stage3"), nst.taps());
      assertEquals(2, nst.get(NstPolyMethod.DEGREE).intValue());
      assertEquals(0, nst.get(NstPolyMethod.C).doubleValue());
      assertNull(nst.get(NstGaussMethod.SIGMA2));
      assertTrue(nst.get(NstMethod.KEEP_TEACHER_TERM).booleanValue());
    }
    assertEquals(4, s.methods().get(7).options().get(KdMethod.TEMPERATURE).doubleValue());
    assertEquals(0.9, s.methods().get(7).options().get(KdMethod.ALPHA).doubleValue());
  }

  @Test
  void theShippedTeacherRecipeEncodesTheTeacherProtocol() {
    ExperimentSpec s = ExperimentFile.read(Path.of("experiments/teacher-fmnist-resnet20.yaml"));
    assertEquals(ExperimentSpec.Role.TEACHER, s.role());
    assertEquals("resnet20", s.arch());
    assertEquals("fashion-mnist", s.data());
    assertNull(s.perClass(), "all 60,000 images");
    assertNull(s.teacher());
    TrainingRecipe c = s.config();
    assertEquals(30, c.epochs());
    assertEquals(128, c.batchSize());
    assertEquals(0.1, c.learningRate());
    assertEquals(0.9, c.momentum());
    assertTrue(c.nesterov());
    assertEquals(5e-4, c.weightDecay());
    assertEquals(TrainingRecipe.Schedule.COSINE, c.schedule());
    assertEquals(Path.of("models/fmnist-resnet20"), s.out());
    assertEquals(s.out(), s.runDir(s.methods().get(0), 0), "the recipe's run folder is out itself");
    assertEquals(List.of("ce"), s.labels());
  }

  @Test
  void theShippedTeacherIsTheRecipesFinishedRunAndFitsEveryMethodOfTheGrid(@TempDir Path dir) throws Exception {
    ExperimentSpec recipe = ExperimentFile.read(Path.of("experiments/teacher-fmnist-resnet20.yaml"));
    // The recipe's only run is the shipped folder, finished, of the same configuration: rerunning the recipe
    // trains nothing. Checked on a copy, rebuilding its report there (no data, no training).
    Path copy = dir.resolve("teacher");
    try (var walk = Files.walk(recipe.out())) {
      for (Path p : walk.toList()) {
        Files.copy(p, copy.resolve(recipe.out().relativize(p).toString()));
      }
    }
    ExperimentSpec onCopy = recipe.withOverrides(null, null, null, copy, null);
    for (GridRunner.Cell c : Experiment.cells(onCopy)) {
      GridRunner.checkSameRun(c);
    }
    java.io.StringWriter log = new java.io.StringWriter();
    Experiment.Result r = Experiment.run(onCopy, new Experiment.Options(true, false, ai.djl.Device.cpu(), "t",
        new java.io.PrintWriter(log), () -> {
          throw new AssertionError("nothing to train");
        }));
    RunResultCheck.sameAsSummary(r.groups().get(0), copy);

    ExperimentSpec grid = ExperimentFile.read(Path.of("experiments/fmnist-10k.yaml"));
    Experiment.checkTeacher(grid);
    var card = org.nst4j.store.ModelStore.readCard(grid.teacher());
    assertEquals("resnet20", card.architecture());
    List<String> studentTaps = org.nst4j.model.ModelZoo.create(grid.arch(), 1, 10, 0).tapNames();
    for (MethodSpec m : grid.methods()) {
      Experiment.checkTaps(m.label(), m, studentTaps, card.tapNames());
    }
  }

  /** Compares a report group with the summary.json of its single run. */
  private static final class RunResultCheck {
    static void sameAsSummary(ResultGroup g, Path run) throws Exception {
      var node = org.nst4j.store.Json.PRETTY.readTree(run.resolve("summary.json").toFile());
      assertEquals(1, g.runs().size());
      assertEquals(node.get("test_accuracy").asDouble(), g.finalAccuracy().mean(), 0);
      assertTrue(Double.isNaN(g.finalAccuracy().std()), "one seed has no std");
      assertTrue(Files.readString(run.resolve("results.csv")).contains(
          String.format(java.util.Locale.ROOT, ",1,0,%.4f,,", 100 * node.get("test_accuracy").asDouble())));
    }
  }

  @Test
  void minimalFileTakesTheDefaults() {
    ExperimentSpec s = ExperimentFile.parse(MINIMAL, F);
    assertEquals("tiny", s.name());
    assertEquals(Path.of("runs/tiny"), s.out());
    assertEquals(List.of(0L), s.seeds());
    assertEquals(15, s.config().epochs(), "student recipe defaults");
    assertEquals(Path.of("runs/tiny/runs/nst-poly/seed-0"), s.runDir(s.methods().get(1), 0));
    assertEquals(LossOptions.defaults().toString(), s.methods().get(1).options().toString());
  }

  @Test
  void fashionMnistDefaultsToTheShippedTeacher() {
    ExperimentSpec s = ExperimentFile.parse("name: a\ndata: fmnist\nstudent: resnet8\nmethods: [kd]\n", F);
    assertEquals(ExperimentFile.DEFAULT_FMNIST_TEACHER, s.teacher());
    assertEquals(ExperimentFile.DEFAULT_FMNIST_TEACHER_RECIPE, s.teacherRecipe());
    assertTrue(error("name: a\ndata: sample\nstudent: resnet8\nmethods: [kd]\n").contains("x.yaml: teacher: missing"));
  }

  @Test
  void methodsTakeOptionsAndNames() {
    ExperimentSpec s = ExperimentFile.parse(MINIMAL.replace("methods: [ce, nst-poly]", """
        methods:
          - method: NST-poly
            name: poly-l25
            lambda: 25
            nst_scale: full
            keep_teacher_term: false
            taps: stage2, stage3
          - method: nst-gauss
            nst_sigma2: 0.5
          - method: kd
            kd_temperature: 2
            kd_alpha: 0.5
        """), F);
    MethodSpec poly = s.methods().get(0);
    assertEquals("poly-l25", poly.label());
    assertEquals("nst-poly", poly.method());
    assertEquals(25, poly.options().get(NstMethod.LAMBDA).doubleValue());
    assertFalse(poly.options().get(NstMethod.SCALE).equals("half"));
    assertFalse(poly.options().get(NstMethod.KEEP_TEACHER_TERM).booleanValue());
    assertEquals(List.of("stage2", "stage3"), poly.options().taps());
    assertEquals(0.5, s.methods().get(1).options().get(NstGaussMethod.SIGMA2));
    assertEquals(2, s.methods().get(2).options().get(KdMethod.TEMPERATURE).doubleValue());
    assertEquals("T=2 α=0.5", s.methods().get(2).describe());
  }

  @Test
  void scheduleKeysAreRead() {
    ExperimentSpec s = ExperimentFile.parse(MINIMAL + """
        schedule:
          epochs: 3
          batch: 16
          lr: 1e-2
          momentum: 0.8
          nesterov: false
          weight_decay: 1e-4
          milestones: [1, 2]
          lr_decay: 0.5
          drop_last: false
          augment: false
        seeds: [3, 1]
        out: somewhere/else
        """, F);
    TrainingRecipe c = s.config();
    assertEquals(3, c.epochs());
    assertEquals(16, c.batchSize());
    assertEquals(0.01, c.learningRate());
    assertEquals(0.8, c.momentum());
    assertFalse(c.nesterov());
    assertEquals(1e-4, c.weightDecay());
    assertEquals(TrainingRecipe.Schedule.MULTISTEP, c.schedule(), "milestones imply multistep");
    assertArrayEquals(new int[] {1, 2}, c.milestones());
    assertEquals(0.5, c.lrDecay());
    assertFalse(c.dropLast());
    assertFalse(c.augment());
    assertEquals(List.of(3L, 1L), s.seeds());
    assertEquals(Path.of("somewhere/else"), s.out());
  }

  @Test
  void padAndTeacherTapsAreRead() {
    ExperimentSpec s = ExperimentFile.parse(MINIMAL.replace("some/teacher", "teachers/resnet.pt")
        + "teacher_taps: [layer2, layer3]\nschedule: {pad: 4}\n", F);
    assertEquals(4, s.config().pad());
    assertEquals(4, s.config().augmentation().pad());
    assertEquals(List.of("layer2", "layer3"), s.teacherTaps());
    assertEquals(List.of("a", "b"), ExperimentFile.parse(MINIMAL + "teacher_taps: ' a,b '\n", F).teacherTaps());
    assertEquals(0, ExperimentFile.parse(MINIMAL + "schedule: {pad: 0}\n", F).config().pad());
    ExperimentSpec plain = ExperimentFile.parse(MINIMAL, F);
    assertNull(plain.teacherTaps());
    assertEquals(TrainingRecipe.DEFAULT_PAD, plain.config().pad());
    // --teacher-taps replaces the file's names, --teacher alone keeps them.
    assertEquals(List.of("layer2", "layer3"), s.withOverrides(null, null, null, null, Path.of("t.pt")).teacherTaps());
    assertEquals(List.of("x"), plain.withOverrides(null, null, null, null, null, List.of(" x")).teacherTaps());
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> plain.withOverrides(null, null, null, null, null, List.of("x", "x"))).getMessage()
        .startsWith("--teacher-taps: names must be distinct"));
  }

  @Test
  void theTeacherRuntimeIsReadAndPartOfEachCellsIdentity() {
    ExperimentSpec plain = ExperimentFile.parse(MINIMAL, F);
    assertNull(plain.teacherRuntime());
    assertEquals(TeacherRuntime.ONNX_RUNTIME, plain.teacherRuntimeOn(ai.djl.Device.cpu()), "the default on the CPU");
    assertEquals(TeacherRuntime.LIBTORCH, plain.teacherRuntimeOn(ai.djl.Device.gpu()));
    ExperimentSpec torch = ExperimentFile.parse(MINIMAL + "teacher_runtime: libtorch\n", F);
    assertEquals(TeacherRuntime.LIBTORCH, torch.teacherRuntimeOn(ai.djl.Device.cpu()));
    assertEquals(TeacherRuntime.ONNX_RUNTIME, torch.withTeacherRuntime(TeacherRuntime.ONNX_RUNTIME).teacherRuntime(),
        "--teacher-runtime replaces the file's");
    assertSame(torch, torch.withTeacherRuntime(null));
    // nst-poly's cell records the runtime, ce's does not (it reads no teacher).
    List<GridRunner.Cell> cells = Experiment.cells(torch);
    assertNull(cells.get(0).expected().teacherRuntime(), cells.get(0).label());
    assertEquals("libtorch", cells.get(1).expected().teacherRuntime(), cells.get(1).label());
    assertEquals("onnxruntime", Experiment.cells(plain).get(1).expected().teacherRuntime());
    assertEquals("x.yaml: teacher_runtime: unknown teacher runtime 'cuda'; expected libtorch or onnxruntime",
        error(MINIMAL + "teacher_runtime: cuda\n"));
    assertTrue(ExperimentFile.read(Path.of("experiments/fmnist-10k.yaml")).teacherRuntime() == TeacherRuntime.LIBTORCH,
        "the committed grid's runtime");
  }

  @Test
  void thePaperCifarRecipesPadFourPixelsAndTheOthersTwo() {
    for (String f : List.of("paper-cifar10", "paper-cifar100", "teacher-cifar10-preact-resnet1001",
        "teacher-cifar100-preact-resnet1001")) {
      TrainingRecipe c = ExperimentFile.read(Path.of("experiments", f + ".yaml")).config();
      assertTrue(c.augment(), f);
      assertEquals(4, c.pad(), f);
    }
    for (String f : List.of("fmnist-10k", "teacher-fmnist-resnet20", "paper-imagenet", "teacher-imagenet-resnet101")) {
      assertEquals(2, ExperimentFile.read(Path.of("experiments", f + ".yaml")).config().pad(), f);
    }
  }

  @Test
  void everyBadFieldIsNamedWithTheFile() {
    String[][] cases = {
      {MINIMAL + "colour: blue\n", "x.yaml: unknown key 'colour'"},
      {MINIMAL + "schedule: {learning_rate: 0.1}\n", "x.yaml: schedule: unknown key 'learning_rate'"},
      {MINIMAL + "schedule: {epochs: many}\n", "x.yaml: schedule.epochs: must be an integer, got 'many'"},
      {MINIMAL + "schedule: {epochs: 0}\n", "x.yaml: schedule.epochs: must be an integer ≥ 1, got 0"},
      {MINIMAL + "schedule: {epochs: 2.5}\n", "x.yaml: schedule.epochs: must be an integer"},
      {MINIMAL + "schedule: {lr: -1}\n", "x.yaml: schedule.lr: must be > 0, got -1"},
      {MINIMAL + "schedule: {momentum: 1.5}\n", "x.yaml: schedule.momentum: must be in [0, 1)"},
      {MINIMAL + "schedule: {weight_decay: abc}\n", "x.yaml: schedule.weight_decay: must be a number, got 'abc'"},
      {MINIMAL + "schedule: {lr_schedule: linear}\n", "x.yaml: schedule.lr_schedule: must be cosine, multistep"},
      {MINIMAL + "schedule: {milestones: [5, 3]}\n", "x.yaml: schedule.milestones: must be increasing"},
      {MINIMAL + "schedule: {nesterov: maybe}\n", "x.yaml: schedule.nesterov: must be true or false"},
      {MINIMAL + "seeds: [0, 0]\n", "x.yaml: seeds: a seed appears twice"},
      {MINIMAL + "seeds: [-1]\n", "x.yaml: seeds[0]: must be an integer ≥ 0"},
      {MINIMAL.replace("resnet8", "resnet9"), "x.yaml: student: unknown architecture 'resnet9'"},
      {MINIMAL.replace("nst-poly]", "nst-cubic]"), "x.yaml: methods[1]: unknown method 'nst-cubic'"},
      {MINIMAL.replace("[ce, nst-poly]", "[]"), "x.yaml: methods: must be a non-empty list"},
      {MINIMAL.replace("[ce, nst-poly]", "[ce, ce]"), "x.yaml: methods: label 'ce' appears twice"},
      {MINIMAL.replace("[ce, nst-poly]", "[{method: nst-poly, lambda: -5}]"),
          "x.yaml: methods[0] (nst-poly).lambda: NST weight lambda must be >= 0"},
      {MINIMAL.replace("[ce, nst-poly]", "[{method: kd, kd_alpha: 2}]"), "x.yaml: methods[0] (kd).kd_alpha: KD alpha must be in [0, 1], got 2"},
      {MINIMAL.replace("[ce, nst-poly]", "[{method: kd, alpha: 0.5}]"), "x.yaml: methods[0] (kd).alpha: unknown key; the options of kd are kd_temperature, kd_alpha"},
      {MINIMAL.replace("[ce, nst-poly]", "[{method: nst-poly, nst_scale: double}]"),
          "x.yaml: methods[0] (nst-poly).nst_scale: NST scale must be half (λ/2, the paper) or full"},
      {MINIMAL.replace("[ce, nst-poly]", "[{method: nst-poly, name: 'a/b'}]"), "x.yaml: methods[0] (nst-poly)"},
      {MINIMAL.replace("[ce, nst-poly]", "[{lambda: 5}]"), "x.yaml: methods[0].method: missing"},
      {MINIMAL.replace("per_class: 20", "per_class: 0"), "x.yaml: data.per_class: must be an integer ≥ 1"},
      {MINIMAL.replace("name: sample", "name: imagenet"), "x.yaml: data.name: unknown data set 'imagenet'"},
      {MINIMAL.replace("name: tiny", "name: 'a b'"), "x.yaml: name: must be letters"},
      {MINIMAL.replace("name: tiny\n", ""), "x.yaml: name: missing"},
      {MINIMAL + "role: pupil\n", "x.yaml: role: must be student or teacher"},
      {MINIMAL + "arch: resnet20\n", "x.yaml: arch: a student experiment names its architecture with 'student'"},
      {"name: t\nrole: teacher\ndata: sample\narch: resnet8\nmethods: [kd]\n", "x.yaml: methods: not allowed"},
      {"name: t\nrole: teacher\ndata: sample\narch: resnet8\nseeds: [0, 1]\n", "x.yaml: seeds: a teacher recipe"},
      {MINIMAL + "name: again\n", "x.yaml: not valid YAML"},
      {"", "x.yaml: the file is empty"},
      {MINIMAL + "schedule: {pad: -1}\n", "x.yaml: schedule.pad: must be an integer ≥ 0, got -1"},
      {MINIMAL + "schedule: {pad: 1.5}\n", "x.yaml: schedule.pad: must be an integer"},
      {MINIMAL + "schedule: {augment: false, pad: 4}\n", "x.yaml: schedule.pad: sets the padding of the"
          + " augmentation, which is off (augment: false"},
      {MINIMAL + "teacher_taps: [a, a]\n", "x.yaml: teacher_taps: 'a' appears twice in [a, a]"},
      {MINIMAL + "teacher_taps: 'a, '\n", "x.yaml: teacher_taps: tap names must not be empty"},
      {MINIMAL + "teacher_taps: []\n", "x.yaml: teacher_taps: must name at least one map"},
      {MINIMAL + "teacher_taps: [a, 3]\n", "x.yaml: teacher_taps[1]: must be a tap name, got 3"},
      {MINIMAL + "teacher_taps: {a: b}\n", "x.yaml: teacher_taps: must be a list of tap names, e.g. [map1, map2]"},
      {MINIMAL + "teacher_taps: ['s:t']\n", "x.yaml: teacher_taps: a tap name cannot contain ':'"},
      {"name: a\ndata: fmnist\nstudent: resnet8\nmethods: [kd]\nteacher_taps: [a]\n",
          "x.yaml: teacher_taps: names the maps of a TorchScript teacher, but the file names no teacher"},
      {MINIMAL.replace("some/teacher", "models/fmnist-resnet20") + "teacher_taps: [a]\n",
          "x.yaml: teacher_taps: names the maps of a TorchScript teacher (a .pt file whose forward returns"},
      {"name: t\nrole: teacher\ndata: sample\narch: resnet8\nteacher_taps: [a]\n",
          "x.yaml: teacher_taps: not allowed in a teacher recipe"},
      {"- just\n- a list\n", "x.yaml: must be a mapping"},
    };
    for (String[] c : cases) {
      String m = error(c[0]);
      assertTrue(m.startsWith(c[1]), "expected '" + c[1] + "...', got: " + m);
    }
  }

  @Test
  void readNamesAMissingFile(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("nope.yaml");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ExperimentFile.read(f)).getMessage()
        .contains("nope.yaml: no such experiment file"));
    Files.writeString(f, MINIMAL);
    assertEquals(f, ExperimentFile.read(f).file());
    assertEquals(MINIMAL, ExperimentFile.read(f).yaml());
  }

  @Test
  void aHugeFileIsRefusedBeforeItIsParsed(@TempDir Path dir) throws Exception {
    // One scalar of 64 MiB: the YAML parser took minutes and gigabytes before refusing such a file.
    Path f = dir.resolve("huge.yaml");
    try (var out = Files.newBufferedWriter(f)) {
      out.write(MINIMAL + "note: ");
      char[] chunk = new char[1 << 20];
      java.util.Arrays.fill(chunk, 'x');
      for (int i = 0; i < 64; i++) {
        out.write(chunk);
      }
    }
    long start = System.nanoTime();
    String m = assertThrows(IllegalArgumentException.class, () -> ExperimentFile.read(f)).getMessage();
    assertTrue(System.nanoTime() - start < 2_000_000_000L, "refused from its size");
    assertTrue(m.startsWith(f + ": " + String.format(java.util.Locale.ROOT, "%,d", Files.size(f))
        + " bytes, over the limit of 1,048,576 bytes for an experiment file (NST4J_JAVA_OPTS="
        + "-Dnst4j.experiment.maxBytes=N raises it)"), m);
  }

  @Test
  void overridesSelectMethodsSeedsEpochsOutAndTeacher() {
    ExperimentSpec s = ExperimentFile.parse(MINIMAL.replace("[ce, nst-poly]", "[ce, kd, nst-poly]"), F);
    ExperimentSpec o = s.withOverrides(List.of("nst-poly", "ce"), List.of(4L, 5L), 2, Path.of("o"), Path.of("t"));
    assertEquals(List.of("ce", "nst-poly"), o.labels(), "the file's order");
    assertEquals(List.of(4L, 5L), o.seeds());
    assertEquals(2, o.config().epochs());
    assertEquals(Path.of("o"), o.out());
    assertEquals(Path.of("t"), o.teacher());
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> s.withOverrides(List.of("at"), null, null, null, null)).getMessage()
        .contains("--methods: 'at' is not a method of x.yaml; it defines: ce, kd, nst-poly"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> s.withOverrides(null, null, 0, null, null)).getMessage().contains("--epochs must be ≥ 1"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> s.withOverrides(null, List.of(1L, 1L), null, null, null)).getMessage().contains("--seeds"));
  }
}

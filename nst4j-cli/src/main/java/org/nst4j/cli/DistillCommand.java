package org.nst4j.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.nst4j.train.RunSpec;
import org.nst4j.train.TrainingRecipe;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code nst4j distill}: trains a student against a frozen teacher with a transfer objective. */
@Command(name = "distill", mixinStandardHelpOptions = true,
    description = "Train a student with a transfer objective against a frozen teacher. Defaults: the FMNIST-10k"
        + " student recipe.")
final class DistillCommand implements Callable<Integer>, LossOptionsMixin.TakesMethodOptions {
  @Mixin DataOptions data = new DataOptions();
  @Mixin TrainingOptions training = new TrainingOptions();
  @Mixin LossOptionsMixin loss = new LossOptionsMixin();
  @Mixin OutputOptions output = new OutputOptions();
  @Mixin RuntimeOptions runtime = new RuntimeOptions();
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--student", required = true, paramLabel = "A", description = "Student architecture.")
  String student;

  @Option(names = "--teacher", paramLabel = "PATH",
      description = "The teacher: a run folder or model folder written by nst4j train, or a TorchScript file"
          + " (or a folder holding one .pt) whose forward returns (logits, map_1, ..., map_n).")
  Path teacher;

  @Option(names = "--teacher-taps", split = ",", paramLabel = "A,B",
      description = "Names of a TorchScript teacher's maps, in order (default tap1..tapN).")
  java.util.List<String> teacherTaps;

  @Option(names = "--teacher-runtime", paramLabel = "R",
      description = "Where the teacher's forward runs: onnxruntime or libtorch (default: onnxruntime on the CPU"
          + " for a teacher of the zoo's architectures, libtorch for a TorchScript teacher, a custom block or on a"
          + " GPU). Part of the run's identity: results differ in their last digits.")
  String teacherRuntime;

  @Option(names = "--method", defaultValue = "nst-poly", paramLabel = "M",
      completionCandidates = LossOptionsMixin.MethodNames.class,
      description = "${COMPLETION-CANDIDATES}, or a sum such as kd+nst-poly (default: ${DEFAULT-VALUE}).")
  String method;

  @Override
  public Integer call() throws Exception {
    TrainingRecipe config = training.toConfig(TrainingRecipe.studentRecipe());
    RunSpec.Builder run = RunSpec.builder().setArch(student).optMethod(method).optLossOptions(loss.toOptions())
        .optTeacher(teacher).optTeacherTaps(teacherTaps)
        .optTeacherRuntime(teacherRuntime == null ? null : org.nst4j.train.TeacherRuntime.of(teacherRuntime));
    return Commands.runAndReport(spec, run, data, config, training, output, runtime,
        "student-" + student + "-" + method + "-s" + config.seed());
  }
}

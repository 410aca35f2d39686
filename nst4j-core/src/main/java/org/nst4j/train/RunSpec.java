package org.nst4j.train;

import ai.djl.Device;
import java.nio.file.Path;
import org.nst4j.data.DataSplits;
import org.nst4j.transfer.LossOptions;

/**
 * Everything that defines one run, immutable: what to train, on what, how, and where to write it.
 * Built with {@link #builder()}.
 */
public final class RunSpec {
  private final String arch;
  private final String method;
  private final LossOptions lossOptions;
  private final Path teacher;
  private final java.util.List<String> teacherTaps;
  private final DataSplits data;
  private final Integer perClass;
  private final TrainingRecipe config;
  private final Path out;
  private final boolean resume;
  private final boolean overwrite;
  private final Device device;
  private final String command;
  private final String label;
  private final boolean progress;
  private final double divergenceFactor;
  private final java.util.function.Consumer<String> warnings;
  private final java.util.List<LoopListener> listeners;
  private final TeacherRuntime teacherRuntime;

  private RunSpec(Builder b) {
    this.arch = b.arch;
    this.method = b.method;
    this.lossOptions = b.lossOptions;
    this.teacher = b.teacher;
    this.teacherTaps = b.teacherTaps;
    this.data = b.data;
    this.perClass = b.perClass;
    this.config = b.config;
    this.out = b.out;
    this.resume = b.resume;
    this.overwrite = b.overwrite;
    this.device = b.device;
    this.command = b.command;
    this.label = b.label;
    this.progress = b.progress;
    this.divergenceFactor = b.divergenceFactor;
    this.warnings = b.warnings;
    this.listeners = java.util.List.copyOf(b.listeners);
    this.teacherRuntime = b.teacherRuntime;
  }

  /**
   * Where the teacher's forward runs: the one asked for ({@link Builder#optTeacherRuntime}) or {@link
   * TeacherRuntime#defaultFor(Path, Device)}; null without a teacher.
   */
  public TeacherRuntime teacherRuntime() {
    return teacherRuntime;
  }

  /** A builder. */
  public static Builder builder() {
    return new Builder();
  }

  public String arch() {
    return arch;
  }

  public String method() {
    return method;
  }

  public LossOptions lossOptions() {
    return lossOptions;
  }

  /** The teacher's saved model, or null for a teacher run. */
  public Path teacher() {
    return teacher;
  }

  /** Names of a TorchScript teacher's maps (see {@link Teachers#load}), or null. */
  public java.util.List<String> teacherTaps() {
    return teacherTaps;
  }

  /** {@code teacher} when trained without a teacher, else {@code student}. */
  public String role() {
    return teacher == null ? "teacher" : "student";
  }

  public DataSplits data() {
    return data;
  }

  public Integer perClass() {
    return perClass;
  }

  public TrainingRecipe config() {
    return config;
  }

  public Path out() {
    return out;
  }

  public boolean resume() {
    return resume;
  }

  public boolean overwrite() {
    return overwrite;
  }

  public Device device() {
    return device;
  }

  public String command() {
    return command;
  }

  public String label() {
    return label;
  }

  public boolean progress() {
    return progress;
  }

  /**
   * How many times the running mean of the batch losses a batch's loss may reach before the run is stopped
   * as diverging ({@link TrainingLoop.Builder#optDivergenceFactor}); 0 turns the guard off.
   */
  public double divergenceFactor() {
    return divergenceFactor;
  }

  /** Where warnings go (one line each, without a prefix): a stale lock taken over, a folder repaired. */
  public java.util.function.Consumer<String> warnings() {
    return warnings;
  }

  /** Listeners added to the training loop besides the epoch log and the progress display. */
  public java.util.List<LoopListener> listeners() {
    return listeners;
  }

  /** Builder; arch, data, config and out are required. */
  public static final class Builder {
    private String arch;
    private String method = "ce";
    private LossOptions lossOptions;
    private Path teacher;
    private java.util.List<String> teacherTaps;
    private DataSplits data;
    private Integer perClass;
    private TrainingRecipe config;
    private Path out;
    private boolean resume;
    private boolean overwrite;
    private Device device = Device.cpu();
    private String command = "";
    private String label;
    private boolean progress = true;
    private double divergenceFactor = TrainingLoop.DEFAULT_DIVERGENCE_FACTOR;
    private java.util.function.Consumer<String> warnings = w -> System.err.println("warning: " + w);
    private final java.util.List<LoopListener> listeners = new java.util.ArrayList<>();
    private TeacherRuntime teacherRuntime;

    private Builder() {}

    /**
     * The divergence guard's factor (default {@value TrainingLoop#DEFAULT_DIVERGENCE_FACTOR}; 0 turns it off).
     *
     * @param factor 0, or a finite number &gt; 1
     */
    public Builder optDivergenceFactor(double factor) {
      this.divergenceFactor = factor;
      return this;
    }

    /** Where warnings go (default: stderr, prefixed with "warning: "). */
    public Builder optWarnings(java.util.function.Consumer<String> warnings) {
      this.warnings = java.util.Objects.requireNonNull(warnings, "warnings");
      return this;
    }

    /** Adds a listener to the training loop (called after the epoch log's). */
    public Builder addListener(LoopListener listener) {
      this.listeners.add(java.util.Objects.requireNonNull(listener, "listener"));
      return this;
    }

    public Builder setArch(String arch) {
      this.arch = arch;
      return this;
    }

    public Builder optMethod(String method) {
      this.method = method;
      return this;
    }

    public Builder optLossOptions(LossOptions lossOptions) {
      this.lossOptions = lossOptions;
      return this;
    }

    public Builder optTeacher(Path teacher) {
      this.teacher = teacher;
      return this;
    }

    /** Names of a TorchScript teacher's maps after its logits (null or empty: tap1..tapN). */
    public Builder optTeacherTaps(java.util.List<String> teacherTaps) {
      this.teacherTaps = teacherTaps == null || teacherTaps.isEmpty() ? null : java.util.List.copyOf(teacherTaps);
      return this;
    }

    public Builder setData(DataSplits data) {
      this.data = data;
      return this;
    }

    public Builder optPerClass(Integer perClass) {
      this.perClass = perClass;
      return this;
    }

    public Builder setConfig(TrainingRecipe config) {
      this.config = config;
      return this;
    }

    public Builder setOut(Path out) {
      this.out = out;
      return this;
    }

    public Builder optResume(boolean resume) {
      this.resume = resume;
      return this;
    }

    public Builder optOverwrite(boolean overwrite) {
      this.overwrite = overwrite;
      return this;
    }

    /** Where the teacher's forward runs; by default {@link TeacherRuntime#defaultFor(Path, Device)}. */
    public Builder optTeacherRuntime(TeacherRuntime runtime) {
      this.teacherRuntime = runtime;
      return this;
    }

    public Builder optDevice(Device device) {
      this.device = device;
      return this;
    }

    public Builder optCommand(String command) {
      this.command = command;
      return this;
    }

    public Builder optLabel(String label) {
      this.label = label;
      return this;
    }

    public Builder optProgress(boolean progress) {
      this.progress = progress;
      return this;
    }

    /** Checks the required parts and builds the spec. */
    public RunSpec build() {
      if (arch == null || data == null || config == null || out == null) {
        throw new IllegalStateException("arch, data, config and out are required");
      }
      if (perClass != null && perClass < 1) {
        throw new IllegalArgumentException("--per-class must be ≥ 1, got " + perClass);
      }
      if (out.toString().isEmpty()) {
        throw new IllegalArgumentException("--out is empty (an unset shell variable?); give the run folder's path");
      }
      TrainingLoop.checkDivergenceFactor(divergenceFactor);
      if (resume && overwrite) {
        throw new IllegalArgumentException("--resume and --overwrite exclude each other");
      }
      if (lossOptions == null) {
        lossOptions = LossOptions.builder().build();
      }
      if (label == null) {
        label = arch + " " + method + " seed " + config.seed();
      }
      if (teacher == null) {
        teacherRuntime = null; // nothing to run; a runtime asked for is ignored, as a teacher's taps are
      } else if (teacherRuntime == null) {
        teacherRuntime = TeacherRuntime.defaultFor(teacher, device);
      }
      return new RunSpec(this);
    }
  }
}

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
  private final TrainingConfig config;
  private final Path out;
  private final boolean resume;
  private final boolean overwrite;
  private final Device device;
  private final String command;
  private final String label;
  private final boolean progress;

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

  public TrainingConfig config() {
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

  /** Builder; arch, data, config and out are required. */
  public static final class Builder {
    private String arch;
    private String method = "ce";
    private LossOptions lossOptions;
    private Path teacher;
    private java.util.List<String> teacherTaps;
    private DataSplits data;
    private Integer perClass;
    private TrainingConfig config;
    private Path out;
    private boolean resume;
    private boolean overwrite;
    private Device device = Device.cpu();
    private String command = "";
    private String label;
    private boolean progress = true;

    private Builder() {}

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

    public Builder setConfig(TrainingConfig config) {
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
      if (resume && overwrite) {
        throw new IllegalArgumentException("--resume and --overwrite exclude each other");
      }
      if (lossOptions == null) {
        lossOptions = LossOptions.builder().build();
      }
      if (label == null) {
        label = arch + " " + method + " seed " + config.seed();
      }
      return new RunSpec(this);
    }
  }
}

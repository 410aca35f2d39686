package org.nst4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nst4j.store.Json;

/**
 * {@code nst4j detect train --teacher --method} with the registry's options, and {@code nst4j detect experiment}:
 * outputs and the bad-input contract (one {@code error:} line, exit 2, nothing written).
 */
class DetectDistillCommandTest {
  @TempDir static Path shared;
  @TempDir Path dir;
  private static Path data;
  private static Path teacher;

  @BeforeAll
  static void teacherDetector() {
    data = shared.resolve("fd");
    assertEquals(0, Cli.run("detection-data", "fmnist-det", "--out", data.toString(), "--train", "8", "--test", "4",
        "--data", "sample", "--seed", "3").code());
    teacher = shared.resolve("teacher");
    Cli.Result r = Cli.run("detect", "train", "--data", data.toString(), "--backbone-arch", "resnet8", "--epochs", "1",
        "--batch", "4", "--out", teacher.toString(), "--quiet");
    assertEquals(0, r.code(), r.toString());
  }

  @Test
  void aDetectorIsDistilledWithTheRegistrysOptions() throws IOException {
    Path out = dir.resolve("student");
    Cli.Result r = Cli.run("detect", "train", "--data", data.toString(), "--backbone-arch", "resnet8", "--epochs", "1",
        "--batch", "4", "--seed", "5", "--teacher", teacher.toString(), "--method", "at+nst-poly", "--lambda", "20",
        "--at-beta", "500", "--taps", "stage2,stage3", "--out", out.toString(), "--quiet");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("distilled from") && r.out().contains("at+nst-poly"), r.out());
    JsonNode config = Json.PRETTY.readTree(out.resolve("config.json").toFile());
    assertEquals("at+nst-poly", config.get("method").asText());
    assertEquals(20.0, config.get("method_options").get("lambda").asDouble());
    assertEquals(500.0, config.get("method_options").get("at_beta").asDouble());
    assertEquals("stage2", config.get("taps").get(0).asText());
    JsonNode epoch = Json.PRETTY.readTree(Files.readAllLines(out.resolve("epochs.jsonl")).get(0));
    assertTrue(epoch.get("terms").has("at") && epoch.get("terms").has("nst-poly"), epoch.toString());
  }

  @Test
  void methodsADetectorCannotUseAreOneErrorLine() {
    Path out = dir.resolve("never");
    Cli.assertBadInput(Cli.run("detect", "train", "--data", data.toString(), "--backbone-arch", "resnet8",
        "--teacher", teacher.toString(), "--method", "kd", "--out", out.toString()), "kd", "logits", "nst-poly");
    Cli.assertBadInput(Cli.run("detect", "train", "--data", data.toString(), "--backbone-arch", "resnet8",
        "--teacher", teacher.toString(), "--method", "crd", "--out", out.toString()), "crd", "index");
    Cli.assertBadInput(Cli.run("detect", "train", "--data", data.toString(), "--backbone-arch", "resnet8",
        "--method", "nst-poly", "--out", out.toString()), "--teacher");
    Cli.assertBadInput(Cli.run("detect", "train", "--data", data.toString(), "--backbone-arch", "resnet8",
        "--teacher", teacher.toString(), "--out", out.toString()), "unused");
    Cli.assertBadInput(Cli.run("detect", "train", "--data", data.toString(), "--backbone-arch", "resnet8",
        "--teacher", dir.resolve("no-teacher").toString(), "--method", "at", "--out", out.toString()), "no-teacher");
    Cli.assertBadInput(Cli.run("detect", "train", "--data", data.toString(), "--backbone-arch", "resnet8",
        "--teacher", teacher.toString(), "--method", "nst-poly", "--lambda", "-1", "--out", out.toString()),
        "--lambda");
    assertFalse(Files.exists(out));
  }

  @Test
  void aBadExperimentFileIsOneErrorLine() throws IOException {
    Path file = Files.writeString(dir.resolve("x.yaml"), "name: x\ndata:\n  folder: d\ndetector:\n  arch: resnet7\n"
        + "rows:\n  - name: scratch\n");
    Cli.assertBadInput(Cli.run("detect", "experiment", file.toString()), "detector.arch", "resnet7");
    Cli.assertBadInput(Cli.run("detect", "experiment", dir.resolve("none.yaml").toString()), "none.yaml");
  }
}

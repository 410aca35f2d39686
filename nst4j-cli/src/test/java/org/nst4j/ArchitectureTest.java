package org.nst4j;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The package layering of nst4j, checked: data flows one way, from {@code data} up to {@code cli}, and a
 * package imports only those below it. The table {@link #MAY_IMPORT} is the one statement of which package
 * may import which; each {@code package-info.java} says why in words.
 *
 * <p>Only production classes are checked: a test may reach across (a store test makes a run folder). The test
 * lives in nst4j-cli, the module that sees every package: nst4j-core's ({@code data} .. {@code experiment})
 * and its own ({@code charts}, {@code cli}).
 */
@AnalyzeClasses(packages = "org.nst4j",
    importOptions = {ImportOption.DoNotIncludeTests.class, ArchitectureTest.NoTestJars.class})
class ArchitectureTest {
  /** nst4j-core's test fixtures, when they come as its {@code -tests.jar} rather than a test-classes folder. */
  static final class NoTestJars implements ImportOption {
    @Override
    public boolean includes(com.tngtech.archunit.core.importer.Location location) {
      return !location.contains("-tests.jar");
    }
  }

  /** Each package of nst4j, from the ground up, with the packages it may import. */
  static final Map<String, List<String>> MAY_IMPORT = new LinkedHashMap<>();

  static {
    allow("data");
    allow("model", "data");
    allow("store", "model", "data");
    allow("transfer", "model");
    allow("deploy", "store", "model", "data");
    allow("train", "transfer", "deploy", "store", "model", "data");
    allow("detection", "train", "transfer", "store", "model", "data");
    allow("bench", "train", "transfer", "store", "model", "data");
    allow("experiment", "bench", "detection", "train", "transfer", "store", "model", "data");
    allow("charts", "experiment", "train");
    allow("cli", "charts", "experiment", "bench", "deploy", "detection", "train", "transfer", "store", "model",
        "data");
  }

  private static void allow(String pkg, String... below) {
    MAY_IMPORT.put(pkg, List.of(below));
  }

  /** A package imports only what {@link #MAY_IMPORT} allows it. */
  @ArchTest
  static final ArchRule layers = layering();

  private static LayeredArchitecture layering() {
    LayeredArchitecture arch = layeredArchitecture().consideringOnlyDependenciesInLayers();
    for (String pkg : MAY_IMPORT.keySet()) {
      arch = arch.layer(pkg).definedBy("org.nst4j." + pkg + "..");
    }
    for (Map.Entry<String, List<String>> e : MAY_IMPORT.entrySet()) {
      arch = e.getValue().isEmpty()
          ? arch.whereLayer(e.getKey()).mayNotAccessAnyLayer()
          : arch.whereLayer(e.getKey()).mayOnlyAccessLayers(e.getValue().toArray(String[]::new));
    }
    return arch;
  }

  /** No two packages import each other, directly or around a loop. */
  @ArchTest
  static final ArchRule noCycles = slices().matching("org.nst4j.(*)..").should().beFreeOfCycles();

  /** Every class lives in a package of the table, so a new package cannot slip past the layering. */
  @ArchTest
  static final ArchRule everyPackageIsLayered = classes().should().resideInAnyPackage(
      MAY_IMPORT.keySet().stream().map(p -> "org.nst4j." + p + "..").toArray(String[]::new));

  /** {@code data} is plain Java: batches are made off the training thread, and no NDArray is needed there. */
  @ArchTest
  static final ArchRule dataIsPlainJava = noClasses().that().resideInAPackage("org.nst4j.data..")
      .should().dependOnClassesThat().resideInAPackage("ai.djl..");

  /** The command line is the only user of picocli: the library below it can be called from code. */
  @ArchTest
  static final ArchRule onlyTheCommandLineUsesPicocli = noClasses().that().resideOutsideOfPackage("org.nst4j.cli..")
      .should().dependOnClassesThat().resideInAPackage("picocli..");

  /**
   * The chart library stays in {@code charts} (nst4j-cli): nst4j-core draws through the
   * {@code experiment.ReportCharts} interface and so does not carry JFreeChart onto its users' class path.
   */
  @ArchTest
  static final ArchRule onlyTheChartsUseJFreeChart = noClasses().that()
      .resideOutsideOfPackage("org.nst4j.charts..")
      .should().dependOnClassesThat().resideInAPackage("org.jfree..");
}

package org.diffusiondepot;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaFieldAccess;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.diffusiondepot.proto.Task;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The boundaries of the code base: the sampler jar (src/main/assembly/sampler.xml) holds exactly
 * its packages and never reaches training code; the first stage trains through the one training
 * loop without touching the diffusion trainer; what a task conditions on lives in the task
 * classes; packages do not depend on each other in cycles.
 */
class ArchitectureTest {
  static final Set<String> SAMPLER_PACKAGES = Set.of("sampler", "task", "schedule", "image", "proto", "runtime",
      "serve");
  static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    // ArchUnit's DO_NOT_INCLUDE_TESTS knows only target/test-classes; the build folder can be moved
    // (-Ddepot.buildDir), so test classes are recognised by their folder name alone.
    ImportOption mainClassesOnly = location -> !location.contains("/test-classes/");
    classes = new ClassFileImporter().withImportOption(mainClassesOnly).importPackages("org.diffusiondepot");
  }

  private static String[] samplerPackages() {
    return SAMPLER_PACKAGES.stream().map(p -> "org.diffusiondepot." + p + "..").toArray(String[]::new);
  }

  @Test
  void samplerJarPackagesDependOnlyOnEachOtherAndTheRuntime() {
    Set<String> allowed = new TreeSet<>(Set.of(samplerPackages()));
    // com.sun.net.httpserver: the JDK's HTTP server, behind the browser UI (serve)
    allowed.addAll(Set.of("java..", "javax..", "jdk.internal..", "com.sun.net.httpserver..", "org.tensorflow",
        "org.tensorflow.proto..", "org.tensorflow.types..", "org.tensorflow.ndarray..", "org.tensorflow.internal.c_api..",
        "org.bytedeco.javacpp..", "com.google.protobuf..", "com.google.common..", "com.google.gson..",
        "picocli..", "me.tongfei.progressbar.."));
    classes().that().resideInAnyPackage(samplerPackages())
        .should().onlyDependOnClassesThat().resideInAnyPackage(allowed.toArray(String[]::new))
        .check(classes);
  }

  @Test
  void samplerNeverReachesTrainingOrTheFramework() {
    noClasses().that().resideInAnyPackage(samplerPackages())
        .should().dependOnClassesThat().resideInAnyPackage("..diffusiondepot.train..", "..diffusiondepot.optim..",
            "..diffusiondepot.run..", "..diffusiondepot.nn..", "..diffusiondepot.diffusion..",
            "..diffusiondepot.data..", "..diffusiondepot.export..", "..diffusiondepot.firststage..",
            "..diffusiondepot.config..", "org.tensorflow.framework..")
        .check(classes);
  }

  @Test
  void theFirstStageDoesNotUseTheDiffusionTrainer() {
    noClasses().that().resideInAPackage("..diffusiondepot.firststage..")
        .should().dependOnClassesThat().resideInAnyPackage("..diffusiondepot.diffusion..")
        .orShould().dependOnClassesThat().haveSimpleNameStartingWith("Diffusion")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("org.diffusiondepot.train.TrainingGraph")
        .check(classes);
  }

  @Test
  void conditioningIsBuiltOnlyByTheTaskClasses() {
    noClasses().that().resideOutsideOfPackage("..diffusiondepot.task..")
        .should().dependOnClassesThat().haveFullyQualifiedName("org.diffusiondepot.task.MaskGenerator")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("org.diffusiondepot.task.Degradation")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("org.diffusiondepot.task.KnownRegion")
        .check(classes);
  }

  /**
   * Branching on a diffusion task's kind is the task classes' business (configs are validated per
   * task, and each of evaluation and reports picks its per-task part in one place).
   */
  @Test
  void onlyTheTaskClassesBranchOnTheKindOfTask() {
    DescribedPredicate<JavaFieldAccess> diffusionTaskConstant = DescribedPredicate.describe(
        "a diffusion task constant of Task", access -> access.getTargetOwner().isEquivalentTo(Task.class)
            && Set.of("UNCONDITIONAL", "CLASS_CONDITIONAL", "INPAINTING", "SUPER_RESOLUTION")
                .contains(access.getTarget().getName()));
    noClasses().that().resideOutsideOfPackages("..diffusiondepot.task..", "..diffusiondepot.config..",
            "..diffusiondepot.proto..")
        .and().doNotHaveSimpleName("Evaluations").and().doNotHaveSimpleName("TaskSections")
        .should().accessFieldWhere(diffusionTaskConstant)
        .check(classes);
  }

  /**
   * TensorFlow Java's withSubScope reads the name of every op already in the graph, so a sub-scope
   * per layer made building a graph quadratic in its size (a minute for a 57k-op graph): only the
   * graph builders open the few sub-scopes of a graph (validation, sample, evaluation).
   */
  @Test
  void onlyTheGraphBuildersOpenSubScopes() {
    noClasses().that().haveSimpleNameNotEndingWith("TrainingGraph")
        .should().callMethod(org.tensorflow.op.Ops.class, "withSubScope", String.class)
        .orShould().callMethod(org.tensorflow.op.Scope.class, "withSubScope", String.class)
        .check(classes);
  }

  @Test
  void packagesHaveNoCycles() {
    slices().matching("org.diffusiondepot.(*)..").should().beFreeOfCycles().check(classes);
  }

  @Test
  void theAssemblyPacksExactlyThosePackages() throws IOException {
    String xml = Files.readString(Path.of("src/main/assembly/sampler.xml"));
    Matcher m = Pattern.compile("<include>org/diffusiondepot/(\\w+)/\\*\\*</include>").matcher(xml);
    Set<String> packed = new TreeSet<>();
    while (m.find()) {
      packed.add(m.group(1));
    }
    assertEquals(new TreeSet<>(SAMPLER_PACKAGES), packed);
  }

  /**
   * The sampler jar's manifest Class-Path is built from the project's resolved runtime dependencies
   * (addClasspath in pom.xml), which the class path of this test contains: what the sampler jar
   * can load is on it, and TensorFlow Java's framework (unused) is not.
   */
  @Test
  void theSamplerClassPathComesFromTheDependenciesAndHasNoFramework() throws IOException {
    String pom = Files.readString(Path.of("pom.xml"));
    String sampler = pom.substring(pom.indexOf("<id>sampler-jar</id>"));
    sampler = sampler.substring(0, sampler.indexOf("</execution>"));
    assertTrue(sampler.contains("<addClasspath>true</addClasspath>") && !sampler.contains("Class-Path"),
        "the sampler's class path is built, not written by hand: " + sampler);
    String classPath = System.getProperty("java.class.path");
    assertTrue(classPath.contains("tensorflow-core-api") && classPath.contains("guava"), classPath);
    assertFalse(classPath.contains("tensorflow-framework"), classPath);
  }
}


package org.diffusiondepot.sampler;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sampler jar holds exactly the packages below (src/main/assembly/sampler.xml) and they must
 * not reach training code, the network builders or tensorflow-framework.
 */
class SamplerIsolationTest {
  static final Set<String> SAMPLER_PACKAGES = Set.of("sampler", "schedule", "image", "proto", "runtime");
  static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    // ArchUnit's DO_NOT_INCLUDE_TESTS knows only target/test-classes; the build folder can be moved
    // (-Ddepot.buildDir), so test classes are recognised by their folder name alone.
    ImportOption mainClassesOnly = location -> !location.contains("/test-classes/");
    classes = new ClassFileImporter().withImportOption(mainClassesOnly).importPackages("org.diffusiondepot");
  }

  @Test
  void samplerJarPackagesDependOnlyOnEachOtherAndTheRuntime() {
    classes().that().resideInAnyPackage("..diffusiondepot.sampler..", "..diffusiondepot.schedule..",
            "..diffusiondepot.image..", "..diffusiondepot.proto..", "..diffusiondepot.runtime..")
        .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "javax..", "jdk.internal..",
            "org.diffusiondepot.sampler..", "org.diffusiondepot.schedule..", "org.diffusiondepot.image..",
            "org.diffusiondepot.proto..", "org.diffusiondepot.runtime..", "org.tensorflow", "org.tensorflow.proto..",
            "org.tensorflow.types..", "org.tensorflow.ndarray..", "com.google.protobuf..", "picocli..",
            "me.tongfei.progressbar..")
        .check(classes);
  }

  @Test
  void samplerNeverReachesTrainingOrTheFramework() {
    noClasses().that().resideInAPackage("..diffusiondepot.sampler..")
        .should().dependOnClassesThat().resideInAnyPackage("..diffusiondepot.train..", "..diffusiondepot.nn..",
            "..diffusiondepot.data..", "..diffusiondepot.export..", "org.tensorflow.framework..")
        .check(classes);
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
    String pom = Files.readString(Path.of("pom.xml"));
    String classPath = pom.substring(pom.indexOf("<Class-Path>"), pom.indexOf("</Class-Path>"));
    org.junit.jupiter.api.Assertions.assertFalse(classPath.contains("tensorflow-framework"), classPath);
  }
}

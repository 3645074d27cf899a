package io.ambidex;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.ambidex.layout.PackageLayers;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package layout of {@code ambidex-core}, checked on the compiled classes: one package per
 * concept, each using only the concepts below it, its machinery in an {@code internal} package
 * beside it, and only the concept packages exported. See ARCHITECTURE.md, "Packages".
 */
class PackageLayoutTest {
  /**
   * The concepts, lowest first. A class may use its own concept and those on earlier rows; two
   * concepts on one row may not use each other.
   */
  static final PackageLayers LAYERS =
      new PackageLayers(
          "io.ambidex",
          List.of(
              List.of("io.ambidex.context"),
              List.of("io.ambidex"),
              List.of("io.ambidex.control"),
              List.of("io.ambidex.stream"),
              List.of("io.ambidex.producer", "io.ambidex.taskgroup"),
              List.of("io.ambidex.synchronizer"),
              List.of("io.ambidex.facade")));

  private static JavaClasses classes;

  @BeforeAll
  static void importCore() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.ambidex");
  }

  @Test
  void everyCorePackage_belongsToAConcept() {
    assertThat(LAYERS.unplaced(classes))
        .as("packages with no row in PackageLayoutTest.LAYERS: place each in ARCHITECTURE.md's"
            + " package graph and in LAYERS")
        .isEmpty();
  }

  @Test
  void dependencies_runOnlyDownward_andNeverBetweenSiblings() {
    assertThat(classes.size()).as("core classes imported").isGreaterThan(50);
    assertThat(LAYERS.violations(classes))
        .as("imports from a lower concept up to a higher one, or between siblings; move the"
            + " shared piece down (often into the lower concept's internal package)")
        .isEmpty();
  }

  @Test
  void violations_reportsAnUpwardDependency() {
    // The check itself: a class of the call boundary that uses a stream type is reported.
    JavaClasses upward =
        new ClassFileImporter().importClasses(UpwardSample.class, io.ambidex.stream.Page.class);
    Set<String> found = LAYERS.violations(upward);
    assertThat(found).isNotEmpty();
    assertThat(found.iterator().next())
        .contains("UpwardSample -> io.ambidex.stream.Page")
        .contains("a higher concept");
  }

  @Test
  void moduleDescriptor_exportsExactlyTheConceptPackages() throws Exception {
    Set<String> exported = PackageLayers.exportedPackages(CallFuture.class);
    assertThat(exported).isEqualTo(LAYERS.concepts());
    assertThat(exported).noneMatch(p -> p.contains(".internal"));
  }

  /** Test-only class in the lowest concept that uses a higher one. */
  static final class UpwardSample {
    io.ambidex.stream.@org.jspecify.annotations.Nullable Page<String, String> page;
  }
}

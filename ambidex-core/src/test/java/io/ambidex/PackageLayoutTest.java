package io.ambidex;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
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
  static final List<List<String>> LAYERS =
      List.of(
          List.of("io.ambidex"),
          List.of("io.ambidex.control"),
          List.of("io.ambidex.stream"),
          List.of("io.ambidex.producer", "io.ambidex.taskgroup"),
          List.of("io.ambidex.synchronizer"),
          List.of("io.ambidex.facade"));

  private static JavaClasses classes;

  @BeforeAll
  static void importCore() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.ambidex");
  }

  /** The concept a package belongs to: itself, or for {@code X.internal}, {@code X}. */
  static String concept(String packageName) {
    return packageName.endsWith(".internal")
        ? packageName.substring(0, packageName.length() - ".internal".length())
        : packageName;
  }

  static int layer(String concept) {
    for (int i = 0; i < LAYERS.size(); i++) {
      if (LAYERS.get(i).contains(concept)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Returns the dependencies among the core's own classes that break the layering: a use of a
   * concept above the user's, or of a sibling on the same row.
   */
  static Set<String> violations(JavaClasses imported) {
    Set<String> found = new TreeSet<>();
    for (JavaClass origin : imported) {
      String from = concept(origin.getPackageName());
      for (Dependency d : origin.getDirectDependenciesFromSelf()) {
        JavaClass target = d.getTargetClass().getBaseComponentType();
        String to = concept(target.getPackageName());
        if (!to.startsWith("io.ambidex") || to.equals(from)) {
          continue;
        }
        int fromLayer = layer(from);
        int toLayer = layer(to);
        if (toLayer >= fromLayer) {
          found.add(
              origin.getName() + " -> " + target.getName() + " ('" + from + "' may not use '"
                  + to + "': " + (toLayer == fromLayer ? "a sibling" : "a higher concept") + ")");
        }
      }
    }
    return found;
  }

  @Test
  void everyCorePackage_belongsToAConcept() {
    Set<String> unplaced =
        classes.stream()
            .map(JavaClass::getPackageName)
            .filter(p -> layer(concept(p)) < 0)
            .collect(Collectors.toCollection(TreeSet::new));
    assertThat(unplaced)
        .as("packages with no row in PackageLayoutTest.LAYERS: place each in ARCHITECTURE.md's"
            + " package graph and in LAYERS")
        .isEmpty();
  }

  @Test
  void dependencies_runOnlyDownward_andNeverBetweenSiblings() {
    assertThat(classes.size()).as("core classes imported").isGreaterThan(50);
    assertThat(violations(classes))
        .as("imports from a lower concept up to a higher one, or between siblings; move the"
            + " shared piece down (often into the lower concept's internal package)")
        .isEmpty();
  }

  @Test
  void violations_reportsAnUpwardDependency() {
    // The check itself: a class of the call boundary that uses a stream type is reported.
    JavaClasses upward =
        new ClassFileImporter().importClasses(UpwardSample.class, io.ambidex.stream.Page.class);
    Set<String> found = violations(upward);
    assertThat(found).isNotEmpty();
    assertThat(found.iterator().next())
        .contains("UpwardSample -> io.ambidex.stream.Page")
        .contains("a higher concept");
  }

  @Test
  void moduleDescriptor_exportsExactlyTheConceptPackages() throws Exception {
    // The descriptor beside the core's own classes (target/classes), not the first one on the
    // class path.
    Path classesRoot =
        Path.of(CallFuture.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    ModuleDescriptor descriptor;
    try (InputStream in = Files.newInputStream(classesRoot.resolve("module-info.class"))) {
      descriptor = ModuleDescriptor.read(in);
    }
    Set<String> exported =
        descriptor.exports().stream()
            .map(ModuleDescriptor.Exports::source)
            .collect(Collectors.toCollection(TreeSet::new));
    Set<String> concepts =
        LAYERS.stream().flatMap(List::stream).collect(Collectors.toCollection(TreeSet::new));
    assertThat(exported).isEqualTo(concepts);
    assertThat(exported).noneMatch(p -> p.contains(".internal"));
  }

  /** Test-only class in the lowest concept that uses a higher one. */
  static final class UpwardSample {
    io.ambidex.stream.@org.jspecify.annotations.Nullable Page<String, String> page;
  }
}

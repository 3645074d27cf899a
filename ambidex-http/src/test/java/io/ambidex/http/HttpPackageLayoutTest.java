package io.ambidex.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.ambidex.layout.PackageLayers;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package layout of {@code ambidex-http}, checked on the compiled classes like the core's:
 * the I/O exceptions below everything and using nothing of the rest, the messages, transports and
 * request client above them, their plumbing in {@code io.ambidex.http.internal}, and only the two
 * API packages exported. See ARCHITECTURE.md, "Packages of ambidex-http".
 */
class HttpPackageLayoutTest {
  static final PackageLayers LAYERS =
      new PackageLayers(
          "io.ambidex.http", List.of(List.of("io.ambidex.http.error"), List.of("io.ambidex.http")));

  private static JavaClasses classes;

  @BeforeAll
  static void importHttp() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.ambidex.http");
  }

  @Test
  void everyPackage_belongsToAConcept() {
    assertThat(classes.size()).as("http classes imported").isGreaterThan(20);
    assertThat(LAYERS.unplaced(classes))
        .as("packages with no row in HttpPackageLayoutTest.LAYERS: place each in"
            + " ARCHITECTURE.md and in LAYERS")
        .isEmpty();
  }

  @Test
  void dependencies_runOnlyDownward() {
    assertThat(LAYERS.violations(classes))
        .as("the I/O exceptions must not use the messages, transports or client; move the shared"
            + " piece down")
        .isEmpty();
  }

  @Test
  void violations_reportAnExceptionThatUsesTheClient() {
    JavaClasses upward =
        new ClassFileImporter()
            .importClasses(io.ambidex.http.error.UpwardSample.class, RequestClient.class);
    assertThat(LAYERS.violations(upward))
        .anyMatch(v -> v.contains("UpwardSample -> io.ambidex.http.RequestClient")
            && v.contains("a higher concept"));
  }

  @Test
  void moduleDescriptor_exportsTheApi_andNotThePlumbing() throws Exception {
    assertThat(PackageLayers.exportedPackages(RequestClient.class))
        .isEqualTo(LAYERS.concepts())
        .noneMatch(p -> p.contains(".internal"));
  }
}

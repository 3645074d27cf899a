package io.ambidex.layout;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A module's package layering, checked on its compiled classes: one package per concept, each
 * concept using only itself and the concepts on earlier rows, its machinery in an {@code internal}
 * package beside it (which counts as the concept), and only the concept packages exported.
 *
 * <p>Shared by the layout tests of the modules (published in the core's test jar); see
 * ARCHITECTURE.md, "Packages".
 *
 * @param root the package prefix the module owns; dependencies outside it are not checked
 * @param rows the concepts, lowest first; two concepts on one row are siblings and may not use
 *     each other
 */
public record PackageLayers(String root, List<List<String>> rows) {

  /** Creates the layering; the rows are copied. */
  public PackageLayers {
    rows = rows.stream().map(List::copyOf).toList();
  }

  /** The concept a package belongs to: itself, or for {@code X.internal}, {@code X}. */
  public static String concept(String packageName) {
    return packageName.endsWith(".internal")
        ? packageName.substring(0, packageName.length() - ".internal".length())
        : packageName;
  }

  /** The row of a concept, or -1 when no row holds it. */
  public int layer(String concept) {
    for (int i = 0; i < rows.size(); i++) {
      if (rows.get(i).contains(concept)) {
        return i;
      }
    }
    return -1;
  }

  /** The concept packages, every row's, sorted. */
  public Set<String> concepts() {
    return rows.stream().flatMap(List::stream).collect(Collectors.toCollection(TreeSet::new));
  }

  /** The packages among {@code classes} whose concept has no row. */
  public Set<String> unplaced(JavaClasses classes) {
    return classes.stream()
        .map(JavaClass::getPackageName)
        .filter(p -> p.startsWith(root) && layer(concept(p)) < 0)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /**
   * Returns the dependencies among {@code classes} that break the layering, one line each naming
   * both classes and the rule: a use of a concept on a later row, or of a sibling on the same row.
   * Dependencies on packages outside {@link #root()} (such as a lower module's) are not checked.
   */
  public Set<String> violations(JavaClasses classes) {
    Set<String> found = new TreeSet<>();
    for (JavaClass origin : classes) {
      String from = concept(origin.getPackageName());
      for (Dependency d : origin.getDirectDependenciesFromSelf()) {
        JavaClass target = d.getTargetClass().getBaseComponentType();
        String to = concept(target.getPackageName());
        if (!to.startsWith(root) || to.equals(from)) {
          continue;
        }
        int fromLayer = layer(from);
        int toLayer = layer(to);
        if (toLayer >= fromLayer) {
          found.add(
              origin.getName() + " -> " + target.getName() + " ('" + from + "' may not use '"
                  + to + "': " + (toLayer == fromLayer ? "a sibling" : "a higher concept")
                  + ")");
        }
      }
    }
    return found;
  }

  /**
   * The packages exported by the module descriptor compiled beside {@code anyClassOfTheModule}
   * (its {@code target/classes}, not the first descriptor on the class path), sorted.
   */
  public static Set<String> exportedPackages(Class<?> anyClassOfTheModule)
      throws IOException, URISyntaxException {
    Path classesRoot =
        Path.of(anyClassOfTheModule.getProtectionDomain().getCodeSource().getLocation().toURI());
    ModuleDescriptor descriptor;
    try (InputStream in = Files.newInputStream(classesRoot.resolve("module-info.class"))) {
      descriptor = ModuleDescriptor.read(in);
    }
    return descriptor.exports().stream()
        .map(ModuleDescriptor.Exports::source)
        .collect(Collectors.toCollection(TreeSet::new));
  }
}

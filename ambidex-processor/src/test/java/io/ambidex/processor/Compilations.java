package io.ambidex.processor;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaFileObject;

/** Compiles sources through the processor, in memory, the way a user's build would. */
final class Compilations {
  /** The sample cores, compiled by this module's build too (see the functional tests). */
  static final Path SAMPLES = Path.of("src/test/java/io/ambidex/processor/samples");

  private Compilations() {}

  /**
   * A javac with the processor, the build's flags (-Xlint:all -Werror, release 21) and a class
   * path without this module's test classes, so that the facades the build already generated
   * from the samples cannot stand in for the ones generated here.
   */
  static Compiler javac() {
    return Compiler.javac()
        .withProcessors(new AmbidexProcessor())
        .withOptions("--release", "21", "-Xlint:all,-processing", "-Werror")
        .withClasspath(classPath());
  }

  /** As {@link #javac()}, without the class path entries whose path contains {@code left}. */
  static Compiler javacWithout(String left) {
    List<File> entries = new ArrayList<>();
    for (File entry : classPath()) {
      if (!entry.getPath().replace('\\', '/').contains(left)) {
        entries.add(entry);
      }
    }
    return Compiler.javac()
        .withProcessors(new AmbidexProcessor())
        .withOptions("--release", "21", "-Xlint:all,-processing", "-Werror")
        .withClasspath(entries);
  }

  static Compilation compile(JavaFileObject... sources) {
    return javac().compile(sources);
  }

  /** The sample sources (cores and their helper types), without the tests next to them. */
  static List<JavaFileObject> samples() {
    List<JavaFileObject> sources = new ArrayList<>();
    try (Stream<Path> files = Files.list(SAMPLES)) {
      for (Path file : files.sorted().toList()) {
        String name = file.getFileName().toString();
        if (name.endsWith(".java") && !name.endsWith("Test.java")) {
          String type = "io.ambidex.processor.samples." + name.replace(".java", "");
          sources.add(JavaFileObjects.forSourceString(type, Files.readString(file)));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sources;
  }

  private static List<File> classPath() {
    String path = System.getProperty("surefire.test.class.path");
    if (path == null || path.isBlank()) {
      path = System.getProperty("java.class.path");
    }
    List<File> entries = new ArrayList<>();
    for (String entry : path.split(File.pathSeparator)) {
      if (!entry.isBlank() && !entry.replace('\\', '/').endsWith("target/test-classes")) {
        entries.add(new File(entry));
      }
    }
    return entries;
  }
}

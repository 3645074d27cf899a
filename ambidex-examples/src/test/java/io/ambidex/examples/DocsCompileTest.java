package io.ambidex.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every ```java block in docs/ and README.md must appear, line for line (indentation aside), in a
 * Java source file of the build, so that no documented sample goes stale or fails to compile.
 */
class DocsCompileTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);

  @Test
  void everyJavaBlockInTheDocs_appearsInACompiledSourceFile() throws IOException {
    List<List<String>> sources = new ArrayList<>();
    try (Stream<Path> files = Files.walk(ROOT)) {
      files
          .filter(p -> p.toString().endsWith(".java"))
          .filter(p -> p.toString().contains("/src/"))
          .filter(p -> !p.toString().contains("/target/"))
          .forEach(p -> sources.add(normalized(read(p))));
    }
    List<Path> pages = new ArrayList<>();
    pages.add(ROOT.resolve("README.md"));
    try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    List<String> missing = new ArrayList<>();
    int blocks = 0;
    for (Path page : pages) {
      if (!Files.exists(page)) {
        continue;
      }
      Matcher m = JAVA_BLOCK.matcher(read(page));
      while (m.find()) {
        blocks++;
        List<String> block = normalized(m.group(1));
        if (sources.stream().noneMatch(src -> containsRun(src, block))) {
          missing.add(ROOT.relativize(page) + ":\n" + m.group(1));
        }
      }
    }
    assertThat(blocks).as("java blocks found in the docs").isGreaterThan(0);
    assertThat(missing).as("doc samples not found in any source file").isEmpty();
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> normalized(String text) {
    return text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
  }

  private static boolean containsRun(List<String> haystack, List<String> needle) {
    return needle.isEmpty() || java.util.Collections.indexOfSubList(haystack, needle) >= 0;
  }
}

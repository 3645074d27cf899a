package io.ambidex.it.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps docs/processor.md honest: every ```java block in it must appear, line for line (up to a
 * uniform indentation), in this package's sources, which the build compiles through the processor
 * and whose usage samples the tests run, or in the facades the processor generated from them.
 */
class DocSamplesTest {
  private static final Path DOC = Path.of("../docs/processor.md");
  private static final List<Path> SOURCES =
      List.of(
          Path.of("src/test/java/io/ambidex/it/docs"),
          Path.of("target/generated-test-sources/test-annotations/io/ambidex/it/docs"));
  private static final Path PROBLEMS =
      Path.of("../ambidex-processor/src/main/java/io/ambidex/processor/Problem.java");
  private static final Pattern JAVA_BLOCK = Pattern.compile("(?s)```java\\n(.*?)\\n```");

  private static String doc;
  private static List<List<String>> sources;

  @BeforeAll
  static void read() throws IOException {
    doc = Files.readString(DOC);
    sources = new ArrayList<>();
    for (Path directory : SOURCES) {
      try (Stream<Path> files = Files.list(directory)) {
        for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
          sources.add(Files.readString(file).lines().toList());
        }
      }
    }
  }

  @Test
  void everyJavaBlock_appearsInTheCompiledSources() {
    List<String> blocks = javaBlocks();
    assertThat(blocks).as("java blocks in " + DOC).hasSizeGreaterThanOrEqualTo(10);
    List<String> missing = new ArrayList<>();
    for (String block : blocks) {
      if (!appears(block)) {
        missing.add(block.lines().findFirst().orElse(""));
      }
    }
    assertThat(missing).as("java blocks of the doc not found in the sources, by first line")
        .isEmpty();
  }

  @Test
  void everyDiagnostic_isDocumented() throws IOException {
    Matcher tags = Pattern.compile("\"(AMBIDEX-[A-Z-]+)\"").matcher(Files.readString(PROBLEMS));
    TreeSet<String> undocumented = new TreeSet<>();
    int count = 0;
    while (tags.find()) {
      count++;
      if (!doc.contains("### `[" + tags.group(1) + "]`")) {
        undocumented.add(tags.group(1));
      }
    }
    assertThat(count).isGreaterThanOrEqualTo(15);
    assertThat(undocumented).as("diagnostics without a section in the doc").isEmpty();
  }

  private static List<String> javaBlocks() {
    List<String> blocks = new ArrayList<>();
    Matcher matcher = JAVA_BLOCK.matcher(doc);
    while (matcher.find()) {
      blocks.add(matcher.group(1));
    }
    return blocks;
  }

  /* Whether the block's lines occur consecutively in a source, all shifted by the same indent. */
  private static boolean appears(String block) {
    List<String> lines = block.lines().toList();
    for (List<String> source : sources) {
      for (int start = 0; start + lines.size() <= source.size(); start++) {
        String first = source.get(start);
        if (!first.strip().equals(lines.get(0).strip())) {
          continue;
        }
        String sourceIndent = leading(first);
        String blockIndent = leading(lines.get(0));
        if (!sourceIndent.endsWith(blockIndent)) {
          continue;
        }
        String indent = sourceIndent.substring(0, sourceIndent.length() - blockIndent.length());
        boolean all = true;
        for (int i = 0; i < lines.size() && all; i++) {
          String expected = lines.get(i).isEmpty() ? "" : indent + lines.get(i);
          all = source.get(start + i).equals(expected);
        }
        if (all) {
          return true;
        }
      }
    }
    return false;
  }

  private static String leading(String line) {
    return line.substring(0, line.length() - line.stripLeading().length());
  }
}

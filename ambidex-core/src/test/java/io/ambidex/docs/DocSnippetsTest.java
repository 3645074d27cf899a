package io.ambidex.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every {@code java} block of a documentation page appears, line for line, in the sample class
 * that compiles and runs it, so the page cannot drift from code that works. A block may sit
 * indented in the sample (inside a method); otherwise it must match exactly.
 */
class DocSnippetsTest {
  private static final Pattern BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);

  @ParameterizedTest
  @CsvSource({
    "producers.md, ProducerDocSamples.java",
    "task-groups.md, TaskGroupDocSamples.java",
  })
  void everyJavaBlockOfThePage_appearsInItsSampleClass(String page, String sample)
      throws IOException {
    String doc = Files.readString(Path.of("../docs", page));
    List<String> source =
        Files.readAllLines(Path.of("src/test/java/io/ambidex/docs", sample));
    List<String> blocks = new ArrayList<>();
    Matcher m = BLOCK.matcher(doc);
    while (m.find()) {
      blocks.add(m.group(1));
    }
    assertThat(blocks).as("java blocks in " + page).isNotEmpty();
    for (String block : blocks) {
      assertThat(appearsIn(block.lines().toList(), source))
          .as("this block of %s is not in %s:%n%s", page, sample, block)
          .isTrue();
    }
  }

  /** True if {@code block} occurs in {@code source} as consecutive lines, one indent added. */
  private static boolean appearsIn(List<String> block, List<String> source) {
    for (int start = 0; start + block.size() <= source.size(); start++) {
      String first = source.get(start);
      if (block.get(0).isEmpty() || !first.endsWith(block.get(0))) {
        continue;
      }
      String indent = first.substring(0, first.length() - block.get(0).length());
      if (!indent.isBlank()) {
        continue;
      }
      boolean all = true;
      for (int i = 0; i < block.size() && all; i++) {
        String line = block.get(i);
        String actual = source.get(start + i);
        all = line.isEmpty() ? actual.isBlank() : actual.equals(indent + line);
      }
      if (all) {
        return true;
      }
    }
    return false;
  }
}

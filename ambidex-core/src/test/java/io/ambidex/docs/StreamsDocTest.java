package io.ambidex.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every ```java block of docs/streams.md appears in {@link StreamsSamples}, line for line
 * (indentation and blank lines aside), so the page's samples compile and cannot go stale.
 */
@Timeout(10)
class StreamsDocTest {
  private static final Path PAGE = Path.of("..", "docs", "streams.md");
  private static final Path SAMPLES =
      Path.of("src", "test", "java", "io", "ambidex", "docs", "StreamsSamples.java");
  private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);

  @Test
  void everyJavaBlockOfTheStreamsPage_appearsInTheCompiledSamples() throws IOException {
    List<String> source = normalized(Files.readString(SAMPLES));
    Matcher m = JAVA_BLOCK.matcher(Files.readString(PAGE));
    List<String> missing = new ArrayList<>();
    int blocks = 0;
    while (m.find()) {
      blocks++;
      if (Collections.indexOfSubList(source, normalized(m.group(1))) < 0) {
        missing.add(m.group(1));
      }
    }
    assertThat(blocks).as("java blocks in docs/streams.md").isGreaterThanOrEqualTo(8);
    assertThat(missing).as("blocks of docs/streams.md not found in StreamsSamples.java").isEmpty();
  }

  private static List<String> normalized(String text) {
    return text.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
  }
}

package io.ambidex.http;

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

/** Every ```java block of docs/http.md appears, line for line (whitespace aside), in HttpDocSamplesTest. */
class HttpDocsTest {
  private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);

  @Test
  void everyJavaBlockOfHttpMd_appearsInTheCompiledSamples() throws IOException {
    String doc = Files.readString(Path.of("../docs/http.md"));
    List<String> source =
        normalized(Files.readString(Path.of("src/test/java/io/ambidex/http/HttpDocSamplesTest.java")));
    List<String> missing = new ArrayList<>();
    int blocks = 0;
    Matcher m = JAVA_BLOCK.matcher(doc);
    while (m.find()) {
      blocks++;
      if (Collections.indexOfSubList(source, normalized(m.group(1))) < 0) {
        missing.add(m.group(1));
      }
    }
    assertThat(blocks).as("java blocks in docs/http.md").isGreaterThanOrEqualTo(5);
    assertThat(missing).as("doc samples missing from HttpDocSamplesTest.java").isEmpty();
  }

  private static List<String> normalized(String text) {
    return text.lines().map(l -> l.replaceAll("\\s+", "")).filter(l -> !l.isEmpty()).toList();
  }
}

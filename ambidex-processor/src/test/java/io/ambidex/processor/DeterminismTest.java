package io.ambidex.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.testing.compile.Compilation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** The same input generates byte-identical output, whatever the order javac sees sources in. */
class DeterminismTest {
  @Test
  void generatedSources_sameInputTwiceAndInReverseOrder_areByteIdentical() throws IOException {
    List<JavaFileObject> sources = Compilations.samples();
    List<JavaFileObject> reversed = new ArrayList<>(sources);
    Collections.reverse(reversed);

    Map<String, String> first = generated(Compilations.javac().compile(sources));
    Map<String, String> second = generated(Compilations.javac().compile(sources));
    Map<String, String> third = generated(Compilations.javac().compile(reversed));

    assertThat(first).hasSize(15); // 11 blocking and async facades, 4 flavour facades
    assertThat(second).isEqualTo(first);
    assertThat(third).isEqualTo(first);
  }

  private static Map<String, String> generated(Compilation compilation) throws IOException {
    assertThat(compilation).succeededWithoutWarnings();
    Map<String, String> sources = new TreeMap<>();
    for (JavaFileObject file : compilation.generatedSourceFiles()) {
      sources.put(file.getName(), file.getCharContent(true).toString());
    }
    return sources;
  }
}

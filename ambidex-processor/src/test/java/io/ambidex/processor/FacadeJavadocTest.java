package io.ambidex.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * The Javadoc the facades copy from a core: compiled with doclint on, so that a comment the
 * facade makes wrong (a {@code @throws} it does not throw, an {@code {@inheritDoc}} with nothing
 * to inherit from) fails the compilation as it would fail a user's javadoc run.
 */
class FacadeJavadocTest {
  private static Compilation compile(JavaFileObject... sources) {
    return Compilations.javac()
        .withOptions(
            "--release", "21", "-Xlint:all,-processing", "-Werror", "-Xdoclint:all,-missing")
        .compile(sources);
  }

  private static String generated(Compilation compilation, String type) {
    try {
      return compilation.generatedSourceFile(type).orElseThrow().getCharContent(true).toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void returnTag_plainTextWithALinkOrCode_isKeptOnTheBlockingFacade() {
    Compilation compilation =
        compile(
            JavaFileObjects.forSourceLines(
                "test.Blob", "package test;", "/** A blob. */", "public final class Blob {}"),
            JavaFileObjects.forSourceLines(
                "test.Core",
                "package test;",
                "import io.ambidex.annotations.*;",
                "import java.util.Map;",
                "import java.util.concurrent.*;",
                "/** Core. */",
                "@AsyncCore(blocking = \"Client\", async = \"AsyncClient\")",
                "final class Core {",
                "  @BlockingFactory @AsyncFactory static Core create() { return new Core(); }",
                "  /**",
                "   * Reads a blob.",
                "   *",
                "   * @param key the key",
                "   * @return the {@link Blob} for the key",
                "   */",
                "  public CompletionStage<Blob> blob(String key) { return null; }",
                "  /**",
                "   * Counts words.",
                "   *",
                "   * @return a {@code Map} of words to counts",
                "   */",
                "  public CompletionStage<Map<String, Integer>> counts() { return null; }",
                "  /**",
                "   * {@return a stage that completes with the size}",
                "   */",
                "  public CompletionStage<Integer> size() { return null; }",
                "}"));

    assertThat(compilation).succeeded();
    String blocking = generated(compilation, "test.Client");
    assertThat(blocking)
        .contains("@return the {@link Blob} for the key")
        .contains("@return a {@code Map} of words to counts")
        .contains("{@return the size}")
        .doesNotContain("a stage that completes with the size");
    assertThat(generated(compilation, "test.AsyncClient"))
        .contains("@return a future that completes with the {@link Blob} for the key")
        .contains("{@return a stage that completes with the size}");
  }

  @Test
  void throwsTagOfASubclassOfTheDeclaredException_becomesAParagraphOnTheAsyncFacade() {
    Compilation compilation =
        compile(
            JavaFileObjects.forSourceLines(
                "test.Core",
                "package test;",
                "import io.ambidex.annotations.*;",
                "import java.io.IOException;",
                "import java.util.concurrent.*;",
                "/** Core. */",
                "@AsyncCore(blocking = \"Client\", async = \"AsyncClient\")",
                "final class Core {",
                "  @BlockingFactory @AsyncFactory static Core create() { return new Core(); }",
                "  /**",
                "   * Reads a file.",
                "   *",
                "   * @param path the path",
                "   * @return a stage of the contents",
                "   * @throws java.io.FileNotFoundException if there is no such file",
                "   * @throws IOException if it cannot be read",
                "   * @throws IllegalArgumentException if the path is empty",
                "   */",
                "  public CompletionStage<String> read(String path) throws IOException {",
                "    return null;",
                "  }",
                "}"));

    assertThat(compilation).succeeded();
    assertThat(generated(compilation, "test.AsyncClient"))
        .doesNotContain("@throws java.io.FileNotFoundException")
        .contains("The returned future fails with {@code java.io.FileNotFoundException} if")
        .contains("@throws IllegalArgumentException if the path is empty");
  }

  @Test
  void uncheckedThrowsTag_ofABlockingFirstCore_becomesAParagraphOnTheAsyncFacade() {
    Compilation compilation =
        compile(
            JavaFileObjects.forSourceLines(
                "test.Core",
                "package test;",
                "import io.ambidex.annotations.*;",
                "import java.io.IOException;",
                "/** Core. */",
                "@BlockingCore(blocking = \"Thumbs\", async = \"AsyncThumbs\")",
                "final class Core {",
                "  @BlockingFactory @AsyncFactory static Core create() { return new Core(); }",
                "  /**",
                "   * Scales an image down.",
                "   *",
                "   * @param image the image",
                "   * @return the thumbnail",
                "   * @throws IllegalArgumentException if the image is empty",
                "   * @throws IOException if the image cannot be decoded",
                "   */",
                "  public byte[] scale(byte[] image) throws IOException { return image; }",
                "}"));

    assertThat(compilation).succeeded();
    assertThat(generated(compilation, "test.AsyncThumbs"))
        .doesNotContain("@throws")
        .contains("The returned future fails with {@code IllegalArgumentException} if the")
        .contains("The returned future fails with {@code IOException} if the image");
    assertThat(generated(compilation, "test.Thumbs"))
        .contains("@throws IllegalArgumentException if the image is empty");
  }

  /*
   * A core's comment links types through the core's own imports, and a nested type by its simple
   * name; copied into the facades as written, those links named nothing there (the blob client's
   * {@link CancellationException} broke its javadoc jar). They now resolve where the core wrote
   * them and are written as each facade names the type: imported when the simple name is free.
   * doclint (on in compile()) fails the compilation on a link that does not resolve.
   */
  @Test
  void linksThroughTheCoresImports_andToItsNestedTypes_resolveInEveryFacade() {
    Compilation compilation =
        compile(
            JavaFileObjects.forSourceLines(
                "test.Core",
                "package test;",
                "import io.ambidex.annotations.*;",
                "import java.io.UncheckedIOException;",
                "import java.util.concurrent.CancellationException;",
                "import java.util.concurrent.CompletableFuture;",
                "import java.util.concurrent.CompletionStage;",
                "/** Core; a closed one fails with {@link CancellationException}. */",
                "@AsyncCore(blocking = \"Client\", async = \"AsyncClient\")",
                "final class Core {",
                "  /** What {@link #read} gives. */",
                "  enum Kind { A, B }",
                "  @BlockingFactory @AsyncFactory static Core create() { return new Core(); }",
                "  /**",
                "   * Reads a {@link Kind}; see {@linkplain CompletionStage#thenApply the stage}.",
                "   *",
                "   * @return a stage of the kind",
                "   * @throws UncheckedIOException if the disk fails",
                "   * @see CancellationException",
                "   */",
                "  public CompletionStage<String> read() {",
                "    return CompletableFuture.completedFuture(Kind.A.name());",
                "  }",
                "}"));

    assertThat(compilation).succeeded();
    String blocking = generated(compilation, "test.Client");
    assertThat(blocking)
        .contains("import java.util.concurrent.CancellationException;")
        .contains("{@link CancellationException}")
        .contains("{@link Core.Kind}")
        .contains("@throws UncheckedIOException if the disk fails")
        .contains("@see CancellationException");
    assertThat(generated(compilation, "test.AsyncClient"))
        .contains("{@linkplain CompletionStage#thenApply the stage}")
        .contains("{@link Core.Kind}");
  }

  @Test
  void inheritDoc_isResolvedFromTheOverriddenMethod() {
    Compilation compilation =
        compile(
            JavaFileObjects.forSourceLines(
                "test.Store",
                "package test;",
                "import java.util.concurrent.CompletionStage;",
                "/** A store. */",
                "public interface Store {",
                "  /**",
                "   * Reads a value.",
                "   *",
                "   * @param key the key",
                "   * @return a stage that completes with the value",
                "   */",
                "  CompletionStage<String> read(String key);",
                "  /**",
                "   * Writes a value.",
                "   *",
                "   * @param key the key",
                "   * @param value the value",
                "   * @return a stage that completes when it is written",
                "   */",
                "  CompletionStage<Void> write(String key, String value);",
                "}"),
            JavaFileObjects.forSourceLines(
                "test.Core",
                "package test;",
                "import io.ambidex.annotations.*;",
                "import java.util.concurrent.*;",
                "/** Core. */",
                "@AsyncCore(blocking = \"Client\", async = \"AsyncClient\")",
                "final class Core implements Store {",
                "  @BlockingFactory @AsyncFactory static Core create() { return new Core(); }",
                "  /** {@inheritDoc} */",
                "  @Override",
                "  public CompletionStage<String> read(String key) { return null; }",
                "  /**",
                "   * {@inheritDoc} Then syncs.",
                "   *",
                "   * @param key {@inheritDoc}, not empty",
                "   * @param text the text",
                "   */",
                "  @Override",
                "  public CompletionStage<Void> write(String key, String text) { return null; }",
                "}"));

    assertThat(compilation).succeeded();
    String blocking = generated(compilation, "test.Client");
    assertThat(blocking)
        .doesNotContain("{@inheritDoc}")
        .contains("   * Reads a value.\n")
        .contains("   * @param key the key\n")
        .contains("   * @return the value\n")
        .contains("   * Writes a value. Then syncs.\n")
        .contains("   * @param key the key, not empty\n")
        .contains("   * @param text the text\n");
    assertThat(generated(compilation, "test.AsyncClient"))
        .doesNotContain("{@inheritDoc}")
        .contains("   * @return a stage that completes with the value\n");
  }
}

package io.ambidex.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** Imports stay correct when simple names collide. */
class ImportsTest {
  @Test
  void collidingSimpleNames_samePackageWinsAndOthersAreQualified() {
    JavaFileObject list =
        JavaFileObjects.forSourceLines(
            "test.List", "package test;", "public final class List {}");
    JavaFileObject string =
        JavaFileObjects.forSourceLines(
            "test.String", "package test;", "public final class String {}");
    JavaFileObject core =
        JavaFileObjects.forSourceLines(
            "test.Core",
            "package test;",
            "import io.ambidex.annotations.*;",
            "import java.util.concurrent.*;",
            "@AsyncCore(blocking = \"Client\", async = \"AsyncClient\")",
            "class Core {",
            "  @BlockingFactory @AsyncFactory static Core create() { return new Core(); }",
            "  public CompletionStage<java.util.List<List>> both(List mine) { return null; }",
            "  public CompletionStage<java.lang.String> text(String mine) { return null; }",
            "  public <T> CompletionStage<T> first(java.util.List<T> items) { return null; }",
            "}");

    Compilation compilation = Compilations.compile(list, string, core);

    assertThat(compilation).succeededWithoutWarnings();
    assertThat(compilation)
        .generatedSourceFile("test.Client")
        .contentsAsUtf8String()
        .contains("public java.util.List<List> both(List mine) {");
    assertThat(compilation)
        .generatedSourceFile("test.Client")
        .contentsAsUtf8String()
        .contains("public java.lang.String text(String mine) {");
    assertThat(compilation)
        .generatedSourceFile("test.Client")
        .contentsAsUtf8String()
        .doesNotContain("import java.util.List;");
  }

  @Test
  void typeVariableNamedLikeAClass_theClassIsQualified() {
    JavaFileObject core =
        JavaFileObjects.forSourceLines(
            "test.Core",
            "package test;",
            "import io.ambidex.annotations.*;",
            "import java.util.concurrent.*;",
            "@AsyncCore(blocking = \"Client\", async = \"AsyncClient\")",
            "class Core {",
            "  @BlockingFactory @AsyncFactory static Core create() { return new Core(); }",
            "  public <Executor> CompletionStage<Executor> pick(",
            "      java.util.concurrent.Executor real, Executor value) { return null; }",
            "}");

    Compilation compilation = Compilations.compile(core);

    assertThat(compilation).succeededWithoutWarnings();
    assertThat(compilation)
        .generatedSourceFile("test.Client")
        .contentsAsUtf8String()
        .contains("public <Executor> Executor pick(java.util.concurrent.Executor real, Executor value)");
  }
}

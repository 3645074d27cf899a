package io.ambidex.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * Facades of a named module: public classes of an exported package. javac's -Xlint:exports
 * warns about @Generated on them unless java.compiler is required transitively, so the processor
 * uses @Generated only then.
 */
class NamedModuleTest {
  private static Compilation compileModule(String javaCompilerRequirement) {
    List<String> modulePath = new ArrayList<>();
    String path =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    for (String entry : path.split(File.pathSeparator)) {
      String normalized = entry.replace('\\', '/');
      if (normalized.contains("ambidex-core")
          || normalized.contains("ambidex-annotations")
          || normalized.contains("jspecify")) {
        modulePath.add(entry);
      }
    }
    JavaFileObject module =
        JavaFileObjects.forSourceLines(
            "module-info",
            "module example {",
            "  requires transitive io.ambidex.core;",
            "  requires static io.ambidex.annotations;",
            javaCompilerRequirement,
            "  exports example;",
            "}");
    JavaFileObject core =
        JavaFileObjects.forSourceLines(
            "example.Core",
            "package example;",
            "import io.ambidex.annotations.*;",
            "import java.util.concurrent.*;",
            "@AsyncCore(blocking = \"Client\", async = \"AsyncClient\")",
            "final class Core {",
            "  @BlockingFactory @AsyncFactory static Core create() { return new Core(); }",
            "  public CompletionStage<String> name() {",
            "    return CompletableFuture.completedFuture(\"core\");",
            "  }",
            "}");
    return Compiler.javac()
        .withProcessors(new AmbidexProcessor())
        .withOptions(
            "--release",
            "21",
            "-Xlint:all,-processing",
            "-Werror",
            "--module-path",
            String.join(File.pathSeparator, modulePath))
        .compile(module, core);
  }

  @Test
  void namedModule_withoutTransitiveJavaCompiler_compilesCleanlyWithoutGenerated() {
    Compilation compilation = compileModule("  requires static java.compiler;");

    assertThat(compilation).succeededWithoutWarnings();
    assertThat(compilation)
        .generatedSourceFile("example.Client")
        .contentsAsUtf8String()
        .doesNotContain("@Generated");
  }

  @Test
  void namedModule_requiringJavaCompilerTransitively_getsGenerated() {
    Compilation compilation = compileModule("  requires static transitive java.compiler;");

    assertThat(compilation).succeededWithoutWarnings();
    assertThat(compilation)
        .generatedSourceFile("example.Client")
        .contentsAsUtf8String()
        .contains("@Generated(");
  }
}

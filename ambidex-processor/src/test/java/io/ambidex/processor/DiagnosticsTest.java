package io.ambidex.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.TypeElement;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * One test per diagnostic: the message carries the stable tag and the fix, and is reported in the
 * right file on the right line (the line marked {@code //!} in each source). Each also checks the
 * error count, so that no diagnostic drags others along.
 */
class DiagnosticsTest {
  private static final String[] HEADER = {
    "package test;",
    "",
    // The core's concept packages on one line, so the lines below keep their numbers.
    "import io.ambidex.*; import io.ambidex.control.*; import io.ambidex.stream.*;"
        + " import io.ambidex.synchronizer.*;",
    "import io.ambidex.annotations.*;",
    "import java.util.concurrent.*;",
    "import java.util.function.*;",
    ""
  };

  /** Compiles test.Core made of HEADER and the given lines. */
  private static Compiled compile(String... lines) {
    return compileAs("test.Core", lines);
  }

  /** Compiles a file for the named class, made of HEADER and the given lines. */
  private static Compiled compileAs(String className, String... lines) {
    List<String> all = new ArrayList<>(List.of(HEADER));
    all.addAll(List.of(lines));
    JavaFileObject source = JavaFileObjects.forSourceLines(className, all);
    int marked = -1;
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i).contains("//!")) {
        marked = i + 1;
      }
    }
    return new Compiled(Compilations.compile(source), source, marked);
  }

  private record Compiled(Compilation compilation, JavaFileObject source, int markedLine) {
    /** Asserts exactly {@code count} errors, one of them tagged and on the marked line. */
    Compiled fails(Problem problem, String fixFragment, int count) {
      assertThat(markedLine).as("the source marks the expected line with //!").isPositive();
      assertThat(compilation).failed();
      assertThat(compilation).hadErrorCount(count);
      assertThat(compilation)
          .hadErrorContaining("[" + problem.tag() + "]")
          .inFile(source)
          .onLine(markedLine);
      assertThat(compilation).hadErrorContaining(fixFragment);
      return this;
    }

    Compiled fails(Problem problem, String fixFragment) {
      return fails(problem, fixFragment, 1);
    }
  }

  @Nested
  class TheCore {
    @Test
    void interface_isNotACore() {
      compile(
              "@AsyncCore(blocking = \"Client\", async = \"AsyncClient\")",
              "interface Core {} //!")
          .fails(Problem.CORE_KIND, "on a class (not an interface, enum or record)");
    }

    @Test
    void bothAnnotations_areRejected() {
      compile(
              "@AsyncCore(blocking = \"Client\", async = \"AsyncClient\")",
              "@BlockingCore(async = \"AsyncClient2\")",
              "class Core {} //!")
          .fails(Problem.CORE_KIND, "not both");
    }

    @Test
    void privateNestedCore_isNotAccessible() {
      compileAs(
              "test.Outer",
              "class Outer {",
              "  @AsyncCore(blocking = \"Client\", async = \"AsyncClient\")",
              "  private static class Core { //!",
              "    @BlockingFactory @AsyncFactory static Core create() { return new Core(); }",
              "  }",
              "}")
          .fails(Problem.CORE_ACCESS, "The core Core is private.");
    }

    @Test
    void innerClassCore_isNotAccessible() {
      compileAs(
              "test.Outer",
              "class Outer {",
              "  @AsyncCore(blocking = \"Client\", async = \"AsyncClient\")",
              "  class Core { //!",
              "    @BlockingFactory @AsyncFactory static Core create() { return null; }",
              "  }",
              "}")
          .fails(Problem.CORE_ACCESS, "is an inner (non-static) class");
    }

    @Test
    void coreInsideAPrivateClass_isNotAccessible() {
      compileAs(
              "test.Outer",
              "class Outer {",
              "  private static class Middle {",
              "    @AsyncCore(blocking = \"Client\", async = \"AsyncClient\")",
              "    static class Core { //!",
              "      @BlockingFactory @AsyncFactory static Core create() { return new Core(); }",
              "    }",
              "  }",
              "}")
          .fails(Problem.CORE_ACCESS, "Its enclosing class Middle is private");
    }

    @Test
    void auxiliaryClassCore_mustMoveToItsOwnFile() {
      compile(
              "class Core {}",
              "@AsyncCore(blocking = \"Client\", async = \"AsyncClient\")",
              "class Other { //!",
              "  @BlockingFactory @AsyncFactory static Other create() { return new Other(); }",
              "}")
          .fails(Problem.CORE_ACCESS, "move it into Other.java");
    }

    @Test
    void synchronizerCoreWithoutSynchronizerBound_isReportedOnTheCore() {
      compile(
              "@AsyncCore(blocking = \"Client\", async = \"AsyncClient\","
                  + " bridge = Bridge.SYNCHRONIZER)",
              "final class Core { //!",
              "  @BlockingFactory @AsyncFactory static Core create() { return new Core(); }",
              "  public CompletionStage<String> name() {",
              "    return CompletableFuture.completedFuture(\"x\");",
              "  }",
              "}")
          .fails(Problem.SYNCHRONIZER_BOUND, "Implement io.ambidex.synchronizer.SynchronizerBound in the core");
    }

    @Test
    void genericCore_isRejected() {
      compile(
              "@AsyncCore(blocking = \"Client\", async = \"AsyncClient\")",
              "class Core<T> { //!",
              "  @BlockingFactory @AsyncFactory static <T> Core<T> create() { return null; }",
              "}")
          .fails(Problem.GENERIC_CORE, "Remove the core's type parameters");
    }
  }

  @Nested
  class FacadeNames {
    @Test
    void notAJavaName_isReportedOnTheAnnotation() {
      compile(
              "@AsyncCore(blocking = \"Blob Client\", async = \"AsyncClient\") //!",
              "class Core {",
              "  @BlockingFactory @AsyncFactory static Core create() { return new Core(); }",
              "}")
          .fails(Problem.FACADE_NAME, "blocking = \"BlobClient\", async = \"AsyncBlobClient\"");
    }

    @Test
    void keyword_isNotAName() {
      compile(
              "@AsyncCore(",
              "    blocking = \"Client\",",
              "    async = \"class\") //!",
              "class Core {",
              "  @BlockingFactory @AsyncFactory static Core create() { return new Core(); }",
              "}")
          .fails(Problem.FACADE_NAME, "simple Java identifiers");
    }

    @Test
    void restrictedIdentifiers_areNotClassNames() {
      compile(
              "@AsyncCore(blocking = \"record\", async = \"var\") //!",
              "class Core {",
              "  @BlockingFactory @AsyncFactory static Core create() { return new Core(); }",
              "}")
          .fails(Problem.FACADE_NAME, "blocking = \"record\" is not a simple Java class name", 2)
          .fails(Problem.FACADE_NAME, "async = \"var\" is not a simple Java class name", 2);
      for (String name : List.of("yield", "sealed", "permits", "_")) {
        compile(
                "@BlockingCore(async = \"" + name + "\") //!",
                "class Core {",
                "  @AsyncFactory static Core create() { return new Core(); }",
                "}")
            .fails(Problem.FACADE_NAME, "async = \"" + name + "\" is not a simple Java class name");
      }
    }

    @Test
    void coresOwnName_isRejected() {
      compile(
              "@AsyncCore(blocking = \"Core\", async = \"AsyncClient\") //!",
              "class Core {",
              "  @BlockingFactory @AsyncFactory static Core create() { return new Core(); }",
              "}")
          .fails(Problem.FACADE_NAME, "different from each other and from the core's name");
    }

    @Test
    void sameNameTwice_isRejected() {
      compile(
              "@AsyncCore(blocking = \"Client\", async = \"Client\") //!",
              "class Core {",
              "  @BlockingFactory @AsyncFactory static Core create() { return new Core(); }",
              "}")
          .fails(Problem.FACADE_NAME, "different from each other");
    }
  }

  @Nested
  class Flavours {
    @Test
    void flavourNamedLikeTheAsyncFacade_isRejected() {
      compile(
              "@AsyncCore(",
              "    blocking = \"Client\",",
              "    async = \"AsyncClient\",",
              "    reactor = \"AsyncClient\") //!",
              "class Core {",
              "  @BlockingFactory @AsyncFactory static Core create() { return new Core(); }",
              "}")
          .fails(Problem.FACADE_NAME, "The reactor and async facades are both named AsyncClient.");
    }

    @Test
    void flavourNotAJavaName_isReportedOnItsAttribute() {
      compile(
              "@AsyncCore(",
              "    blocking = \"Client\",",
              "    async = \"AsyncClient\",",
              "    mutiny = \"Mutiny Client\") //!",
              "class Core {",
              "  @BlockingFactory @AsyncFactory static Core create() { return new Core(); }",
              "}")
          .fails(Problem.FACADE_NAME, "mutiny = \"Mutiny Client\" is not a simple Java class name");
    }

    @Test
    void flavourWithoutItsRuntimeModule_namesTheArtifactsToAdd() {
      List<String> lines = new ArrayList<>(List.of(HEADER));
      lines.addAll(
          List.of(
              "@AsyncCore(",
              "    blocking = \"Client\",",
              "    async = \"AsyncClient\",",
              "    rxjava3 = \"RxClient\")", // line 11
              "class Core {",
              "  @BlockingFactory @AsyncFactory static Core create() { return new Core(); }",
              "}"));
      JavaFileObject source = JavaFileObjects.forSourceLines("test.Core", lines);

      Compilation compilation = Compilations.javacWithout("ambidex-rxjava3").compile(source);

      assertThat(compilation).hadErrorCount(1);
      assertThat(compilation)
          .hadErrorContaining("[" + Problem.FLAVOUR.tag() + "]")
          .inFile(source)
          .onLine(11);
      assertThat(compilation)
          .hadErrorContaining(
              "rxjava3 = \"RxClient\" asks for a RxJava 3 facade, but"
                  + " io.ambidex.rxjava3.RxJavaFacades is not on the compile path; it comes with"
                  + " io.ambidex:ambidex-rxjava3 and io.reactivex.rxjava3:rxjava.");
      assertThat(compilation).hadErrorContaining("Add the flavour's runtime module");
    }
  }

  @Nested
  class FacadeNamesOfExistingTypes {
    @Test
    void facadeNamedLikeATypeOfTheCompilation_isReportedOnTheAttribute() {
      JavaFileObject existing =
          JavaFileObjects.forSourceLines(
              "test.Existing",
              "package test;",
              "/** The hand-written client the facade replaces. */",
              "public class Existing {}");
      JavaFileObject core =
          JavaFileObjects.forSourceLines(
              "test.Core",
              "package test;",
              "import io.ambidex.annotations.*;",
              "@AsyncCore(blocking = \"Existing\", async = \"AsyncClient\")",
              "class Core {",
              "  @BlockingFactory @AsyncFactory static Core create() { return new Core(); }",
              "}");

      Compilation compilation = Compilations.compile(existing, core);

      assertThat(compilation).hadErrorCount(1);
      assertThat(compilation)
          .hadErrorContaining(
              "[AMBIDEX-FACADE-NAME] blocking = \"Existing\" names the class test.Existing, which"
                  + " is already declared in this compilation")
          .inFile(core)
          .onLine(3);
      assertThat(compilation).hadErrorContaining("delete or rename the old class");
    }

    @Test
    void facadeNamedLikeAnotherCore_isReported() {
      JavaFileObject other =
          JavaFileObjects.forSourceLines(
              "test.Other",
              "package test;",
              "import io.ambidex.annotations.*;",
              "@BlockingCore(async = \"AsyncOther\")",
              "class Other {",
              "  @AsyncFactory static Other create() { return new Other(); }",
              "}");
      JavaFileObject core =
          JavaFileObjects.forSourceLines(
              "test.Core",
              "package test;",
              "import io.ambidex.annotations.*;",
              "@AsyncCore(blocking = \"Client\", async = \"Other\")",
              "class Core {",
              "  @BlockingFactory @AsyncFactory static Core create() { return new Core(); }",
              "}");

      Compilation compilation = Compilations.compile(other, core);

      assertThat(compilation).hadErrorCount(1);
      assertThat(compilation)
          .hadErrorContaining("[AMBIDEX-FACADE-NAME] async = \"Other\" names the class test.Other")
          .inFile(core)
          .onLine(3);
    }
  }

  @Nested
  class TypeAccess {
    @Test
    void privateNestedTypesOfTheCore_areReportedOnTheMethod() {
      compile(
              "@AsyncCore(blocking = \"Client\", async = \"AsyncClient\")",
              "class Core {",
              "  private static final class Gone extends Exception {",
              "    private static final long serialVersionUID = 1L;",
              "  }",
              "  private record Key(String value) {}",
              "  @BlockingFactory @AsyncFactory static Core create() { return new Core(); }",
              "  public CompletionStage<String> get(String k) throws Gone { return null; }",
              "  public CompletionStage<Key> key(String k) { return null; } //!",
              "}")
          .fails(Problem.TYPE_ACCESS, "test.Core.Key, which is private", 2)
          .fails(Problem.TYPE_ACCESS, "must not be private", 2);
    }

    @Test
    void privateTypeInAParameter_isReportedOnTheParameter() {
      compile(
              "@BlockingCore(async = \"AsyncClient\")",
              "class Core {",
              "  private enum Mode { FAST }",
              "  @AsyncFactory static Core create() { return new Core(); }",
              "  public String get(",
              "      java.util.List<Mode> modes) { return null; } //!",
              "}")
          .fails(Problem.TYPE_ACCESS, "test.Core.Mode, which is private");
    }

    @Test
    void packagePrivateTypeOfAnotherPackage_inAnInheritedMethod_isReported() {
      JavaFileObject base =
          JavaFileObjects.forSourceLines(
              "other.Base",
              "package other;",
              "import java.util.concurrent.*;",
              "public abstract class Base {",
              "  static final class Hidden {}",
              "  public CompletionStage<Hidden> hidden() { return null; }",
              "}");
      JavaFileObject core =
          JavaFileObjects.forSourceLines(
              "test.Core",
              "package test;",
              "import io.ambidex.annotations.*;",
              "@AsyncCore(blocking = \"Client\", async = \"AsyncClient\")",
              "final class Core extends other.Base {",
              "  @BlockingFactory @AsyncFactory static Core create() { return new Core(); }",
              "}");

      Compilation compilation = Compilations.compile(base, core);

      assertThat(compilation).hadErrorCount(1);
      assertThat(compilation)
          .hadErrorContaining(
              "[AMBIDEX-TYPE-ACCESS] hidden mentions other.Base.Hidden, which is not public and"
                  + " is in another package than the facades (test)")
          .inFile(base)
          .onLine(5);
    }
  }

  @Nested
  class FacadeNamesAcrossCores {
    @Test
    void twoCoresNamingTheSameFacade_secondIsReported() {
      JavaFileObject first =
          JavaFileObjects.forSourceLines(
              "test.Core",
              "package test;",
              "import io.ambidex.annotations.*;",
              "@AsyncCore(blocking = \"Client\", async = \"AsyncClient\")",
              "class Core {",
              "  @BlockingFactory @AsyncFactory static Core create() { return new Core(); }",
              "}");
      JavaFileObject second =
          JavaFileObjects.forSourceLines(
              "test.Other",
              "package test;",
              "import io.ambidex.annotations.*;",
              "@BlockingCore(async = \"AsyncClient\")",
              "class Other {",
              "  @AsyncFactory static Other create() { return new Other(); }",
              "}");

      Compilation compilation = Compilations.compile(first, second);

      assertThat(compilation).hadErrorCount(1);
      assertThat(compilation)
          .hadErrorContaining(
              "[AMBIDEX-FACADE-NAME] The facade test.AsyncClient is already generated from"
                  + " test.Core.")
          .inFile(second)
          .onLine(4);
    }
  }

  @Nested
  class Factories {
    @Test
    void missingBlockingFactory_isReportedOnTheCore() {
      compile(
              "@AsyncCore(blocking = \"Client\", async = \"AsyncClient\")",
              "class Core { //!",
              "  @AsyncFactory static Core create() { return new Core(); }",
              "}")
          .fails(Problem.MISSING_FACTORY, "its parameters become the facade's public constructor");
    }

    @Test
    void missingAsyncFactory_isReportedOnTheCore() {
      compile(
              "@BlockingCore(async = \"AsyncClient\")",
              "class Core { //!",
              "  public String name() { return \"x\"; }",
              "}")
          .fails(Problem.MISSING_FACTORY, "annotated with the factory annotation named above");
    }

    @Test
    void instanceFactory_isRejected() {
      compile(
              "@AsyncCore(blocking = \"Client\", async = \"AsyncClient\")",
              "class Core {",
              "  @BlockingFactory Core blocking() { return this; } //!",
              "  @AsyncFactory static Core async() { return new Core(); }",
              "}")
          .fails(Problem.FACTORY, "static, non-private method");
    }

    /* The example in the fix is the user's own factory made right, not another class's. */
    @Test
    void invalidFactory_fixShowsTheFactoryAsItShouldBe() {
      Compiled compiled =
          compile(
                  "@AsyncCore(blocking = \"Client\", async = \"AsyncClient\")",
                  "class Core {",
                  "  @BlockingFactory private Core open(String root, int size) { return this; } //!",
                  "  @AsyncFactory static Core async() { return new Core(); }",
                  "}")
              .fails(Problem.FACTORY, "is private", 2);
      assertThat(compiled.compilation())
          .hadErrorContaining("Write it as: @BlockingFactory static Core open(String root, int size)");
      assertThat(compiled.compilation().errors())
          .noneMatch(e -> e.getMessage(null).contains("BlobCore"));
    }

    @Test
    void invalidFactories_areNotAlsoReportedAsMissing() {
      Compiled compiled =
          compile(
                  "@AsyncCore(blocking = \"Client\", async = \"AsyncClient\")",
                  "class Core {",
                  "  @BlockingFactory private Core blocking() { return this; } //!",
                  "  @AsyncFactory static Core async() { return new Core(); }",
                  "}")
              .fails(Problem.FACTORY, "is private, so the facade cannot call it", 2);
      assertThat(compiled.compilation()).hadErrorContaining("is not static");
      assertThat(compiled.compilation().errors())
          .noneMatch(e -> e.getMessage(null).contains("[AMBIDEX-MISSING-FACTORY]"));
    }

    @Test
    void privateFactory_isRejected() {
      compile(
              "@AsyncCore(blocking = \"Client\", async = \"AsyncClient\")",
              "class Core {",
              "  @BlockingFactory static Core blocking() { return new Core(); }",
              "  @AsyncFactory private static Core async() { return new Core(); } //!",
              "}")
          .fails(Problem.FACTORY, "is private");
    }

    @Test
    void factoryReturningAnotherType_isRejected() {
      compile(
              "@AsyncCore(blocking = \"Client\", async = \"AsyncClient\")",
              "class Core {",
              "  @BlockingFactory static Core blocking() { return new Core(); }",
              "  @BlockingFactory static Object other() { return new Core(); } //!",
              "  @AsyncFactory static Core async() { return new Core(); }",
              "}")
          .fails(Problem.FACTORY, "returns the core's type");
    }

    @Test
    void factoryOutsideACore_isRejected() {
      compile(
              "class Core {",
              "  @BlockingFactory static Core create() { return new Core(); } //!",
              "}")
          .fails(Problem.FACTORY, "not a method of a class annotated @AsyncCore or @BlockingCore");
    }

    @Test
    void badStaticMethodName_isReportedOnTheAnnotation() {
      compile(
              "@AsyncCore(blocking = \"Client\", async = \"AsyncClient\")",
              "class Core {",
              "  @BlockingFactory(method = \"new\") //!",
              "  static Core blocking() { return new Core(); }",
              "  @BlockingFactory static Core plain() { return new Core(); }",
              "  @AsyncFactory static Core async() { return new Core(); }",
              "}")
          .fails(Problem.FACTORY, "is not a Java method name");
    }

    @Test
    void blockingFactoryWithoutABlockingFacade_isUnused() {
      compile(
              "@BlockingCore(async = \"AsyncClient\")",
              "class Core {",
              "  @BlockingFactory static Core blocking() { return new Core(); } //!",
              "  @AsyncFactory static Core async() { return new Core(); }",
              "}")
          .fails(Problem.FACTORY, "does not name a blocking facade");
    }
  }

  @Nested
  class ExecutorMethods {
    @Test
    void executorOnAnAsyncCore_isRejected() {
      compile(
              "@AsyncCore(blocking = \"Client\", async = \"AsyncClient\")",
              "class Core {",
              "  @BlockingFactory @AsyncFactory static Core create() { return new Core(); }",
              "  @AsyncExecutor Executor executor() { return Runnable::run; } //!",
              "}")
          .fails(Problem.EXECUTOR, "at most one method of a @BlockingCore");
    }

    @Test
    void twoExecutors_areRejected() {
      compile(
              "@BlockingCore(async = \"AsyncClient\")",
              "class Core {",
              "  @AsyncFactory static Core create() { return new Core(); }",
              "  @AsyncExecutor Executor one() { return Runnable::run; }",
              "  @AsyncExecutor Executor two() { return Runnable::run; } //!",
              "}")
          .fails(Problem.EXECUTOR, "@AsyncExecutor is on both one and two");
    }

    @Test
    void executorWithParameters_isRejected() {
      compile(
              "@BlockingCore(async = \"AsyncClient\")",
              "class Core {",
              "  @AsyncFactory static Core create() { return new Core(); }",
              "  @AsyncExecutor Executor pick(int n) { return Runnable::run; } //!",
              "}")
          .fails(Problem.EXECUTOR, "returning java.util.concurrent.Executor");
    }
  }

  @Nested
  class Signatures {
    private Compiled core(String... methods) {
      List<String> lines = new ArrayList<>();
      lines.add("@AsyncCore(blocking = \"Client\", async = \"AsyncClient\")");
      lines.add("class Core {");
      lines.add("  @BlockingFactory @AsyncFactory static Core create() { return new Core(); }");
      lines.addAll(List.of(methods));
      lines.add("}");
      return compile(lines.toArray(String[]::new));
    }

    @Test
    void rawStage_isRejected() {
      core(
              "  @SuppressWarnings(\"rawtypes\")",
              "  public CompletionStage get(String key) { return null; } //!")
          .fails(Problem.RAW_STAGE, "CompletionStage<Void> when there is no result");
    }

    @Test
    void rawCompletableFuture_isRejected() {
      core(
              "  @SuppressWarnings(\"rawtypes\")",
              "  public CompletableFuture get(String key) { return null; } //!")
          .fails(Problem.RAW_STAGE, "Give the stage its result type");
    }

    @Test
    void rawStageInACallback_isReportedOnTheParameter() {
      core(
              "  @SuppressWarnings(\"rawtypes\")",
              "  public CompletionStage<String> get(",
              "      Function<String, CompletionStage> loader) { return null; } //!")
          .fails(Problem.RAW_STAGE, "Give the stage its result type");
    }

    @Test
    void wildcardStage_isRejected() {
      core("  public CompletionStage<?> get(String key) { return null; } //!")
          .fails(Problem.WILDCARD_STAGE, "CompletionStage<? extends T>");
    }

    @Test
    void future_isRejected() {
      core("  public Future<String> get(String key) { return null; } //!")
          .fails(Problem.FUTURE, "a CompletableFuture is accepted");
    }

    @Test
    void rawAsyncIterator_isRejected() {
      core(
              "  @SuppressWarnings(\"rawtypes\")",
              "  public AsyncIterator list() { return null; } //!")
          .fails(Problem.RAW_STREAM, "AsyncIterator<T> or Flow.Publisher<T>");
    }

    @Test
    void callbackOfAFixedStageType_hasNoSyncCounterpart() {
      compile(
              "interface Loader { CompletionStage<String> load(String key); }",
              "@AsyncCore(blocking = \"Client\", async = \"AsyncClient\")",
              "class Core {",
              "  @BlockingFactory @AsyncFactory static Core create() { return new Core(); }",
              "  public CompletionStage<String> get(",
              "      String key,",
              "      Loader loader) { return null; } //!",
              "}")
          .fails(Problem.ASYNC_CALLBACK, "Function<K, CompletionStage<V>>");
    }

    @Test
    void rawAsyncCallback_isRejected() {
      core(
              "  @SuppressWarnings(\"rawtypes\")",
              "  public CompletionStage<Void> watch(AsyncCallback listener) { return null; } //!")
          .fails(Problem.ASYNC_CALLBACK, "AsyncCallback<E>");
    }

    @Test
    void typeVariableThrows_isUnsupported() {
      core(
              "  public <X extends Exception> CompletionStage<String> get(String k) throws X { //!",
              "    return null;",
              "  }")
          .fails(Problem.UNSUPPORTED, "supported forms listed in docs/processor.md");
    }

    @Test
    void callbackWithAGenericMethod_isUnsupported() {
      compile(
              "interface Mapper<R> { <T> R map(T value); }",
              "@AsyncCore(blocking = \"Client\", async = \"AsyncClient\")",
              "class Core {",
              "  @BlockingFactory @AsyncFactory static Core create() { return new Core(); }",
              "  public CompletionStage<String> get(",
              "      Mapper<CompletionStage<String>> mapper) { return null; } //!",
              "}")
          .fails(Problem.UNSUPPORTED, "which a lambda cannot implement");
    }
  }

  @Nested
  class BlockingCores {
    @Test
    void asyncResult_isRejected() {
      compile(
              "@BlockingCore(async = \"AsyncClient\")",
              "class Core {",
              "  @AsyncFactory static Core create() { return new Core(); }",
              "  public CompletionStage<String> get(String key) { return null; } //!",
              "}")
          .fails(Problem.ASYNC_IN_BLOCKING_CORE, "return T itself");
    }

    @Test
    void throwsThrowable_isUnsupported() {
      compile(
              "@BlockingCore(async = \"AsyncClient\")",
              "class Core {",
              "  @AsyncFactory static Core create() { return new Core(); }",
              "  public String get(String key) throws Throwable { return key; } //!",
              "}")
          .fails(Problem.UNSUPPORTED, "cannot run it as a Callable");
    }
  }

  @Nested
  class Clashes {
    @Test
    void asyncCallbackAndConsumerOverloads_clashOnTheBlockingFacade() {
      compile(
              "@AsyncCore(blocking = \"Client\", async = \"AsyncClient\")",
              "class Core {",
              "  @BlockingFactory @AsyncFactory static Core create() { return new Core(); }",
              "  public CompletionStage<Void> watch(Consumer<String> listener) { return null; }",
              "  public CompletionStage<Void> watch(AsyncCallback<String> listener) { //!",
              "    return null;",
              "  }",
              "}")
          .fails(Problem.CLASH, "keep one out of the facades with @ExcludeFromFacades");
    }

    @Test
    void twoFactoriesWithTheSameParameters_clash() {
      compile(
              "@AsyncCore(blocking = \"Client\", async = \"AsyncClient\")",
              "class Core {",
              "  @BlockingFactory static Core local(String name) { return new Core(); }",
              "  @BlockingFactory static Core remote(String url) { return new Core(); } //!",
              "  @AsyncFactory static Core async() { return new Core(); }",
              "}")
          .fails(Problem.CLASH, "@BlockingFactory(method = \"...\")");
    }

    @Test
    void factoryClash_adviceDoesNotOfferExclusion() {
      Compilation compilation =
          compile(
                  "@AsyncCore(blocking = \"Client\", async = \"AsyncClient\")",
                  "class Core {",
                  "  @BlockingFactory static Core local(String name) { return new Core(); }",
                  "  @BlockingFactory static Core remote(String url) { return new Core(); } //!",
                  "  @AsyncFactory static Core async() { return new Core(); }",
                  "}")
              .fails(Problem.CLASH, "remove @BlockingFactory from one of them")
              .compilation();

      assertThat(compilation.errors().get(0).getMessage(null))
          .doesNotContain("@ExcludeFromFacades");
    }

    @Test
    void excludedFactory_isRejectedInsteadOfIgnored() {
      compile(
              "@AsyncCore(blocking = \"Client\", async = \"AsyncClient\")",
              "class Core {",
              "  @BlockingFactory @AsyncFactory static Core a(String s) { return new Core(); }",
              "  @BlockingFactory @AsyncFactory @ExcludeFromFacades",
              "  static Core b(String t) { return new Core(); } //!",
              "}")
          .fails(Problem.FACTORY, "has no effect on a factory", 2);
    }

    @Test
    void errorsInOtherMethods_doNotHideAClash() {
      Compiled compiled =
          compile(
                  "@AsyncCore(blocking = \"Client\", async = \"AsyncClient\")",
                  "class Core {",
                  "  @BlockingFactory @AsyncFactory static Core create() { return new Core(); }",
                  "  @SuppressWarnings(\"rawtypes\") public CompletionStage raw() { return null; }",
                  "  public CompletionStage<Void> watch(Consumer<String> l) { return null; }",
                  "  public CompletionStage<Void> watch(AsyncCallback<String> listener) { //!",
                  "    return null;",
                  "  }",
                  "}")
              .fails(Problem.CLASH, "keep one out of the facades with @ExcludeFromFacades", 2);

      assertThat(compiled.compilation())
          .hadErrorContaining("[AMBIDEX-RAW-STAGE]")
          .inFile(compiled.source())
          .onLine(11);
    }

    @Test
    void factoryTakingTheCore_clashesWithTheWrappingConstructor() {
      compile(
              "@AsyncCore(blocking = \"Client\", async = \"AsyncClient\")",
              "class Core {",
              "  @BlockingFactory static Core copy(Core other) { return other; } //!",
              "  @AsyncFactory static Core async() { return new Core(); }",
              "}")
          .fails(Problem.CLASH, "the constructor that wraps a core");
    }
  }

  @Nested
  class Behaviour {
    @Test
    void severalProblems_allReportedInOneCompile_andValidCoresStillGenerated() {
      JavaFileObject good =
          JavaFileObjects.forSourceLines(
              "test.GoodCore",
              "package test;",
              "import io.ambidex.annotations.*;",
              "import java.util.concurrent.*;",
              "@AsyncCore(blocking = \"Good\", async = \"AsyncGood\")",
              "class GoodCore {",
              "  @BlockingFactory @AsyncFactory static GoodCore create() { return new GoodCore(); }",
              "  public CompletionStage<String> name() {",
              "    return CompletableFuture.completedFuture(\"good\");",
              "  }",
              "}");
      List<String> lines = new ArrayList<>(List.of(HEADER));
      lines.addAll(
          List.of(
              "@AsyncCore(blocking = \"Client\", async = \"AsyncClient\")",
              "class Core {",
              "  @BlockingFactory @AsyncFactory static Core create() { return new Core(); }",
              "  public Future<String> one() { return null; }",
              "  public CompletionStage<?> two() { return null; }",
              "  @SuppressWarnings(\"rawtypes\")",
              "  public CompletionStage three() { return null; }",
              "}"));
      JavaFileObject bad = JavaFileObjects.forSourceLines("test.Core", lines);
      TypeObserver observer = new TypeObserver("test.Good", "test.AsyncGood", "test.Client");

      Compilation compilation =
          Compilations.javac()
              .withProcessors(new AmbidexProcessor(), observer)
              .compile(bad, good);

      assertThat(compilation).failed();
      assertThat(compilation).hadErrorCount(3);
      assertThat(compilation).hadErrorContaining("[AMBIDEX-FUTURE]").inFile(bad).onLine(11);
      assertThat(compilation).hadErrorContaining("[AMBIDEX-WILDCARD-STAGE]").inFile(bad).onLine(12);
      assertThat(compilation).hadErrorContaining("[AMBIDEX-RAW-STAGE]").inFile(bad).onLine(14);
      assertThat(observer.seen).containsExactly("test.Good", "test.AsyncGood");
    }

    @Test
    void excludedMethod_isNotChecked() {
      Compilation compilation =
          compile(
              "@AsyncCore(blocking = \"Client\", async = \"AsyncClient\")",
              "class Core {",
              "  @BlockingFactory @AsyncFactory static Core create() { return new Core(); }",
              "  @ExcludeFromFacades public Future<String> internal() { return null; }",
              "}")
              .compilation();

      assertThat(compilation).succeededWithoutWarnings();
    }

    @Test
    void excludedOverridingMethod_keepsTheOverriddenDeclarationOutToo() {
      JavaFileObject lookup =
          JavaFileObjects.forSourceLines(
              "test.Lookup",
              "package test;",
              "import java.util.concurrent.*;",
              "public interface Lookup {",
              "  CompletionStage<String> lookup(String key);",
              "  Future<String> legacy(String key);",
              "}");
      Compilation compilation =
          Compilations.compile(
              lookup,
              JavaFileObjects.forSourceLines(
                  "test.Core",
                  "package test;",
                  "import io.ambidex.annotations.*;",
                  "import java.util.concurrent.*;",
                  "@AsyncCore(blocking = \"Client\", async = \"AsyncClient\")",
                  "final class Core implements Lookup {",
                  "  @BlockingFactory @AsyncFactory static Core create() { return new Core(); }",
                  "  public CompletionStage<String> get(String key) { return lookup(key); }",
                  "  @ExcludeFromFacades @Override",
                  "  public CompletionStage<String> lookup(String key) { return null; }",
                  "  @ExcludeFromFacades @Override",
                  "  public Future<String> legacy(String key) { return null; }",
                  "}"));

      assertThat(compilation).succeededWithoutWarnings();
      for (String facade : List.of("test.Client", "test.AsyncClient")) {
        assertThat(generated(compilation, facade))
            .doesNotContain("lookup(")
            .doesNotContain("legacy(")
            .contains(" get(String key)");
      }
    }

    @Test
    void defaultMethodOverriddenInASubinterface_isOneMethod() {
      JavaFileObject base =
          JavaFileObjects.forSourceLines(
              "test.Base",
              "package test;",
              "import java.util.concurrent.*;",
              "public interface Base {",
              "  default CompletionStage<String> greet() {",
              "    return CompletableFuture.completedFuture(\"base\");",
              "  }",
              "}");
      JavaFileObject fancy =
          JavaFileObjects.forSourceLines(
              "test.Fancy",
              "package test;",
              "import java.util.concurrent.*;",
              "public interface Fancy extends Base {",
              "  @Override",
              "  default CompletionStage<String> greet() {",
              "    return CompletableFuture.completedFuture(\"fancy\");",
              "  }",
              "}");
      JavaFileObject abstractClient =
          JavaFileObjects.forSourceLines(
              "test.AbstractClient",
              "package test;",
              "abstract class AbstractClient implements Fancy {}");
      JavaFileObject core =
          JavaFileObjects.forSourceLines(
              "test.Core",
              "package test;",
              "import io.ambidex.annotations.*;",
              "@AsyncCore(blocking = \"Client\", async = \"AsyncClient\")",
              "final class Core extends AbstractClient implements Base {",
              "  @BlockingFactory @AsyncFactory static Core create() { return new Core(); }",
              "}");

      Compilation compilation = Compilations.compile(base, fancy, abstractClient, core);

      assertThat(compilation).succeededWithoutWarnings();
      assertThat(generated(compilation, "test.Client")).containsOnlyOnce("public String greet()");
    }

    @Test
    void typeGeneratedByAnotherProcessor_isWaitedForUntilTheNextRound() {
      JavaFileObject source =
          JavaFileObjects.forSourceLines(
              "test.Core",
              "package test;",
              "import io.ambidex.annotations.*;",
              "import java.util.concurrent.*;",
              "@AsyncCore(blocking = \"Client\", async = \"AsyncClient\")",
              "class Core {",
              "  @BlockingFactory @AsyncFactory static Core create() { return new Core(); }",
              "  public CompletionStage<Token> token() {",
              "    return CompletableFuture.completedFuture(new Token());",
              "  }",
              "}");

      Compilation compilation =
          Compilations.javac()
              .withProcessors(new AmbidexProcessor(), new TokenProcessor())
              .compile(source);

      assertThat(compilation).succeededWithoutWarnings();
      assertThat(compilation)
          .generatedSourceFile("test.Client")
          .contentsAsUtf8String()
          .contains("public Token token() {");
    }
  }

  private static String generated(Compilation compilation, String type) {
    try {
      return compilation.generatedSourceFile(type).orElseThrow().getCharContent(true).toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Records which of the named types exist by the last round (that is, were generated). */
  static final class TypeObserver extends AbstractProcessor {
    private final List<String> names;
    final List<String> seen = new ArrayList<>();

    TypeObserver(String... names) {
      this.names = List.of(names);
    }

    @Override
    public Set<String> getSupportedAnnotationTypes() {
      return Set.of("*");
    }

    @Override
    public SourceVersion getSupportedSourceVersion() {
      return SourceVersion.latestSupported();
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
      if (round.processingOver()) {
        for (String name : names) {
          if (processingEnv.getElementUtils().getTypeElement(name) != null) {
            seen.add(name);
          }
        }
      }
      return false;
    }
  }

  /** Generates test.Token in the first round, as another processor would. */
  static final class TokenProcessor extends AbstractProcessor {
    private boolean done;

    @Override
    public Set<String> getSupportedAnnotationTypes() {
      return Set.of("*");
    }

    @Override
    public SourceVersion getSupportedSourceVersion() {
      return SourceVersion.latestSupported();
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
      if (!done) {
        done = true;
        try (Writer writer = processingEnv.getFiler().createSourceFile("test.Token").openWriter()) {
          writer.write("package test; public final class Token {}");
        } catch (IOException e) {
          throw new AssertionError(e);
        }
      }
      return false;
    }
  }
}

package io.ambidex.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Cores that the exploratory testing of the processor (2026-12-05) found to give facades that did
 * not compile, crashed the processor, or behaved against docs/processor.md. Each compiles sources
 * of package {@code test} through the processor with the build's flags ({@code -Xlint:all
 * -Werror}) and, where behaviour is at stake, loads and calls the generated facades.
 */
class GeneratedCodeTest {
  private static final String HEADER =
      "package test; import io.ambidex.annotations.*; import java.util.*;"
          + " import java.util.concurrent.*; import java.util.function.*;"
          + " import org.jspecify.annotations.Nullable;";

  /** A source of package test: the header line, then the given lines. */
  private static JavaFileObject source(String simpleName, String... lines) {
    List<String> all = new ArrayList<>();
    all.add(HEADER);
    all.addAll(List.of(lines));
    return JavaFileObjects.forSourceLines("test." + simpleName, all);
  }

  private static Compilation compiled(JavaFileObject... sources) {
    Compilation compilation = Compilations.compile(sources);
    assertThat(compilation).succeededWithoutWarnings();
    return compilation;
  }

  /** The classes a compilation wrote, loaded over this test's class path. */
  private static final class Loaded extends ClassLoader {
    private final Map<String, JavaFileObject> classes = new HashMap<>();

    Loaded(Compilation compilation) {
      super(GeneratedCodeTest.class.getClassLoader());
      for (JavaFileObject file : compilation.generatedFiles()) {
        if (file.getKind() == JavaFileObject.Kind.CLASS) {
          String path = file.toUri().getPath();
          String name = path.substring(path.indexOf("/test/") + 1, path.length() - 6);
          classes.put(name.replace('/', '.'), file);
        }
      }
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
      JavaFileObject file = classes.get(name);
      if (file == null) {
        throw new ClassNotFoundException(name);
      }
      try (InputStream in = file.openInputStream()) {
        byte[] bytes = in.readAllBytes();
        return defineClass(name, bytes, 0, bytes.length);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** A new instance of test.{simpleName}, by its constructor without parameters. */
    Object create(String simpleName) throws ReflectiveOperationException {
      return loadClass("test." + simpleName).getConstructor().newInstance();
    }
  }

  /** Calls a public method, throwing what it throws. */
  private static Object call(Object target, String method, Object... arguments) throws Throwable {
    for (java.lang.reflect.Method candidate : target.getClass().getMethods()) {
      if (candidate.getName().equals(method)
          && candidate.getParameterCount() == arguments.length) {
        try {
          return candidate.invoke(target, arguments);
        } catch (InvocationTargetException e) {
          throw e.getCause();
        }
      }
    }
    throw new AssertionError("no method " + method + " on " + target.getClass());
  }

  private static String generated(Compilation compilation, String simpleName) {
    try {
      return compilation
          .generatedSourceFile("test." + simpleName)
          .orElseThrow(() -> new AssertionError(simpleName + " was not generated"))
          .getCharContent(true)
          .toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Nested
  class CheckedExceptions {
    @Test
    void callerDrained_checkedExceptionsThrownByTheCall_areRethrownAsDeclared() throws Throwable {
      Compilation compilation =
          compiled(
              source(
                  "DrainCore",
                  "@AsyncCore(blocking = \"Drain\", async = \"AsyncDrain\","
                      + " bridge = Bridge.CALLER_DRAINED)",
                  "final class DrainCore {",
                  "  @BlockingFactory @AsyncFactory static DrainCore create() {"
                      + " return new DrainCore(); }",
                  "  public CompletionStage<String> read(String path) throws java.io.IOException {",
                  "    if (path.isEmpty()) throw new java.io.IOException(\"empty\");",
                  "    return CompletableFuture.completedFuture(\"contents of \" + path);",
                  "  }",
                  "  public CompletionStage<String> both(String path)",
                  "      throws java.io.IOException, java.sql.SQLException {",
                  "    if (path.isEmpty()) throw new java.sql.SQLException(\"empty\");",
                  "    return CompletableFuture.completedFuture(path);",
                  "  }",
                  "}"));
      Object drain = new Loaded(compilation).create("Drain");

      assertThat(call(drain, "read", "a")).isEqualTo("contents of a");
      assertThatThrownBy(() -> call(drain, "read", ""))
          .isInstanceOf(IOException.class)
          .hasMessage("empty");
      assertThatThrownBy(() -> call(drain, "both", ""))
          .isInstanceOf(java.sql.SQLException.class)
          .hasMessage("empty");
    }

    @Test
    void asyncFacade_coreThrowingExceptionOrThrowable_throwsUncheckedAtTheCall() throws Throwable {
      Compilation compilation =
          compiled(
              source(
                  "ExcCore",
                  "@AsyncCore(blocking = \"Exc\", async = \"AsyncExc\")",
                  "final class ExcCore {",
                  "  @BlockingFactory @AsyncFactory static ExcCore create() {"
                      + " return new ExcCore(); }",
                  "  public CompletionStage<String> get(String key) throws Exception {",
                  "    if (key.isEmpty()) throw new IllegalArgumentException(\"empty key\");",
                  "    if (key.equals(\"io\")) throw new java.io.IOException(\"io\");",
                  "    return CompletableFuture.completedFuture(\"v:\" + key);",
                  "  }",
                  "  public CompletionStage<String> thr(String key) throws Throwable {",
                  "    if (key.isEmpty()) throw new StackOverflowError(\"deep\");",
                  "    if (key.equals(\"x\")) throw new IllegalStateException(\"state\");",
                  "    if (key.equals(\"io\")) throw new java.io.IOException(\"io\");",
                  "    return CompletableFuture.completedFuture(key);",
                  "  }",
                  "}"));
      Object async = new Loaded(compilation).create("AsyncExc");

      assertThatThrownBy(() -> call(async, "get", ""))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> call(async, "thr", "")).isInstanceOf(StackOverflowError.class);
      assertThatThrownBy(() -> call(async, "thr", "x")).isInstanceOf(IllegalStateException.class);
      for (String method : List.of("get", "thr")) {
        CompletableFuture<?> failed = (CompletableFuture<?>) call(async, method, "io");
        assertThatThrownBy(failed::get)
            .isInstanceOf(ExecutionException.class)
            .cause()
            .isInstanceOf(IOException.class);
      }
      assertThat(((CompletableFuture<?>) call(async, "get", "k")).get()).isEqualTo("v:k");
    }
  }
}

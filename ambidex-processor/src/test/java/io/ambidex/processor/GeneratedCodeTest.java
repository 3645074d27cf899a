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
import java.util.function.Function;
import java.util.concurrent.Callable;
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

  @Nested
  class AsyncFunctions {
    @Test
    void callableAndCompletableFutureResults_areAdapted() throws Throwable {
      Compilation compilation =
          compiled(
              source(
                  "FnCore",
                  "@AsyncCore(blocking = \"Fn\", async = \"AsyncFn\")",
                  "final class FnCore {",
                  "  @BlockingFactory @AsyncFactory static FnCore create() { return new FnCore(); }",
                  "  public CompletionStage<String> callable(Callable<CompletionStage<String>> loader) {",
                  "    try {",
                  "      return loader.call();",
                  "    } catch (Exception e) {",
                  "      return CompletableFuture.failedFuture(new IllegalStateException(e));",
                  "    }",
                  "  }",
                  "  public CompletionStage<String> cf(",
                  "      Function<String, CompletableFuture<String>> loader) {",
                  "    return loader.apply(\"k\");",
                  "  }",
                  "  public CompletionStage<String> wild(",
                  "      Function<String, ? extends CompletableFuture<String>> loader) {",
                  "    return loader.apply(\"w\");",
                  "  }",
                  "}"));
      Object fn = new Loaded(compilation).create("Fn");

      Callable<String> value = () -> "called";
      Callable<String> failing =
          () -> {
            throw new IOException("unreadable");
          };
      Function<String, String> upper = String::toUpperCase;
      assertThat(call(fn, "callable", value)).isEqualTo("called");
      assertThatThrownBy(() -> call(fn, "callable", failing))
          .isInstanceOf(IllegalStateException.class)
          .cause()
          .isInstanceOf(IOException.class);
      assertThat(call(fn, "cf", upper)).isEqualTo("K");
      assertThat(call(fn, "wild", upper)).isEqualTo("W");
    }

    @Test
    void stageAlsoTakenByTheFunction_isRejected() {
      JavaFileObject core =
          source(
              "UnCore",
              "@AsyncCore(blocking = \"Un\", async = \"AsyncUn\")",
              "final class UnCore {",
              "  @BlockingFactory @AsyncFactory static UnCore create() { return new UnCore(); }",
              "  public CompletionStage<String> decorated(",
              "      UnaryOperator<CompletionStage<String>> decorator) {",
              "    return decorator.apply(CompletableFuture.completedFuture(\"v\"));",
              "  }",
              "}");
      Compilation compilation = Compilations.compile(core);

      assertThat(compilation).hadErrorCount(1);
      assertThat(compilation)
          .hadErrorContaining("[AMBIDEX-ASYNC-CALLBACK] Parameter decorator of decorated")
          .inFile(core)
          .onLine(6);
      assertThat(compilation).hadErrorContaining("also takes");
    }

    @Test
    void typeArgumentBoundedByAStage_isRejected() {
      JavaFileObject core =
          source(
              "BndCore",
              "@AsyncCore(blocking = \"Bnd\", async = \"AsyncBnd\")",
              "final class BndCore {",
              "  interface Step<S extends CompletionStage<?>> { S run(String input); }",
              "  @BlockingFactory @AsyncFactory static BndCore c() { return new BndCore(); }",
              "  public CompletionStage<String> pipe(Step<CompletionStage<String>> step) {",
              "    return step.run(\"x\");",
              "  }",
              "}");
      Compilation compilation = Compilations.compile(core);

      assertThat(compilation).hadErrorCount(1);
      assertThat(compilation)
          .hadErrorContaining("[AMBIDEX-ASYNC-CALLBACK] Parameter step of pipe")
          .inFile(core)
          .onLine(6);
      assertThat(compilation).hadErrorContaining("bound");
    }

    @Test
    void stageSubtypeOtherThanCompletableFuture_isRejected() {
      JavaFileObject core =
          source(
              "CfCore",
              "@AsyncCore(blocking = \"Cf\", async = \"AsyncCf\")",
              "final class CfCore {",
              "  @BlockingFactory @AsyncFactory static CfCore c() { return new CfCore(); }",
              "  public CompletionStage<String> get(",
              "      Function<String, io.ambidex.CallFuture<String>> loader) {",
              "    return loader.apply(\"k\");",
              "  }",
              "}");
      Compilation compilation = Compilations.compile(core);

      assertThat(compilation).hadErrorCount(1);
      assertThat(compilation)
          .hadErrorContaining("[AMBIDEX-ASYNC-CALLBACK] Parameter loader of get")
          .inFile(core)
          .onLine(6);
      assertThat(compilation).hadErrorContaining("CompletionStage<T> or CompletableFuture<T>");
    }
  }

  @Nested
  class CoreResults {
    @Test
    void nullableCoreResult_isNullOnEveryFacade() throws Throwable {
      Compilation compilation =
          compiled(
              source(
                  "NodeCore",
                  "@AsyncCore(blocking = \"Node\", async = \"AsyncNode\", rxjava3 = \"RxNode\")",
                  "final class NodeCore {",
                  "  private final @Nullable NodeCore parent;",
                  "  private NodeCore(@Nullable NodeCore parent) { this.parent = parent; }",
                  "  @BlockingFactory @AsyncFactory static NodeCore root() { return new NodeCore(null); }",
                  "  public @Nullable NodeCore parent() { return parent; }",
                  "  public NodeCore child() { return new NodeCore(this); }",
                  "}"));
      Loaded loaded = new Loaded(compilation);

      for (String facade : List.of("Node", "AsyncNode", "RxNode")) {
        Object root = loaded.create(facade);
        assertThat(call(root, "parent")).as(facade).isNull();
        Object child = call(root, "child");
        assertThat(child.getClass().getSimpleName()).isEqualTo(facade);
        assertThat(call(child, "parent")).as(facade).isNotNull();
      }
    }

    @Test
    void nullableCoreResult_ofABlockingCore_isNullOnBothFacades() throws Throwable {
      Compilation compilation =
          compiled(
              source(
                  "FileCore",
                  "@BlockingCore(blocking = \"Files2\", async = \"AsyncFiles2\")",
                  "final class FileCore {",
                  "  private final @Nullable FileCore parent;",
                  "  private FileCore(@Nullable FileCore p) { parent = p; }",
                  "  @BlockingFactory @AsyncFactory static FileCore open() { return new FileCore(null); }",
                  "  public @Nullable FileCore parent() { return parent; }",
                  "  public FileCore child() { return new FileCore(this); }",
                  "}"));
      Loaded loaded = new Loaded(compilation);

      Object blocking = loaded.create("Files2");
      assertThat(call(blocking, "parent")).isNull();
      assertThat(call(call(blocking, "child"), "parent")).isNotNull();
      Object async = loaded.create("AsyncFiles2");
      assertThat(((CompletableFuture<?>) call(async, "parent")).get()).isNull();
      Object child = ((CompletableFuture<?>) call(async, "child")).get();
      assertThat(((CompletableFuture<?>) call(child, "parent")).get()).isNotNull();
      assertThat(generated(compilation, "AsyncFiles2"))
          .contains("public CallFuture<@Nullable AsyncFiles2> parent() {");
    }

    @Test
    void stageOfTheCore_isRejected() {
      JavaFileObject core =
          source(
              "NodeCore",
              "@AsyncCore(blocking = \"Node\", async = \"AsyncNode\")",
              "final class NodeCore {",
              "  @BlockingFactory @AsyncFactory static NodeCore root() { return new NodeCore(); }",
              "  public CompletionStage<NodeCore> childLater() {",
              "    return CompletableFuture.completedFuture(new NodeCore());",
              "  }",
              "}");
      Compilation compilation = Compilations.compile(core);

      assertThat(compilation).hadErrorCount(1);
      assertThat(compilation)
          .hadErrorContaining("[AMBIDEX-UNSUPPORTED] childLater returns")
          .inFile(core)
          .onLine(5);
      assertThat(compilation).hadErrorContaining("the core's own type");
    }
  }

  @Nested
  class Deferral {
    @Test
    void inheritedMethodOrBoundMentioningAGeneratedType_isWaitedFor() {
      JavaFileObject base =
          source(
              "BaseOps",
              "abstract class BaseOps {",
              "  public CompletionStage<Token> fetch(String key) {",
              "    return CompletableFuture.completedFuture(new Token());",
              "  }",
              "}");
      JavaFileObject sub =
          source(
              "SubCore",
              "@AsyncCore(blocking = \"Sub\", async = \"AsyncSub\")",
              "final class SubCore extends BaseOps {",
              "  @BlockingFactory @AsyncFactory static SubCore c() { return new SubCore(); }",
              "}");
      JavaFileObject bound =
          source(
              "BoundCore",
              "@AsyncCore(blocking = \"Bound\", async = \"AsyncBound\")",
              "final class BoundCore {",
              "  @BlockingFactory @AsyncFactory static BoundCore c() { return new BoundCore(); }",
              "  public <T extends Token> CompletionStage<String> name(T token) {",
              "    return CompletableFuture.completedFuture(\"x\");",
              "  }",
              "}");

      Compilation compilation =
          Compilations.javac()
              .withProcessors(new AmbidexProcessor(), new DiagnosticsTest.TokenProcessor())
              .compile(base, sub, bound);

      assertThat(compilation).succeededWithoutWarnings();
      assertThat(generated(compilation, "Sub")).contains("public Token fetch(String key) {");
      assertThat(generated(compilation, "AsyncBound"))
          .contains("public <T extends Token> CallFuture<String> name(T token) {");
    }
  }

  @Nested
  class Close {
    @Test
    void asyncClose_ofACoreOwningItsExecutor_runsOffThatExecutor_andCanBeRepeated()
        throws Throwable {
      Compilation compilation =
          compiled(
              source(
                  "PoolCore",
                  "@BlockingCore(blocking = \"Pool\", async = \"AsyncPool\")",
                  "final class PoolCore implements AutoCloseable {",
                  "  static final List<Boolean> terminated = new CopyOnWriteArrayList<>();",
                  "  private final ExecutorService pool = Executors.newFixedThreadPool(2);",
                  "  private boolean closed;",
                  "  @BlockingFactory @AsyncFactory static PoolCore create() { return new PoolCore(); }",
                  "  @AsyncExecutor ExecutorService executor() { return pool; }",
                  "  public String work(String s) { return s; }",
                  "  @Override public synchronized void close() {",
                  "    if (closed) return;",
                  "    closed = true;",
                  "    pool.shutdown();",
                  "    try {",
                  "      terminated.add(pool.awaitTermination(2, TimeUnit.SECONDS));",
                  "    } catch (InterruptedException e) {",
                  "      Thread.currentThread().interrupt();",
                  "    }",
                  "  }",
                  "}"));
      Loaded loaded = new Loaded(compilation);
      Object async = loaded.create("AsyncPool");

      assertThat(((CompletableFuture<?>) call(async, "work", "x")).get()).isEqualTo("x");
      ((CompletableFuture<?>) call(async, "close")).get();
      ((CompletableFuture<?>) call(async, "close")).get();

      java.lang.reflect.Field terminated =
          loaded.loadClass("test.PoolCore").getDeclaredField("terminated");
      terminated.setAccessible(true);
      assertThat(terminated.get(null)).isEqualTo(List.of(true));
    }
  }

  @Nested
  class Annotations {
    @Test
    void typeUseAnnotationValues_areRenderedAsSource() throws Throwable {
      JavaFileObject checked =
          source(
              "Checked",
              "@java.lang.annotation.Target(java.lang.annotation.ElementType.TYPE_USE)",
              "@java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)",
              "@interface Checked {",
              "  enum Level { LAX, STRICT }",
              "  Level level() default Level.LAX;",
              "  TimeUnit unit() default TimeUnit.SECONDS;",
              "  Class<?> type() default Object.class;",
              "  Class<?>[] types() default {};",
              "  String text() default \"\";",
              "  char mark() default 'a';",
              "  long big() default 0;",
              "  float ratio() default 0;",
              "  double precise() default 0;",
              "  byte small() default 0;",
              "  int[] sizes() default {};",
              "  Tag tag() default @Tag(\"x\");",
              "  Tag[] tags() default {};",
              "}");
      JavaFileObject tag =
          source(
              "Tag",
              "@java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)",
              "@interface Tag { String value(); }");
      JavaFileObject core =
          source(
              "AnnCore",
              "@AsyncCore(blocking = \"Ann\", async = \"AsyncAnn\")",
              "final class AnnCore {",
              "  @BlockingFactory @AsyncFactory static AnnCore c() { return new AnnCore(); }",
              "  public CompletionStage<Integer> put(List<@Checked(",
              "      level = Checked.Level.STRICT, unit = TimeUnit.MINUTES, type = String[].class,",
              "      types = {int.class, Map.Entry.class}, text = \"q\\\"b\\\\n\\u00e9\\t\",",
              "      mark = '\\'', big = 1L << 40, ratio = 1.5f, precise = Double.NaN,",
              "      small = -3, sizes = {1, 2}, tag = @Tag(\"t\"),",
              "      tags = {@Tag(\"u\"), @Tag(\"v\")}) String> names) {",
              "    return CompletableFuture.completedFuture(names.size());",
              "  }",
              "}");

      Compilation compilation = Compilations.compile(checked, tag, core);
      assertThat(compilation).succeededWithoutWarnings();
      Loaded loaded = new Loaded(compilation);

      String expected = typeArgumentAnnotations(loaded.loadClass("test.AnnCore"));
      assertThat(expected).contains("STRICT", "MINUTES", "precise=0.0/0.0");
      assertThat(typeArgumentAnnotations(loaded.loadClass("test.Ann"))).isEqualTo(expected);
      assertThat(typeArgumentAnnotations(loaded.loadClass("test.AsyncAnn"))).isEqualTo(expected);
    }

    /* The annotations on the type argument of put's parameter, as the JDK prints them. */
    private static String typeArgumentAnnotations(Class<?> type) {
      for (java.lang.reflect.Method method : type.getDeclaredMethods()) {
        if (method.getName().equals("put")) {
          java.lang.reflect.AnnotatedParameterizedType parameter =
              (java.lang.reflect.AnnotatedParameterizedType) method.getAnnotatedParameterTypes()[0];
          return java.util.Arrays.toString(
              parameter.getAnnotatedActualTypeArguments()[0].getAnnotations());
        }
      }
      throw new AssertionError("no put in " + type);
    }
  }

  @Nested
  class Lint {
    @Test
    void safeVarargs_givesNoVarargsWarning() {
      compiled(
          source(
              "VarCore",
              "@AsyncCore(blocking = \"Var\", async = \"AsyncVar\", rxjava3 = \"RxVar\")",
              "final class VarCore {",
              "  @BlockingFactory @AsyncFactory static VarCore create() { return new VarCore(); }",
              "  @SafeVarargs",
              "  public final <T> CompletionStage<Integer> count(T... items) {",
              "    return CompletableFuture.completedFuture(items.length);",
              "  }",
              "  @SafeVarargs",
              "  public final CompletionStage<Integer> lists(List<String>... items) {",
              "    return CompletableFuture.completedFuture(items.length);",
              "  }",
              "}"));
    }

    @Test
    void coreDeprecatedForRemoval_givesNoRemovalWarning() {
      compiled(
          source(
              "OldCore",
              "/**",
              " * The v1 client.",
              " *",
              " * @deprecated use the v2 client",
              " */",
              "@Deprecated(since = \"1.5\", forRemoval = true)",
              "@AsyncCore(blocking = \"OldClient\", async = \"AsyncOldClient\", rxjava3 = \"RxOld\")",
              "final class OldCore {",
              "  @BlockingFactory @AsyncFactory static OldCore c() { return new OldCore(); }",
              "  public CompletionStage<String> get(String k) {",
              "    return CompletableFuture.completedFuture(k);",
              "  }",
              "}"));
    }

    @Test
    void classLevelSuppressWarnings_isCarriedToTheFacades() {
      compiled(
          source(
              "OldApi",
              "/** Old options. @deprecated use {@code String} */",
              "@Deprecated",
              "final class OldApi {}"),
          source(
              "DepCore",
              "@SuppressWarnings({\"deprecation\", \"try\"})",
              "@BlockingCore(blocking = \"Dep\", async = \"AsyncDep\")",
              "final class DepCore implements AutoCloseable {",
              "  @BlockingFactory @AsyncFactory static DepCore c() { return new DepCore(); }",
              "  public String get(String k, OldApi options) { return k; }",
              "  @Override public void close() throws InterruptedException {}",
              "}"));
    }
  }

  @Nested
  class Streams {
    @Test
    void asyncStreamingMethod_declaresNoCheckedException_andItsPublisherSignalsIt()
        throws Throwable {
      Compilation compilation =
          compiled(
              source(
                  "ListCore",
                  "import io.ambidex.stream.*;",
                  "/** Lists. */",
                  "@AsyncCore(blocking = \"Lister\", async = \"AsyncLister\", rxjava3 = \"RxLister\")",
                  "final class ListCore {",
                  "  @BlockingFactory @AsyncFactory static ListCore c() { return new ListCore(); }",
                  "  /**",
                  "   * Lists from an iterator.",
                  "   *",
                  "   * @param prefix the prefix",
                  "   * @return the names",
                  "   * @throws java.io.IOException if the prefix is empty",
                  "   */",
                  "  public AsyncIterator<String> names(String prefix) throws java.io.IOException {",
                  "    if (prefix.isEmpty()) throw new java.io.IOException(\"empty\");",
                  "    return AsyncIterators.of(prefix);",
                  "  }",
                  "  public Flow.Publisher<String> published(String prefix)",
                  "      throws java.io.IOException {",
                  "    if (prefix.isEmpty()) throw new java.io.IOException(\"empty\");",
                  "    return new SubmissionPublisher<>();",
                  "  }",
                  "}"));
      Object async = new Loaded(compilation).create("AsyncLister");

      for (String method : List.of("names", "published")) {
        assertThat(async.getClass().getMethod(method, String.class).getExceptionTypes())
            .as(method)
            .isEmpty();
        @SuppressWarnings("unchecked")
        java.util.concurrent.Flow.Publisher<Object> publisher =
            (java.util.concurrent.Flow.Publisher<Object>) call(async, method, "");
        CompletableFuture<Throwable> signalled = new CompletableFuture<>();
        publisher.subscribe(
            new java.util.concurrent.Flow.Subscriber<>() {
              @Override
              public void onSubscribe(java.util.concurrent.Flow.Subscription subscription) {
                subscription.request(1);
              }

              @Override
              public void onNext(Object item) {
                signalled.complete(null);
              }

              @Override
              public void onError(Throwable failure) {
                signalled.complete(failure);
              }

              @Override
              public void onComplete() {
                signalled.complete(null);
              }
            });
        assertThat(signalled.get()).as(method).isInstanceOf(IOException.class).hasMessage("empty");
      }
      assertThat(generated(compilation, "AsyncLister"))
          .contains("The returned publisher signals {@code java.io.IOException} if the prefix is");
    }
  }
}

package io.ambidex.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Runs the body of every same-JVM benchmark a few times, outside JMH, with its own setup and
 * teardown, and checks what it returns: a benchmark whose path silently does nothing (an empty
 * stream, a wrong parse, an error turned into a sentinel) fails the build instead of publishing
 * a good number. The list comes from JMH's own {@code META-INF/BenchmarkList}, so a new benchmark
 * method fails {@link #everyBenchmarkHasAnExpectedResult} until its expected result is written
 * here. The blob benchmarks need an S3 server in a JVM of their own; they check their work in
 * their trial setup and teardown instead (see {@code io.ambidex.bench.blob}).
 */
class BenchmarksDoTheWorkTest {
  /** {@code Work.parse} of the benchmarks' key {@code "user:4242"}. */
  private static final long ID = 4242;

  /** The sum of 0..9,999: what the 10,000-item stream rows add up. */
  private static final long SUM_OF_INDICES = 9_999L * 10_000 / 2;

  /** The expected result of every benchmark method run in this JVM, by {@code Class.method}. */
  private static final Map<String, Long> EXPECTED =
      Map.ofEntries(
          expectAll(BridgeBenchmark.class, ID),
          expectAll(FacadeBenchmark.class, ID),
          expectAll(FlavourBenchmark.class, ID),
          expectAll(CrossThreadBenchmark.class, ID),
          expectAll(SynchronizerBenchmark.class, ID),
          expectAll(SynchronizerStreamBenchmark.class, SUM_OF_INDICES),
          expectAll(ProducerBenchmark.class, SUM_OF_INDICES),
          // AsyncIteratorBenchmark's list holds i * 31; Flux.range counts 0..9,999 itself.
          Map.entry("AsyncIteratorBenchmark.plainIterator", 31 * SUM_OF_INDICES),
          Map.entry("AsyncIteratorBenchmark.asyncIteratorThroughBlockingBridge", 31 * SUM_OF_INDICES),
          Map.entry("AsyncIteratorBenchmark.paginatedThroughBlockingBridge", 31 * SUM_OF_INDICES),
          Map.entry("AsyncIteratorBenchmark.reactorFromIterableToIterable", 31 * SUM_OF_INDICES),
          Map.entry("AsyncIteratorBenchmark.reactorRangeToIterable", SUM_OF_INDICES));

  /** The benchmarks this test does not run: they need an S3 server in a JVM of their own. */
  private static final String BLOB_PACKAGE = "io.ambidex.bench.blob.";

  /** A marker entry meaning "every method of this class", resolved by {@link #expected}. */
  private static Map.Entry<String, Long> expectAll(Class<?> type, long value) {
    return Map.entry(type.getSimpleName() + ".*", value);
  }

  private static Long expected(String simpleClassDotMethod) {
    Long exact = EXPECTED.get(simpleClassDotMethod);
    if (exact != null) {
      return exact;
    }
    return EXPECTED.get(simpleClassDotMethod.substring(0, simpleClassDotMethod.indexOf('.')) + ".*");
  }

  /** Every benchmark JMH's annotation processor registered, as {@code class#method}. */
  static List<String> registeredBenchmarks() throws IOException {
    TreeSet<String> all = new TreeSet<>();
    try (InputStream in =
        BenchmarksDoTheWorkTest.class.getResourceAsStream("/META-INF/BenchmarkList")) {
      assertThat(in).as("JMH's META-INF/BenchmarkList on the class path").isNotNull();
      BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line; (line = lines.readLine()) != null; ) {
        // "JMH S <n> <user class> S <n> <generated class> S <n> <method> ..."
        String[] tokens = line.split(" ");
        if (tokens.length > 9 && tokens[0].equals("JMH")) {
          all.add(tokens[3] + "#" + tokens[9]);
        }
      }
    }
    return new ArrayList<>(all);
  }

  static Stream<String> localBenchmarks() throws IOException {
    return registeredBenchmarks().stream().filter(b -> !b.startsWith(BLOB_PACKAGE));
  }

  @Test
  void everyBenchmarkHasAnExpectedResult() throws IOException {
    List<String> all = registeredBenchmarks();
    assertThat(all).as("benchmarks registered by JMH").hasSizeGreaterThan(40);
    assertThat(all).anyMatch(b -> b.startsWith(BLOB_PACKAGE));
    List<String> missing =
        all.stream()
            .filter(b -> !b.startsWith(BLOB_PACKAGE))
            .filter(b -> expected(simpleName(b)) == null)
            .toList();
    assertThat(missing).as("benchmarks without an expected result in this test").isEmpty();
  }

  /**
   * Three invocations on one state, as JMH makes many: a benchmark whose state works once only
   * (a one-shot producer, a closed stream) fails too.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("localBenchmarks")
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void returnsWhatTheWorkComputes(String benchmark) throws Throwable {
    String className = benchmark.substring(0, benchmark.indexOf('#'));
    String methodName = benchmark.substring(benchmark.indexOf('#') + 1);
    Class<?> type = Class.forName(className);
    Method method =
        Arrays.stream(type.getMethods())
            .filter(m -> m.getName().equals(methodName) && m.isAnnotationPresent(Benchmark.class))
            .findFirst()
            .orElseThrow();
    assertThat(method.getParameterCount())
        .as("%s takes no Blackhole or state argument this test would have to make", benchmark)
        .isZero();
    assertThat(method.getReturnType())
        .as("%s returns its result, so that JMH sinks it", benchmark)
        .isNotEqualTo(void.class);
    long want = expected(simpleName(benchmark));
    Object state = type.getDeclaredConstructor().newInstance();
    run(state, Setup.class, Level.Trial);
    try {
      for (int i = 0; i < 3; i++) {
        run(state, Setup.class, Level.Iteration);
        Object result = invoke(state, method);
        assertThat(result).as("%s, invocation %d", benchmark, i + 1).isInstanceOf(Number.class);
        assertThat(((Number) result).longValue())
            .as("%s, invocation %d", benchmark, i + 1)
            .isEqualTo(want);
        run(state, TearDown.class, Level.Iteration);
      }
    } finally {
      run(state, TearDown.class, Level.Trial);
    }
  }

  private static String simpleName(String benchmark) {
    String className = benchmark.substring(0, benchmark.indexOf('#'));
    return className.substring(className.lastIndexOf('.') + 1)
        + "."
        + benchmark.substring(benchmark.indexOf('#') + 1);
  }

  /** Runs the state's fixture methods of that kind and level (the default level is Trial). */
  private static void run(Object state, Class<?> kind, Level level) throws Throwable {
    List<Method> fixtures = new ArrayList<>();
    for (Method m : state.getClass().getMethods()) {
      Level at =
          kind == Setup.class
              ? (m.isAnnotationPresent(Setup.class) ? m.getAnnotation(Setup.class).value() : null)
              : (m.isAnnotationPresent(TearDown.class)
                  ? m.getAnnotation(TearDown.class).value()
                  : null);
      if (at == level) {
        assertThat(m.getParameterCount()).as("fixture %s takes no arguments", m).isZero();
        fixtures.add(m);
      }
    }
    fixtures.sort(Comparator.comparing(Method::getName));
    for (Method m : fixtures) {
      invoke(state, m);
    }
  }

  private static Object invoke(Object target, Method m) throws Throwable {
    try {
      return m.invoke(target);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}

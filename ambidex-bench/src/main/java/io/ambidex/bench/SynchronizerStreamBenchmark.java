package io.ambidex.bench;

import io.ambidex.stream.AsyncIterators;
import io.ambidex.synchronizer.Synchronizer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-item cost of streaming 10,000 boxed ints from an async iterator that lives on a
 * Synchronizer's loop to a blocking consumer ({@code Synchronizer.stream}: one loop round trip per
 * batch of 256). Compare with the producer's cross-thread figure in {@code docs/benchmarks.md}.
 *
 * <p>Run (after {@code mvn -B -pl ambidex-bench -am package -DskipTests}, from the repository
 * root):
 *
 * <pre>
 * /usr/lib/jvm/temurin-25-jdk-amd64/bin/java -jar ambidex-bench/target/benchmarks.jar \
 *     SynchronizerStreamBenchmark -f 1 -wi 3 -w 1s -i 5 -r 2s -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class SynchronizerStreamBenchmark {
  private static final int ITEMS = 10_000;

  private List<Integer> items;
  private Synchronizer synchronizer;

  /** Starts the loop. */
  @Setup(Level.Trial)
  public void setUp() {
    items = new ArrayList<>(ITEMS);
    for (int i = 0; i < ITEMS; i++) {
      items.add(i);
    }
    synchronizer = Synchronizer.create("bench-stream");
  }

  /** Stops the loop. */
  @TearDown(Level.Trial)
  public void tearDown() {
    synchronizer.close();
  }

  /** The limit: a plain iterator on the consumer's thread. */
  @Benchmark
  @OperationsPerInvocation(ITEMS)
  public long plainIterator() {
    long sum = 0;
    for (Integer i : items) {
      sum += i;
    }
    return sum;
  }

  /** The loop-owned async iterator consumed as a blocking stream. */
  @Benchmark
  @OperationsPerInvocation(ITEMS)
  public long synchronizerStream() {
    try (Stream<Integer> s = synchronizer.stream("items", () -> AsyncIterators.fromIterable(items))) {
      return s.mapToLong(Integer::longValue).sum();
    }
  }
}

package io.ambidex.bench;

import io.ambidex.stream.AsyncIterator;
import io.ambidex.stream.AsyncIterators;
import io.ambidex.stream.CloseableIterator;
import io.ambidex.stream.Page;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Flux;

/**
 * Per-item cost of iterating 10,000 boxed ints on the benchmark thread (a platform thread): a
 * plain {@code Iterator} (the limit), an {@code AsyncIterator} over a sync source read through the
 * blocking bridge, the same over a sync paginated source (pages of 100), and Reactor's same-thread
 * {@code toIterable()}. Results are per item ({@code @OperationsPerInvocation}).
 *
 * <p>Run (after {@code mvn -B -pl ambidex-bench -am package -DskipTests}, from the repository
 * root):
 *
 * <pre>
 * /usr/lib/jvm/temurin-25-jdk-amd64/bin/java -jar ambidex-bench/target/benchmarks.jar \
 *     AsyncIteratorBenchmark -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AsyncIteratorBenchmark {
  private static final int ITEMS = 10_000;
  private static final int PAGE = 100;

  private List<Integer> items;

  @Setup
  public void setUp() {
    items = new ArrayList<>(ITEMS);
    for (int i = 0; i < ITEMS; i++) {
      items.add(i * 31); // boxed once, here: every row reads the same Integer objects
    }
  }

  @Benchmark
  @OperationsPerInvocation(ITEMS)
  public long plainIterator() {
    long sum = 0;
    Iterator<Integer> it = items.iterator();
    while (it.hasNext()) {
      sum += it.next();
    }
    return sum;
  }

  @Benchmark
  @OperationsPerInvocation(ITEMS)
  public long asyncIteratorThroughBlockingBridge() {
    long sum = 0;
    try (CloseableIterator<Integer> it =
        AsyncIterators.blockingIterator(AsyncIterators.fromIterable(items))) {
      while (it.hasNext()) {
        sum += it.next();
      }
    }
    return sum;
  }

  @Benchmark
  @OperationsPerInvocation(ITEMS)
  public long paginatedThroughBlockingBridge() {
    AsyncIterator<Integer> pages =
        AsyncIterators.paginate(
            0,
            (Integer from) ->
                CompletableFuture.completedFuture(
                    Page.of(
                        items.subList(from, from + PAGE),
                        from + PAGE < ITEMS ? from + PAGE : null)));
    long sum = 0;
    try (CloseableIterator<Integer> it = AsyncIterators.blockingIterator(pages)) {
      while (it.hasNext()) {
        sum += it.next();
      }
    }
    return sum;
  }

  @Benchmark
  @OperationsPerInvocation(ITEMS)
  public long reactorFromIterableToIterable() {
    long sum = 0;
    for (Integer i : Flux.fromIterable(items).toIterable()) {
      sum += i;
    }
    return sum;
  }

  @Benchmark
  @OperationsPerInvocation(ITEMS)
  public long reactorRangeToIterable() {
    long sum = 0;
    for (Integer i : Flux.range(0, ITEMS).toIterable()) {
      sum += i;
    }
    return sum;
  }
}

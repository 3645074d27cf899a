package io.ambidex.bench;

import io.ambidex.BlockingWait;
import io.ambidex.bench.Work.SyncTransport;
import io.smallrye.mutiny.Uni;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import kotlinx.coroutines.BuildersKt;
import kotlinx.coroutines.ExecutorCoroutineDispatcher;
import kotlinx.coroutines.ExecutorsKt;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The cross-thread bridge: the 3-step operation ({@link Work}) runs on another platform thread (a
 * single-thread executor, the "I/O thread") and the benchmark thread waits for its result. Every
 * row pays one hop there and one wake-up back; {@link #supplyAsyncJoin} is the raw JDK hop and the
 * reference. Means are noise on a small machine: read the p50 of the sample distribution.
 *
 * <p>Run (after {@code mvn -B -pl ambidex-bench -am package -DskipTests}, from the repository
 * root):
 *
 * <pre>
 * /usr/lib/jvm/temurin-25-jdk-amd64/bin/java -jar ambidex-bench/target/benchmarks.jar \
 *     CrossThreadBenchmark -f 1 -wi 3 -w 2s -i 5 -r 4s -prof gc
 * </pre>
 *
 * <p>Allocation per call is {@code gc.alloc.rate.norm} (B/op) from {@code -prof gc}; it includes
 * what the executor thread allocates for the call.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 4)
public class CrossThreadBenchmark {
  /** The key every call uses; a field, so nothing is folded into a constant. */
  public String key;

  private SyncTransport transport;
  private ExecutorService ioThread;
  private Scheduler reactorScheduler;
  private ExecutorCoroutineDispatcher kotlinDispatcher;
  private Supplier<Integer> operation;

  /** Starts the executor thread and the peers' views of it. */
  @Setup(Level.Trial)
  public void setUp() {
    key = "user:" + 4242;
    transport = new SyncTransport();
    ioThread =
        Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("bench-io").daemon(true).factory());
    reactorScheduler = Schedulers.fromExecutor(ioThread);
    kotlinDispatcher = ExecutorsKt.from(ioThread);
    operation = this::run;
  }

  /** Stops the executor thread. */
  @TearDown(Level.Trial)
  public void tearDown() throws InterruptedException {
    reactorScheduler.dispose();
    ioThread.shutdown();
    if (!ioThread.awaitTermination(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the bench-io executor did not stop within 10 s");
    }
  }

  private Integer run() {
    return Work.parse(transport.call(Work.validate(key)));
  }

  /** Ambidex: the cross-thread bridge over the executor's future. */
  @Benchmark
  public int blockingWait() {
    return BlockingWait.get(CompletableFuture.supplyAsync(operation, ioThread), "op");
  }

  /** The reference: the raw JDK hop and {@code join()}. */
  @Benchmark
  public int supplyAsyncJoin() {
    return CompletableFuture.supplyAsync(operation, ioThread).join();
  }

  /** Reactor: {@code subscribeOn} the executor, then {@code block()}. */
  @Benchmark
  public int reactorSubscribeOnBlock() {
    Integer value = Mono.fromSupplier(operation).subscribeOn(reactorScheduler).block();
    return value == null ? -1 : value;
  }

  /** Mutiny: {@code runSubscriptionOn} the executor, then {@code await().indefinitely()}. */
  @Benchmark
  public int mutinyRunSubscriptionOnAwait() {
    return Uni.createFrom().item(operation).runSubscriptionOn(ioThread).await().indefinitely();
  }

  /** Kotlin: {@code runBlocking} with the executor as dispatcher; the caller parks meanwhile. */
  @Benchmark
  public int kotlinRunBlockingOnDispatcher() throws InterruptedException {
    Supplier<Integer> op = operation;
    Integer value = BuildersKt.runBlocking(kotlinDispatcher, (scope, continuation) -> op.get());
    return value;
  }
}

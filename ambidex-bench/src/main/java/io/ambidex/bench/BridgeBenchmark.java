package io.ambidex.bench;

import io.ambidex.control.Async;
import io.ambidex.CallerDrained;
import io.ambidex.Immediate;
import io.ambidex.control.RetryPolicy;
import io.ambidex.control.SyncRuntime;
import io.ambidex.bench.Work.Core;
import io.ambidex.bench.Work.Response;
import io.ambidex.bench.Work.SyncTransport;
import io.smallrye.mutiny.Uni;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.concurrent.TimeUnit;
import kotlin.coroutines.EmptyCoroutineContext;
import kotlinx.coroutines.BuildersKt;
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

/**
 * The same-thread bridges: one 3-step operation ({@link Work}: validate, send on a sync transport,
 * parse) made blocking in each way a library offers, everything on the benchmark thread. {@link
 * #handWritten} is the limit; every other row adds only its bridge and chaining.
 *
 * <p>Run (after {@code mvn -B -pl ambidex-bench -am package -DskipTests}, from the repository
 * root):
 *
 * <pre>
 * /usr/lib/jvm/temurin-25-jdk-amd64/bin/java -jar ambidex-bench/target/benchmarks.jar \
 *     BridgeBenchmark -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc
 * </pre>
 *
 * <p>Allocation per call is {@code gc.alloc.rate.norm} (B/op) from {@code -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class BridgeBenchmark {
  /** The sync interface a Lettuce-style proxy implements. */
  public interface BlockingApi {
    /** Runs the operation for {@code key}. */
    int op(String key);
  }

  /** The key every call uses; a field, so nothing is folded into a constant. */
  public String key;

  private SyncTransport transport;
  private Core core;
  private SyncRuntime runtime;
  private RetryPolicy retryPolicy;
  private BlockingApi proxy;

  /** Builds the transport, the core and the peers' adapters. */
  @Setup(Level.Trial)
  public void setUp() {
    key = "user:" + 4242;
    transport = new SyncTransport();
    core = new Core(transport);
    runtime = SyncRuntime.create();
    retryPolicy = RetryPolicy.builder().maxAttempts(3).build();
    Core target = core;
    // How Lettuce's sync API works: a dynamic proxy whose handler calls the async method and
    // waits for its future. (Lettuce also looks the async method up and invokes it reflectively;
    // the direct call here makes this row a lower bound for it.)
    InvocationHandler handler =
        (self, method, args) -> {
          if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
              case "hashCode" -> System.identityHashCode(self);
              case "equals" -> self == args[0];
              default -> "BlockingApi proxy";
            };
          }
          return target.op((String) args[0]).toCompletableFuture().join();
        };
    proxy =
        (BlockingApi)
            Proxy.newProxyInstance(
                BlockingApi.class.getClassLoader(), new Class<?>[] {BlockingApi.class}, handler);
  }

  /** Closes the runtime. */
  @TearDown(Level.Trial)
  public void tearDown() {
    runtime.close().toCompletableFuture().join();
  }

  /** The limit: plain blocking Java, validate then a blocking send then parse. */
  @Benchmark
  public int handWritten() {
    return Work.parse(transport.call(Work.validate(key)));
  }

  /** The core's completed stage read with the zero-hop bridge. */
  @Benchmark
  public int immediate() {
    return Immediate.get(core.op(key), "op");
  }

  /**
   * The core's operation wrapped in an {@link Async} combinator ({@code Async.retry}, 3 attempts,
   * the first succeeds), so the stage read by {@link Immediate} is a {@code CallFuture} produced
   * by the combinator's trampoline.
   */
  @Benchmark
  public int immediateAsyncCombinator() {
    return Immediate.get(Async.retry(retryPolicy, runtime, () -> core.op(key)), "op");
  }

  /** The same core through the caller-drained bridge (the core does not use the executor). */
  @Benchmark
  public int callerDrained() {
    return CallerDrained.get("op", executor -> core.op(key));
  }

  /** Reactor: a {@code Mono} chain of the three steps, send returning {@code Mono.just}. */
  @Benchmark
  public int reactorMonoBlock() {
    Integer value =
        Mono.just(key)
            .map(Work::validate)
            .flatMap(BridgeBenchmark::sendMono)
            .map(Work::parse)
            .block();
    return value == null ? -1 : value;
  }

  /** Mutiny: a {@code Uni} chain of the three steps, send returning an item {@code Uni}. */
  @Benchmark
  public int mutinyUniAwait() {
    return Uni.createFrom()
        .item(key)
        .map(Work::validate)
        .flatMap(BridgeBenchmark::sendUni)
        .map(Work::parse)
        .await()
        .indefinitely();
  }

  /** Kotlin: {@code runBlocking} over a block that calls the three steps without suspending. */
  @Benchmark
  public int kotlinRunBlocking() throws InterruptedException {
    String k = key;
    SyncTransport t = transport;
    Integer value =
        BuildersKt.runBlocking(
            EmptyCoroutineContext.INSTANCE,
            (scope, continuation) -> Work.parse(t.call(Work.validate(k))));
    return value;
  }

  /** Lettuce-style: a {@link Proxy} of a sync interface that joins the core's future. */
  @Benchmark
  public int lettuceStyleProxy() {
    return proxy.op(key);
  }

  private static Mono<Response> sendMono(String request) {
    return Mono.just(Work.exchange(request));
  }

  private static Uni<Response> sendUni(String request) {
    return Uni.createFrom().item(Work.exchange(request));
  }
}

package io.ambidex.bench;

import io.ambidex.synchronizer.Synchronizer;
import java.lang.reflect.Proxy;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
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
 * A trivial call through the {@link Synchronizer}'s loop thread and back, next to the raw JDK hop
 * to a one-thread executor and the peers' equivalents. Every row pays one hop to another thread
 * and one wake-up back. Means are noise on a small machine: read the p50.
 *
 * <p>Every row runs the same work on the other thread: the core's {@code op(key)}, whose stage is
 * complete when it returns, read there ({@link #opOnce}). The Synchronizer rows run it on the
 * loop; the raw hop and Reactor run it on the executor and read it with {@code join()}, as the
 * Lettuce-style row does. (Before choice 252 those two ran the plain blocking steps instead, with
 * a new transport per call: less work than the Synchronizer rows, so the reference was cheaper.)
 *
 * <p>Run (after {@code mvn -B -pl ambidex-bench -am package -DskipTests}, from the repository
 * root):
 *
 * <pre>
 * /usr/lib/jvm/temurin-25-jdk-amd64/bin/java -jar ambidex-bench/target/benchmarks.jar \
 *     SynchronizerBenchmark -f 1 -wi 3 -w 2s -i 5 -r 4s -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 4)
public class SynchronizerBenchmark {
  /** The async interface the library implements. */
  public interface AsyncOp {
    /** The operation. */
    CompletionStage<Integer> op(String key);
  }

  /** The blocking mirror users call. */
  public interface SyncOp {
    /** The operation. */
    int op(String key);
  }

  /** The key; a field, so nothing is folded into a constant. */
  public String key;

  private Work.Core core;
  private Synchronizer synchronizer;
  private ExecutorService ioThread;
  private Scheduler reactorScheduler;
  private SyncOp synchronizerProxy;
  private SyncOp lettuceProxy;
  private LoopBenchClient generated;

  /** Starts the loop and the executor. */
  @Setup(Level.Trial)
  public void setUp() {
    key = "user:" + 4242;
    core = new Work.Core(new Work.SyncTransport());
    synchronizer = Synchronizer.builder("bench").callbackExecutor(Runnable::run).build();
    ioThread =
        Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("bench-io").daemon(true).factory());
    reactorScheduler = Schedulers.fromExecutor(ioThread);
    AsyncOp library = core::op;
    generated = new LoopBenchClient(synchronizer);
    synchronizerProxy = synchronizer.blocking(SyncOp.class, library);
    lettuceProxy =
        (SyncOp)
            Proxy.newProxyInstance(
                SyncOp.class.getClassLoader(),
                new Class<?>[] {SyncOp.class},
                (proxy, method, args) ->
                    CompletableFuture.supplyAsync(() -> opOnce((String) args[0]), ioThread).join());
  }

  /** Stops the loop and the executor. */
  @TearDown(Level.Trial)
  public void tearDown() {
    synchronizer.close();
    reactorScheduler.dispose();
    ioThread.shutdown();
  }

  /** The raw hop: supplyAsync on a one-thread executor, then join. */
  @Benchmark
  public int rawSupplyAsyncJoin() {
    return CompletableFuture.supplyAsync(this::opOnce, ioThread).join();
  }

  /** {@code Synchronizer.call}: the blocking wrapper. */
  @Benchmark
  public int synchronizerCall() {
    return synchronizer.call("op", () -> core.op(key));
  }

  /** {@code Synchronizer.async}, completed directly (a same-thread callback executor), joined. */
  @Benchmark
  public int synchronizerAsyncJoin() {
    return synchronizer.async("op", () -> core.op(key)).join();
  }

  /** The reflective blocking wrapper of a whole object ({@code Synchronizer.blocking}). */
  @Benchmark
  public int synchronizerProxy() {
    return synchronizerProxy.op(key);
  }

  /** The typed blocking facade the processor generated for a Synchronizer core. */
  @Benchmark
  public int generatedSynchronizerFacade() {
    return generated.op(key);
  }

  /** A Lettuce-style {@code Proxy} whose handler hops to the executor and joins. */
  @Benchmark
  public int lettuceStyleProxyOverHop() {
    return lettuceProxy.op(key);
  }

  /** Reactor: {@code Mono.fromCallable(..).subscribeOn(scheduler).block()}. */
  @Benchmark
  public Integer reactorSubscribeOnBlock() {
    return Mono.fromCallable(this::opOnce).subscribeOn(reactorScheduler).block();
  }

  /** The work every row does on the other thread: the core's operation, its stage read. */
  private Integer opOnce() {
    return opOnce(key);
  }

  private Integer opOnce(String k) {
    return core.op(k).toCompletableFuture().join();
  }
}

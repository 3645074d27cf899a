package io.ambidex.bench;

import io.ambidex.kotlin.KotlinCalls;
import io.reactivex.rxjava3.core.Single;
import io.smallrye.mutiny.Uni;
import java.util.concurrent.TimeUnit;
import kotlin.coroutines.EmptyCoroutineContext;
import kotlinx.coroutines.BuildersKt;
import kotlinx.coroutines.future.FutureKt;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Mono;

/**
 * Each generated flavour facade against the same library's idiomatic hand-written wrapper over the
 * async facade, in the same run. The operation completes during the call (the async facade of
 * {@link BenchCore} over its sync transport), so what is measured is the wrapper: the call, the
 * subscription and the read of a completed future on the calling thread ({@code block()}, {@code
 * blockingGet()}, {@code await().indefinitely()}, the same on both sides).
 *
 * <p>Kotlin has no generated facade: its row is ambidex-kotlin's {@code awaitCall()} against
 * kotlinx-coroutines' {@code CompletionStage.await()}, each the one line of a hand-written Kotlin
 * facade, both run inside the same {@code runBlocking} (called from Java through the suspend
 * functions' JVM form, as {@code BridgeBenchmark} does), whose cost both include.
 *
 * <p>The hand-written wrappers are the one-liners the issue names. Only the Reactor and Mutiny
 * ones are written lazily here (a supplier), so that both sides make a call per subscription;
 * {@code Single.fromCompletionStage} has no lazy form and is measured as users write it. Which of
 * them cancel is pinned by {@code IdiomaticWrappersTest} in ambidex-flavours-it.
 *
 * <p>Run (after {@code mvn -B -pl ambidex-bench -am package -DskipTests}, from the repository
 * root):
 *
 * <pre>
 * /usr/lib/jvm/temurin-25-jdk-amd64/bin/java -jar ambidex-bench/target/benchmarks.jar \
 *     FlavourBenchmark -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class FlavourBenchmark {
  /** The key; a field, so nothing is folded into a constant. */
  public String key;

  private AsyncBenchClient async;
  private ReactorBenchClient reactor;
  private Rx3BenchClient rxjava;
  private MutinyBenchClient mutiny;

  /** Builds the async facade and the three generated flavour facades. */
  @Setup
  public void setUp() {
    key = "user:" + 4242;
    async = new AsyncBenchClient();
    reactor = new ReactorBenchClient();
    rxjava = new Rx3BenchClient();
    mutiny = new MutinyBenchClient();
  }

  /** Reactor, generated: {@code ReactorBenchClient.op(key)}. */
  @Benchmark
  public Integer reactorGenerated() {
    return reactor.op(key).block();
  }

  /** Reactor, by hand: {@code Mono.fromFuture(() -> async.op(key))} (lazy, cancels). */
  @Benchmark
  public Integer reactorHandWritten() {
    return Mono.fromFuture(() -> async.op(key)).block();
  }

  /**
   * Reactor, by hand, as a hand-written facade method is: the one-liner in a method whose lambda
   * captures the facade and the argument, as the generated method's does.
   */
  @Benchmark
  public Integer reactorHandWrittenMethod() {
    return HandWritten.mono(async, key).block();
  }

  /** RxJava 3, generated: {@code Rx3BenchClient.op(key)}. */
  @Benchmark
  public Integer rxjavaGenerated() {
    return rxjava.op(key).blockingGet();
  }

  /** RxJava 3, by hand: {@code Single.fromCompletionStage(async.op(key))} (eager, no cancel). */
  @Benchmark
  public Integer rxjavaHandWritten() {
    return Single.fromCompletionStage(async.op(key)).blockingGet();
  }

  /**
   * RxJava 3, by hand and correct: lazy, a new call per subscription, and disposal cancels the
   * future ({@code Single.create} with a cancellable), which {@code Single.fromCompletionStage}
   * does not do.
   */
  @Benchmark
  public Integer rxjavaHandWrittenCancelling() {
    return HandWritten.single(async, key).blockingGet();
  }

  /** Mutiny, generated: {@code MutinyBenchClient.op(key)}. */
  @Benchmark
  public Integer mutinyGenerated() {
    return mutiny.op(key).await().indefinitely();
  }

  /** Mutiny, by hand: {@code Uni.createFrom().completionStage(() -> async.op(key))}. */
  @Benchmark
  public Integer mutinyHandWritten() {
    return Uni.createFrom().completionStage(() -> async.op(key)).await().indefinitely();
  }

  /** Kotlin, ambidex-kotlin: {@code runBlocking { async.op(key).awaitCall() }}. */
  @Benchmark
  public Integer kotlinAwaitCall() throws InterruptedException {
    AsyncBenchClient client = async;
    String k = key;
    return BuildersKt.runBlocking(
        EmptyCoroutineContext.INSTANCE,
        (scope, continuation) -> KotlinCalls.awaitCall(client.op(k), continuation));
  }

  /** Kotlin, by hand: {@code runBlocking { async.op(key).await() }} (kotlinx-coroutines). */
  @Benchmark
  public Integer kotlinHandWritten() throws InterruptedException {
    AsyncBenchClient client = async;
    String k = key;
    return BuildersKt.runBlocking(
        EmptyCoroutineContext.INSTANCE,
        (scope, continuation) -> FutureKt.await(client.op(k), continuation));
  }

  /** Mutiny, by hand, as a hand-written facade method is (see {@link #reactorHandWrittenMethod}). */
  @Benchmark
  public Integer mutinyHandWrittenMethod() {
    return HandWritten.uni(async, key).await().indefinitely();
  }

  /** What a hand-written flavour facade's methods would be, over the async facade. */
  static final class HandWritten {
    private HandWritten() {}

    static Mono<Integer> mono(AsyncBenchClient async, String key) {
      return Mono.fromFuture(() -> async.op(key));
    }

    static Single<Integer> single(AsyncBenchClient async, String key) {
      return Single.create(
          emitter -> {
            java.util.concurrent.CompletableFuture<Integer> f = async.op(key);
            emitter.setCancellable(() -> f.cancel(true));
            f.whenComplete(
                (value, failure) -> {
                  if (failure == null) {
                    emitter.onSuccess(value);
                  } else {
                    emitter.tryOnError(
                        failure instanceof java.util.concurrent.CompletionException
                                && failure.getCause() != null
                            ? failure.getCause()
                            : failure);
                  }
                });
          });
    }

    static Uni<Integer> uni(AsyncBenchClient async, String key) {
      return Uni.createFrom().completionStage(() -> async.op(key));
    }
  }
}

package io.ambidex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.ambidex.control.Async;
import io.ambidex.control.AsyncRuntime;
import io.ambidex.control.RetryPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link CallFuture#settled()} through the real combinators, under races: chains of {@link
 * Async#using} inside {@code then}, {@code retry}, {@code parallel} and {@code withTimeout}, whose resources open, whose
 * bodies end and whose closes finish on pool threads after random pauses, cancelled at a random
 * moment from another thread (or not at all). Checked for every chain: {@code settled()}
 * completes (no operation forgets to report its end), and by then every resource that was handed
 * out has finished closing (none settles early). Seeded and bounded by a fixed count; no timing is
 * asserted.
 */
@Timeout(180)
class SettledStressTest {
  private static final int CHAINS = 10_000;

  private final ExecutorService pool = Executors.newFixedThreadPool(3);
  private final AsyncRuntime runtime = AsyncRuntime.create();

  @AfterEach
  void close() throws InterruptedException {
    runtime.close();
    pool.shutdownNow();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  enum Shape {
    THEN_USING,
    RETRY_USING,
    PARALLEL_USING,
    TIMEOUT_USING
  }

  /** One resource: whether it was handed out (its opening succeeded), and whether it closed. */
  private record Entry(CompletableFuture<AsyncCloseable> opening, AtomicBoolean closed) {}

  /** What one chain opened, and its random choices. */
  private final class Ledger {
    final Queue<Entry> entries = new ConcurrentLinkedQueue<>();
    final SplittableRandom random;

    Ledger(SplittableRandom random) {
      this.random = random;
    }

    /* Runs `action` on a pool thread after a pause of 0-50 µs, or at once on this thread. */
    void later(SplittableRandom r, Runnable action) {
      int pause = r.nextInt(4);
      if (pause == 0) {
        action.run();
        return;
      }
      long nanos = r.nextLong(50_000);
      pool.execute(
          () -> {
            LockSupport.parkNanos(nanos);
            action.run();
          });
    }

    /* A resource whose opening and close complete later. */
    CompletionStage<AsyncCloseable> open(SplittableRandom r) {
      Entry entry = new Entry(new CompletableFuture<>(), new AtomicBoolean());
      entries.add(entry);
      SplittableRandom closeRandom = r.split();
      AsyncCloseable resource =
          () -> {
            CompletableFuture<Void> closing = new CompletableFuture<>();
            later(
                closeRandom,
                () -> {
                  entry.closed().set(true);
                  closing.complete(null);
                });
            return closing;
          };
      later(r, () -> entry.opening().complete(resource));
      return entry.opening();
    }

    /*
     * Once the chain has settled, every opening has completed (a using() ends only after its
     * opening has, cancelled or not), and every resource handed out has finished closing.
     */
    void checkSettled(String chain) {
      int i = 0;
      for (Entry e : entries) {
        assertThat(e.opening()).as("%s: resource %d opening done once settled", chain, i).isDone();
        if (!e.opening().isCompletedExceptionally()) {
          assertThat(e.closed()).as("%s: resource %d closed once settled", chain, i).isTrue();
        }
        i++;
      }
    }

    /* A body that ends later, with a value or (if `mayFail`) an I/O failure. */
    CompletionStage<String> body(SplittableRandom r, boolean mayFail) {
      CompletableFuture<String> done = new CompletableFuture<>();
      boolean failIt = mayFail && r.nextInt(3) == 0;
      later(
          r,
          () -> {
            if (failIt) {
              done.completeExceptionally(new UncheckedIOException(new IOException("reset")));
            } else {
              done.complete("v");
            }
          });
      return done;
    }

    CallFuture<String> usingOne(SplittableRandom r, boolean mayFail) {
      SplittableRandom bodyRandom = r.split();
      return Async.using(open(r), resource -> body(bodyRandom, mayFail));
    }
  }

  private CallFuture<?> start(Shape shape, Ledger ledger) {
    SplittableRandom r = ledger.random;
    return switch (shape) {
      case THEN_USING -> {
        CompletableFuture<String> first = new CompletableFuture<>();
        SplittableRandom inner = r.split();
        CallFuture<String> chain = Async.then(first, v -> ledger.usingOne(inner, false));
        ledger.later(r, () -> first.complete("go"));
        yield chain;
      }
      case RETRY_USING -> {
        SplittableRandom inner = r.split();
        yield Async.retry(
            RetryPolicy.builder().maxAttempts(3).initialDelay(Duration.ofNanos(1_000)).build(),
            runtime,
            () -> ledger.usingOne(inner.split(), true));
      }
      case TIMEOUT_USING -> {
        SplittableRandom inner = r.split();
        Duration limit = Duration.ofNanos(1_000 + r.nextLong(60_000));
        CompletionStage<String> timed =
            runtime.withTimeout(limit, "timed", () -> ledger.usingOne(inner, false));
        yield (CallFuture<?>) timed; // a using() is a CallFuture, and so is what withTimeout wraps
      }
      case PARALLEL_USING -> {
        SplittableRandom inner = r.split();
        Function<Integer, CompletionStage<String>> task = i -> ledger.usingOne(inner.split(), true);
        yield Async.parallel(List.of(0, 1, 2, 3), 2, task);
      }
    };
  }

  @ParameterizedTest
  @EnumSource(Shape.class)
  void cancelledAtRandom_settlesOnlyOnceEveryOpenedResourceIsClosed(Shape shape)
      throws Exception {
    long seed = 0x5e771ed + shape.ordinal();
    SplittableRandom seeds = new SplittableRandom(seed);
    for (int i = 0; i < CHAINS; i++) {
      Ledger ledger = new Ledger(seeds.split());
      CallFuture<?> chain = start(shape, ledger);
      int when = ledger.random.nextInt(4); // 0: never; 1: at once; 2, 3: from a pool thread
      if (when == 1) {
        chain.cancel(true);
      } else if (when > 1) {
        ledger.later(ledger.random, () -> chain.cancel(true));
      }
      try {
        chain.settled().get(20, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        fail("chain %d of %s (seed %d) never settled: %s", i, shape, seed, chain);
      }
      ledger.checkSettled("chain " + i + " of " + shape + " (seed " + seed + ", cancel " + when
          + ")");
    }
  }
}

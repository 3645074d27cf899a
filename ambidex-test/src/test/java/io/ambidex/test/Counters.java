package io.ambidex.test;

import io.ambidex.control.AsyncCallback;
import io.ambidex.AsyncCloseable;
import io.ambidex.CallFuture;
import io.ambidex.facade.FacadeSupport;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Hand-written facade pairs for the kit's own tests: a parallel pair over a shared counter
 * fixture, and drifted variants for ApiParity.
 */
final class Counters {
  private Counters() {}

  /** The fixture: shared state a test can inspect, and whether it was closed. */
  static final class Store implements AutoCloseable {
    final AtomicInteger value = new AtomicInteger();
    final AtomicBoolean closed = new AtomicBoolean();
    final Executor executor;

    Store(Executor executor) {
      this.executor = executor;
    }

    @Override
    public void close() {
      closed.set(true);
    }
  }

  static final class Counter implements AutoCloseable {
    final Store store;
    boolean closed;

    Counter(Store store) {
      this.store = store;
    }

    public int add(int delta) throws IOException {
      if (delta < 0) {
        throw new IllegalArgumentException("delta must not be negative");
      }
      if (delta == 13) {
        throw new IOException("unlucky");
      }
      return store.value.addAndGet(delta);
    }

    public void reset() {
      store.value.set(0);
    }

    public Stream<Integer> upTo(int limit) {
      return Stream.iterate(1, i -> i <= limit, i -> i + 1);
    }

    public int watch(Consumer<Integer> listener) {
      listener.accept(store.value.get());
      return 1;
    }

    public String name() {
      return "counter";
    }

    public Counter child() {
      return new Counter(store);
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  static final class AsyncCounter implements AsyncCloseable {
    final Store store;
    boolean closed;

    AsyncCounter(Store store) {
      this.store = store;
    }

    public CallFuture<Integer> add(int delta) {
      if (delta < 0) {
        throw new IllegalArgumentException("delta must not be negative");
      }
      CompletableFuture<Integer> result = new CompletableFuture<>();
      store.executor.execute(
          () -> {
            if (delta == 13) {
              result.completeExceptionally(new IOException("unlucky"));
            } else {
              result.complete(store.value.addAndGet(delta));
            }
          });
      return CallFuture.of("Counter.add", result);
    }

    public CallFuture<Void> reset() {
      return CallFuture.of(
          "Counter.reset", CompletableFuture.runAsync(() -> store.value.set(0), store.executor));
    }

    public Flow.Publisher<Integer> upTo(int limit) {
      return FacadeSupport.publisher(
          "Counter.upTo",
          new io.ambidex.stream.AsyncIterator<Integer>() {
            int next = 1;

            @Override
            public CompletionStage<Boolean> hasNext() {
              return CompletableFuture.supplyAsync(() -> next <= limit, store.executor);
            }

            @Override
            public Integer next() {
              return next++;
            }

            @Override
            public CompletionStage<Void> close() {
              return CompletableFuture.completedFuture(null);
            }
          });
    }

    public CallFuture<Integer> watch(AsyncCallback<Integer> listener) {
      listener.call(store.value.get());
      return CallFuture.of("Counter.watch", CompletableFuture.completedFuture(1));
    }

    public String name() {
      return "counter";
    }

    public AsyncCounter child() {
      return new AsyncCounter(store);
    }

    @Override
    public CallFuture<Void> close() {
      closed = true;
      return CallFuture.of("Counter.close", CompletableFuture.completedFuture(null));
    }
  }

  // ---- drifted async counterparts, for ApiParity ----

  /** Drifts: add returns a future of String; reset is missing; an extra method; not closeable. */
  static final class DriftedCounter {
    public CallFuture<String> add(int delta) {
      return CallFuture.of("x", CompletableFuture.completedFuture(String.valueOf(delta)));
    }

    public Flow.Publisher<Integer> upTo(int limit) {
      return subscriber -> {};
    }

    public CallFuture<Integer> watch(AsyncCallback<Integer> listener) {
      return CallFuture.of("x", CompletableFuture.completedFuture(1));
    }

    public String name() {
      return "x";
    }

    public DriftedCounter child() {
      return this;
    }

    public CallFuture<Void> resetAll() {
      return CallFuture.of("x", CompletableFuture.completedFuture(null));
    }
  }

  /** A blocking type whose callback parameter drifted from its async type's. */
  static final class Loader {
    public String load(String key, Function<String, String> fallback) {
      return fallback.apply(key);
    }

    public List<String> loadAll(Function<String, String> fallback) {
      return List.of();
    }
  }

  static final class AsyncLoader {
    public CompletableFuture<String> load(
        String key, Function<String, CompletionStage<String>> fallback) {
      return fallback.apply(key).toCompletableFuture();
    }

    public CompletableFuture<List<String>> loadAll(Function<String, Integer> fallback) {
      return CompletableFuture.completedFuture(List.of());
    }
  }

  /** A blocking type whose callbacks take wildcards, as the processor writes them. */
  static final class WildLoader {
    public String load(Function<String, ? extends String> fallback) {
      return fallback.apply("key");
    }

    public String loadExact(Function<String, String> fallback) {
      return fallback.apply("key");
    }
  }

  /** WildLoader's async type: the stage and its value are wildcards too. */
  static final class AsyncWildLoader {
    public CompletableFuture<String> load(
        Function<String, ? extends CompletionStage<? extends String>> fallback) {
      return fallback.apply("key").<String>thenApply(value -> value).toCompletableFuture();
    }

    public CompletableFuture<String> loadExact(
        Function<String, CompletionStage<? extends String>> fallback) {
      return fallback.apply("key").<String>thenApply(value -> value).toCompletableFuture();
    }
  }
}

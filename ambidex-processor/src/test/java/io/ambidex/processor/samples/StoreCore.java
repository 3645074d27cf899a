package io.ambidex.processor.samples;

import io.ambidex.control.AsyncCallback;
import io.ambidex.AsyncCloseable;
import io.ambidex.stream.AsyncIterator;
import io.ambidex.annotations.AsyncCore;
import io.ambidex.annotations.AsyncFactory;
import io.ambidex.annotations.BlockingFactory;
import io.ambidex.annotations.ExcludeFromFacades;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A key-value store client, written once against {@link CompletionStage}. It covers every row of
 * the processor's mapping.
 */
@AsyncCore(
    blocking = "StoreClient",
    async = "AsyncStoreClient",
    reactor = "ReactorStoreClient",
    rxjava3 = "Rx3StoreClient",
    mutiny = "MutinyStoreClient")
final class StoreCore implements AsyncCloseable {
  private final Backend backend;
  private final String prefix;

  private StoreCore(Backend backend, String prefix) {
    this.backend = backend;
    this.prefix = prefix;
  }

  /**
   * Connects to a backend whose calls complete synchronously.
   *
   * @param backend the backend
   * @return a core for the blocking facade
   */
  @BlockingFactory
  static StoreCore blocking(Backend backend) {
    return new StoreCore(Objects.requireNonNull(backend, "backend"), "");
  }

  /**
   * Creates a store over a new in-memory backend holding {@code contents}.
   *
   * @param contents the initial entries
   * @return a core for the blocking facade
   */
  @BlockingFactory(method = "inMemory")
  static StoreCore inMemory(Map<String, String> contents) {
    Backend backend = Backend.sync();
    contents.forEach(backend::seed);
    return new StoreCore(backend, "");
  }

  /**
   * Connects to a backend whose calls complete on {@code executor}.
   *
   * @param backend the backend
   * @param executor unused, here to show that each facade has its own parameters
   * @return a core for the async facade
   */
  @AsyncFactory
  static StoreCore async(Backend backend, Executor executor) {
    Objects.requireNonNull(executor, "executor");
    return new StoreCore(Objects.requireNonNull(backend, "backend"), "");
  }

  /**
   * Returns the value of a key.
   *
   * @param key the key, not empty
   * @return a stage that completes with the key's value
   * @throws StoreException if the key does not exist
   * @throws IllegalArgumentException if the key is empty
   */
  public CompletionStage<String> get(String key) throws StoreException {
    return backend.fetch(prefix + validate(key));
  }

  /**
   * Returns the value of a key, or a default.
   *
   * @param key the key
   * @param defaultValue returned when the key does not exist
   * @return the key's value, or {@code defaultValue}
   */
  public CompletionStage<String> get(String key, String defaultValue) {
    return backend
        .fetchOrNull(prefix + validate(key))
        .thenApply(value -> value == null ? defaultValue : value);
  }

  /**
   * Returns the value of a key, or null.
   *
   * @param key the key
   * @return a stage of the value, or of null when the key does not exist
   */
  public CompletionStage<@Nullable String> find(String key) {
    return backend.fetchOrNull(prefix + validate(key));
  }

  /**
   * Stores a value.
   *
   * @param key the key
   * @param value the value
   * @return a stage that completes when the value is stored
   */
  public CompletionStage<Void> put(String key, String value) {
    Objects.requireNonNull(value, "value");
    return backend.store(prefix + validate(key), value);
  }

  /**
   * Reads a key from a backend that may be slow.
   *
   * @param key the key
   * @return a stage that completes with the value
   * @throws StoreException if the key does not exist
   * @throws TimeoutException if the backend is too slow
   */
  public CompletionStage<String> read(String key) throws StoreException, TimeoutException {
    return backend.fetch(prefix + validate(key));
  }

  /**
   * Returns whether a key exists.
   *
   * @param key the key
   * @return a future that completes with true if it exists
   */
  public CompletableFuture<Boolean> contains(String key) {
    return backend
        .fetchOrNull(prefix + validate(key))
        .thenApply(Objects::nonNull)
        .toCompletableFuture();
  }

  /**
   * Returns the values of several keys, in order.
   *
   * @param keys the keys
   * @return the values
   */
  public CompletionStage<List<String>> getAll(String... keys) {
    List<CompletableFuture<String>> values = new ArrayList<>();
    for (String key : keys) {
      values.add(backend.fetchOrNull(prefix + validate(key)).toCompletableFuture());
    }
    return CompletableFuture.allOf(values.toArray(CompletableFuture[]::new))
        .thenApply(ignored -> values.stream().map(CompletableFuture::join).toList());
  }

  /**
   * Decodes the values of the given keys and returns the greatest.
   *
   * @param <T> the decoded type
   * @param decoder turns a value into a T
   * @param keys the keys
   * @return the greatest decoded value, if any key exists
   */
  public <T extends Comparable<? super T>> CompletionStage<Optional<T>> maxOf(
      Function<? super String, ? extends T> decoder, String... keys) {
    return getAll(keys)
        .thenApply(
            values ->
                values.stream()
                    .filter(Objects::nonNull)
                    .<T>map(decoder::apply)
                    .max(Comparable::compareTo));
  }

  /**
   * Stores every entry, reporting progress after each.
   *
   * @param entries the entries, stored in iteration order
   * @param progress called after each entry is stored
   * @return how many entries were stored
   */
  public CompletionStage<Integer> putAll(
      Map<String, String> entries, AsyncCallback<Progress> progress) {
    Objects.requireNonNull(progress, "progress");
    CompletionStage<Integer> done = CompletableFuture.completedFuture(0);
    int total = entries.size();
    for (Map.Entry<String, String> entry : entries.entrySet()) {
      done =
          done.thenCompose(
              count ->
                  put(entry.getKey(), entry.getValue())
                      .thenCompose(
                          ignored -> {
                            CompletionStage<?> handled = progress.call(new Progress(count + 1, total));
                            return handled == null
                                ? CompletableFuture.completedFuture(count + 1)
                                : handled.thenApply(x -> count + 1);
                          }));
    }
    return done;
  }

  /**
   * Returns the value of a key, loading and storing it when absent.
   *
   * @param key the key
   * @param loader computes the value of a missing key
   * @return the value
   */
  public CompletionStage<String> getOrLoad(
      String key, Function<String, CompletionStage<String>> loader) {
    Objects.requireNonNull(loader, "loader");
    return find(key)
        .thenCompose(
            found ->
                found != null
                    ? CompletableFuture.completedFuture(found)
                    : loader.apply(key).thenCompose(loaded -> put(key, loaded).thenApply(x -> loaded)));
  }

  /**
   * Lists the keys that start with a prefix.
   *
   * @param prefix the prefix
   * @return the keys, in order
   */
  public AsyncIterator<String> keys(String prefix) {
    return backend.keys(this.prefix + prefix);
  }

  /**
   * Watches a key.
   *
   * @param key the key
   * @return its values over time
   */
  public Flow.Publisher<String> watch(String key) {
    return backend.watch(prefix + validate(key));
  }

  /**
   * Returns a view of this store whose keys all start with {@code prefix}.
   *
   * @param prefix prepended to every key
   * @return the view, sharing this store's backend
   */
  public StoreCore withPrefix(String prefix) {
    return new StoreCore(backend, this.prefix + prefix);
  }

  /**
   * Copies a key from another store into this one.
   *
   * @param source the other store
   * @param key the key
   * @return a stage that completes when the value is copied
   */
  public CompletionStage<Void> copyFrom(StoreCore source, String key) {
    Objects.requireNonNull(source, "source");
    return source.find(key).thenCompose(value -> put(key, String.valueOf(value)));
  }

  /** Returns the prefix of this view's keys, "" for the whole store. */
  public String prefix() {
    return prefix;
  }

  /**
   * Returns the value of a key.
   *
   * @param key the key
   * @return the value
   * @throws StoreException if the key does not exist
   * @deprecated use {@link #get(String)}
   */
  @Deprecated
  public CompletionStage<String> fetch(String key) throws StoreException {
    return get(key);
  }

  /** Not part of the public API: for tests of the core itself. */
  @ExcludeFromFacades
  public Backend backend() {
    return backend;
  }

  @Override
  public CompletionStage<Void> close() {
    return backend.close();
  }

  private static String validate(String key) {
    Objects.requireNonNull(key, "key");
    if (key.isEmpty()) {
      throw new IllegalArgumentException("key must not be empty");
    }
    return key;
  }
}

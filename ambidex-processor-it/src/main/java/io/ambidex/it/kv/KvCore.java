package io.ambidex.it.kv;

import io.ambidex.control.AsyncCallback;
import io.ambidex.AsyncCloseable;
import io.ambidex.stream.AsyncIterator;
import io.ambidex.control.AsyncRuntime;
import io.ambidex.control.CoreRuntime;
import io.ambidex.control.SyncRuntime;
import io.ambidex.annotations.AsyncCore;
import io.ambidex.annotations.AsyncFactory;
import io.ambidex.annotations.BlockingFactory;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A key-value client, written once: validation, bulk writes with progress, key listing. The
 * blocking facade {@code KvClient} runs it over a sync transport and a {@link SyncRuntime}; the
 * async facade {@code AsyncKvClient} over any transport and an {@link AsyncRuntime}.
 */
@AsyncCore(blocking = "KvClient", async = "AsyncKvClient")
final class KvCore implements AsyncCloseable {
  /** A progress event of {@link #putAll}. */
  private final KvTransport transport;
  private final CoreRuntime runtime;

  private KvCore(KvTransport transport, CoreRuntime runtime) {
    this.transport = Objects.requireNonNull(transport, "transport");
    this.runtime = runtime;
  }

  /**
   * Connects over a transport that completes each request during the call.
   *
   * @param transport a sync transport, such as {@link MemoryServer#syncTransport()}
   */
  @BlockingFactory
  static KvCore blocking(KvTransport transport) {
    return new KvCore(transport, SyncRuntime.create());
  }

  /**
   * Connects over any transport.
   *
   * @param transport the transport
   */
  @AsyncFactory
  static KvCore async(KvTransport transport) {
    return new KvCore(transport, AsyncRuntime.create());
  }

  /**
   * Returns the value of a key.
   *
   * @param key the key, without spaces
   * @return a stage that completes with the value
   * @throws KvException if the key does not exist
   */
  public CompletionStage<String> get(String key) throws KvException {
    return transport.send("GET " + validate(key));
  }

  /**
   * Stores a value.
   *
   * @param key the key, without spaces
   * @param value the value
   * @return a stage that completes when the value is stored
   */
  public CompletionStage<Void> put(String key, String value) {
    Objects.requireNonNull(value, "value");
    return transport.send("PUT " + validate(key) + " " + value).thenApply(ok -> null);
  }

  /**
   * Deletes a key.
   *
   * @param key the key
   * @return a stage that completes with whether the key existed
   */
  public CompletionStage<Boolean> delete(String key) {
    return transport.send("DEL " + validate(key)).thenApply("1"::equals);
  }

  /**
   * Stores several values, two at a time, reporting each one stored.
   *
   * @param keys the keys; each is stored with itself as the value
   * @param stored called with each key once it is stored
   * @return a stage that completes with the number of keys stored
   */
  public CompletionStage<Integer> putAll(List<String> keys, AsyncCallback<String> stored) {
    keys.forEach(KvCore::validate);
    return runtime
        .mapConcurrently(
            keys,
            2,
            key -> put(key, key).thenCompose(ignored -> runtime.emit(stored, key)))
        .thenApply(List::size);
  }

  /**
   * Lists the keys, in order.
   *
   * @return the keys
   */
  public AsyncIterator<String> keys() {
    CompletionStage<List<String>> all =
        transport
            .send("KEYS")
            .thenApply(line -> line.isEmpty() ? List.of() : Arrays.asList(line.split(",")));
    return new AsyncIterator<>() {
      private List<String> keys;
      private int next;
      private boolean available;

      @Override
      public CompletionStage<Boolean> hasNext() {
        return all.thenApply(
            loaded -> {
              keys = loaded;
              available = next < keys.size();
              return available;
            });
      }

      @Override
      public String next() {
        if (!available) {
          throw new NoSuchElementException();
        }
        available = false;
        return keys.get(next++);
      }

      @Override
      public CompletionStage<Void> close() {
        return CompletableFuture.completedFuture(null);
      }
    };
  }

  @Override
  public CompletionStage<Void> close() {
    return runtime.close().thenApply(ignored -> null);
  }

  private static String validate(String key) {
    Objects.requireNonNull(key, "key");
    if (key.isEmpty() || key.contains(" ")) {
      throw new IllegalArgumentException(
          "key must be non-empty and contain no spaces, but was '" + key + "'");
    }
    return key;
  }
}

package io.ambidex.it.docs;

import io.ambidex.control.Async;
import io.ambidex.control.AsyncCallback;
import io.ambidex.stream.AsyncIterator;
import io.ambidex.annotations.AsyncCore;
import io.ambidex.annotations.AsyncFactory;
import io.ambidex.annotations.BlockingFactory;
import io.ambidex.annotations.ExcludeFromFacades;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;

/** The fixed forms of the signatures that docs/processor.md's diagnostics reject. */
@AsyncCore(blocking = "Fixed", async = "AsyncFixed")
final class FixedCore {
  private final BlobTransport transport;

  private FixedCore(BlobTransport transport) {
    this.transport = transport;
  }

  @BlockingFactory
  static FixedCore local(BlobTransport transport) {
    return new FixedCore(transport);
  }

  @BlockingFactory(method = "remote")
  static FixedCore remote(BlobTransport transport) {
    return new FixedCore(transport);
  }

  @AsyncFactory
  static FixedCore async(BlobTransport transport) {
    return new FixedCore(transport);
  }

  public <T> CompletionStage<T> decode(String key, Function<byte[], T> decoder) {
    return Async.then(
        transport.get(key), bytes -> CompletableFuture.completedFuture(decoder.apply(bytes)));
  }

  public CompletionStage<Void> touch(String key) {
    return transport.put(key, new byte[0]);
  }

  public CompletionStage<? extends List<String>> keys(String prefix) {
    return transport.list(prefix);
  }

  public CompletableFuture<byte[]> fetch(String key) {
    return transport.get(key).toCompletableFuture();
  }

  public AsyncIterator<String> names() {
    return AsyncIterators.of(List.of("a", "b"));
  }

  public CompletionStage<byte[]> load(String key, Function<String, CompletionStage<byte[]>> loader) {
    return transport.get(key).exceptionallyCompose(failure -> loader.apply(key));
  }

  public CompletionStage<Void> watch(AsyncCallback<String> listener) {
    return listener == null ? CompletableFuture.completedFuture(null) : touch("watched");
  }

  @ExcludeFromFacades
  public CompletionStage<Void> watchSync(Consumer<String> listener) {
    return watch(AsyncCallback.of(listener));
  }
}

package io.ambidex.it.docs;

import io.ambidex.control.AsyncCallback;
import io.ambidex.AsyncCloseable;
import io.ambidex.stream.AsyncIterator;
import io.ambidex.control.AsyncRuntime;
import io.ambidex.control.CoreRuntime;
import io.ambidex.control.SyncRuntime;
import io.ambidex.annotations.AsyncCore;
import io.ambidex.annotations.AsyncFactory;
import io.ambidex.annotations.BlockingFactory;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A blob store client, written once. */
@AsyncCore(blocking = "BlobClient", async = "AsyncBlobClient")
final class BlobCore implements AsyncCloseable {
  private final BlobTransport transport;
  private final CoreRuntime runtime;

  private BlobCore(BlobTransport transport, CoreRuntime runtime) {
    this.transport = transport;
    this.runtime = runtime;
  }

  /**
   * Connects over a transport whose calls complete during the call.
   *
   * @param transport a sync transport
   */
  @BlockingFactory
  static BlobCore blocking(BlobTransport transport) {
    return new BlobCore(transport, SyncRuntime.create());
  }

  /**
   * Connects over any transport.
   *
   * @param transport the transport
   */
  @AsyncFactory
  static BlobCore async(BlobTransport transport) {
    return new BlobCore(transport, AsyncRuntime.create());
  }

  /**
   * Returns a blob's bytes.
   *
   * @param key the blob's key
   * @return a stage that completes with the blob's bytes
   * @throws BlobNotFoundException if there is no such blob
   */
  public CompletionStage<byte[]> get(String key) throws BlobNotFoundException {
    return transport.get(key);
  }

  /**
   * Stores a blob.
   *
   * @param key the blob's key
   * @param data the bytes
   * @param progress called with the number of bytes sent
   * @return a stage that completes when the blob is stored
   */
  public CompletionStage<Void> put(String key, byte[] data, AsyncCallback<Long> progress) {
    return transport
        .put(key, data)
        .thenCompose(ignored -> runtime.emit(progress, (long) data.length))
        .thenApply(ignored -> null);
  }

  /**
   * Lists the keys that start with a prefix.
   *
   * @param prefix the prefix
   * @return the keys, in order
   */
  public AsyncIterator<String> list(String prefix) {
    return new KeyIterator(transport.list(prefix));
  }

  @Override
  public CompletionStage<Void> close() {
    return runtime.close().thenApply(ignored -> null);
  }

  private static final class KeyIterator implements AsyncIterator<String> {
    private final CompletionStage<List<String>> keys;
    private List<String> loaded = List.of();
    private int next;

    KeyIterator(CompletionStage<List<String>> keys) {
      this.keys = keys;
    }

    @Override
    public CompletionStage<Boolean> hasNext() {
      return keys.thenApply(
          all -> {
            loaded = all;
            return next < all.size();
          });
    }

    @Override
    public String next() {
      if (next >= loaded.size()) {
        throw new NoSuchElementException();
      }
      return loaded.get(next++);
    }

    @Override
    public CompletionStage<Void> close() {
      return CompletableFuture.completedFuture(null);
    }
  }
}

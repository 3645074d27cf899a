package io.ambidex.blob;

import io.ambidex.test.Parity;
import org.jspecify.annotations.Nullable;

/**
 * A client of one parity run's side (blocking or async) built from a configuration of the test's
 * own, for tests that need a second configuration beside the extension's: it calls operations as
 * {@link Parity#call} does, so one assertion still checks both facades. Close it.
 */
final class SideClient implements AutoCloseable {
  private final Parity<BlobClient, AsyncBlobClient> parity;
  private final @Nullable BlobClient blocking;
  private final @Nullable AsyncBlobClient async;

  private SideClient(Parity<BlobClient, AsyncBlobClient> parity, BlobConfig config) {
    this.parity = parity;
    this.blocking = parity.isBlocking() ? new BlobClient(config) : null;
    this.async = parity.isBlocking() ? null : new AsyncBlobClient(config);
  }

  static SideClient open(Parity<BlobClient, AsyncBlobClient> parity, BlobConfig config) {
    return new SideClient(parity, config);
  }

  <T> T call(
      Parity.BlockingCall<? super BlobClient, ? extends T> onBlocking,
      Parity.AsyncCall<? super AsyncBlobClient, ? extends T> onAsync)
      throws Exception {
    if (blocking != null) {
      return onBlocking.call(blocking);
    }
    return parity.await(onAsync.call(java.util.Objects.requireNonNull(async)));
  }

  void run(
      Parity.BlockingRun<? super BlobClient> onBlocking,
      Parity.AsyncCall<? super AsyncBlobClient, ?> onAsync)
      throws Exception {
    if (blocking != null) {
      onBlocking.run(blocking);
    } else {
      parity.await(onAsync.call(java.util.Objects.requireNonNull(async)));
    }
  }

  /** Collects a stream's items as {@link Parity#items} does (the stream is closed). */
  <T> java.util.List<T> items(
      Parity.BlockingCall<? super BlobClient, ? extends java.util.stream.Stream<? extends T>>
          onBlocking,
      Parity.AsyncItems<? super AsyncBlobClient, ? extends T> onAsync)
      throws Exception {
    if (blocking != null) {
      try (java.util.stream.Stream<? extends T> stream = onBlocking.call(blocking)) {
        return java.util.List.copyOf(stream.toList());
      }
    }
    java.util.concurrent.CompletableFuture<java.util.List<T>> all =
        new java.util.concurrent.CompletableFuture<>();
    onAsync.call(java.util.Objects.requireNonNull(async)).subscribe(
        new java.util.concurrent.Flow.Subscriber<T>() {
          private final java.util.List<T> items = new java.util.ArrayList<>();

          @Override
          public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
          }

          @Override
          public void onNext(T item) {
            items.add(item);
          }

          @Override
          public void onError(Throwable failure) {
            all.completeExceptionally(failure);
          }

          @Override
          public void onComplete() {
            all.complete(java.util.List.copyOf(items));
          }
        });
    return parity.await(all);
  }

  /** Closes the client (waits for the async one); a failure to close fails the test. */
  @Override
  public void close() {
    if (blocking != null) {
      blocking.close();
      return;
    }
    try {
      parity.await(java.util.Objects.requireNonNull(async).close());
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("closing the async client failed", e);
    }
  }
}

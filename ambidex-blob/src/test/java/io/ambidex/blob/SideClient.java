package io.ambidex.blob;

import io.ambidex.test.Parity;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
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
    return parity.await(onAsync.call(Objects.requireNonNull(async)));
  }

  void run(
      Parity.BlockingRun<? super BlobClient> onBlocking,
      Parity.AsyncCall<? super AsyncBlobClient, ?> onAsync)
      throws Exception {
    if (blocking != null) {
      onBlocking.run(blocking);
    } else {
      parity.await(onAsync.call(Objects.requireNonNull(async)));
    }
  }

  /** Collects a stream's items as {@link Parity#items} does (the stream is closed). */
  <T> List<T> items(
      Parity.BlockingCall<? super BlobClient, ? extends Stream<? extends T>> onBlocking,
      Parity.AsyncItems<? super AsyncBlobClient, ? extends T> onAsync)
      throws Exception {
    if (blocking != null) {
      try (Stream<? extends T> stream = onBlocking.call(blocking)) {
        return List.copyOf(stream.toList());
      }
    }
    return parity.collect(onAsync.call(Objects.requireNonNull(async)));
  }

  /** Closes the client (waits for the async one); a failure to close fails the test. */
  @Override
  public void close() {
    if (blocking != null) {
      blocking.close();
      return;
    }
    try {
      parity.await(Objects.requireNonNull(async).close());
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("closing the async client failed", e);
    }
  }
}

package io.ambidex.control;

import io.ambidex.AsyncCloseable;
import io.ambidex.control.Async;
import io.ambidex.control.AsyncCallback;
import io.ambidex.control.CoreRuntime;
import io.ambidex.control.RetryPolicy;
import io.ambidex.testing.FakeTransport;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small core written once, as a library author would: validation, retries, a concurrent
 * fan-out and progress callbacks, over an injected transport and runtime.
 */
final class KvCore implements AsyncCloseable {
  /** A progress event: how many of the items are done. */
  record Progress(int done, int total) {}

  private final FakeTransport transport;
  private final CoreRuntime runtime;
  private final RetryPolicy retry;

  KvCore(FakeTransport transport, CoreRuntime runtime, RetryPolicy retry) {
    this.transport = transport;
    this.runtime = runtime;
    this.retry = retry;
  }

  CompletionStage<String> get(String key) {
    validate(key);
    return Async.retry(retry, runtime, () -> transport.send("GET " + key))
        .thenApply(response -> response.substring(response.indexOf(':') + 1));
  }

  CompletionStage<List<String>> putAll(
      List<String> keys, int concurrency, AsyncCallback<Progress> progress) {
    Objects.requireNonNull(keys, "keys");
    keys.forEach(KvCore::validate);
    AtomicInteger done = new AtomicInteger();
    return runtime.mapConcurrently(
        keys,
        concurrency,
        key ->
            transport
                .send("PUT " + key)
                .thenCompose(
                    response ->
                        runtime
                            .emit(progress, new Progress(done.incrementAndGet(), keys.size()))
                            .thenApply(ignored -> response)));
  }

  private static void validate(String key) {
    Objects.requireNonNull(key, "key");
    if (key.isEmpty() || key.contains(" ")) {
      throw new IllegalArgumentException(
          "key must be non-empty and contain no spaces, but was '" + key + "'");
    }
  }

  @Override
  public CompletionStage<Void> close() {
    return runtime.close();
  }
}

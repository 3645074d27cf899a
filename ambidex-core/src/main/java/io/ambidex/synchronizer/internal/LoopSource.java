package io.ambidex.synchronizer.internal;

import io.ambidex.internal.Stages;
import io.ambidex.stream.AsyncIterator;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Something that holds a library source open on the loop (a batched iterator, an async wrapper's
 * iterator), registered with the {@link LoopHost} while it does, so that the Synchronizer's close
 * can close what its callers left open.
 */
public interface LoopSource {
  /**
   * Runs on the loop: closes the source the first time and returns that close's stage every time
   * after. Never throws; a failure of the source's close fails the stage.
   */
  CompletableFuture<Void> closeSource();

  /**
   * Calls {@code source.close()} for an implementation's {@link #closeSource}: a throw or a null
   * stage becomes a failed stage, never an exception.
   */
  static CompletableFuture<Void> close(AsyncIterator<?> source) {
    try {
      return Stages.asFuture(
          Objects.requireNonNull(source.close(), "The source's close() returned null"));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}

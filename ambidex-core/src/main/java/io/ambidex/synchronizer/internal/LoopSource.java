package io.ambidex.synchronizer.internal;

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
}

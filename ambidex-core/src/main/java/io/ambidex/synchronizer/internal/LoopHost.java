package io.ambidex.synchronizer.internal;

import io.ambidex.CallFuture;
import io.ambidex.synchronizer.Synchronizer;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link Synchronizer} lends its machinery (the batched iterators, the reflective
 * wrappers) beyond its public API: the loop, its settings, and the submit/await primitives. The
 * Synchronizer implements it with a private object, so none of it is public API.
 */
public interface LoopHost {
  /** The Synchronizer this is the host of, for its public operations. */
  Synchronizer synchronizer();

  /** The loop, started on first use; throws if the Synchronizer is closed or its loop died. */
  SynchronizerLoop loop();

  /** How many items a batched iterator moves per hop to the loop. */
  int batchSize();

  /** How long a cancellation waits for the loop to run the cancelled code's cleanup. */
  Duration cancelGrace();

  /** Throws {@code BlockingNotAllowedException} if the caller is the loop thread itself. */
  void checkMayBlock(SynchronizerLoop loop, String operation);

  /** Runs {@code function} on the loop; completes on {@code completion} if not null. */
  <T extends @Nullable Object> CallFuture<T> submit(
      SynchronizerLoop loop,
      String operation,
      Supplier<? extends CompletionStage<T>> function,
      @Nullable Executor completion);

  /** Waits for {@code result} on the caller's thread, translating failures as every bridge. */
  <T extends @Nullable Object, X extends Exception> T await(
      SynchronizerLoop loop, CallFuture<T> result, String operation, @Nullable Class<X> declared)
      throws X;

  /** Runs {@code action} on the loop and waits for it at most {@code limit}; false if it did not. */
  boolean runOnLoopAndWait(SynchronizerLoop loop, Runnable action, Duration limit);

  /**
   * Closes on the loop, behind the tasks already queued, the iterator that {@code built} holds
   * once the task that opens it has run: for a caller that stopped waiting for it. A failure of
   * that close is logged.
   */
  void closeAbandoned(
      SynchronizerLoop loop, AtomicReference<? extends @Nullable LoopBatchIterator<?>> built);

  /** Registers an iterator whose source is open, for the Synchronizer's close to close it. */
  void opened(LoopSource iterator);

  /** Unregisters an iterator once its source's close has started. */
  void released(LoopSource iterator);
}

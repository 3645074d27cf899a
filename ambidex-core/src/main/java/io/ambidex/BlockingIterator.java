package io.ambidex;

import io.ambidex.internal.Failures;
import io.ambidex.internal.Stages;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/*
 * The blocking view of an AsyncIterator (AsyncIterators.blockingIterator).
 *
 * hasNext() reads the source's stage with BlockingWait, which returns an already complete stage in
 * place (no guard, no park: what Immediate does) and otherwise consults the guard and parks. At the
 * end, or on a failure, the source is closed and that close awaited before hasNext() returns or
 * throws, so a loop that runs to the end releases the source with no explicit close; a failure of
 * that close is thrown at the end, or attached as suppressed to the failure.
 *
 * close() may come from another thread while hasNext() is blocked: closing the source cancels its
 * fetch in flight, and the blocked hasNext() then throws that cancellation. The source is closed
 * once (sourceClosing); every caller waits for that one close.
 */
final class BlockingIterator<T extends @Nullable Object> implements CloseableIterator<T> {
  private static final String HAS_NEXT = "AsyncIterator.hasNext";
  private static final String CLOSE = "AsyncIterator.close";

  private final AsyncIterator<T> source;
  private final AtomicReference<@Nullable CompletableFuture<Object>> sourceClosing =
      new AtomicReference<>();
  private volatile boolean closed;
  private boolean ready;
  private boolean ended;
  private @Nullable Throwable failure;

  BlockingIterator(AsyncIterator<T> source) {
    this.source = source;
  }

  @Override
  public boolean hasNext() {
    if (closed) {
      throw Iteration.closed("A CloseableIterator", "blocking iterator", "hasNext");
    }
    if (ready) {
      return true;
    }
    if (ended) {
      return false;
    }
    Throwable earlier = failure;
    if (earlier != null) {
      throw Failures.rethrow(earlier, HAS_NEXT, null);
    }
    boolean has;
    try {
      has = Iteration.has(BlockingWait.get(Iteration.stage(source.hasNext(), "hasNext"), HAS_NEXT));
    } catch (Throwable t) {
      failure = t;
      try {
        awaitSourceClosed();
      } catch (Throwable closeFailure) {
        if (closeFailure != t) {
          t.addSuppressed(closeFailure);
        }
      }
      throw Failures.rethrow(t, HAS_NEXT, null);
    }
    if (!has) {
      ended = true;
      awaitSourceClosed();
      return false;
    }
    ready = true;
    return true;
  }

  @Override
  public T next() {
    if (!hasNext()) {
      throw new NoSuchElementException(
          "next() was called on a blocking iterator that has no more items");
    }
    ready = false;
    return source.next();
  }

  /**
   * Closes the source and waits for its close (in place if it completes during the call, with
   * BlockingWait otherwise). Idempotent.
   */
  @Override
  public void close() {
    closed = true;
    awaitSourceClosed();
  }

  private void awaitSourceClosed() {
    CompletableFuture<Object> closing = sourceClosing.get();
    if (closing == null) {
      CompletableFuture<Object> mine = new CompletableFuture<>();
      if (sourceClosing.compareAndSet(null, mine)) {
        CompletableFuture<?> f = Stages.asFuture(Iteration.closeQuietly(source));
        f.whenComplete(
            (v, e) -> {
              if (e == null) {
                mine.complete(Boolean.TRUE);
              } else {
                mine.completeExceptionally(Failures.unwrap(e));
              }
            });
      }
      closing = java.util.Objects.requireNonNull(sourceClosing.get());
    }
    BlockingWait.get(closing, CLOSE);
  }

  @Override
  public String toString() {
    return "blocking iterator over " + source + (closed ? " [closed]" : "");
  }
}

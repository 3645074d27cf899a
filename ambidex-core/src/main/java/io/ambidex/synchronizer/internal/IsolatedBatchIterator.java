package io.ambidex.synchronizer.internal;

import io.ambidex.stream.AsyncIterator;
import io.ambidex.stream.AsyncIterators;
import io.ambidex.synchronizer.Synchronizer;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/*
 * The async side of Synchronizer.publisher: an AsyncIterator for a consumer off the loop. The
 * first hasNext() that finds the local batch used up makes one loop round trip, which opens the
 * source (the first time) and fills a batch with LoopBatchIterator's logic; its stage completes on
 * the callback executor, never on the loop. The consumer-side fields are touched only by the
 * consumer (the publisher serializes its calls); the loop side lives in `loopSide`, touched only
 * on the loop.
 */
public final class IsolatedBatchIterator<T> implements AsyncIterator<T> {
  private final LoopHost host;
  private final String operation;
  private final Supplier<? extends AsyncIterator<T>> source;
  private List<T> batch = List.of();
  private int index;
  private boolean ended;
  private @Nullable Throwable failure;
  // Loop-confined.
  private @Nullable LoopBatchIterator<T> loopSide;

  public IsolatedBatchIterator(
      LoopHost host, String operation, Supplier<? extends AsyncIterator<T>> source) {
    this.host = host;
    this.operation = operation;
    this.source = source;
  }

  @Override
  public CompletionStage<Boolean> hasNext() {
    if (index < batch.size()) {
      return AsyncIterators.completedStage(true);
    }
    Throwable f = failure;
    if (f != null) {
      failure = null;
      ended = true;
      return CompletableFuture.failedFuture(f);
    }
    if (ended) {
      return AsyncIterators.completedStage(false);
    }
    return host.synchronizer()
        .async(operation, this::fillOnLoop)
        .thenApply(
            next -> {
              batch = next.items();
              index = 0;
              ended = next.ended();
              failure = next.failure();
              if (!batch.isEmpty()) {
                return true;
              }
              Throwable failed = failure;
              if (failed != null) {
                failure = null;
                throw new CompletionException(failed);
              }
              return false;
            });
  }

  /* Runs on the loop: opens the source on the first visit, then fills a batch. */
  private CompletionStage<LoopBatchIterator.Batch<T>> fillOnLoop() {
    LoopBatchIterator<T> side = loopSide;
    if (side == null) {
      AsyncIterator<T> opened = source.get();
      if (opened == null) {
        throw new NullPointerException(operation + " opened a null iterator");
      }
      side = new LoopBatchIterator<>(host, operation, opened);
      loopSide = side;
    }
    return side.fill();
  }

  @Override
  public T next() {
    if (index >= batch.size()) {
      throw new NoSuchElementException(
          "next() of '" + operation + "' was called without a hasNext() that returned true");
    }
    return batch.get(index++);
  }

  @Override
  public CompletionStage<Void> close() {
    batch = List.of();
    ended = true;
    try {
      return host.synchronizer().async(
          operation + ".close",
          () -> {
            LoopBatchIterator<T> side = loopSide;
            return side == null
                ? CompletableFuture.<Void>completedFuture(null)
                : side.closeSourceReportingOnce();
          });
    } catch (IllegalStateException closedOrDead) {
      return CompletableFuture.completedFuture(null); // the loop is gone; it took the source along
    }
  }
}

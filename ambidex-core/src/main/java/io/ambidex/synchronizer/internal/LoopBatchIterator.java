package io.ambidex.synchronizer.internal;

import io.ambidex.context.ContextPropagator.Scope;
import io.ambidex.context.ContextPropagator.Snapshot;
import io.ambidex.context.internal.Registry;
import io.ambidex.stream.AsyncIterator;

import io.ambidex.internal.Failures;
import io.ambidex.internal.Stages;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;

/*
 * A blocking iterator over an AsyncIterator that lives on a Synchronizer's loop. The consumer holds
 * a batch; when it is used up, one loop round trip fills the next one with every item the source
 * can hand over at once (up to the batch size), waiting asynchronously only while the batch is
 * still empty. A hasNext() stage that is still pending when the batch is handed over is kept for
 * the next round trip, because the AsyncIterator contract forbids calling hasNext() twice.
 */
public final class LoopBatchIterator<T extends @Nullable Object> implements Iterator<T>, AutoCloseable {
  /** A batch: the items fetched, whether the source ended after them, and its failure if any. */
  record Batch<T>(List<T> items, boolean ended, @Nullable Throwable failure) {}

  private final LoopHost host;
  private final String operation;
  private final AsyncIterator<T> source;
  private List<T> batch = List.of();
  private int index;
  private boolean ended;
  private @Nullable Throwable failure;
  private boolean closed;
  // Loop-confined: touched only by tasks running on the loop.
  private @Nullable CompletableFuture<Boolean> pendingHasNext;
  private @Nullable Batch<T> carried; // pulled for a fill whose caller stopped waiting

  public LoopBatchIterator(LoopHost host, String operation, AsyncIterator<T> source) {
    this.host = host;
    this.operation = operation;
    this.source = source;
  }

  @Override
  public boolean hasNext() {
    if (closed) {
      throw new IllegalStateException(
          "The iterator of '" + operation + "' was closed; open a new one to iterate again.");
    }
    while (index >= batch.size()) {
      if (failure != null) {
        Throwable f = failure;
        failure = null;
        ended = true;
        throw Failures.rethrow(f, operation, null);
      }
      if (ended) {
        return false;
      }
      SynchronizerLoop l = host.loop();
      host.checkMayBlock(l, operation);
      Batch<T> next = host.await(l, host.submit(l, operation, this::fill, null), operation, null);
      batch = next.items();
      index = 0;
      ended = next.ended();
      failure = next.failure();
    }
    return true;
  }

  @Override
  public T next() {
    if (!hasNext()) {
      throw new NoSuchElementException("'" + operation + "' has no more items");
    }
    return batch.get(index++);
  }

  /** Runs on the loop: collects the next batch. */
  CompletionStage<Batch<T>> fill() {
    Batch<T> left = carried;
    if (left != null) {
      carried = null;
      return CompletableFuture.completedFuture(left);
    }
    CompletableFuture<Batch<T>> result = new CompletableFuture<>();
    fillInto(new ArrayList<>(), result);
    return result;
  }

  /*
   * A fill whose result is already done was abandoned: its caller was interrupted (or cancelled)
   * and may ask again. It must not pull from the source any more, and what it pulled already is
   * carried to the next fill; the hasNext() stage it waited on stays in pendingHasNext until a
   * fill consumes it, so a new fill never calls the source's hasNext() while one is pending.
   */
  @SuppressWarnings("try") // a context scope is closed, never read
  private void fillInto(List<T> items, CompletableFuture<Batch<T>> result) {
    int max = host.batchSize();
    while (items.size() < max) {
      if (result.isDone()) {
        if (!items.isEmpty()) {
          carried = new Batch<>(items, false, null);
        }
        return;
      }
      CompletableFuture<Boolean> h = pendingHasNext;
      pendingHasNext = null;
      if (h == null) {
        try {
          h = Stages.asFuture(source.hasNext());
        } catch (Throwable t) {
          complete(result, new Batch<>(items, true, t));
          return;
        }
      }
      if (!h.isDone()) {
        if (!items.isEmpty()) {
          pendingHasNext = h;
          complete(result, new Batch<>(items, false, null));
          return;
        }
        pendingHasNext = h; // kept until a fill consumes it, this one or the next
        SynchronizerLoop l = host.loop();
        // This fill runs inside the consumer's context (restored by the submit); the rest of it,
        // queued from whichever thread answers hasNext(), runs inside the same context.
        Snapshot context = Registry.capture();
        h.whenComplete(
            (v, e) -> {
              try {
                // A Task, so that a loop dying before it runs fails the fill instead of dropping
                // it (its caller would wait until the Synchronizer is closed).
                l.execute(
                    new SynchronizerLoop.Task() {
                      @Override
                      public void run() {
                        try (Scope scope = context.restore()) {
                          fillInto(items, result);
                        }
                      }

                      @Override
                      public void abort(RuntimeException cause) {
                        result.completeExceptionally(cause);
                      }
                    });
              } catch (RejectedExecutionException closing) {
                // The Synchronizer was closed while this fill waited for the source. Its close
                // fails the call with this same exception, but when two closes run, the second
                // can stop the loop (and so refuse this step) between the first one's taking
                // the call from its in-flight set and failing it: then this failure is the one
                // the caller sees, and it must be the documented one (found by
                // SynchronizerStreamLincheckTest's stress mode).
                CancellationException closed =
                    SynchronizerLoop.closedWhileInProgress(l.name(), operation);
                closed.initCause(closing);
                result.completeExceptionally(closed);
              } catch (RuntimeException loopGone) {
                result.completeExceptionally(loopGone); // the loop died: an IllegalStateException
              }
            });
        return;
      }
      boolean more;
      try {
        more = h.join();
      } catch (CompletionException | CancellationException e) {
        complete(result, new Batch<>(items, true, Failures.unwrap(e)));
        return;
      }
      if (!more) {
        complete(result, new Batch<>(items, true, null));
        return;
      }
      try {
        items.add(source.next());
      } catch (Throwable t) {
        complete(result, new Batch<>(items, true, t));
        return;
      }
    }
    complete(result, new Batch<>(items, false, null));
  }

  /* Hands `batch` to the fill's caller, or, if it stopped waiting, to the next fill. */
  private void complete(CompletableFuture<Batch<T>> result, Batch<T> batch) {
    if (!result.complete(batch) && (!batch.items().isEmpty() || batch.ended())) {
      carried = batch;
    }
  }

  /** Runs on the loop: drops a pending hasNext() and closes the source. Never throws. */
  CompletableFuture<Void> closeSource() {
    CompletableFuture<Boolean> pending = pendingHasNext;
    pendingHasNext = null;
    if (pending != null) {
      pending.cancel(true);
    }
    try {
      return Stages.asFuture(source.close());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Closes the source on the loop and waits for its close at most the Synchronizer's cancel grace;
   * a slower close goes on in the background. Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    SynchronizerLoop l;
    try {
      l = host.loop();
    } catch (IllegalStateException closedOrDead) {
      return; // the loop is gone; it took the source with it
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    host.runOnLoopAndWait(
        l,
        () -> closeSource().whenComplete((v, e) -> done.complete(null)),
        host.cancelGrace());
    try {
      done.get(host.cancelGrace().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      // bounded: the source finishes closing in the background
    }
  }
}

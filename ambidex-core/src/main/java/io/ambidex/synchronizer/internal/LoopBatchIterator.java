package io.ambidex.synchronizer.internal;

import io.ambidex.context.ContextPropagator.Scope;
import io.ambidex.context.ContextPropagator.Snapshot;
import io.ambidex.context.internal.Registry;
import io.ambidex.stream.AsyncIterator;
import io.ambidex.synchronizer.Synchronizer;

import io.ambidex.internal.Deadlines;
import io.ambidex.internal.Failures;
import io.ambidex.internal.Stages;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/*
 * A blocking iterator over an AsyncIterator that lives on a Synchronizer's loop. The consumer holds
 * a batch; when it is used up, one loop round trip fills the next one with every item the source
 * can hand over at once (up to the batch size), waiting asynchronously only while the batch is
 * still empty. A hasNext() stage that is still pending when the batch is handed over is kept for
 * the next round trip, because the AsyncIterator contract forbids calling hasNext() twice.
 *
 * The end and a failure close the source, as AsyncIterators' blocking bridges do: the fill that
 * meets them keeps its items as the last batch (`last`), closes the source on the loop and hands
 * that batch over once the close has completed, so a loop that runs to the end (or fails) leaves
 * nothing open, also for a wrapper whose blocking interface declares a plain Iterator, which its
 * caller cannot close. Before, only close() closed the source, and such an iterator never was. A
 * fill whose caller stopped waiting leaves `last` for the next fill, which waits for the same
 * close. The source is closed once (sourceClosing), whoever asks: the end, close(), or the
 * Synchronizer's close, which closes every iterator still registered with the host (opened at
 * construction, released once its source's close has started).
 *
 * A failure of that close is reported once, as by AsyncIterators' blocking bridges: by the first
 * of hasNext() after the last item (thrown, or suppressed under the source's failure), close()
 * (thrown), or the publisher's close stage; later ones stay silent (closeFailureReported). It is
 * claimed when it reaches the consumer, not when the fill meets it: a stream closed before its
 * last items were read reports it from close(). It used to be dropped with no exception and no
 * log. A close that outlasts close()'s wait and then fails is logged, as is one the
 * Synchronizer's close started.
 */
public final class LoopBatchIterator<T extends @Nullable Object>
    implements Iterator<T>, AutoCloseable, LoopSource {
  private static final System.Logger LOG = System.getLogger(Synchronizer.class.getName());

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
  private @Nullable Batch<T> last; // the end or failure, handed over after the source's close
  private volatile @Nullable CompletableFuture<Void> sourceClosing; // written on the loop, once
  private final AtomicBoolean closeFailureReported = new AtomicBoolean();

  /** An iterator over {@code source}, registered with {@code host} until its source is closed. */
  public LoopBatchIterator(LoopHost host, String operation, AsyncIterator<T> source) {
    this.host = host;
    this.operation = operation;
    this.source = source;
    host.opened(this);
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
        Throwable closeFailure = claimCloseFailure();
        if (closeFailure != null && closeFailure != f) {
          f.addSuppressed(closeFailure);
        }
        throw Failures.rethrow(f, operation, null);
      }
      if (ended) {
        Throwable closeFailure = claimCloseFailure(); // the end closed the source
        if (closeFailure != null) {
          throw Failures.rethrow(closeFailure, operation, null);
        }
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
    if (sourceClosing != null) {
      handOverLast(result); // the end was met by a fill whose caller stopped waiting
      return result;
    }
    fillInto(new ArrayList<>(), result);
    return result;
  }

  /*
   * A fill whose result is already done was abandoned: its caller was interrupted (or cancelled)
   * and may ask again. It must not pull from the source any more, and what it pulled already is
   * carried to the next fill; the hasNext() stage it waited on stays in pendingHasNext until a
   * fill consumes it, so a new fill never calls the source's hasNext() while one is pending.
   */
  private void fillInto(List<T> items, CompletableFuture<Batch<T>> result) {
    int max = host.batchSize();
    while (items.size() < max) {
      if (result.isDone()) {
        if (!items.isEmpty()) {
          carried = new Batch<>(items, false, null);
        }
        return;
      }
      if (sourceClosing != null) {
        endWith(items, null, result); // closed while this fill waited: pull nothing more
        return;
      }
      CompletableFuture<Boolean> h = pendingHasNext;
      pendingHasNext = null;
      if (h == null) {
        try {
          h = Stages.asFuture(source.hasNext());
        } catch (Throwable t) {
          endWith(items, t, result);
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
        continueOnLoop(h, result, () -> fillInto(items, result));
        return;
      }
      boolean more;
      try {
        more = h.join();
      } catch (CompletionException | CancellationException e) {
        endWith(items, Failures.unwrap(e), result);
        return;
      }
      if (!more) {
        endWith(items, null, result);
        return;
      }
      try {
        items.add(source.next());
      } catch (Throwable t) {
        endWith(items, t, result);
        return;
      }
    }
    complete(result, new Batch<>(items, false, null));
  }

  /* Runs `step` on the loop once `stage` has completed, or fails `result` if the loop is gone. */
  @SuppressWarnings("try") // a context scope is closed, never read
  private void continueOnLoop(
      CompletableFuture<?> stage, CompletableFuture<Batch<T>> result, Runnable step) {
    SynchronizerLoop l;
    try {
      l = host.loop();
    } catch (RuntimeException closedOrDead) {
      result.completeExceptionally(closedOrDead);
      return;
    }
    // This fill runs inside the consumer's context (restored by the submit); the rest of it,
    // queued from whichever thread completes the stage, runs inside the same context.
    Snapshot context = Registry.capture();
    stage.whenComplete(
        (v, e) -> {
          try {
            // A Task, so that a loop dying before it runs fails the fill instead of dropping
            // it (its caller would wait until the Synchronizer is closed).
            l.execute(
                new SynchronizerLoop.Task() {
                  @Override
                  public void run() {
                    try (Scope scope = context.restore()) {
                      step.run();
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
  }

  /* The source ended (failure null) or failed after `items`: close it, then hand them over. */
  private void endWith(
      List<T> items, @Nullable Throwable failure, CompletableFuture<Batch<T>> result) {
    last = new Batch<>(items, true, failure);
    closeSource();
    handOverLast(result);
  }

  /* Hands the last batch to `result` once the source's close has completed. */
  private void handOverLast(CompletableFuture<Batch<T>> result) {
    CompletableFuture<Void> closing = Objects.requireNonNull(sourceClosing);
    if (closing.isDone()) {
      deliverLast(result);
    } else {
      continueOnLoop(closing, result, () -> deliverLast(result));
    }
  }

  private void deliverLast(CompletableFuture<Batch<T>> result) {
    if (result.isDone()) {
      return; // its caller stopped waiting: the next fill hands `last` over
    }
    Batch<T> end = last;
    last = null;
    complete(result, end != null ? end : new Batch<>(List.of(), true, null));
  }

  /* The source's close failed: returns its failure to the first caller, null to the others. */
  private @Nullable Throwable claimCloseFailure() {
    CompletableFuture<Void> closing = sourceClosing;
    if (closing == null
        || closing.state() != Future.State.FAILED
        || !closeFailureReported.compareAndSet(false, true)) {
      return null;
    }
    return Failures.unwrap(closing.exceptionNow());
  }

  /**
   * Runs on the loop: closes the source like {@link #closeSource()}, returning a stage that fails
   * with the close's failure only if nothing reported it before (the end of the iteration did).
   */
  public CompletableFuture<Void> closeSourceReportingOnce() {
    return closeSource()
        .handle(
            (v, e) -> {
              Throwable failure = claimCloseFailure();
              if (failure != null) {
                throw new CompletionException(failure);
              }
              return null;
            });
  }

  /* Hands `batch` to the fill's caller, or, if it stopped waiting, to the next fill. */
  private void complete(CompletableFuture<Batch<T>> result, Batch<T> batch) {
    if (!result.complete(batch) && (!batch.items().isEmpty() || batch.ended())) {
      carried = batch;
    }
  }

  /**
   * Runs on the loop: drops a pending hasNext() and closes the source, the first time; returns
   * that one close every time. Never throws.
   */
  @Override
  public CompletableFuture<Void> closeSource() {
    CompletableFuture<Void> closing = sourceClosing;
    if (closing != null) {
      return closing;
    }
    CompletableFuture<Boolean> pending = pendingHasNext;
    pendingHasNext = null;
    if (pending != null) {
      pending.cancel(true);
    }
    closing = LoopSource.close(source);
    sourceClosing = closing;
    host.released(this);
    return closing;
  }

  /**
   * Closes the source on the loop and waits for its close at most the Synchronizer's cancel grace;
   * a slower close goes on in the background (and is logged if it fails). Called on the loop
   * thread itself, closes the source there and waits for nothing. Throws the close's failure
   * unless the end of the iteration reported it already. Idempotent.
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
      return; // closed: the Synchronizer's close closed the source; dead: nothing can now
    }
    if (l.thread() == Thread.currentThread()) {
      // Closed by code on the loop itself: waiting for the loop would hold it for the whole
      // grace, and run the close only after that (it did). The loop owns the source: close it
      // here, and wait for nothing, as the Synchronizer's close() on the loop does not.
      CompletableFuture<Void> closing = closeSource();
      if (!closing.isDone()) {
        logLateFailure(closing);
        return;
      }
      throwCloseFailure();
      return;
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    // One budget for both waits, in saturated nanoseconds: the grace may be any positive
    // Duration (toMillis() overflowed past ~292 million years and truncated below 1 ms to 0).
    long graceNanos = Deadlines.saturatedNanos(host.cancelGrace());
    long start = System.nanoTime();
    host.runOnLoopAndWait(
        l,
        () -> closeSource().whenComplete((v, e) -> done.complete(null)),
        host.cancelGrace());
    try {
      done.get(Math.max(0, graceNanos - (System.nanoTime() - start)), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      logLateFailure(done);
      return;
    } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
      logLateFailure(done); // bounded: the source finishes closing in the background
      return;
    }
    throwCloseFailure();
  }

  /* Throws the source's close failure, unless something reported it already. */
  private void throwCloseFailure() {
    Throwable failure = claimCloseFailure();
    if (failure != null) {
      throw Failures.rethrow(failure, operation, null);
    }
  }

  /* Logs the close's failure if it fails after close() stopped waiting for it. */
  private void logLateFailure(CompletableFuture<?> done) {
    done.whenComplete(
        (v, e) -> {
          Throwable failure = claimCloseFailure();
          if (failure != null) {
            LOG.log(
                System.Logger.Level.WARNING,
                "Closing the source of '" + operation + "' failed after close() stopped waiting",
                failure);
          }
        });
  }
}

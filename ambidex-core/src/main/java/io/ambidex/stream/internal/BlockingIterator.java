package io.ambidex.stream.internal;

import io.ambidex.BlockingWait;
import io.ambidex.stream.AsyncIterator;
import io.ambidex.stream.CloseableIterator;
import io.ambidex.internal.Failures;
import io.ambidex.internal.Stages;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/*
 * The blocking view of an AsyncIterator: AsyncIterators.blockingIterator, and the streams of the
 * generated blocking facades (FacadeSupport), which differ only in how a stage is waited for
 * (Waiter) and in the operation names their errors carry.
 *
 * hasNext() asks the waiter for the source's stage. The default waiter is BlockingWait, which
 * returns an already complete stage in place (no guard, no park: what Immediate does) and
 * otherwise consults the guard and parks; a facade passes its own bridge (immediate, waiting or
 * caller-drained). Each stage, the close's included, is requested *inside* the waiter's call, so
 * a caller-drained waiter runs the work that stage schedules. At the end, or on a failure, the
 * source is closed and that close awaited before hasNext() returns or throws, so a loop that runs
 * to the end releases the source with no explicit close; a failure of that close is thrown at the
 * end, or attached as suppressed to the failure. A failure is remembered: later calls rethrow it.
 *
 * The close's failure is reported once (closeFailureReported): by whichever call sees it first,
 * the end of the iteration, a failure it is attached to, or close(); later waits for the close
 * return normally. Reporting it again broke try-with-resources, the way docs/streams.md writes a
 * loop: the end's hasNext() threw it and close() threw the same instance, so the JVM's
 * addSuppressed failed with "Self-suppression not permitted"; under a source's failure it was
 * attached twice.
 *
 * close() may come from another thread while hasNext() is blocked: it starts the source's close
 * and then cancels the stage hasNext() waits on (waitingOn), as an interrupt does, so the blocked
 * hasNext() throws CancellationException even when the source's close leaves its fetch pending (it
 * used to rely on the source to cancel it, and a source that only released its connection left
 * the consumer parked for ever). hasNext() publishes the stage before reading `closed`, close()
 * writes `closed` before reading the stage, so one of them sees the other and cancels it. A stage
 * already complete is not published: the fast path writes nothing. The source is closed once
 * (sourceClosing); every caller waits for that one close.
 */
public final class BlockingIterator<T extends @Nullable Object> implements CloseableIterator<T> {
  /** How the blocking side waits for a stage; the call that makes the stage runs inside. */
  public interface Waiter {
    /** Calls {@code call} and returns the value of the stage it returns, per this waiter. */
    <V extends @Nullable Object> V await(
        String operation, Supplier<? extends CompletionStage<V>> call);
  }

  /** The default waiter: {@link BlockingWait#get(CompletionStage, String)}. */
  public static final Waiter BLOCKING_WAIT =
      new Waiter() {
        @Override
        public <V extends @Nullable Object> V await(
            String operation, Supplier<? extends CompletionStage<V>> call) {
          return BlockingWait.get(call.get(), operation);
        }
      };

  private final AsyncIterator<T> source;
  private final String hasNextOperation;
  private final String closeOperation;
  private final Waiter waiter;
  private final AtomicReference<@Nullable CompletableFuture<Object>> sourceClosing =
      new AtomicReference<>();
  private final AtomicBoolean closeFailureReported = new AtomicBoolean();
  private volatile boolean closed;
  private volatile @Nullable CompletableFuture<Boolean> waitingOn;
  private boolean ready;
  private boolean ended;
  private @Nullable Throwable failure;

  /** A blocking iterator that waits with {@link #BLOCKING_WAIT}, as AsyncIterators' does. */
  public BlockingIterator(AsyncIterator<T> source) {
    this(source, "AsyncIterator.hasNext", "AsyncIterator.close", BLOCKING_WAIT);
  }

  /**
   * A blocking iterator that waits for the source's stages with {@code waiter}, naming
   * {@code hasNextOperation} and {@code closeOperation} in its errors.
   */
  public BlockingIterator(
      AsyncIterator<T> source, String hasNextOperation, String closeOperation, Waiter waiter) {
    this.source = Objects.requireNonNull(source, "source");
    this.hasNextOperation = Objects.requireNonNull(hasNextOperation, "hasNextOperation");
    this.closeOperation = Objects.requireNonNull(closeOperation, "closeOperation");
    this.waiter = Objects.requireNonNull(waiter, "waiter");
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
      throw Failures.rethrow(earlier, hasNextOperation, null);
    }
    boolean has;
    try {
      has = Iteration.has(waiter.await(hasNextOperation, this::askSource));
      waitingOn = null;
    } catch (Throwable t) {
      waitingOn = null;
      failure = t;
      try {
        awaitSourceClosed();
      } catch (Throwable closeFailure) {
        if (closeFailure != t) {
          t.addSuppressed(closeFailure);
        }
      }
      throw Failures.rethrow(t, hasNextOperation, null);
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
    if (closed) {
      throw Iteration.closed("A CloseableIterator", "blocking iterator", "next");
    }
    if (!hasNext()) {
      throw new NoSuchElementException(
          "next() was called on a blocking iterator that has no more items");
    }
    ready = false;
    return source.next();
  }

  /* Asks the source; a stage that is not complete yet is published for close() to cancel. */
  private CompletableFuture<Boolean> askSource() {
    CompletableFuture<Boolean> asked =
        Stages.asFuture(Iteration.stage(source.hasNext(), "hasNext"));
    if (!asked.isDone()) {
      waitingOn = asked;
      if (closed) {
        asked.cancel(true);
      }
    }
    return asked;
  }

  /**
   * Closes the source and waits for its close (in place if it completes during the call, with
   * the waiter otherwise); a {@code hasNext()} blocked on another thread throws {@link
   * java.util.concurrent.CancellationException}. Idempotent.
   */
  @Override
  public void close() {
    closed = true;
    awaitSourceClosed(this::closeSourceAndAbortTheWait);
  }

  private CompletableFuture<Object> closeSourceAndAbortTheWait() {
    CompletableFuture<Object> closing = closeSourceOnce();
    CompletableFuture<Boolean> waited = waitingOn;
    if (waited != null) {
      waited.cancel(true);
    }
    return closing;
  }

  private void awaitSourceClosed() {
    awaitSourceClosed(this::closeSourceOnce);
  }

  /* Waits for the source's close; throws its failure only if no call has reported it yet. */
  private void awaitSourceClosed(Supplier<CompletableFuture<Object>> closeSource) {
    try {
      waiter.await(closeOperation, closeSource);
    } catch (RuntimeException | Error e) {
      if (isCloseFailure(e) && !closeFailureReported.compareAndSet(false, true)) {
        return;
      }
      throw e;
    }
  }

  /* Whether `e` is the source close's failure (or its translation), not an error of the wait. */
  private boolean isCloseFailure(Throwable e) {
    CompletableFuture<Object> closing = sourceClosing.get();
    if (closing == null || closing.state() != Future.State.FAILED) {
      return false;
    }
    Throwable failure = closing.exceptionNow();
    return e == failure || e.getCause() == failure;
  }

  /* Starts the source's close the first time; every call returns that one close. */
  private CompletableFuture<Object> closeSourceOnce() {
    CompletableFuture<Object> closing = sourceClosing.get();
    if (closing != null) {
      return closing;
    }
    CompletableFuture<Object> mine = new CompletableFuture<>();
    if (!sourceClosing.compareAndSet(null, mine)) {
      return Objects.requireNonNull(sourceClosing.get());
    }
    CompletableFuture<?> f = Stages.asFuture(Iteration.closeQuietly(source));
    f.whenComplete(
        (v, e) -> {
          if (e == null) {
            mine.complete(Boolean.TRUE);
          } else {
            mine.completeExceptionally(Failures.unwrap(e));
          }
        });
    return mine;
  }

  @Override
  public String toString() {
    return "blocking iterator over " + source + (closed ? " [closed]" : "");
  }
}

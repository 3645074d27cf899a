package io.ambidex.stream.internal;

import io.ambidex.internal.Calls;
import io.ambidex.control.internal.Driver;
import io.ambidex.stream.AsyncIterator;
import io.ambidex.stream.AsyncIterators;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;

/*
 * The terminal operations (forEach, forEachStage, fold, collect) as one Driver: pull an item, hand
 * it to accept(), wait for the stage accept() returns (if any), repeat; at the end, or on the first
 * failure, close the source and complete the result once that close has completed.
 *
 * Outcome: the result of finish(), computed before the close; a failure of the pull or of accept()
 * fails the result with the close's failure suppressed; a failing close alone fails the result.
 *
 * Cancellation: cancelling the result cancels the stage being waited on (Driver.track), which
 * resumes the driver; the next step sees the result done and closes the source, and the driver
 * waits for that close like any other stage before it stops and reports its end (Calls.ended), so
 * the result's settled() completes only after the source's close (it used to close from
 * finished(), which let the driver report its end while the close was still running). So the
 * source is closed by the thread that owns the loop at that moment, never concurrently with a
 * next() or hasNext() call of this driver. The close stage itself is not tracked: cancelling the
 * result never cancels a close that is under way. A close that fails after a cancellation has
 * nobody to fail: it is logged.
 */
public abstract class Consume<T extends @Nullable Object, R extends @Nullable Object> extends Driver<R> {
  private static final System.Logger LOG = System.getLogger(AsyncIterators.class.getName());
  private static final int START = 0;
  private static final int PULL = 1;
  private static final int ACT = 2;
  private static final int CLOSE = 3;

  private final AsyncIterator<T> source;
  private int phase = START;
  private @Nullable Throwable failure;
  private @Nullable R value;

  public Consume(String operation, AsyncIterator<T> source) {
    super(operation);
    this.source = source;
  }

  /** Handles one item; returns a stage to wait for before the next pull, or null. */
  public abstract @Nullable CompletionStage<?> accept(T item) throws Throwable;

  /** Returns the result, after the last item. */
  public abstract R finish() throws Throwable;

  @Override
  public final @Nullable CompletionStage<?> step(@Nullable Object outcome, @Nullable Throwable thrown) {
    if (phase == CLOSE) {
      complete(thrown);
      return null;
    }
    if (result.isDone()) {
      return close(null); // cancelled: the outcome of the stage it cut is of no interest
    }
    try {
      switch (phase) {
        case START -> {
          phase = PULL;
          return Iteration.stage(source.hasNext(), "hasNext");
        }
        case PULL -> {
          if (thrown != null) {
            return close(thrown);
          }
          if (!Iteration.has(outcome)) {
            value = finish();
            return close(null);
          }
          CompletionStage<?> acting = accept(source.next());
          if (acting != null) {
            phase = ACT;
            return acting;
          }
          return Iteration.stage(source.hasNext(), "hasNext");
        }
        default -> { // ACT
          if (thrown != null) {
            return close(thrown);
          }
          phase = PULL;
          return Iteration.stage(source.hasNext(), "hasNext");
        }
      }
    } catch (Throwable t) {
      return close(t);
    }
  }

  private CompletionStage<?> close(@Nullable Throwable cause) {
    failure = cause;
    phase = CLOSE;
    return Iteration.closeQuietly(source);
  }

  private void complete(@Nullable Throwable closeFailure) {
    if (result.isDone()) {
      if (closeFailure != null) {
        LOG.log(
            System.Logger.Level.WARNING,
            "Closing the source of a cancelled " + result.operation() + " failed",
            closeFailure);
      }
      return;
    }
    Throwable primary = failure;
    if (primary != null) {
      if (closeFailure != null && closeFailure != primary) {
        primary.addSuppressed(closeFailure);
      }
      Calls.fail(result, primary);
    } else if (closeFailure != null) {
      Calls.fail(result, closeFailure);
    } else {
      Calls.succeed(result, value);
    }
  }

  @Override
  public final void track(Future<?> stage) {
    if (phase != CLOSE) {
      super.track(stage);
    }
  }

  /* Never stops the driver from outside: step() closes the source first, then returns null. */
  @Override
  public final boolean finished() {
    return false;
  }
}

package io.ambidex.stream.internal;

import io.ambidex.internal.Calls;
import io.ambidex.CallFuture;
import io.ambidex.control.Async;
import io.ambidex.control.internal.Driver;
import io.ambidex.control.internal.Results;
import io.ambidex.stream.AsyncIterator;
import io.ambidex.internal.Failures;
import io.ambidex.internal.Stages;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/*
 * The base of the iterators that AsyncIterators derives from others (map, filter, flatMap, take,
 * batch).
 *
 * Pulling. One hasNext() of a derived iterator may need several stages of its sources: filter
 * skips items, flatMap crosses exhausted inner iterators, batch gathers items. A subclass writes
 * that as a state machine: start() returns the first stage to wait for, and advance(value,
 * failure) receives each outcome and returns the next stage to wait for, or YES / NO once the
 * answer is known. pull() runs it. Stages that are already complete are read in place, in a loop,
 * so an immediate source costs no allocation and no stack growth; the first incomplete stage hands
 * the rest of the loop to a Driver (the trampoline of every combinator), whose future hasNext()
 * returns and which the thread completing that stage continues.
 *
 * Failures. An exception thrown by start() or advance() (a failed source stage that the subclass
 * rethrows, or a function of the caller's that throws) fails that hasNext() and every later one,
 * as the AsyncIterator contract requires.
 *
 * Closing. close() may come from any thread, also while a hasNext() is pending. It marks the
 * iterator closed, releases what the subclass owns (whose close cancels its own fetch in flight)
 * and then cancels the hasNext() that pull() is computing, if it is still pending. release() runs
 * closeOwned() once and every caller gets the same stage; a subclass may call it before close()
 * (take closes its source once n items are taken).
 *
 * A cancelled hasNext(). Cancelling the stage hasNext() returned stops its pull, but not in the
 * middle of a step: a driver already inside advance() (say in the source's next(), on the thread
 * that completed the source's stage) finishes that step. A hasNext() asked meanwhile must not run
 * beside it, or the source would have two callers and the subclass's state two writers. So
 * `driving` holds the driver while it may still touch the state; a pull that finds one queues
 * itself behind it (a Waiting), and the driver, once it will touch nothing more (it answered,
 * failed, or halted on finding its answer cancelled), runs the queued hasNext() on its own thread.
 * Nothing is lost: an item the abandoned step took stays in the subclass's state (a batch being
 * gathered, a filter's ready item) for the queued hasNext() to find.
 */
abstract class DerivedIterator<R extends @Nullable Object> implements AsyncIterator<R> {
  /** Returned by start() or advance() when the answer is true. Never handed out. */
  static final CompletionStage<?> YES = new CompletableFuture<>();

  /** Returned by start() or advance() when the answer is false. Never handed out. */
  static final CompletionStage<?> NO = new CompletableFuture<>();

  final String name;
  private final AtomicReference<@Nullable CallFuture<@Nullable Void>> released =
      new AtomicReference<>();
  private volatile boolean closed;
  private volatile @Nullable CallFuture<Boolean> inFlight;
  private volatile @Nullable Throwable failure;
  // The driver of the last pull that went asynchronous while it may still touch this iterator's
  // state, or a Waiting pull queued behind it; null when no driver runs. See the class comment.
  private final AtomicReference<@Nullable Object> driving = new AtomicReference<>();

  DerivedIterator(String name) {
    this.name = name;
  }

  /** Returns the first stage of a pull, or YES / NO. Only pulling subclasses override it. */
  CompletionStage<?> start() throws Throwable {
    throw new UnsupportedOperationException(name + " does not pull");
  }

  /**
   * Receives the outcome of the stage returned last and returns the next one, or YES / NO. Only
   * pulling subclasses override it.
   */
  CompletionStage<?> advance(@Nullable Object value, @Nullable Throwable failure)
      throws Throwable {
    throw new UnsupportedOperationException(name + " does not pull");
  }

  /** Closes what this iterator owns; called at most once. */
  abstract CompletionStage<?> closeOwned();

  /** Throws if this iterator is closed. */
  final void ensureOpen(String method) {
    if (closed) {
      throw Iteration.closed(name, method);
    }
  }

  final boolean isClosed() {
    return closed;
  }

  /** Runs one hasNext() of the subclass's state machine; see the class comment. */
  final CompletionStage<Boolean> pull() {
    Object running = driving.get();
    if (running != null) {
      return behind(running);
    }
    Throwable earlier = failure;
    if (earlier != null) {
      return Calls.failed(name + ".hasNext", earlier);
    }
    try {
      CompletionStage<?> stage = start();
      for (; ; ) {
        if (stage == YES) {
          return Results.TRUE;
        }
        if (stage == NO) {
          return Results.FALSE;
        }
        CompletableFuture<?> future = Stages.asFuture(Iteration.stage(stage, "hasNext"));
        if (!future.isDone()) {
          return resume(future);
        }
        Object value = null;
        Throwable thrown = null;
        try {
          value = future.join();
        } catch (CompletionException | CancellationException e) {
          thrown = Failures.unwrap(e);
        }
        stage = advance(value, thrown);
      }
    } catch (Throwable t) {
      failure = t;
      return Calls.failed(name + ".hasNext", t);
    }
  }

  private CompletionStage<Boolean> resume(CompletableFuture<?> pending) {
    Driver<Boolean> driver =
        new Driver<Boolean>(name + ".hasNext") {
          private boolean resumed;

          @Override
          public @Nullable CompletionStage<?> step(@Nullable Object value, @Nullable Throwable thrown)
              throws Throwable {
            CompletionStage<?> next;
            if (!resumed) {
              resumed = true;
              next = pending;
            } else {
              try {
                next = Iteration.stage(advance(value, thrown), "hasNext");
              } catch (Throwable t) {
                failure = t;
                stepsDone(this);
                throw t;
              }
            }
            if (next == YES) {
              stepsDone(this);
              Calls.succeed(result, true);
              return null;
            }
            if (next == NO) {
              stepsDone(this);
              Calls.succeed(result, false);
              return null;
            }
            return next;
          }

          @Override
          protected void halted() {
            stepsDone(this);
          }
        };
    driving.set(driver);
    CallFuture<Boolean> answer = driver.start();
    inFlight = answer;
    if (closed) {
      answer.cancel(true);
    }
    return answer;
  }

  /* A pull asked while `running` may still step: queued, run by that driver once it is done. */
  private CompletionStage<Boolean> behind(Object running) {
    if (running instanceof Waiting) {
      return Calls.failed(
          name + ".hasNext",
          new IllegalStateException(
              "hasNext() was called on " + name + " while two earlier calls were still pending;"
                  + " an AsyncIterator allows one hasNext() at a time: wait for (or cancel) the"
                  + " previous stage first"));
    }
    Waiting queued = new Waiting(this, running, Calls.create(name + ".hasNext"));
    if (!driving.compareAndSet(running, queued)) {
      return pull(); // the driver finished meanwhile
    }
    inFlight = queued.answer;
    if (closed) {
      queued.answer.cancel(true);
    }
    return queued.answer;
  }

  /* Called by `driver` once it will touch no more state; runs the pull queued behind it. */
  private void stepsDone(Driver<?> driver) {
    for (; ; ) {
      Object current = driving.get();
      if (current == driver) {
        if (driving.compareAndSet(driver, null)) {
          return;
        }
      } else if (current instanceof Waiting w && w.driver == driver) {
        if (driving.compareAndSet(w, null)) {
          w.run();
          return;
        }
      } else {
        return; // said already (halted after answering)
      }
    }
  }

  /* A hasNext() that waits for the driver of an abandoned one to finish its step. */
  private static final class Waiting {
    final DerivedIterator<?> iterator;
    final Object driver;
    final CallFuture<Boolean> answer;

    Waiting(DerivedIterator<?> iterator, Object driver, CallFuture<Boolean> answer) {
      this.iterator = iterator;
      this.driver = driver;
      this.answer = answer;
    }

    void run() {
      if (answer.isDone()) {
        return; // cancelled while it waited, or the iterator was closed
      }
      CompletionStage<Boolean> next;
      try {
        next = iterator.hasNext();
      } catch (Throwable t) {
        Calls.fail(answer, t);
        return;
      }
      CompletableFuture<Boolean> f = Stages.asFuture(next);
      Calls.dependOn(answer, f);
      f.whenComplete((v, e) -> Calls.settle(answer, v, e));
    }
  }

  /**
   * Closes this iterator: later calls of hasNext() and next() throw, a pending hasNext() is
   * cancelled, and what it owns is closed. Idempotent.
   */
  @Override
  public final CompletionStage<Void> close() {
    closed = true;
    // The source first: it cancels its own fetch in flight, which usually ends the pending
    // hasNext() too; cancelling that afterwards covers sources that do not.
    CompletionStage<Void> releasing = release();
    CallFuture<Boolean> pending = inFlight;
    if (pending != null) {
      inFlight = null;
      pending.cancel(true);
    }
    return releasing;
  }

  /** Closes what this iterator owns, once; every call returns the same stage. */
  final CompletionStage<Void> release() {
    CallFuture<@Nullable Void> done = released.get();
    if (done != null) {
      return done;
    }
    CallFuture<@Nullable Void> mine = Calls.create(name + ".close");
    if (!released.compareAndSet(null, mine)) {
      return java.util.Objects.requireNonNull(released.get());
    }
    CompletionStage<?> owned;
    try {
      owned = Iteration.stage(closeOwned(), "close");
    } catch (Throwable t) {
      owned = CompletableFuture.failedFuture(t);
    }
    Iteration.forward(owned, mine);
    return mine;
  }

  @Override
  public String toString() {
    return name + (closed ? "[closed]" : "");
  }
}

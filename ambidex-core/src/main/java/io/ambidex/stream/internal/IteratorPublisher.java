package io.ambidex.stream.internal;

import io.ambidex.stream.AsyncIterator;
import io.ambidex.stream.AsyncIterators;
import io.ambidex.internal.Failures;
import io.ambidex.internal.Signals;
import io.ambidex.internal.Stages;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/*
 * A Flow.Publisher over async iterators (AsyncIterators.toPublisher). Each subscription opens a
 * source through `sources` (the single-use form refuses a second one) and runs one Emitter.
 *
 * The Emitter is the standard work-in-progress drain loop of Reactive Streams: every event
 * (request, cancel, a source stage completing) records itself in atomics and calls drain(); the
 * thread that moves `wip` from 0 runs the loop for everyone, the others leave at once. So signals
 * to the subscriber are serial (rule 1.3), request() from inside onNext() does not recurse (3.3),
 * and the source is called by one thread at a time: hasNext(), next() and close() never overlap.
 *
 * States of the loop:
 *   IDLE      the previous item was emitted: ask the source for the next one (look-ahead).
 *   FETCHING  a hasNext() stage is pending; its completion records the outcome and drains.
 *   READY     hasNext() was true: take the item with next() and emit it when there is demand.
 *   CLOSING   the end, or a failure: the source's close is pending; then signal the subscriber.
 *   DONE      terminated or cancelled: nothing more happens, the subscriber is forgotten (3.13).
 *
 * Look-ahead: the loop calls hasNext() at subscription and right after each item, without waiting
 * for demand, so the end and a failure are signalled without demand (1.4, 1.5) and a source holds
 * at most one item (or, for a paginated source, one page) beyond what was requested. next() is
 * called only under demand. Nothing holds a thread: between events no code of ours runs.
 */
public final class IteratorPublisher<T> implements Flow.Publisher<T> {
  private static final System.Logger LOG = System.getLogger(AsyncIterators.class.getName());

  private final Supplier<? extends AsyncIterator<? extends T>> sources;

  public IteratorPublisher(Supplier<? extends AsyncIterator<? extends T>> sources) {
    this.sources = sources;
  }

  /**
   * A publisher of the items of one call of {@code operation}: the first subscriber gets
   * {@code items}; a second one is refused with an error that names the operation.
   */
  public static <T> Flow.Publisher<T> once(String operation, AsyncIterator<T> items) {
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(items, "items");
    AtomicBoolean used = new AtomicBoolean();
    return new IteratorPublisher<T>(
        () -> {
          if (!used.compareAndSet(false, true)) {
            throw new IllegalStateException(
                "The items of '" + operation + "' can be subscribed to once; call the operation"
                    + " again for another subscriber.");
          }
          return items;
        });
  }

  @Override
  public void subscribe(Flow.Subscriber<? super T> subscriber) {
    Objects.requireNonNull(subscriber, "subscriber");
    AsyncIterator<? extends T> source;
    try {
      source = sources.get();
      if (source == null) {
        throw new NullPointerException("The source supplier returned null, not an AsyncIterator");
      }
    } catch (Throwable t) {
      refuse(subscriber, t);
      return;
    }
    new Emitter<T>(subscriber, source).start();
  }

  /* Rule 1.9: onSubscribe comes first, even when the subscription is refused. */
  private static void refuse(Flow.Subscriber<?> subscriber, Throwable failure) {
    Signals.refuse(LOG, subscriber, NoSubscription.INSTANCE, failure);
  }

  @Override
  public String toString() {
    return "Flow.Publisher over " + sources;
  }

  private enum NoSubscription implements Flow.Subscription {
    INSTANCE;

    @Override
    public void request(long n) {}

    @Override
    public void cancel() {}
  }

  private static final class Emitter<T> implements Flow.Subscription {
    private static final int IDLE = 0;
    private static final int FETCHING = 1;
    private static final int READY = 2;
    private static final int CLOSING = 3;
    private static final int DONE = 4;

    private final AsyncIterator<? extends T> source;
    private final AtomicLong requested = new AtomicLong();
    // Starts at 1: start() owns the loop while it calls onSubscribe, so a request() made there
    // is recorded and served after onSubscribe returns, not inside it.
    private final AtomicInteger wip = new AtomicInteger(1);
    private volatile boolean cancelled;
    private volatile boolean invalid;
    private volatile long invalidRequest;

    // Written by a stage's completion before it drains, read by the loop after.
    private volatile boolean fetched;
    private volatile @Nullable Object fetchValue;
    private volatile @Nullable Throwable fetchFailure;
    private volatile boolean closed;
    private volatile @Nullable Throwable closeFailure;

    // Owned by the thread running the loop.
    private Flow.@Nullable Subscriber<? super T> subscriber;
    private int state = IDLE;
    private boolean closeStarted;
    private @Nullable Throwable terminalFailure;
    private long index;

    Emitter(Flow.Subscriber<? super T> subscriber, AsyncIterator<? extends T> source) {
      this.subscriber = subscriber;
      this.source = source;
    }

    void start() {
      if (!Signals.onSubscribe(LOG, Objects.requireNonNull(subscriber), this)) {
        cancelled = true;
      }
      loop(1);
    }

    @Override
    public void request(long n) {
      if (n <= 0) {
        if (!invalid) {
          invalidRequest = n;
          invalid = true;
        }
      } else {
        long current;
        long next;
        do {
          current = requested.get();
          if (current == Long.MAX_VALUE) {
            break;
          }
          next = current + n;
          if (next < 0) {
            next = Long.MAX_VALUE;
          }
        } while (!requested.compareAndSet(current, next));
      }
      drain();
    }

    @Override
    public void cancel() {
      cancelled = true;
      drain();
    }

    private void drain() {
      if (wip.getAndIncrement() == 0) {
        loop(1);
      }
    }

    private void loop(int initialMissed) {
      int missed = initialMissed;
      for (; ; ) {
        run();
        missed = wip.addAndGet(-missed);
        if (missed == 0) {
          return;
        }
      }
    }

    /* Advances the state machine as far as it can go without waiting. */
    private void run() {
      for (; ; ) {
        if (state == DONE) {
          return;
        }
        if (cancelled) {
          state = DONE;
          subscriber = null;
          if (!closeStarted) {
            closeStarted = true;
            closeAfterCancel();
          }
          return;
        }
        if (invalid && state != CLOSING) {
          long n = invalidRequest;
          terminate(
              new IllegalArgumentException(
                  "Reactive Streams rule 3.9: request(n) must ask for a positive number of items,"
                      + " but n was "
                      + n
                      + " (a non-positive subscription request)"));
          continue;
        }
        switch (state) {
          case IDLE -> fetch();
          case FETCHING -> {
            if (!fetched) {
              return;
            }
            fetched = false;
            Throwable failure = fetchFailure;
            Object value = fetchValue;
            fetchFailure = null;
            fetchValue = null;
            fetchedOutcome(value, failure);
          }
          case READY -> {
            if (requested.get() == 0) {
              return;
            }
            emit();
          }
          default -> { // CLOSING
            if (!closed) {
              return;
            }
            signalTermination();
            return;
          }
        }
      }
    }

    private void fetch() {
      state = FETCHING;
      CompletableFuture<? extends Boolean> stage;
      try {
        stage = Stages.asFuture(Iteration.stage(source.hasNext(), "hasNext"));
      } catch (Throwable t) {
        terminate(t);
        return;
      }
      if (stage.isDone()) {
        Object value = null;
        Throwable failure = null;
        try {
          value = stage.join();
        } catch (CompletionException | CancellationException e) {
          failure = Failures.unwrap(e);
        }
        fetchedOutcome(value, failure);
        return;
      }
      stage.whenComplete(
          (value, failure) -> {
            fetchValue = value;
            fetchFailure = failure == null ? null : Failures.unwrap(failure);
            fetched = true;
            drain();
          });
    }

    private void fetchedOutcome(@Nullable Object value, @Nullable Throwable failure) {
      if (failure != null) {
        terminate(failure);
        return;
      }
      try {
        if (Iteration.has(value)) {
          state = READY;
        } else {
          terminate(null);
        }
      } catch (Throwable t) {
        terminate(t);
      }
    }

    private void emit() {
      T item;
      try {
        item = source.next();
      } catch (Throwable t) {
        terminate(t);
        return;
      }
      if (item == null) {
        terminate(
            new NullPointerException(
                "Item " + index + " of the source is null, and a Flow.Publisher must not emit"
                    + " null (Reactive Streams rule 2.13)"));
        return;
      }
      index++;
      state = IDLE;
      if (requested.get() != Long.MAX_VALUE) {
        requested.decrementAndGet();
      }
      try {
        Objects.requireNonNull(subscriber).onNext(item);
      } catch (Throwable t) {
        LOG.log(
            System.Logger.Level.WARNING,
            "onNext threw, in violation of rule 2.13; the subscription is cancelled",
            t);
        cancelled = true;
      }
    }

    /* The end (failure == null) or a failure: close the source, then signal the subscriber. */
    private void terminate(@Nullable Throwable failure) {
      state = CLOSING;
      terminalFailure = failure;
      closeStarted = true;
      CompletableFuture<?> closing = Stages.asFuture(Iteration.closeQuietly(source));
      if (closing.isDone()) {
        closeFailure = closing.isCompletedExceptionally() ? failureOf(closing) : null;
        closed = true;
        return;
      }
      closing.whenComplete(
          (v, e) -> {
            closeFailure = e == null ? null : Failures.unwrap(e);
            closed = true;
            drain();
          });
    }

    private void signalTermination() {
      state = DONE;
      Flow.Subscriber<? super T> s = Objects.requireNonNull(subscriber);
      subscriber = null;
      Throwable failure = terminalFailure;
      Throwable closeProblem = closeFailure;
      terminalFailure = null;
      if (failure != null) {
        if (closeProblem != null && closeProblem != failure) {
          failure.addSuppressed(closeProblem);
        }
        Signals.onError(LOG, s, failure);
      } else if (closeProblem != null) {
        Signals.onError(LOG, s, closeProblem);
      } else {
        Signals.onComplete(LOG, s);
      }
    }

    private void closeAfterCancel() {
      Iteration.closeQuietly(source)
          .whenComplete(
              (v, e) -> {
                if (e != null) {
                  LOG.log(
                      System.Logger.Level.WARNING,
                      "Closing the source of a cancelled Flow subscription failed",
                      e);
                }
              });
    }

    private static Throwable failureOf(CompletableFuture<?> done) {
      try {
        done.join();
        throw new IllegalStateException("not failed: " + done);
      } catch (CompletionException | CancellationException e) {
        return Failures.unwrap(e);
      }
    }

    @Override
    public String toString() {
      return "Flow.Subscription over " + source + (cancelled ? " [cancelled]" : "");
    }
  }
}

package io.ambidex.producer.internal;

import io.ambidex.internal.Signals;
import io.ambidex.producer.Producer;
import io.ambidex.producer.ProducerCancelledException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/*
 * A producer run for one Flow subscriber. Items are not buffered: send(x) calls onNext(x) on the
 * body's thread, so demand is the subscriber's outstanding request count and the only buffer is
 * the subscriber's own.
 *
 * Serial signals (rule 1.3): onSubscribe is called by subscribe() on the subscribing thread, and
 * the body's thread is started only after onSubscribe has returned; from then on only the body's
 * thread signals (onNext, onComplete, onError). The one exception is an onError for request(n <=
 * 0) before the thread started, which the requesting thread signals after winning the state from
 * IDLE to DONE, so the thread can never start afterwards. The state machine:
 *
 *   SUBSCRIBING --onSubscribe returned--> IDLE --request(n > 0)--> RUNNING (the thread signals)
 *        |                                 |
 *        +--cancel / bad request-----------+--> DONE (no thread will ever run)
 *
 * Demand: `requested` is added to by request() (capped at Long.MAX_VALUE, rule 3.17); the body's
 * thread moves it into its own `budget` with one getAndSet when the budget runs out, so sending
 * costs no atomic operation per item.
 */
public final class FlowRun<T, S extends @Nullable Object> extends ProducerRun<T, S>
    implements Flow.Subscription {
  private static final int SUBSCRIBING = 0;
  private static final int IDLE = 1;
  private static final int RUNNING = 2;
  private static final int DONE = 3;

  private static final System.Logger LOG = System.getLogger(Producer.class.getName());
  private static final VarHandle STATE;
  private static final VarHandle REQUESTED;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      STATE = lookup.findVarHandle(FlowRun.class, "state", int.class);
      REQUESTED = lookup.findVarHandle(FlowRun.class, "requested", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private volatile Flow.@Nullable Subscriber<? super T> subscriber;
  @SuppressWarnings("unused") // accessed through STATE
  private volatile int state = SUBSCRIBING;
  @SuppressWarnings("unused") // accessed through REQUESTED
  private volatile long requested;
  private volatile @Nullable Throwable badRequest;

  /** Body's thread only. */
  private long budget;

  private FlowRun(Producer.Body<T, S> body, ThreadFactory threadFactory, Duration grace,
      Flow.Subscriber<? super T> subscriber) {
    super(body, threadFactory, grace);
    this.subscriber = subscriber;
  }

  /** Runs {@code body} for {@code subscriber}: {@code Producer.toPublisher}'s subscribe. */
  public static <T, S extends @Nullable Object> void subscribe(Producer.Body<T, S> body,
      ThreadFactory threadFactory, Duration grace, Flow.Subscriber<? super T> subscriber) {
    FlowRun<T, S> run = open(body, threadFactory, grace, subscriber);
    if (run != null) {
      run.afterSubscribed();
    }
  }

  /**
   * The first half of {@link #subscribe}: makes the run and calls onSubscribe. Returns the run,
   * now IDLE, for {@link #afterSubscribed}; or null if it already ended or moved on.
   */
  static <T, S extends @Nullable Object> @Nullable FlowRun<T, S> open(Producer.Body<T, S> body,
      ThreadFactory threadFactory, Duration grace, Flow.Subscriber<? super T> subscriber) {
    Objects.requireNonNull(subscriber, "subscriber"); // rule 1.9
    FlowRun<T, S> run = new FlowRun<>(body, threadFactory, grace, subscriber);
    try {
      run.launch = prepare(threadFactory, run);
    } catch (Throwable refused) {
      // Rule 1.9: onSubscribe first, then the failure.
      run.state = DONE;
      Signals.refuse(LOG, subscriber, run, refused);
      return null;
    }
    if (!Signals.onSubscribe(LOG, subscriber, run)) {
      // Rule 2.13: the subscription is considered cancelled. Rule 1.9: subscribe() returns
      // normally, so the violation is logged, as AsyncIterators.toPublisher does.
      run.state = DONE;
      run.subscriber = null;
      return null;
    }
    return STATE.compareAndSet(run, SUBSCRIBING, IDLE) ? run : null;
  }

  /** Acts on what the subscriber did during onSubscribe, or on a later request. */
  private void afterSubscribed() {
    if (claimRunning()) {
      startClaimed();
    }
  }

  /**
   * The first half of {@link #afterSubscribed}: signals a bad request, or claims the run (IDLE to
   * RUNNING) if there is demand. Returns true if this thread must now start the body.
   */
  boolean claimRunning() {
    if (badRequest != null) {
      if (STATE.compareAndSet(this, IDLE, DONE)) {
        signalError(Objects.requireNonNull(badRequest));
      }
      return false;
    }
    return (long) REQUESTED.getVolatile(this) > 0 && STATE.compareAndSet(this, IDLE, RUNNING);
  }

  /*
   * The second half: starts the body's thread. A request(n <= 0) or a cancel() that came between
   * the claim and this start saw RUNNING and cancelled the body, which turns the start into a
   * no-op (the thread will never run). Then nobody else will signal: a bad request's error is
   * signalled here (rule 3.9); a cancel needs no signal.
   */
  void startClaimed() {
    Throwable failure = ensureStarted();
    if (failure != null) {
      signalError(failure); // the thread will never run: this thread is the only signaller
    } else if (!wasStarted()) {
      STATE.setVolatile(this, DONE);
      Throwable bad = badRequest;
      if (bad != null) {
        signalError(bad);
      }
      subscriber = null;
    }
  }

  // ---- Flow.Subscription, any thread ----

  @Override
  public void request(long n) {
    if (n <= 0) {
      if (badRequest == null) {
        badRequest =
            new IllegalArgumentException(
                "Rule 3.9: request(n) requires n > 0, but was " + n + "; the subscription is"
                    + " cancelled");
      }
      // As cancel(): retry until this thread ends the run (IDLE to DONE, and signals), hands it
      // to the body (RUNNING: its thread, or startClaimed() if it never starts, signals), or
      // finds it subscribing (the subscribing thread sees badRequest) or done.
      while (true) {
        int s = (int) STATE.getVolatile(this);
        if (s == IDLE) {
          if (STATE.compareAndSet(this, IDLE, DONE)) {
            signalError(Objects.requireNonNull(badRequest));
            return;
          }
        } else {
          if (s == RUNNING) {
            cancelBody();
          }
          return;
        }
      }
    }
    long current;
    long next;
    do {
      current = (long) REQUESTED.getVolatile(this);
      next = current + n < 0 ? Long.MAX_VALUE : current + n;
    } while (current != Long.MAX_VALUE && !REQUESTED.compareAndSet(this, current, next));
    int s = (int) STATE.getVolatile(this);
    if (s == RUNNING) {
      Thread parked = producerWaiting;
      if (parked != null) {
        LockSupport.unpark(parked);
      }
    } else if (s == IDLE) {
      afterSubscribed();
    }
  }

  @Override
  public void cancel() {
    subscriber = null; // rule 3.13
    while (true) {
      int s = (int) STATE.getVolatile(this);
      if (s == RUNNING) {
        cancelBody();
        return;
      }
      if (s == DONE || STATE.compareAndSet(this, s, DONE)) {
        cancelBody(); // the thread will never start
        return;
      }
    }
  }

  /** Nobody waits for the body after a cancel: a cleanup failure is logged. */
  @Override
  boolean reportsCleanupFailures() {
    return false;
  }

  // ---- the body's side ----

  @Override
  void publishSetup(S value) {
    // The setup value has no place in a Flow: only the demand for the first item matters.
  }

  @Override
  void deliver(T item) {
    Flow.Subscriber<? super T> s = subscriber;
    if (s == null) {
      return; // cancelled meanwhile: the next wait throws
    }
    if (budget != Long.MAX_VALUE) {
      budget--;
    }
    try {
      s.onNext(item);
    } catch (Throwable violation) {
      // Rule 2.13: onNext must not throw; the subscription is considered cancelled.
      cancel();
      ProducerCancelledException e =
          new ProducerCancelledException(
              "The subscriber's onNext threw (a Reactive Streams violation); the subscription is"
                  + " cancelled");
      e.initCause(violation);
      throw e;
    }
  }

  @Override
  boolean hasDemand() {
    if (budget > 0) {
      return true;
    }
    budget = (long) REQUESTED.getAndSet(this, 0L);
    return budget > 0;
  }

  @Override
  void publishEnd(@Nullable Throwable failure) {
    STATE.setVolatile(this, DONE);
    Throwable bad = badRequest;
    if (bad != null) {
      signalError(bad);
    } else if (!cancelled) {
      if (failure == null) {
        Flow.Subscriber<? super T> s = subscriber;
        subscriber = null;
        if (s != null) {
          Signals.onComplete(LOG, s); // a throw is logged: the body's thread must not die of it
        }
      } else {
        signalError(failure);
      }
    }
    subscriber = null;
  }

  private void signalError(Throwable failure) {
    Flow.Subscriber<? super T> s = subscriber;
    subscriber = null;
    if (s != null) {
      Signals.onError(LOG, s, failure);
    }
  }

  @Override
  public String toString() {
    int s = (int) STATE.getVolatile(this);
    return "ProducerSubscription[" + (s == SUBSCRIBING ? "subscribing" : s == IDLE ? "idle"
        : s == RUNNING ? "running" : "done") + ", requested=" + requested + "]";
  }
}

package io.ambidex.producer.internal;

import io.ambidex.context.ContextPropagator.Scope;
import io.ambidex.context.ContextPropagator.Snapshot;
import io.ambidex.context.internal.Registry;
import io.ambidex.internal.Deadlines;
import io.ambidex.BlockingGuard;
import io.ambidex.Deadline;
import io.ambidex.internal.Cancellations;
import io.ambidex.internal.Launch;
import io.ambidex.internal.Threads;
import io.ambidex.producer.Producer;
import io.ambidex.producer.ProducerCancelledException;
import io.ambidex.producer.ProducerContext;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/*
 * One run of a producer body: the body's thread and the producer side of the handshake. The
 * consumer side (a ring buffer for iterators, direct delivery for a Flow subscriber) lives in the
 * subclasses, which say what "demand" is and where items and the end go.
 *
 * The handshake is "wait after": started() and send(x) first hand over (the setup value, the
 * item), then wait until there is demand for the *next* item, or a cancellation. So when the body
 * runs its own code there is always demand for what it will send next, and a consumer that asks
 * for nothing more (e.g. only for the setup value) keeps the body parked in started().
 *
 * Cancellation: cancelBody() sets `cancelled`. If the body is parked in our wait it is unparked and
 * the wait throws ProducerCancelledException. If it is running its own code, its thread is
 * interrupted once, so a blocking read or sleep ends early. The `interrupt` state machine makes
 * sure an interrupt meant for the body's own code never leaks into its cleanup: the body's side
 * claims HANDLED when it sees the cancellation inside send(), in which case no interrupt is sent;
 * if the interrupt won the race, send() waits for it to land and clears the flag before throwing.
 *
 * Memory ordering for parking uses the usual Dekker pattern: the body publishes
 * `producerWaiting` (volatile) when it starts waiting for demand (spinning first, then parking),
 * and re-checks demand and `cancelled` before every park; the consumer publishes demand or
 * `cancelled` (volatile) and then reads `producerWaiting` to unpark it. While `producerWaiting`
 * is set the body is in our code, so a cancellation unparks it instead of interrupting it.
 */
abstract class ProducerRun<T, S extends @Nullable Object> implements ProducerContext<T, S>,
    Runnable {

  private static final int NOT_INTERRUPTED = 0;
  private static final int INTERRUPTING = 1;
  private static final int INTERRUPTED = 2;
  private static final int HANDLED = 3;

  private static final VarHandle INTERRUPT;
  private static final VarHandle START;
  private static final VarHandle REPORT;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      INTERRUPT = lookup.findVarHandle(ProducerRun.class, "interrupt", int.class);
      START = lookup.findVarHandle(ProducerRun.class, "startState", int.class);
      REPORT = lookup.findVarHandle(ProducerRun.class, "cleanupReport", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static final int NOT_STARTED = 0;
  private static final int STARTING = 1;
  private static final int RUNNING = 2;
  private static final int NEVER = 3; // cancelled, or the thread could not be made

  final Producer.Body<T, S> body;
  final ThreadFactory threadFactory;
  final long graceNanos;
  /** The consumer's context when it created the run; the body runs inside it. */
  final Snapshot context;

  /** The body's thread, made early by a Flow run (to refuse a bad factory before onSubscribe). */
  volatile @Nullable Launch launch;
  volatile @Nullable Thread thread;
  volatile boolean cancelled;
  volatile @Nullable Thread producerWaiting;
  @SuppressWarnings("unused") // accessed through START
  private volatile int startState;
  @SuppressWarnings("unused") // accessed through INTERRUPT
  private volatile int interrupt;

  /** Set on the body's thread only. */
  private @Nullable Thread bodyThread;
  private boolean setupSignalled;
  private int spinBudget = Spin.MAX;
  private boolean bodyReturned;

  /** Set just before the body's thread ends. */
  volatile boolean ended;

  /*
   * A failure of the body after a cancellation (its cleanup failed) is reported by the close that
   * waits for it, or logged if that close has stopped waiting: whichever of the body (CLAIMED)
   * and the closer (GAVE_UP) moves `cleanupReport` first decides.
   */
  private static final int UNDECIDED = 0;
  private static final int CLAIMED = 1;
  private static final int GAVE_UP = 2;
  private static final System.Logger LOG = System.getLogger(Producer.class.getName());
  private volatile @Nullable Throwable cleanupFailure;
  @SuppressWarnings("unused") // accessed through REPORT
  private volatile int cleanupReport;

  ProducerRun(Producer.Body<T, S> body, ThreadFactory threadFactory, Duration grace) {
    this.body = body;
    this.threadFactory = threadFactory;
    this.graceNanos = Deadlines.saturatedNanos(grace);
    this.context = Registry.capture();
  }

  // ---- subclass hooks ----

  /** Hands the setup value to the consumer. Body's thread. */
  abstract void publishSetup(S value);

  /** Hands one item to the consumer; there is demand for it. Body's thread. */
  abstract void deliver(T item);

  /** Returns true if the consumer has demand for one more item. Body's thread. */
  abstract boolean hasDemand();

  /**
   * Publishes the end of the run: {@code failure} is null if the body returned after started(),
   * otherwise what to report (the body's exception, or the missing-started error). Body's thread.
   */
  abstract void publishEnd(@Nullable Throwable failure);

  // ---- the body's side ----

  @Override
  public final void started(S setupValue) {
    checkCaller("started()");
    if (setupSignalled) {
      throw new IllegalStateException(
          "started() was called twice; a producer body signals the end of its setup once");
    }
    setupSignalled = true;
    if (cancelled) {
      throwCancelled();
    }
    publishSetup(setupValue);
    awaitDemand();
  }

  @Override
  public final void started() {
    started(null);
  }

  @Override
  public final void send(T item) {
    if (item == null) {
      throw new NullPointerException("item: a producer cannot send null");
    }
    checkCaller("send()");
    if (!setupSignalled) {
      throw new IllegalStateException(
          "send() was called before started(); a producer body calls started() (or"
              + " started(value)) when its setup is complete, then sends");
    }
    if (cancelled) {
      throwCancelled();
    }
    deliver(item);
    if (!hasDemand()) {
      awaitDemand();
    }
  }

  @Override
  public final boolean isCancelled() {
    return cancelled;
  }

  private void checkCaller(String method) {
    if (Thread.currentThread() != bodyThread || bodyReturned) {
      throw new IllegalStateException(
          method + " was called "
              + (bodyReturned ? "after the producer body returned" : "from thread '"
                  + Thread.currentThread().getName() + "', which does not run the producer body")
              + "; only the body's own thread may use its ProducerContext, while the body runs");
    }
  }

  /** Parks the body's thread until there is demand; throws if cancelled first. */
  private void awaitDemand() {
    Thread me = Thread.currentThread();
    producerWaiting = me; // seen by the consumer: it grants at once, and unparks
    int budget = spinBudget;
    try {
      for (int spins = 0; ; spins++) {
        if (cancelled) {
          throwCancelled();
        }
        if (hasDemand()) {
          spinBudget = Spin.adapt(budget, spins <= budget);
          return;
        }
        if (spins < budget) {
          Thread.onSpinWait();
          continue;
        }
        LockSupport.park(this);
        if (me.isInterrupted() && !cancelled) {
          // Not our interrupt (ours come with `cancelled`): parking would return at once forever.
          throw new ProducerCancelledException(
              "The producer's thread was interrupted while it waited for the consumer's demand");
        }
      }
    } finally {
      producerWaiting = null;
    }
  }


  private void throwCancelled() {
    if (!INTERRUPT.compareAndSet(this, NOT_INTERRUPTED, HANDLED)) {
      // The canceller chose to interrupt: wait for the interrupt to land, then consume it, so the
      // body's cleanup does not start with a pending interrupt meant for its earlier code.
      while ((int) INTERRUPT.getVolatile(this) == INTERRUPTING) {
        Thread.onSpinWait();
      }
      if (INTERRUPT.compareAndSet(this, INTERRUPTED, HANDLED)) {
        Thread.interrupted();
      }
    }
    throw new ProducerCancelledException(
        "The consumer closed or cancelled this producer; let this exception propagate so that the"
            + " body's finally blocks run and the producer ends");
  }

  /** The body's thread. */
  @Override
  @SuppressWarnings("try") // a context scope is closed, never read
  public final void run() {
    try (Scope scope = context.restore()) {
      runInContext();
    }
  }

  private void runInContext() {
    bodyThread = Thread.currentThread();
    Throwable failure = null;
    try {
      body.run(this);
    } catch (Throwable t) {
      failure = t;
    }
    bodyReturned = true;
    INTERRUPT.compareAndSet(this, NOT_INTERRUPTED, HANDLED); // no interrupt after the body
    if (failure == null && !setupSignalled) {
      failure =
          new IllegalStateException(
              "The producer body returned without calling started(); call started() (or"
                  + " started(value)) when its setup is complete, even if it sends nothing");
    }
    if (cancelled && failure != null && !Cancellations.isReaction(failure)) {
      cleanupFailure = failure;
      if (!reportsCleanupFailures() || !REPORT.compareAndSet(this, UNDECIDED, CLAIMED)) {
        LOG.log(System.Logger.Level.WARNING,
            "A producer body failed while it ended after its consumer had closed or cancelled it,"
                + " and nobody was waiting for it any more",
            failure);
      }
    }
    try {
      publishEnd(failure);
    } finally {
      ended = true;
      afterEnd();
    }
  }

  /** Called on the body's thread after the end is published. */
  void afterEnd() {}

  /** Returns true if a close may wait for the body and report its cleanup failure. */
  abstract boolean reportsCleanupFailures();

  /**
   * Called by a close that stops waiting for the body: returns the body's cleanup failure if it
   * has ended with one, else null, in which case a later cleanup failure is logged instead.
   */
  final @Nullable Throwable takeCleanupFailure() {
    if (REPORT.compareAndSet(this, UNDECIDED, GAVE_UP)) {
      return null;
    }
    return (int) REPORT.getVolatile(this) == CLAIMED ? cleanupFailure : null;
  }

  // ---- the consumer's side ----

  /**
   * Starts the body's thread unless it started, is starting, or will never start.
   *
   * @return null if the thread is running (or the run was cancelled first), or the failure of
   *     the thread factory
   */
  final @Nullable Throwable ensureStarted() {
    if ((int) START.getVolatile(this) != NOT_STARTED
        || !START.compareAndSet(this, NOT_STARTED, STARTING)) {
      return null;
    }
    try {
      Launch l = launch != null ? launch : prepare(threadFactory, this);
      launch = l;
      thread = l.thread();
      l.start();
    } catch (Throwable failure) {
      START.setVolatile(this, NEVER);
      return failure;
    }
    START.setVolatile(this, RUNNING);
    return null;
  }

  /**
   * Asks the factory for the body's thread; the body runs on it only once {@link #ensureStarted}
   * starts it (a thread the factory started itself is refused and never runs the body).
   */
  static Launch prepare(ThreadFactory factory, ProducerRun<?, ?> run) {
    return Launch.prepare(factory, run, "producer");
  }

  /** Returns true if the body's thread was started. */
  final boolean wasStarted() {
    int s = (int) START.getVolatile(this);
    return s == RUNNING || s == STARTING;
  }

  /**
   * Cancels the body: a later start does nothing; a parked body is woken to throw; a running body
   * is interrupted once. Any thread; idempotent.
   */
  final void cancelBody() {
    if (cancelled) {
      return;
    }
    cancelled = true;
    START.compareAndSet(this, NOT_STARTED, NEVER);
    Thread parked = producerWaiting;
    if (parked != null) {
      LockSupport.unpark(parked);
      return;
    }
    Thread t = thread;
    if (t != null && t != Thread.currentThread() && (int) START.getVolatile(this) == RUNNING
        && INTERRUPT.compareAndSet(this, NOT_INTERRUPTED, INTERRUPTING)) {
      t.interrupt();
      INTERRUPT.setVolatile(this, INTERRUPTED);
    }
  }

  /**
   * Waits, at most the cleanup grace, for the body's thread to end. Returns early, keeping the
   * flag, if the caller is interrupted; does not wait on a thread that must not block.
   */
  final void awaitEnd() {
    if (!wasStarted() || graceNanos <= 0) {
      return;
    }
    if (BlockingGuard.mode() != BlockingGuard.Mode.OFF && BlockingGuard.nonBlockingKind() != null) {
      return;
    }
    long end = System.nanoTime() + graceNanos;
    /*
     * A consumer's ensureStarted() may be between `thread = t` and t.start() (or still in the
     * thread factory): joining a thread that was not started throws IllegalThreadStateException.
     * Wait, within the grace, for the start to be decided first.
     */
    while ((int) START.getVolatile(this) == STARTING) {
      long left = end - System.nanoTime();
      if (left <= 0) {
        return;
      }
      LockSupport.parkNanos(this, Math.min(left, 100_000));
      if (Thread.currentThread().isInterrupted()) {
        return;
      }
    }
    Thread t = thread;
    if (t == null || (int) START.getVolatile(this) != RUNNING || t == Thread.currentThread()) {
      return;
    }
    try {
      long left = end - System.nanoTime();
      if (left > 0) {
        t.join(Duration.ofNanos(left));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits for a body that has published its end to finish its thread (a few instructions). */
  final void joinEnded() {
    Thread t = thread;
    if (t == null || t == Thread.currentThread()) {
      return;
    }
    if (Threads.joinUninterruptibly(t)) {
      Thread.currentThread().interrupt();
    }
  }
}

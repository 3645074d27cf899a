package io.ambidex.http.internal;

import io.ambidex.Deadline;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.hc.core5.concurrent.Cancellable;
import org.jspecify.annotations.Nullable;

/*
 * Honours the caller's Deadline on the blocking transport. Socket timeouts are clamped to the time
 * left, but a blocked write (a server that stops reading an upload) has no timeout at all, so a
 * timer aborts the exchange when the deadline passes. The abort closes the socket; the blocked
 * thread then fails and the transport reports deadline.exceeded() rather than the socket error.
 *
 * The timer is armed only while the exchange runs under the deadline that was current when it
 * started: a body read after the call returned (the deadline no longer bound to the reading
 * thread) disarms it first, so a response handed out of a timed call is not aborted later.
 */
public final class DeadlineAbort {
  private static final class Timer {
    static final ScheduledThreadPoolExecutor INSTANCE = create();

    private static ScheduledThreadPoolExecutor create() {
      ScheduledThreadPoolExecutor t =
          new ScheduledThreadPoolExecutor(
              1,
              r -> Thread.ofPlatform().name("ambidex-http-deadline").daemon(true).unstarted(r));
      t.setRemoveOnCancelPolicy(true);
      return t;
    }
  }

  private final Deadline deadline;
  private final Cancellable exchange;
  private final ScheduledFuture<?> timer;
  private volatile boolean fired;
  private @Nullable Runnable alsoStop; // guarded by this

  private DeadlineAbort(Deadline deadline, Cancellable exchange) {
    this.deadline = deadline;
    this.exchange = exchange;
    this.timer =
        Timer.INSTANCE.schedule(this::fire, Math.max(0, deadline.remainingNanos()),
            TimeUnit.NANOSECONDS);
  }

  public static DeadlineAbort arm(Deadline deadline, Cancellable exchange) {
    return new DeadlineAbort(deadline, exchange);
  }

  private void fire() {
    fired = true;
    exchange.cancel();
    Runnable also;
    synchronized (this) {
      also = alsoStop;
      alsoStop = null;
    }
    if (also != null) {
      also.run();
    }
  }

  /**
   * Registers what else the abort stops: the request body's read, which closing the connection
   * does not reach (a thread blocked on an {@code InputStream} source). Runs it at once if the
   * deadline's abort has already fired.
   */
  public void alsoStop(Runnable stop) {
    synchronized (this) {
      if (!fired) {
        alsoStop = stop;
        return;
      }
    }
    stop.run();
  }

  public Deadline deadline() {
    return deadline;
  }

  public boolean fired() {
    return fired;
  }

  public void disarm() {
    timer.cancel(false);
  }

  /**
   * Called before each body read: throws if the deadline the exchange runs under has passed,
   * disarms if the reading thread is no longer under it.
   */
  public void beforeRead() {
    if (Deadline.current() != deadline) {
      disarm();
      return;
    }
    if (deadline.isExpired()) {
      fired = true;
      exchange.cancel();
      throw deadline.exceeded();
    }
  }
}

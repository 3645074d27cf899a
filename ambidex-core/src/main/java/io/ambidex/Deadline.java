package io.ambidex;

import io.ambidex.internal.Deadlines;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The deadline of the current blocking call, as set by {@link
 * io.ambidex.control.SyncRuntime#withTimeout}. Sync transports read it to bound their socket waits;
 * {@link io.ambidex.control.SyncRuntime#sleep} never sleeps past it.
 *
 * <p>Policy: a deadline is bound to the thread that runs the blocking call, and copied to the
 * threads that {@link io.ambidex.control.SyncRuntime#mapConcurrently} starts. Nested deadlines keep
 * the earliest. The async path does not use it: {@link io.ambidex.control.AsyncRuntime#withTimeout}
 * cancels the stage instead.
 */
public final class Deadline {
  private static final ThreadLocal<Deadline> CURRENT = new ThreadLocal<>();

  static {
    Deadlines.install(
        new Deadlines.Access() {
          @Override
          public @Nullable Deadline install(Duration timeout, String operation) {
            return Deadline.install(timeout, operation);
          }

          @Override
          public @Nullable Deadline bind(@Nullable Deadline deadline) {
            return Deadline.bind(deadline);
          }

          @Override
          public void restore(@Nullable Deadline previous) {
            Deadline.restore(previous);
          }
        });
  }

  private final long deadlineNanos;
  private final Duration timeout;
  private final String operation;

  private Deadline(long deadlineNanos, Duration timeout, String operation) {
    this.deadlineNanos = deadlineNanos;
    this.timeout = timeout;
    this.operation = operation;
  }

  /** Returns the deadline of the current thread's blocking call, or null if it has none. */
  public static @Nullable Deadline current() {
    return CURRENT.get();
  }

  /** Returns the time left before the deadline; zero or negative once it has passed. */
  public Duration remaining() {
    return Duration.ofNanos(remainingNanos());
  }

  /** Returns the nanoseconds left before the deadline; zero or negative once it has passed. */
  public long remainingNanos() {
    return deadlineNanos - System.nanoTime();
  }

  /** Returns true once the deadline has passed. */
  public boolean isExpired() {
    return remainingNanos() <= 0;
  }

  /** Returns the exception that reports this deadline as exceeded. */
  public OperationTimeoutException exceeded() {
    return new OperationTimeoutException(operation, timeout);
  }

  @Override
  public String toString() {
    return "Deadline[" + operation + ", " + timeout + ", remaining " + remaining() + "]";
  }

  /** Installs a deadline on this thread; returns the previous one for {@link #restore}. */
  static @Nullable Deadline install(Duration timeout, String operation) {
    Deadline previous = CURRENT.get();
    long now = System.nanoTime();
    long nanos = Deadlines.saturatedNanos(timeout);
    long at = nanos > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + nanos;
    if (previous == null || at - previous.deadlineNanos < 0) {
      CURRENT.set(new Deadline(at, timeout, operation));
    }
    return previous;
  }

  /** Binds {@code deadline} (may be null) to this thread; returns the previous one. */
  static @Nullable Deadline bind(@Nullable Deadline deadline) {
    Deadline previous = CURRENT.get();
    restore(deadline);
    return previous;
  }

  static void restore(@Nullable Deadline previous) {
    if (previous == null) {
      CURRENT.remove();
    } else {
      CURRENT.set(previous);
    }
  }

}

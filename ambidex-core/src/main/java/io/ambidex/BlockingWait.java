package io.ambidex;

import io.ambidex.internal.Done;
import io.ambidex.internal.Failures;
import io.ambidex.internal.Stages;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * The cross-thread bridge: waits, on the caller's thread, for a stage that another thread
 * completes. Use it for genuinely async stages; for cores on a sync transport use {@link
 * Immediate}, which costs nothing.
 *
 * <p>Policies:
 *
 * <ul>
 *   <li><b>Thread</b>: the caller parks until the stage completes; continuations of the stage run
 *       on whichever thread completes it, never on the parked caller.
 *   <li><b>Already complete</b>: the outcome is returned at once, without the guard or a park.
 *   <li><b>Guard</b>: before parking, {@link BlockingGuard#check} runs; on a thread that must not
 *       block the stage is cancelled and {@link BlockingNotAllowedException} is thrown.
 *   <li><b>Interrupt</b>: the stage is cancelled, the interrupt flag is restored and {@link
 *       CallInterruptedException} is thrown.
 *   <li><b>Timeout</b>: the stage is cancelled and {@link OperationTimeoutException} is thrown. If
 *       the stage completes in the race with the cancellation, its outcome is reported instead.
 *   <li><b>Failures</b>: translated by the <a href="package-summary.html#translation">package's
 *       exception table</a>.
 * </ul>
 */
public final class BlockingWait {
  private BlockingWait() {}

  /**
   * Waits for the stage with no time limit and returns its value or throws its failure.
   *
   * @param stage the stage to wait for
   * @param operation the operation's name, used in error messages
   * @return the stage's value
   * @throws CallInterruptedException if the thread is interrupted while waiting
   * @throws BlockingNotAllowedException if the current thread must not block
   */
  public static <T extends @Nullable Object> T get(CompletionStage<T> stage, String operation) {
    return await(stage, operation, -1L, null, null);
  }

  /**
   * Waits for the stage at most {@code timeout} and returns its value or throws its failure.
   *
   * @param stage the stage to wait for
   * @param operation the operation's name, used in error messages
   * @param timeout the longest time to wait; must be positive
   * @return the stage's value
   * @throws OperationTimeoutException if the time limit passes first (the stage is cancelled)
   * @throws CallInterruptedException if the thread is interrupted while waiting
   * @throws BlockingNotAllowedException if the current thread must not block
   */
  public static <T extends @Nullable Object> T get(
      CompletionStage<T> stage, String operation, Duration timeout) {
    return await(stage, operation, toNanos(timeout), timeout, null);
  }

  /**
   * Like {@link #get(CompletionStage, String, Duration)}, and a checked failure of type {@code
   * declared} is thrown as it is.
   *
   * @param stage the stage to wait for
   * @param operation the operation's name, used in error messages
   * @param timeout the longest time to wait, or null for no limit
   * @param declared the checked exception type the blocking method declares, or null
   * @return the stage's value
   * @throws X if the stage failed with an exception of the declared type
   */
  public static <T extends @Nullable Object, X extends Exception> T get(
      CompletionStage<T> stage,
      String operation,
      @Nullable Duration timeout,
      @Nullable Class<X> declared)
      throws X {
    return await(stage, operation, timeout == null ? -1L : toNanos(timeout), timeout, declared);
  }

  private static long toNanos(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, but was " + timeout);
    }
    try {
      return timeout.toNanos();
    } catch (ArithmeticException tooLong) {
      return Long.MAX_VALUE;
    }
  }

  private static <T extends @Nullable Object, X extends Exception> T await(
      CompletionStage<T> stage,
      String operation,
      long timeoutNanos,
      @Nullable Duration timeout,
      @Nullable Class<X> declared)
      throws X {
    Objects.requireNonNull(stage, "stage");
    Objects.requireNonNull(operation, "operation");
    CompletableFuture<T> future = Stages.asFuture(stage);
    if (!future.isDone()) {
      try {
        BlockingGuard.check(operation);
      } catch (BlockingNotAllowedException refused) {
        future.cancel(true);
        throw refused;
      }
      try {
        return timeoutNanos < 0 ? future.get() : future.get(timeoutNanos, TimeUnit.NANOSECONDS);
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        if (future.cancel(true)) {
          throw new CallInterruptedException(operation);
        }
      } catch (TimeoutException timedOut) {
        if (future.cancel(true)) {
          throw new OperationTimeoutException(operation, Objects.requireNonNull(timeout));
        }
      } catch (ExecutionException | CancellationException failure) {
        // get() wraps a stored CancellationException in a new one; report the stored outcome.
        throw Failures.rethrow(Done.failureOf(future, failure), operation, declared);
      }
    }
    // Complete (possibly in a race with our cancel): report its own outcome.
    try {
      return future.join();
    } catch (CompletionException | CancellationException failure) {
      throw Failures.rethrow(Done.failureOf(future, failure), operation, declared);
    }
  }
}

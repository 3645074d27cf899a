package io.ambidex;

import io.ambidex.internal.Deadlines;
import io.ambidex.internal.DrainLoop;
import io.ambidex.internal.Done;
import io.ambidex.internal.Failures;
import io.ambidex.internal.Stages;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The caller-drained bridge: the calling thread runs the operation's scheduled work itself until
 * the operation completes, the pattern of Kotlin's {@code runBlocking} and gRPC's {@code
 * ThreadlessExecutor}. A core whose continuations go through the executor this bridge supplies,
 * and whose delays go through an {@link io.ambidex.control.AsyncRuntime} (which detects the call),
 * runs timers and retries with real delays on the caller's thread, with no second thread.
 *
 * <p>Policies:
 *
 * <ul>
 *   <li><b>Thread</b>: every task submitted to the supplied executor, and every {@link
 *       io.ambidex.control.AsyncRuntime} sleep or timeout started on this thread during the call,
 *       runs on the calling thread. Work that a transport completes on its own threads wakes the
 *       caller.
 *   <li><b>Guard</b>: before the caller first parks, {@link BlockingGuard#check} runs. While
 *       draining, the caller counts as an Ambidex loop thread, so a nested {@link BlockingWait}
 *       in the operation's own work fails clearly instead of deadlocking the loop.
 *   <li><b>Until the final signal</b>: after the operation's stage completes, whether it
 *       succeeded, failed, was cancelled, timed out or was interrupted, the caller keeps draining:
 *       it runs every queued task (the continuations that the completion or cancellation
 *       triggered), and after a timeout or an interrupt it also waits up to the cleanup grace
 *       (default 5 s) for pending timers of cleanup work. Timers still pending then are abandoned:
 *       their sleeps are cancelled and the resulting work is drained too.
 *   <li><b>After return</b>: the executor stays usable; a task submitted to it later runs on the
 *       submitting thread, so no callback is ever dropped.
 *   <li><b>A task that throws</b> (while the caller drains) does not change the call's outcome
 *       and does not stop the drain: the tasks after it still run. Its exception goes to the
 *       calling thread's {@linkplain Thread#getUncaughtExceptionHandler() uncaught exception
 *       handler}, as an executor's worker reports a failed task.
 *   <li><b>Interrupt</b>: cancels the stage, drains as above, restores the interrupt flag and
 *       throws {@link CallInterruptedException}. <b>Timeout</b>: cancels the stage, drains, and
 *       throws {@link OperationTimeoutException}. If the stage completed first, its outcome wins.
 *   <li><b>Failures</b>: translated by the <a href="package-summary.html#translation">package's
 *       exception table</a>. An exception thrown by {@code call} itself propagates unchanged.
 *   <li><b>Nesting</b>: a caller-drained call inside another runs its own loop as long as it
 *       never has to wait; if it must park, it fails with {@link BlockingNotAllowedException},
 *       because the outer loop's work could not run meanwhile.
 * </ul>
 */
public final class CallerDrained {
  private static final long CLEANUP_GRACE_NANOS = TimeUnit.SECONDS.toNanos(5);

  private CallerDrained() {}

  /**
   * Runs the operation and drains its work on this thread until it completes.
   *
   * @param operation the operation's name, for error messages
   * @param call starts the operation, given the executor its continuations should use
   * @return the operation's value
   * @throws CallInterruptedException if the thread is interrupted while draining
   */
  public static <T extends @Nullable Object> T get(
      String operation, Function<? super Executor, ? extends CompletionStage<T>> call) {
    return drain(operation, null, null, call);
  }

  /**
   * Runs the operation and drains its work on this thread until it completes or the time limit
   * passes.
   *
   * @param operation the operation's name, for error messages
   * @param timeout the time limit, positive
   * @param call starts the operation, given the executor its continuations should use
   * @return the operation's value
   * @throws OperationTimeoutException if the limit passes first (the stage is cancelled)
   * @throws CallInterruptedException if the thread is interrupted while draining
   */
  public static <T extends @Nullable Object> T get(
      String operation,
      Duration timeout,
      Function<? super Executor, ? extends CompletionStage<T>> call) {
    Objects.requireNonNull(timeout, "timeout");
    return drain(operation, timeout, null, call);
  }

  /**
   * Like {@link #get(String, Duration, Function)}, and a checked failure of type {@code declared}
   * is thrown as it is.
   *
   * @param operation the operation's name, for error messages
   * @param timeout the time limit, positive, or null for none
   * @param declared the checked type the blocking method declares, or null
   * @param call starts the operation, given the executor its continuations should use
   * @return the operation's value
   * @throws X if the operation failed with an exception of the declared type
   */
  public static <T extends @Nullable Object, X extends Exception> T get(
      String operation,
      @Nullable Duration timeout,
      @Nullable Class<X> declared,
      Function<? super Executor, ? extends CompletionStage<T>> call)
      throws X {
    return drain(operation, timeout, declared, call);
  }

  /**
   * Returns the executor of the caller-drained call that the current thread is draining, or null
   * if there is none. Transports that complete on their own threads can hand their completion to
   * it so that the core's continuations run on the caller.
   */
  public static @Nullable Executor currentExecutor() {
    return DrainLoop.current();
  }

  private static <T extends @Nullable Object, X extends Exception> T drain(
      String operation,
      @Nullable Duration timeout,
      @Nullable Class<X> declared,
      Function<? super Executor, ? extends CompletionStage<T>> call)
      throws X {
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(call, "call");
    long timeoutNanos = timeout == null ? 0 : positiveNanos(timeout);
    DrainLoop loop = new DrainLoop();
    DrainLoop previousLoop = DrainLoop.enter(loop);
    boolean interrupted = false;
    boolean timedOut = false;
    CompletableFuture<T> future;
    try {
      future =
          Stages.asFuture(
              Objects.requireNonNull(call.apply(loop), "call returned a null stage"));
      if (!future.isDone()) {
        Thread owner = loop.owner();
        future.whenComplete((v, e) -> LockSupport.unpark(owner));
      }
      long deadline = System.nanoTime() + timeoutNanos;
      boolean checked = false;
      while (!future.isDone()) {
        if (loop.runReady() || loop.runDueTimers()) {
          continue;
        }
        if (Thread.interrupted()) {
          interrupted = true;
          future.cancel(true);
          continue;
        }
        long wait = loop.nanosToNextTimer();
        if (timeout != null) {
          long remaining = deadline - System.nanoTime();
          if (remaining <= 0) {
            timedOut = true;
            future.cancel(true);
            continue;
          }
          wait = Math.min(wait, remaining);
        }
        if (!checked) {
          checkGuard(operation, previousLoop, future);
          checked = true;
        }
        if (!loop.hasReady() && !future.isDone()) {
          loop.park(wait);
        }
      }
      finish(loop, interrupted || timedOut);
    } finally {
      DrainLoop.exit(previousLoop);
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    try {
      return future.join();
    } catch (CancellationException cancelled) {
      if (interrupted) {
        throw new CallInterruptedException(operation);
      }
      if (timedOut) {
        throw new OperationTimeoutException(operation, Objects.requireNonNull(timeout));
      }
      throw Failures.rethrow(Done.failureOf(future, cancelled), operation, declared);
    } catch (CompletionException failure) {
      throw Failures.rethrow(failure, operation, declared);
    }
  }

  private static void checkGuard(
      String operation, @Nullable DrainLoop outerLoop, CompletableFuture<?> future) {
    // This call's own loop marks the thread; judge the thread as it was before the call. Inside
    // an outer caller-drained call the guard refuses: the outer loop's work could not run while
    // this call waits.
    DrainLoop mine = DrainLoop.enter(outerLoop);
    try {
      BlockingGuard.check(operation);
    } catch (BlockingNotAllowedException refused) {
      future.cancel(true);
      throw refused;
    } finally {
      DrainLoop.exit(mine);
    }
  }

  /*
   * Drain until quiescent. After a cancellation we caused (interrupt or timeout), cleanup may
   * still be waiting on timers (an async close that sleeps, a flush with a delay): give it the
   * grace period. Then abandon what is left and close the loop.
   */
  private static void finish(DrainLoop loop, boolean cancelledByUs) {
    long graceEnd = System.nanoTime() + CLEANUP_GRACE_NANOS;
    while (true) {
      if (loop.runReady() || loop.runDueTimers()) {
        continue;
      }
      if (!cancelledByUs || !loop.hasPendingTimers()) {
        break;
      }
      long remaining = graceEnd - System.nanoTime();
      if (remaining <= 0) {
        break;
      }
      if (Thread.currentThread().isInterrupted()) {
        break; // interrupted again during cleanup: stop waiting, abandon the rest
      }
      loop.park(Math.min(remaining, loop.nanosToNextTimer()));
    }
    loop.close();
  }

  private static long positiveNanos(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, but was " + timeout);
    }
    // Clamped so that adding it to System.nanoTime() cannot overflow (about 73 years).
    return Math.min(Deadlines.saturatedNanos(timeout), Long.MAX_VALUE / 4);
  }
}

package io.ambidex.control;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Decides, after each failed attempt of {@link Async#retry}, whether another attempt follows and
 * how long to wait before it. {@link RetryPolicy} is the usual decider; implement this directly
 * when the decision depends on more than the failure, for instance on whether the attempt's
 * request body can be sent again or on a server's {@code Retry-After} (as {@code ambidex-http}'s
 * {@code RequestClient} does).
 */
@FunctionalInterface
public interface RetryDecider {
  /**
   * Called once after attempt {@code attempt} (1-based) failed with {@code failure}, on the
   * thread that observed the failure: returns the wait before the next attempt, or null to stop
   * and fail with {@code failure}. {@link Async#retry} never retries a {@link
   * java.util.concurrent.CancellationException} or an {@link Error}, whatever this returns.
   *
   * @param attempt the number of the attempt that failed
   * @param failure its failure, unwrapped from {@code CompletionException}
   * @return the delay before the next attempt (zero for none), or null for no further attempt
   */
  @Nullable Duration nextDelay(int attempt, Throwable failure);
}

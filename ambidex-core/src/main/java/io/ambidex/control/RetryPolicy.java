package io.ambidex.control;

import io.ambidex.internal.Deadlines;
import io.ambidex.Deadline;
import io.ambidex.OperationTimeoutException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * When and how long to wait before retrying a failed attempt: exponential backoff with optional
 * jitter, a maximum number of attempts and a predicate that says which failures are retryable.
 * Immutable and thread-safe; used by {@link Async#retry}, which sleeps through the {@link
 * CoreRuntime} so the same policy blocks on the sync path and schedules on the async path.
 *
 * <p>Rules that no predicate can change: a {@link CancellationException} (including {@link
 * io.ambidex.CallInterruptedException}) and an {@link Error} are never retried.
 *
 * <p>The delay before retry {@code n} (1-based) is {@code min(maxDelay, initialDelay *
 * multiplier^(n-1))}, then jittered: {@link Jitter#NONE} keeps it, {@link Jitter#FULL} picks
 * uniformly in {@code [0, delay]}, {@link Jitter#EQUAL} in {@code [delay/2, delay]}. Delays
 * longer than {@code Long.MAX_VALUE} nanoseconds (about 292 years, e.g. a {@code maxDelay} of
 * {@link java.time.temporal.ChronoUnit#FOREVER} for "no cap") count as that long.
 */
public final class RetryPolicy implements RetryDecider {
  /** How the computed delay is randomised, to spread out clients that failed together. */
  public enum Jitter {
    /** Use the computed delay as it is. */
    NONE,
    /** A uniform random delay between zero and the computed delay. */
    FULL,
    /** Half the computed delay plus a uniform random part of up to the other half. */
    EQUAL
  }

  /** Called before each retry, for logging or metrics. */
  @FunctionalInterface
  public interface Listener {
    /**
     * Called after attempt {@code attempt} (1-based) failed and before the wait for the next one.
     *
     * @param attempt the number of the attempt that failed
     * @param failure its failure
     * @param delay how long the policy waits before the next attempt
     */
    void beforeRetry(int attempt, Throwable failure, Duration delay);
  }

  /** The default retryable failures: I/O failures and timeouts. */
  public static final Predicate<Throwable> IO_FAILURES =
      t ->
          t instanceof IOException
              || t instanceof UncheckedIOException
              || t instanceof OperationTimeoutException;

  private static final RetryPolicy NONE = builder().maxAttempts(1).build();

  private final int maxAttempts;
  private final Duration initialDelay;
  private final double multiplier;
  private final Duration maxDelay;
  private final Jitter jitter;
  private final Predicate<Throwable> retryable;
  private final @Nullable RandomGenerator random;
  private final @Nullable Listener listener;
  private final @Nullable BiFunction<? super Throwable, Duration, Duration> adjuster;

  private RetryPolicy(Builder b) {
    this.maxAttempts = b.maxAttempts;
    this.initialDelay = b.initialDelay;
    this.multiplier = b.multiplier;
    this.maxDelay = b.maxDelay;
    this.jitter = b.jitter;
    this.retryable = b.retryable;
    this.random = b.random;
    this.listener = b.listener;
    this.adjuster = b.adjuster;
  }

  /** Returns a policy that makes one attempt and never retries. */
  public static RetryPolicy none() {
    return NONE;
  }

  /**
   * Returns a builder with the defaults: 3 attempts, 100 ms initial delay, multiplier 2, 20 s
   * maximum delay, {@link Jitter#FULL}, retrying {@link #IO_FAILURES}.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the maximum number of attempts, the first included. */
  public int maxAttempts() {
    return maxAttempts;
  }

  /**
   * Returns true if {@code failure} of attempt {@code attempt} (1-based) should be retried.
   *
   * @param attempt the number of the attempt that failed
   * @param failure its failure, unwrapped
   * @return whether another attempt should be made
   */
  public boolean shouldRetry(int attempt, Throwable failure) {
    if (attempt >= maxAttempts
        || failure instanceof CancellationException
        || failure instanceof Error) {
      return false;
    }
    return retryable.test(failure);
  }

  /**
   * Returns the delay before retry number {@code retry} (1-based), jitter applied.
   *
   * @param retry the number of the retry about to be made
   * @return the delay, never negative
   */
  public Duration delayBefore(int retry) {
    if (retry < 1) {
      throw new IllegalArgumentException("retry must be at least 1, but was " + retry);
    }
    /*
     * Durations past Long.MAX_VALUE nanoseconds (about 292 years; the builder accepts them, and
     * ChronoUnit.FOREVER reads as "no cap") saturate there, and the double-to-long cast saturates
     * too; the inclusive bound of FULL cannot be capped + 1 at Long.MAX_VALUE.
     */
    double base = Deadlines.saturatedNanos(initialDelay) * Math.pow(multiplier, retry - 1);
    long capped = (long) Math.min(base, (double) Deadlines.saturatedNanos(maxDelay));
    RandomGenerator r = random != null ? random : ThreadLocalRandom.current();
    long nanos =
        switch (jitter) {
          case NONE -> capped;
          case FULL ->
              capped == 0
                  ? 0
                  : capped == Long.MAX_VALUE ? r.nextLong() >>> 1 : r.nextLong(capped + 1);
          case EQUAL -> capped / 2 + (capped - capped / 2 == 0 ? 0 : r.nextLong(capped - capped / 2 + 1));
        };
    return Duration.ofNanos(nanos);
  }

  /**
   * Returns the delay to wait after attempt {@code attempt} failed with {@code failure}: the
   * backoff of {@link #delayBefore}, adjusted by the builder's {@linkplain Builder#adjustDelay
   * delay adjuster} if there is one (to honour a server's Retry-After, for example).
   *
   * @param attempt the number of the attempt that failed (1-based)
   * @param failure its failure
   * @return the delay, never negative
   */
  public Duration delayAfter(int attempt, Throwable failure) {
    Duration backoff = delayBefore(attempt);
    if (adjuster == null) {
      return backoff;
    }
    Duration adjusted = Objects.requireNonNull(adjuster.apply(failure, backoff), "adjusted delay");
    return adjusted.isNegative() ? Duration.ZERO : adjusted;
  }

  /**
   * Tells the listener, if any, that attempt {@code attempt} failed and another follows after
   * {@code delay}. Code that drives its own retry loop calls it to honour the policy's listener.
   *
   * @param attempt the number of the attempt that failed
   * @param failure its failure
   * @param delay the wait before the next attempt
   */
  public void notifyRetry(int attempt, Throwable failure, Duration delay) {
    Listener l = listener;
    if (l != null) {
      l.beforeRetry(attempt, failure, delay);
    }
  }

  /**
   * The policy as a {@link RetryDecider}: null if {@link #shouldRetry} says no; otherwise {@link
   * #delayAfter}, after telling the {@linkplain Builder#listener listener} through {@link
   * #notifyRetry}. Call it once per failed attempt.
   */
  @Override
  public @Nullable Duration nextDelay(int attempt, Throwable failure) {
    if (!shouldRetry(attempt, failure)) {
      return null;
    }
    Duration delay = delayAfter(attempt, failure);
    notifyRetry(attempt, failure, delay);
    return delay;
  }

  @Override
  public String toString() {
    return "RetryPolicy[maxAttempts=" + maxAttempts + ", initialDelay=" + initialDelay
        + ", multiplier=" + multiplier + ", maxDelay=" + maxDelay + ", jitter=" + jitter + "]";
  }

  /** Builds a {@link RetryPolicy}. Not thread-safe. */
  public static final class Builder {
    private int maxAttempts = 3;
    private Duration initialDelay = Duration.ofMillis(100);
    private double multiplier = 2.0;
    private Duration maxDelay = Duration.ofSeconds(20);
    private Jitter jitter = Jitter.FULL;
    private Predicate<Throwable> retryable = IO_FAILURES;
    private @Nullable RandomGenerator random;
    private @Nullable Listener listener;
    private @Nullable BiFunction<? super Throwable, Duration, Duration> adjuster;

    private Builder() {}

    /**
     * Sets a function that adjusts the backoff for a given failure, e.g. to wait at least what a
     * server's Retry-After asks. It receives the failure and the computed backoff and returns the
     * delay to use (a negative result counts as zero).
     *
     * @param adjuster the adjuster
     * @return this builder
     */
    public Builder adjustDelay(BiFunction<? super Throwable, Duration, Duration> adjuster) {
      this.adjuster = Objects.requireNonNull(adjuster, "adjuster");
      return this;
    }

    /**
     * Sets the maximum number of attempts, the first included.
     *
     * @param maxAttempts at least 1
     * @return this builder
     */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1, but was " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * Sets the delay before the first retry.
     *
     * @param initialDelay zero or positive
     * @return this builder
     */
    public Builder initialDelay(Duration initialDelay) {
      this.initialDelay = nonNegative(initialDelay, "initialDelay");
      return this;
    }

    /**
     * Sets the factor by which the delay grows after each retry.
     *
     * @param multiplier at least 1.0
     * @return this builder
     */
    public Builder multiplier(double multiplier) {
      if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
        throw new IllegalArgumentException(
            "multiplier must be a finite number of at least 1.0, but was " + multiplier);
      }
      this.multiplier = multiplier;
      return this;
    }

    /**
     * Sets the largest delay, before jitter.
     *
     * @param maxDelay zero or positive
     * @return this builder
     */
    public Builder maxDelay(Duration maxDelay) {
      this.maxDelay = nonNegative(maxDelay, "maxDelay");
      return this;
    }

    /**
     * Sets the jitter.
     *
     * @param jitter how the delay is randomised
     * @return this builder
     */
    public Builder jitter(Jitter jitter) {
      this.jitter = Objects.requireNonNull(jitter, "jitter");
      return this;
    }

    /**
     * Sets which failures are retried. Cancellations and errors never are.
     *
     * @param retryable returns true for failures worth another attempt
     * @return this builder
     */
    public Builder retryOn(Predicate<Throwable> retryable) {
      this.retryable = Objects.requireNonNull(retryable, "retryable");
      return this;
    }

    /**
     * Sets the random generator used for jitter (for reproducible tests). The default is {@link
     * ThreadLocalRandom}.
     *
     * @param random the generator; it must be thread-safe if the policy is shared across threads
     * @return this builder
     */
    public Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Sets a listener called before each retry.
     *
     * @param listener the listener; it runs on the thread that observed the failure
     * @return this builder
     */
    public Builder listener(Listener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Builds the policy. */
    public RetryPolicy build() {
      return new RetryPolicy(this);
    }

    private static Duration nonNegative(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative, but was " + d);
      }
      return d;
    }
  }
}

package io.ambidex.test;

import io.ambidex.CallInterruptedException;
import java.time.Duration;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Soaks a blocking facade with interrupts: one thread makes {@code calls} blocking calls in a row
 * while another interrupts it at seeded random moments, so that interrupts land everywhere in a
 * call (before the request, in the pool, mid-exchange, in a cleanup) and between calls.
 *
 * <p>The contract it checks is the blocking facades' own: an interrupted call fails with {@link
 * CallInterruptedException} and nothing else. Any other exception ends the soak and is rethrown
 * by {@link #run} as the cause of an {@link AssertionError} naming the call. An interrupt that
 * lands between calls is cleared before the next one. What the calls leave behind (connections,
 * threads, server-side state) is for the test to check afterwards.
 *
 * <pre>{@code
 * InterruptSoak.Outcome outcome =
 *     InterruptSoak.run(10_000, 23, Duration.ofMillis(3), Duration.ofMinutes(8),
 *         i -> client.get(bucket, "key"));
 * assertThat(outcome.interrupted()).isPositive();
 * }</pre>
 */
public final class InterruptSoak {
  private InterruptSoak() {}

  /** One call of the soak. */
  @FunctionalInterface
  public interface Call {
    /**
     * Makes the {@code index}-th blocking call; throws what the call throws.
     *
     * @param index the call's number, from 0
     * @throws Exception whatever the call throws
     */
    void run(int index) throws Exception;
  }

  /**
   * What the soak counted.
   *
   * @param completed calls that returned
   * @param interrupted calls that failed with {@link CallInterruptedException}
   */
  public record Outcome(int completed, int interrupted) {}

  /**
   * Runs the soak and returns once every call has ended.
   *
   * @param calls how many calls to make, at least 1
   * @param seed the seed of the interrupts' timing
   * @param maxGap the longest time between two interrupts (each gap is uniform below it)
   * @param timeout how long the calls may take in all, positive; past it the soak fails (a hung
   *     call)
   * @param call makes one call
   * @return the counts, which add up to {@code calls}
   * @throws IllegalArgumentException if {@code calls} is below 1 or {@code timeout} is not positive
   * @throws AssertionError if a call failed with anything but {@link CallInterruptedException}, or
   *     the calls did not end within {@code timeout}
   * @throws InterruptedException if the thread running the soak is interrupted
   */
  public static Outcome run(int calls, long seed, Duration maxGap, Duration timeout, Call call)
      throws InterruptedException {
    if (calls < 1) {
      throw new IllegalArgumentException("calls must be at least 1, but was " + calls);
    }
    Objects.requireNonNull(maxGap, "maxGap");
    Objects.requireNonNull(timeout, "timeout");
    if (!timeout.isPositive()) {
      throw new IllegalArgumentException(
          "timeout must be positive (the time the calls may take in all), but was " + timeout);
    }
    Objects.requireNonNull(call, "call");
    long maxGapMicros = Math.max(1, maxGap.toNanos() / 1_000);
    AtomicBoolean done = new AtomicBoolean();
    int[] counts = new int[2];
    Throwable[] unexpected = new Throwable[1];
    int[] failedAt = {-1};
    Thread caller =
        new Thread(
            () -> {
              try {
                for (int i = 0; i < calls; i++) {
                  try {
                    call.run(i);
                    counts[0]++;
                  } catch (CallInterruptedException e) {
                    counts[1]++;
                  } catch (Throwable t) {
                    unexpected[0] = t;
                    failedAt[0] = i;
                    return;
                  } finally {
                    Thread.interrupted(); // one that landed after the call had returned
                  }
                }
              } finally {
                done.set(true);
              }
            },
            "interrupt-soak-caller");
    Thread interrupter =
        new Thread(
            () -> {
              Random random = new Random(seed);
              while (!done.get()) {
                LockSupport.parkNanos(random.nextLong(maxGapMicros) * 1_000L);
                if (!done.get()) {
                  caller.interrupt();
                }
              }
            },
            "interrupt-soak-interrupter");
    caller.setDaemon(true); // a hung call must not keep the JVM alive
    interrupter.setDaemon(true);
    caller.start();
    interrupter.start();
    boolean hung;
    try {
      // join(Duration), not join(timeout.toMillis()): a timeout under a millisecond would be
      // join(0), which waits forever.
      hung = !caller.join(timeout);
    } finally {
      done.set(true); // also when this thread is interrupted: the interrupter stops
    }
    interrupter.join();
    if (hung) {
      throw new AssertionError(
          "the soak's calls did not end within " + timeout + "; a call hangs: "
              + stack(caller));
    }
    Throwable failure = unexpected[0];
    if (failure != null) {
      throw new AssertionError(
          "call " + failedAt[0] + " failed with " + failure
              + ", not CallInterruptedException; an interrupted blocking call must fail with"
              + " CallInterruptedException only",
          failure);
    }
    return new Outcome(counts[0], counts[1]);
  }

  private static String stack(Thread thread) {
    StringBuilder b = new StringBuilder();
    for (StackTraceElement e : thread.getStackTrace()) {
      b.append("\n\tat ").append(e);
    }
    return b.toString();
  }
}

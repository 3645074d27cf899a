package io.ambidex.control.internal;

import io.ambidex.internal.ModelChecking;
import io.ambidex.internal.Outcomes;
import io.ambidex.control.Async;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Lincheck over the bounded fan-out behind {@link Async#parallel} and {@code
 * AsyncRuntime.mapConcurrently} (its permits): four inputs, at most two tasks in flight, the
 * tasks' stages completed, failed and the result cancelled from several threads. Checked after
 * every run, whatever the interleaving:
 *
 * <ul>
 *   <li>never more than two tasks in flight, and no task started twice;
 *   <li>a result that succeeded holds every task's value in input order;
 *   <li>a result that failed or was cancelled has no task still running, and a failed result
 *       fails with a task's own failure;
 *   <li>while the result is not done, a task is in flight unless every task has ended (no lane
 *       stalls with work left).
 * </ul>
 */
@Param(name = "task", gen = IntGen.class, conf = "0:3")
@Timeout(180)
public class FanOutLincheckTest {
  private static final int INPUTS = 4;
  private static final int LIMIT = 2;

  private final AtomicReferenceArray<@Nullable CompletableFuture<Integer>> tasks =
      new AtomicReferenceArray<>(INPUTS);
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger mostInFlight = new AtomicInteger();
  private final AtomicInteger startedTwice = new AtomicInteger();
  private final AtomicReferenceArray<@Nullable IllegalStateException> failures =
      new AtomicReferenceArray<>(INPUTS);
  private final CompletableFuture<List<Integer>> result;

  public FanOutLincheckTest() {
    result =
        Async.parallel(
                List.of(0, 1, 2, 3),
                LIMIT,
                (Integer i) -> {
                  Task task = new Task();
                  if (!tasks.compareAndSet(i, null, task)) {
                    startedTwice.incrementAndGet();
                  }
                  mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                  return task;
                })
            .toCompletableFuture();
  }

  @Operation
  public void succeed(@Param(name = "task") int i) {
    CompletableFuture<Integer> task = tasks.get(i);
    if (task != null) {
      task.complete(i * 10);
    }
  }

  @Operation
  public void fail(@Param(name = "task") int i) {
    CompletableFuture<Integer> task = tasks.get(i);
    if (task != null) {
      IllegalStateException failure = new IllegalStateException("task " + i + " failed");
      if (task.completeExceptionally(failure)) {
        failures.set(i, failure);
      }
    }
  }

  @Operation
  public void cancel() {
    result.cancel(true);
  }

  @Validate
  public void invariants() {
    if (mostInFlight.get() > LIMIT) {
      throw new AssertionError(mostInFlight.get() + " tasks were in flight; the limit is " + LIMIT);
    }
    if (startedTwice.get() > 0) {
      throw new AssertionError("a task was started twice");
    }
    boolean anyRunning = false;
    boolean allEnded = true;
    for (int i = 0; i < INPUTS; i++) {
      CompletableFuture<Integer> task = tasks.get(i);
      if (task == null) {
        allEnded = false;
      } else if (!task.isDone()) {
        anyRunning = true;
        allEnded = false;
      }
    }
    if (result.isDone() && !result.isCompletedExceptionally()) {
      if (!result.join().equals(List.of(0, 10, 20, 30))) {
        throw new AssertionError("results out of order or wrong: " + result.join());
      }
    }
    if (result.isCompletedExceptionally() && !result.isCancelled()) {
      if (anyRunning) {
        throw new AssertionError("the result failed while a task still runs");
      }
      Throwable why = Outcomes.failure(result);
      boolean ours = false;
      for (int i = 0; i < INPUTS; i++) {
        ours |= failures.get(i) == why;
      }
      if (!ours) {
        throw new AssertionError("the result failed with something no task failed with", why);
      }
    }
    if (result.isCancelled() && anyRunning) {
      throw new AssertionError("the result was cancelled but a task still runs");
    }
    if (!result.isDone() && !anyRunning && !allEnded) {
      throw new AssertionError("no task in flight and work left, but the result is not done");
    }
    if (!result.isDone() && allEnded) {
      throw new AssertionError("every task ended but the result is not done");
    }
  }

  /**
   * A task's stage that leaves the in-flight count before it completes, so the count is exact
   * when the fan-out (called back on completion) starts the next task.
   */
  private final class Task extends CompletableFuture<Integer> {
    private final java.util.concurrent.atomic.AtomicBoolean ended =
        new java.util.concurrent.atomic.AtomicBoolean();

    private boolean end() {
      if (ended.compareAndSet(false, true)) {
        inFlight.decrementAndGet();
        return true;
      }
      return false;
    }

    @Override
    public boolean complete(Integer value) {
      return end() && super.complete(value);
    }

    @Override
    public boolean completeExceptionally(Throwable failure) {
      return end() && super.completeExceptionally(failure);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      return end() && super.cancel(mayInterruptIfRunning);
    }
  }


  @Test
  void modelChecking() {
    ModelChecking.options()
        .iterations(15)
        .invocationsPerIteration(500)
        .threads(2)
        .actorsPerThread(3)
        .actorsBefore(1)
        .actorsAfter(0)
        .check(FanOutLincheckTest.class);
  }

  @Test
  void stress() {
    new StressOptions()
        .iterations(20)
        .invocationsPerIteration(1_000)
        .threads(3)
        .actorsPerThread(3)
        .actorsBefore(1)
        .actorsAfter(0)
        .check(FanOutLincheckTest.class);
  }
}

package io.ambidex.internal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Lincheck over the caller-drained call's queue ({@link DrainLoop}): tasks submitted from other
 * threads while the owner drains and closes it. The owner's operations run in one thread (a
 * non-parallel group), as only the calling thread drains its loop. The operations return nothing:
 * which of two racing calls runs a task is free, so only what must hold is checked, after every
 * run: no
 * task runs twice; once the loop is closed, every task submitted has run (before the close, on
 * the owner, or after it, on its submitter: never dropped); before, every task has either run or
 * is still queued.
 */
@Timeout(180)
public class DrainLoopLincheckTest {
  private static final int MAX_TASKS = 16;

  private final DrainLoop loop = new DrainLoop();
  private final AtomicInteger submitted = new AtomicInteger();
  private final AtomicIntegerArray runs = new AtomicIntegerArray(MAX_TASKS);
  private volatile boolean closed;

  @Operation
  public void submit() {
    int id = submitted.getAndIncrement();
    loop.execute(() -> runs.incrementAndGet(id));
  }

  @Operation(nonParallelGroup = "owner")
  public void drain() {
    loop.runReady();
  }

  @Operation(nonParallelGroup = "owner")
  public void close() {
    loop.close();
    closed = true;
  }

  @Validate
  public void everyTaskRunsOnce_andNoneIsDropped() {
    int ran = 0;
    for (int i = 0; i < submitted.get(); i++) {
      int n = runs.get(i);
      if (n > 1) {
        throw new AssertionError("task " + i + " ran " + n + " times");
      }
      ran += n;
    }
    if (closed && ran != submitted.get()) {
      throw new AssertionError(
          "the loop is closed but only " + ran + " of " + submitted.get() + " tasks ran");
    }
    if (!closed && ran + (loop.hasReady() ? countQueued() : 0) != submitted.get()) {
      throw new AssertionError("a task neither ran nor is queued");
    }
  }

  private int countQueued() {
    // Drains on the validating thread: the run is over, nobody else touches the loop.
    int before = 0;
    for (int i = 0; i < submitted.get(); i++) {
      before += runs.get(i);
    }
    loop.runReady();
    int after = 0;
    for (int i = 0; i < submitted.get(); i++) {
      after += runs.get(i);
    }
    return after - before;
  }

  @Test
  void modelChecking() {
    ModelChecking.options()
        .iterations(15)
        .invocationsPerIteration(500)
        .threads(3)
        .actorsPerThread(2)
        .actorsBefore(0)
        .actorsAfter(0)
        .check(DrainLoopLincheckTest.class);
  }

  @Test
  void stress() {
    new StressOptions()
        .iterations(20)
        .invocationsPerIteration(1_000)
        .threads(3)
        .actorsPerThread(3)
        .actorsBefore(0)
        .actorsAfter(0)
        .check(DrainLoopLincheckTest.class);
  }
}

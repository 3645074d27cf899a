package io.ambidex.internal;

import io.ambidex.CallFuture;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Model checking (Lincheck) of {@link CallFuture#settled()} on a future whose operation reports
 * its end: the operation (completing it, recording a stage, reporting that it stopped) races a
 * caller who cancels it and a caller who asks for {@code settled()}, from any thread. Validated
 * after every run: once the operation has completed its future or reported its end after the
 * future was done, every {@code settled()} handed out has completed (none is left waiting for a
 * report that came in between); and a cancelled future whose operation has not reported its end is
 * not settled (none completed early).
 *
 * <p>A fixed number of invocations, bounded at 300 s like the ring's model checks: 120 s was too
 * short for the model checking at a load average of 14-16 on two cores.
 */
@Param(name = "value", gen = IntGen.class, conf = "1:3")
@Timeout(300)
public class CallFutureSettledLincheckTest {
  private final CallFuture<Integer> future = Calls.createReporting("op");
  private final Queue<CompletableFuture<Void>> handedOut = new ConcurrentLinkedQueue<>();
  private volatile boolean operationEnded;

  @Operation
  public boolean cancel() {
    return future.cancel(true);
  }

  /*
   * Returns nothing: whether the stage is complete the moment it is handed out is not part of the
   * contract (a completion from another thread may be finishing its report), only that it
   * completes once the operation has ended, which the validation checks.
   */
  @Operation
  public void settled() {
    handedOut.add(future.settled());
  }

  @Operation(nonParallelGroup = "operation")
  public boolean succeed(@Param(name = "value") int value) {
    boolean won = Calls.succeed(future, value);
    operationEnded = true;
    return won;
  }

  @Operation(nonParallelGroup = "operation")
  public boolean fail() {
    boolean won = Calls.fail(future, new IllegalStateException("failed"));
    operationEnded = true;
    return won;
  }

  /** What a driver does when it finds its future done: reports its end, if it is done. */
  @Operation(nonParallelGroup = "operation")
  public boolean stopIfDone() {
    if (future.isDone()) {
      Calls.ended(future);
      operationEnded = true;
      return true;
    }
    return false;
  }

  @Operation(nonParallelGroup = "operation")
  public void dependOn() {
    Calls.dependOn(future, new CompletableFuture<Void>());
  }

  @Validate
  public void settled_neitherLostNorEarly() {
    boolean settledNow = future.settled().isDone();
    if (operationEnded) {
      for (CompletableFuture<Void> s : handedOut) {
        if (!s.isDone()) {
          throw new AssertionError("the operation has ended but a settled() handed out waits");
        }
      }
      if (!settledNow) {
        throw new AssertionError("the operation has ended but settled() waits");
      }
    } else if (future.isCancelled() && settledNow) {
      throw new AssertionError("settled() completed before the cancelled operation ended");
    }
  }

  @Test
  void modelChecking() {
    ModelChecking.options()
        .iterations(20)
        .invocationsPerIteration(1_000)
        .threads(3)
        .actorsPerThread(2)
        .actorsBefore(0)
        .actorsAfter(0)
        .check(CallFutureSettledLincheckTest.class);
  }

  @Test
  void stress() {
    new StressOptions()
        .iterations(10)
        .invocationsPerIteration(1_000)
        .threads(3)
        .actorsPerThread(2)
        .actorsBefore(0)
        .actorsAfter(0)
        .check(CallFutureSettledLincheckTest.class);
  }
}

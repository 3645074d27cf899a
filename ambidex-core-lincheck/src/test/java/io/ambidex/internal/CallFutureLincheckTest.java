package io.ambidex.internal;

import io.ambidex.CallFuture;
import java.util.concurrent.CompletableFuture;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.Validate;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Model checking (Lincheck) of {@link CallFuture}'s completion against cancellation: the
 * operation completing it or recording the stage it waits on ({@code dependOn}), one step after
 * another as an operation does, races the caller cancelling it from any thread. The sequential specification is the class itself run in one
 * thread (a {@code CompletableFuture}'s first-completion-wins); after every run the invariant the
 * whole toolkit relies on is validated: once the future is cancelled, the stage it last recorded is
 * cancelled too, whichever of {@code cancel} and {@code dependOn} came first. It found that a
 * completion losing to a cancel dropped the reference to that stage first, so the cancel could
 * not reach it.
 */
@Param(name = "value", gen = IntGen.class, conf = "1:3")
@Timeout(120)
public class CallFutureLincheckTest {
  private final CallFuture<Integer> future = Calls.create("op");
  private volatile @Nullable CompletableFuture<Void> lastUpstream;

  @Operation
  public boolean cancel() {
    return future.cancel(true);
  }

  @Operation(nonParallelGroup = "operation")
  public boolean succeed(@Param(name = "value") int value) {
    return Calls.succeed(future, value);
  }

  @Operation(nonParallelGroup = "operation")
  public boolean fail() {
    return Calls.fail(future, new IllegalStateException("failed"));
  }

  /** Records a new upstream stage; returns whether it was cancelled at once. */
  @Operation(nonParallelGroup = "operation")
  public boolean dependOn() {
    CompletableFuture<Void> upstream = new CompletableFuture<>();
    lastUpstream = upstream;
    Calls.dependOn(future, upstream);
    return upstream.isCancelled();
  }

  @Validate
  public void cancellation_reachesTheLastRecordedUpstream() {
    CompletableFuture<Void> upstream = lastUpstream;
    if (future.isCancelled() && upstream != null && !upstream.isCancelled()) {
      throw new AssertionError("the future is cancelled but the stage it waits on is not");
    }
  }

  @Test
  void modelChecking() {
    ModelChecking.options()
        .iterations(15)
        .invocationsPerIteration(1_000)
        .threads(2)
        .actorsPerThread(2)
        .actorsBefore(0)
        .actorsAfter(0)
        .check(CallFutureLincheckTest.class);
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
        .check(CallFutureLincheckTest.class);
  }
}

package io.ambidex.synchronizer.internal;

import io.ambidex.synchronizer.Synchronizer;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Lincheck's stress mode over a Synchronizer's start and close: first calls from three threads
 * at once (each may be the one that starts the loop), blocking calls, futures and a close racing
 * them. Checked after every run (the Synchronizer then closed): one loop thread ran every task
 * that ran, and it has ended; every call either ran on it or was refused as closed (none lost,
 * none hung: a hang fails the run).
 *
 * <p>Stress mode only: the Synchronizer starts a thread of its own, which Lincheck's model
 * checker does not schedule.
 */
@Timeout(180)
public class SynchronizerLincheckTest {
  private final Synchronizer sync = Synchronizer.builder("lincheck").daemon(true).build();
  private final Set<Thread> ranOn = ConcurrentHashMap.newKeySet();
  private final AtomicInteger issued = new AtomicInteger();
  private final AtomicInteger ran = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();

  private CompletableFuture<Integer> task(AtomicBoolean didRun) {
    didRun.set(true);
    ranOn.add(Thread.currentThread());
    if (!sync.isLoopThread()) {
      throw new AssertionError("a task ran off the loop, on " + Thread.currentThread());
    }
    ran.incrementAndGet();
    return CompletableFuture.completedFuture(1);
  }

  @Operation
  public void call() {
    issued.incrementAndGet();
    AtomicBoolean didRun = new AtomicBoolean();
    try {
      sync.call("call", () -> task(didRun));
    } catch (IllegalStateException closedOrCancelledByTheClose) {
      if (!didRun.get()) {
        refused.incrementAndGet();
      }
    }
  }

  @Operation
  public void future() {
    issued.incrementAndGet();
    AtomicBoolean didRun = new AtomicBoolean();
    try {
      sync.future("future", () -> task(didRun)).join();
    } catch (IllegalStateException closedOrCancelledByTheClose) {
      // Refused as closed, or accepted and then cancelled by the close (CancellationException is
      // an IllegalStateException), before or after its task ran.
      if (!didRun.get()) {
        refused.incrementAndGet();
      }
    }
  }

  @Operation
  public void close() {
    sync.close();
  }

  @Validate
  public void oneLoop_thatEnded_andNoCallLost() throws InterruptedException {
    sync.close();
    if (ranOn.size() > 1) {
      throw new AssertionError("tasks ran on " + ranOn.size() + " loop threads: " + ranOn);
    }
    for (Thread loop : ranOn) {
      loop.join(10_000);
      if (loop.isAlive()) {
        throw new AssertionError("the loop thread outlived close(): " + loop);
      }
    }
    if (ran.get() + refused.get() != issued.get()) {
      throw new AssertionError(
          issued.get() + " calls, " + ran.get() + " ran, " + refused.get() + " refused");
    }
  }

  @Test
  void stress() {
    new StressOptions()
        .iterations(15)
        .invocationsPerIteration(300)
        .threads(3)
        .actorsPerThread(2)
        .actorsBefore(0)
        .actorsAfter(0)
        .check(SynchronizerLincheckTest.class);
  }
}

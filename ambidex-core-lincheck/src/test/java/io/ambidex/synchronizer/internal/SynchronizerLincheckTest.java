package io.ambidex.synchronizer.internal;

import io.ambidex.internal.ModelChecking;
import static org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt.forClasses;

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
 * Lincheck's model checking and stress mode over a Synchronizer's start and close: first calls
 * from three threads at once (each may be the one that starts the loop), blocking calls, futures
 * and a close racing them. Checked after every run (the Synchronizer then closed by the last call
 * to finish): one loop thread ran every task that ran, and it has ended; every call either ran on
 * it or was refused as closed (none lost, none hung: a hang fails the run).
 *
 * <p>The Synchronizer's loop is a thread of its own, started by a scenario thread: Lincheck 3.x
 * registers and schedules it, but only in a scenario's parallel part (see {@code
 * callsPerScenario}).
 */
@Timeout(180)
public class SynchronizerLincheckTest {
  private final Synchronizer sync = Synchronizer.builder("lincheck").daemon(true).build();
  private final Set<Thread> ranOn = ConcurrentHashMap.newKeySet();
  private final AtomicInteger issued = new AtomicInteger();
  private final AtomicInteger ran = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();
  private final AtomicInteger finished = new AtomicInteger();
  private volatile boolean closedByLastCall;

  /*
   * How many calls each scenario has: threads x actors per thread, no actors before or after (set
   * by each test before its check; Lincheck gives every thread exactly its actors here). The last
   * call to finish closes the Synchronizer, so the final close runs inside the checked execution
   * rather than in the validation: Lincheck 3.7's model checker schedules the loop thread (a thread
   * a scenario thread started) only in the parallel part, not while a validation function runs,
   * so a close there that waits for the loop hung whenever no close() was in the scenario, on
   * correct code too (ARCHITECTURE.md, choice 43).
   */
  private static volatile int callsPerScenario;

  /* Run at the end of every call: the last one closes the Synchronizer and waits for its loop. */
  private void finished() {
    if (finished.incrementAndGet() == callsPerScenario) {
      sync.close();
      closedByLastCall = true;
    }
  }

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
    } finally {
      finished();
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
    } finally {
      finished();
    }
  }

  @Operation
  public void close() {
    try {
      sync.close();
    } finally {
      finished();
    }
  }

  @Validate
  public void oneLoop_thatEnded_andNoCallLost() {
    if (!closedByLastCall) {
      throw new AssertionError(
          "the last call did not close the Synchronizer: " + finished.get() + " calls of "
              + callsPerScenario + " finished");
    }
    if (ranOn.size() > 1) {
      throw new AssertionError("tasks ran on " + ranOn.size() + " loop threads: " + ranOn);
    }
    for (Thread loop : ranOn) {
      if (loop.isAlive()) {
        throw new AssertionError("the loop thread outlived close(): " + loop);
      }
    }
    if (ran.get() + refused.get() != issued.get()) {
      throw new AssertionError(
          issued.get() + " calls, " + ran.get() + " ran, " + refused.get() + " refused");
    }
  }

  /*
   * Sized to at most about 40 s here (2 cores shared with other builds): 8 scenarios of 300
   * interleavings, 3 threads of 2 calls (10 took 12 s alone, 42 s in the module's full build).
   * Not minimized: a smaller scenario would not have the calls the last-call close counts (and
   * minimizing used to end in a one-call scenario whose validation close hung, which hid the real
   * failure). A broken copy of Synchronizer.loop() that
   * skipped its second check under the lock failed in about 7 s: two first calls both read a null
   * loop, two loops started, a task ran off the loop and the unstopped one never ended ("The
   * execution has hung", with the interleaving).
   */
  @Test
  @Timeout(300)
  void modelChecking() {
    callsPerScenario = 3 * 2;
    ModelChecking.options()
        .iterations(8)
        .invocationsPerIteration(300)
        .threads(3)
        .actorsPerThread(2)
        .actorsBefore(0)
        .actorsAfter(0)
        .minimizeFailedScenario(false)
        // As in AsyncTaskGroupLincheckTest: keeps Lincheck 3.7's snapshot tracker out of
        // IdentityHashMap (ARCHITECTURE.md, choice 43).
        .addGuarantee(
            forClasses((String name) -> name.startsWith("java.util.IdentityHashMap"))
                .allMethods()
                .treatAsAtomic())
        .check(SynchronizerLincheckTest.class);
  }

  /* Not minimized, for the same reason as the model checking. */
  @Test
  void stress() {
    callsPerScenario = 3 * 2;
    new StressOptions()
        .iterations(15)
        .invocationsPerIteration(300)
        .threads(3)
        .actorsPerThread(2)
        .actorsBefore(0)
        .actorsAfter(0)
        .minimizeFailedScenario(false)
        .check(SynchronizerLincheckTest.class);
  }
}

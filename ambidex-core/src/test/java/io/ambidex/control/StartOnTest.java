package io.ambidex.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.CallFuture;
import io.ambidex.context.ContextPropagation;
import io.ambidex.testing.ThreadLocalPropagator;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link Async#startOn}: the operation starts on the executor, always, and its stage is relayed. */
@Timeout(30)
class StartOnTest {
  private final ExecutorService pool =
      Executors.newSingleThreadExecutor(r -> new Thread(r, "start-pool"));

  /** Runs tasks only when the test says so. */
  static final class HeldExecutor implements Executor {
    final Queue<Runnable> tasks = new ArrayDeque<>();

    @Override
    public void execute(Runnable task) {
      tasks.add(task);
    }

    void runAll() {
      for (Runnable t; (t = tasks.poll()) != null; ) {
        t.run();
      }
    }
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void theOperation_startsOnTheExecutor_andItsValueIsTheResult() throws Exception {
    AtomicReference<String> startedOn = new AtomicReference<>();

    CallFuture<String> result =
        Async.startOn(
            pool,
            () -> {
              startedOn.set(Thread.currentThread().getName());
              return CompletableFuture.completedFuture("value");
            });

    assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("value");
    assertThat(startedOn).hasValue("start-pool");
  }

  @Test
  void theOperationsFailure_failsTheResult_unwrapped() {
    IllegalStateException boom = new IllegalStateException("boom");

    CallFuture<String> failedStage =
        Async.startOn(pool, () -> CompletableFuture.failedFuture(boom));
    CallFuture<String> thrown =
        Async.startOn(
            pool,
            () -> {
              throw boom;
            });
    CallFuture<String> nullStage = Async.startOn(pool, () -> null);

    assertThatThrownBy(() -> failedStage.get(10, TimeUnit.SECONDS)).hasCause(boom);
    assertThatThrownBy(() -> thrown.get(10, TimeUnit.SECONDS)).hasCause(boom);
    assertThatThrownBy(() -> nullStage.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("null stage");
  }

  @Test
  void cancelledBeforeItStarts_theOperationStillStarts_andItsStageIsCancelledAtOnce()
      throws Exception {
    HeldExecutor held = new HeldExecutor();
    CompletableFuture<String> operation = new CompletableFuture<>();
    AtomicInteger starts = new AtomicInteger();
    CallFuture<String> result =
        Async.startOn(
            held,
            () -> {
              starts.incrementAndGet();
              return operation;
            });

    result.cancel(true);
    CompletableFuture<Void> settled = result.settled();
    assertThat(settled).as("the operation has not even started").isNotDone();
    held.runAll();

    assertThat(starts).as("started, so that it can release what it owns").hasValue(1);
    assertThat(operation).isCancelled();
    settled.get(10, TimeUnit.SECONDS);
  }

  @Test
  void cancelledWhileItRuns_cancelsTheOperationsStage_andSettlesWhenItHas() throws Exception {
    HeldExecutor held = new HeldExecutor();
    CompletableFuture<String> operation = new CompletableFuture<>();
    CallFuture<String> result = Async.startOn(held, () -> operation);
    held.runAll();

    result.cancel(true);

    assertThat(result).isCancelled();
    assertThat(operation).isCancelled();
    result.settled().get(10, TimeUnit.SECONDS);
  }

  @Test
  void anExecutorThatRefuses_failsTheResult_andNeverCallsTheOperation() {
    ExecutorService stopped = Executors.newSingleThreadExecutor();
    stopped.shutdown();
    AtomicInteger calls = new AtomicInteger();

    CallFuture<String> result =
        Async.startOn(
            stopped,
            () -> {
              calls.incrementAndGet();
              return CompletableFuture.completedFuture("never");
            });

    assertThat(result).isCompletedExceptionally();
    assertThatThrownBy(result::join).hasCauseInstanceOf(RejectedExecutionException.class);
    assertThat(calls).hasValue(0);
  }

  @Test
  void theCallersContext_isRestoredAroundTheStart() throws Exception {
    ThreadLocalPropagator propagator = new ThreadLocalPropagator();
    ContextPropagation.Registration registration = ContextPropagation.register(propagator);
    try {
      propagator.local.set("caller");

      CallFuture<String> seen =
          Async.startOn(
              pool, () -> CompletableFuture.completedFuture(String.valueOf(propagator.local.get())));

      assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo("caller");
    } finally {
      propagator.local.remove();
      registration.close();
    }
  }

  @Test
  void nullArguments_areRefusedAtTheCall() {
    assertThatThrownBy(() -> Async.startOn(null, () -> CompletableFuture.completedFuture(1)))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("executor");
    assertThatThrownBy(() -> Async.startOn(pool, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("operation");
  }

  @Test
  void aCancelledResult_isACancellationForItsWaiters() {
    HeldExecutor held = new HeldExecutor();
    CallFuture<String> result = Async.startOn(held, CompletableFuture::new);
    result.cancel(true);
    assertThatThrownBy(result::join).isInstanceOf(CancellationException.class);
    held.runAll();
  }
}

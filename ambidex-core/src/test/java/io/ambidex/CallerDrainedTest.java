package io.ambidex;

import io.ambidex.control.Async;
import io.ambidex.control.AsyncRuntime;
import io.ambidex.control.RetryPolicy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The caller-drained bridge runs everything on the caller and keeps draining to the end. */
@Timeout(30)
class CallerDrainedTest {
  private final AsyncRuntime runtime = AsyncRuntime.create();

  @AfterEach
  void closeRuntime() throws Exception {
    runtime.close().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void aQueuedTaskThatThrows_doesNotReplaceTheResultNorStopTheDrain_goesToTheHandler() {
    AtomicBoolean cleanupRan = new AtomicBoolean();
    List<Throwable> reported = new CopyOnWriteArrayList<>();
    Thread me = Thread.currentThread();
    Thread.UncaughtExceptionHandler previous = me.getUncaughtExceptionHandler();
    IllegalStateException boom = new IllegalStateException("boom in a later task");
    me.setUncaughtExceptionHandler((t, e) -> reported.add(e));
    try {
      String v =
          CallerDrained.get(
              "op",
              ex -> {
                CompletableFuture<String> f = new CompletableFuture<>();
                ex.execute(() -> f.complete("v"));
                ex.execute(() -> {
                  throw boom;
                });
                ex.execute(() -> cleanupRan.set(true));
                return f;
              });
      assertThat(v).isEqualTo("v");
    } finally {
      me.setUncaughtExceptionHandler(previous);
    }
    assertThat(cleanupRan).as("the task after the failing one ran").isTrue();
    assertThat(reported).containsExactly(boom);
  }

  @Test
  void aTaskThatThrowsBeforeTheStageCompletes_doesNotFailTheCall() {
    List<Throwable> reported = new CopyOnWriteArrayList<>();
    Thread me = Thread.currentThread();
    Thread.UncaughtExceptionHandler previous = me.getUncaughtExceptionHandler();
    me.setUncaughtExceptionHandler((t, e) -> reported.add(e));
    try {
      String v =
          CallerDrained.get(
              "op",
              ex -> {
                CompletableFuture<String> f = new CompletableFuture<>();
                ex.execute(() -> {
                  throw new IllegalStateException("listener bug");
                });
                ex.execute(() -> f.complete("v"));
                return f;
              });
      assertThat(v).isEqualTo("v");
    } finally {
      me.setUncaughtExceptionHandler(previous);
    }
    assertThat(reported).singleElement().hasFieldOrPropertyWithValue("message", "listener bug");
  }

  @Test
  void retryWithRealDelays_runsEveryStepOnTheCallerWithoutATimerThread() {
    Thread caller = Thread.currentThread();
    List<Thread> steps = new CopyOnWriteArrayList<>();
    AtomicInteger attempts = new AtomicInteger();
    RetryPolicy policy =
        RetryPolicy.builder().maxAttempts(3).initialDelay(Duration.ofMillis(20))
            .jitter(RetryPolicy.Jitter.NONE).build();
    String value =
        CallerDrained.get(
            "op",
            executor ->
                Async.retry(
                    policy,
                    runtime,
                    () -> {
                      steps.add(Thread.currentThread());
                      return attempts.incrementAndGet() < 3
                          ? CompletableFuture.failedFuture(new IOException("503"))
                          : CompletableFuture.completedFuture("ok");
                    }));
    assertThat(value).isEqualTo("ok");
    assertThat(steps).hasSize(3).containsOnly(caller);
    // The runtime never started its timer: its close completes at once.
    assertThat(runtime.close().toCompletableFuture()).isDone();
  }

  @Test
  void executorContinuations_runOnTheCaller() {
    Thread caller = Thread.currentThread();
    List<Thread> threads =
        CallerDrained.get(
            "op",
            executor ->
                CompletableFuture.supplyAsync(Thread::currentThread, executor)
                    .thenApplyAsync(first -> List.of(first, Thread.currentThread()), executor));
    assertThat(threads).containsOnly(caller);
  }

  @Test
  void foreignCompletion_wakesTheCaller() {
    String value =
        CallerDrained.get(
            "op",
            executor ->
                CompletableFuture.supplyAsync(
                    () -> "from elsewhere",
                    CompletableFuture.delayedExecutor(30, TimeUnit.MILLISECONDS)));
    assertThat(value).isEqualTo("from elsewhere");
  }

  /** A resource whose close needs a timer: cleanup that only a loop that keeps draining finishes. */
  private final class SlowCloser implements AsyncCloseable {
    final AtomicReference<Thread> closedOn = new AtomicReference<>();

    @Override
    public CompletionStage<Void> close() {
      return runtime.sleep(Duration.ofMillis(20)).thenRun(() -> closedOn.set(Thread.currentThread()));
    }
  }

  @Test
  void timeout_keepsDrainingUntilCleanupFinished() {
    SlowCloser resource = new SlowCloser();
    assertThatThrownBy(
            () ->
                CallerDrained.get(
                    "blob.put",
                    Duration.ofMillis(50),
                    executor ->
                        Async.using(
                            CompletableFuture.completedFuture(resource),
                            r -> runtime.sleep(Duration.ofHours(1)))))
        .isInstanceOf(OperationTimeoutException.class)
        .hasMessageContaining("'blob.put'");
    assertThat(resource.closedOn).hasValue(Thread.currentThread());
  }

  @Test
  void interrupt_keepsDrainingUntilCleanupFinished() throws Exception {
    SlowCloser resource = new SlowCloser();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicBoolean flagRestored = new AtomicBoolean();
    Thread caller =
        new Thread(
            () -> {
              try {
                CallerDrained.get(
                    "op",
                    executor ->
                        Async.using(
                            CompletableFuture.completedFuture(resource),
                            r -> runtime.sleep(Duration.ofHours(1))));
              } catch (Throwable t) {
                thrown.set(t);
                flagRestored.set(Thread.currentThread().isInterrupted());
              }
            });
    caller.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> caller.getState() == Thread.State.TIMED_WAITING
        || caller.getState() == Thread.State.WAITING);
    caller.interrupt();
    caller.join(10_000);
    assertThat(thrown.get()).isInstanceOf(CallInterruptedException.class);
    assertThat(flagRestored).isTrue();
    assertThat(resource.closedOn).hasValue(caller);
  }

  @Test
  void failure_drainsContinuationsQueuedByTheCompletion() {
    AtomicReference<Thread> cleanupRanOn = new AtomicReference<>();
    IllegalStateException failure = new IllegalStateException("failed");
    assertThatThrownBy(
            () ->
                CallerDrained.get(
                    "op",
                    executor -> {
                      CompletableFuture<String> f = new CompletableFuture<>();
                      f.whenCompleteAsync((v, e) -> cleanupRanOn.set(Thread.currentThread()), executor);
                      executor.execute(() -> f.completeExceptionally(failure));
                      return f;
                    }))
        .isSameAs(failure);
    assertThat(cleanupRanOn).hasValue(Thread.currentThread());
  }

  @Test
  void cancelledOperation_drainsAndThrowsCancellation() {
    AtomicBoolean cleanup = new AtomicBoolean();
    assertThatThrownBy(
            () ->
                CallerDrained.get(
                    "op",
                    executor -> {
                      CompletableFuture<String> f = new CompletableFuture<>();
                      f.whenCompleteAsync((v, e) -> cleanup.set(true), executor);
                      executor.execute(() -> f.cancel(true));
                      return f;
                    }))
        .isInstanceOf(java.util.concurrent.CancellationException.class);
    assertThat(cleanup).isTrue();
  }

  @Test
  void taskSubmittedAfterReturn_runsOnTheSubmitter() throws Exception {
    AtomicReference<Executor> captured = new AtomicReference<>();
    CallerDrained.get(
        "op",
        executor -> {
          captured.set(executor);
          return CompletableFuture.completedFuture("done");
        });
    AtomicReference<Thread> ranOn = new AtomicReference<>();
    Thread submitter = new Thread(() -> captured.get().execute(() -> ranOn.set(Thread.currentThread())));
    submitter.start();
    submitter.join(10_000);
    assertThat(ranOn).hasValue(submitter);
  }

  @Test
  void orphanTimerAfterSuccess_isAbandonedNotWaitedFor() {
    AtomicReference<CompletionStage<Void>> orphan = new AtomicReference<>();
    String value =
        CallerDrained.get(
            "op",
            executor -> {
              orphan.set(runtime.sleep(Duration.ofHours(1)));
              return CompletableFuture.completedFuture("quick");
            });
    assertThat(value).isEqualTo("quick");
    assertThat(orphan.get().toCompletableFuture()).isCancelled();
  }

  @Test
  void blockingWaitInsideTheLoop_failsWithGuardInsteadOfDeadlocking() {
    assertThatThrownBy(
            () ->
                CallerDrained.get(
                    "outer",
                    executor ->
                        CompletableFuture.supplyAsync(
                            () -> BlockingWait.get(new CompletableFuture<String>(), "inner"),
                            executor)))
        .isInstanceOf(BlockingNotAllowedException.class)
        .hasMessageContaining("'inner'")
        .hasMessageContaining("caller-drained loop");
  }

  @Test
  void withTimeoutInsideDrainedCall_firesOnTheCaller() {
    Thread caller = Thread.currentThread();
    AtomicReference<Thread> failedOn = new AtomicReference<>();
    assertThatThrownBy(
            () ->
                CallerDrained.get(
                    "op",
                    executor ->
                        runtime
                            .withTimeout(
                                Duration.ofMillis(10), "inner", () -> new CompletableFuture<String>())
                            .whenComplete((v, e) -> failedOn.set(Thread.currentThread()))))
        .isInstanceOf(OperationTimeoutException.class)
        .hasMessageContaining("'inner'");
    assertThat(failedOn).hasValue(caller);
  }
}

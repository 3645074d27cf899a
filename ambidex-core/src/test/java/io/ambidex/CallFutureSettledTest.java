package io.ambidex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ambidex.control.Async;
import io.ambidex.control.AsyncRuntime;
import io.ambidex.control.RetryPolicy;
import io.ambidex.taskgroup.AsyncTaskGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link CallFuture#settled()}: a cancelled future is done at once, but the cleanup it started is
 * over only when {@code settled()} completes. Every case holds the cleanup on a gate, checks that
 * {@code settled()} waits for it, then releases it.
 */
@Timeout(30)
class CallFutureSettledTest {
  private final AsyncRuntime runtime = AsyncRuntime.create();

  @AfterEach
  void close() {
    runtime.close();
  }

  /** A resource whose close is held until {@link #release()}. */
  private static final class HeldResource implements AsyncCloseable {
    final CompletableFuture<Void> closing = new CompletableFuture<>();
    final AtomicInteger closes = new AtomicInteger();

    @Override
    public CompletionStage<Void> close() {
      closes.incrementAndGet();
      return closing;
    }

    void release() {
      closing.complete(null);
    }
  }

  /** A using() whose body never completes on its own and whose close is held. */
  private static CallFuture<String> usingForever(HeldResource resource) {
    return Async.using(CompletableFuture.completedFuture(resource), r -> new CompletableFuture<>());
  }

  /* settled() waits while `resource`'s close is held, and completes once it is released. */
  private static void assertSettlesOnlyOnceClosed(CallFuture<?> f, HeldResource resource)
      throws Exception {
    CompletableFuture<Void> settled = f.settled();
    assertThat(settled).isNotDone();
    resource.release();
    settled.get(10, TimeUnit.SECONDS);
  }

  @Test
  void completedByItsOperation_settlesWithIt() {
    CallFuture<String> f = new CallFuture<>("op");
    CompletableFuture<Void> settled = f.settled();
    assertThat(settled).isNotDone();
    f.succeed("v");
    assertThat(settled).isCompleted();
    assertThat(f.settled()).isCompleted();
  }

  @Test
  void failedByItsOperation_settlesNormally() {
    CallFuture<String> f = new CallFuture<>("op");
    f.fail(new IllegalStateException("boom"));
    assertThat(f.settled()).isCompletedWithValue(null);
  }

  @Test
  void using_cancelled_settlesOnlyAfterItsClose() throws Exception {
    HeldResource resource = new HeldResource();
    CallFuture<String> f = usingForever(resource);
    assertThat(f.cancel(true)).isTrue();
    assertThat(f).isCancelled();
    assertThat(resource.closes).hasValue(1);
    assertSettlesOnlyOnceClosed(f, resource);
  }

  @Test
  void then_cancelledWhileAnInnerUsingRuns_settlesAfterTheInnerClose() throws Exception {
    HeldResource resource = new HeldResource();
    CompletableFuture<String> first = new CompletableFuture<>();
    CallFuture<String> f = Async.then(first, v -> usingForever(resource));
    first.complete("go");
    f.cancel(true);
    CompletableFuture<Void> settled = f.settled();
    assertThat(resource.closes).hasValue(1);
    assertThat(settled).isNotDone();
    resource.release();
    settled.get(10, TimeUnit.SECONDS);
  }

  @Test
  void retry_cancelled_settlesAfterTheAttemptsCleanup() throws Exception {
    HeldResource resource = new HeldResource();
    CallFuture<String> f =
        Async.retry(
            RetryPolicy.builder().maxAttempts(3).initialDelay(Duration.ofMillis(1)).build(),
            runtime,
            () -> usingForever(resource));
    f.cancel(true);
    assertSettlesOnlyOnceClosed(f, resource);
    assertThat(resource.closes).hasValue(1);
  }

  @Test
  void parallel_cancelled_settlesAfterEveryTaskInFlightHasClosed() throws Exception {
    List<HeldResource> resources = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      resources.add(new HeldResource());
    }
    CallFuture<List<String>> f = Async.parallel(resources, 3, CallFutureSettledTest::usingForever);
    f.cancel(true);
    CompletableFuture<Void> settled = f.settled();
    for (HeldResource r : resources) {
      assertThat(r.closes).hasValue(1);
    }
    resources.get(0).release();
    resources.get(2).release();
    assertThat(settled).isNotDone();
    resources.get(1).release();
    settled.get(10, TimeUnit.SECONDS);
  }

  @Test
  void parallel_failing_settlesAfterTheTasksItCancelled() throws Exception {
    HeldResource slow = new HeldResource();
    CompletableFuture<String> failing = new CompletableFuture<>();
    CallFuture<List<String>> f =
        Async.parallel(List.of(0, 1), 2, i -> i == 0 ? usingForever(slow) : failing);
    failing.completeExceptionally(new IllegalStateException("task 1 failed"));
    assertThat(f).isCompletedExceptionally();
    assertSettlesOnlyOnceClosed(f, slow);
  }

  @Test
  void withTimeout_expired_settlesAfterTheOperationsCleanup() throws Exception {
    HeldResource resource = new HeldResource();
    CompletableFuture<String> timed =
        runtime
            .withTimeout(Duration.ofMillis(20), "held", () -> usingForever(resource))
            .toCompletableFuture();
    assertThat(timed.handle((v, e) -> e).get(10, TimeUnit.SECONDS))
        .isInstanceOf(OperationTimeoutException.class);
    // The timer fails the result first, then cancels the operation: the close may not have been
    // called yet (seen under load), but settled() already waits for it.
    CompletableFuture<Void> settled = ((CallFuture<String>) timed).settled();
    assertThat(settled).isNotDone();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(resource.closes).hasValue(1));
    assertThat(settled).isNotDone();
    resource.release();
    settled.get(10, TimeUnit.SECONDS);
  }

  @Test
  void orTimeout_doesNotEndTheOperation_settledWaitsForIt() throws Exception {
    CallFuture<String> f = new CallFuture<>("op");
    f.orTimeout(10, TimeUnit.MILLISECONDS);
    assertThat(f.handle((v, e) -> e).get(10, TimeUnit.SECONDS))
        .isInstanceOf(java.util.concurrent.TimeoutException.class);
    // made by a CallFuture.of, so the operation reports its end: here, when its stage completes
    CompletableFuture<String> stage = new CompletableFuture<>();
    CallFuture<String> reported = CallFuture.of("op", stage, null);
    reported.orTimeout(10, TimeUnit.MILLISECONDS);
    assertThat(reported.handle((v, e) -> e).get(10, TimeUnit.SECONDS))
        .isInstanceOf(java.util.concurrent.TimeoutException.class);
    CompletableFuture<Void> settled = reported.settled();
    assertThat(settled).isNotDone();
    stage.complete("late");
    settled.get(10, TimeUnit.SECONDS);
  }

  @Test
  void settlingWith_waitsForTheGivenEnd_evenAfterSuccess() throws Exception {
    CompletableFuture<String> stage = new CompletableFuture<>();
    CompletableFuture<Void> cleanup = new CompletableFuture<>();
    CallFuture<String> f = CallFuture.settlingWith("op", stage, cleanup);
    f.cancel(true);
    assertThat(stage).isCancelled();
    CompletableFuture<Void> settled = f.settled();
    assertThat(settled).isNotDone();
    cleanup.completeExceptionally(new IllegalStateException("the cleanup's own failure"));
    assertThat(settled.get(10, TimeUnit.SECONDS)).isNull();
  }

  @Test
  void of_aCallFutureWithDiscarded_settlesAfterTheInnerOne() throws Exception {
    HeldResource resource = new HeldResource();
    CallFuture<String> outer = CallFuture.of("outer", usingForever(resource), v -> {});
    outer.cancel(true);
    CompletableFuture<Void> settled = outer.settled();
    assertThat(settled).isNotDone();
    resource.release();
    settled.get(10, TimeUnit.SECONDS);
  }

  @Test
  void of_withDiscarded_settlesOnlyOnceTheLateValueIsReleased() throws Exception {
    // A stage that does not stop when cancelled: its value arrives after the cancel.
    CompletableFuture<String> stubborn =
        new CompletableFuture<>() {
          @Override
          public boolean cancel(boolean mayInterruptIfRunning) {
            return false;
          }
        };
    List<Boolean> settledAtRelease = new ArrayList<>();
    List<CompletableFuture<Void>> settled = new ArrayList<>();
    CallFuture<String> f =
        CallFuture.of("op", stubborn, late -> settledAtRelease.add(settled.get(0).isDone()));
    f.cancel(true);
    settled.add(f.settled());
    assertThat(settled.get(0)).isNotDone();
    stubborn.complete("late value");
    assertThat(settledAtRelease).containsExactly(false);
    assertThat(settled.get(0)).isCompleted();
  }

  @Test
  void taskGroupRun_cancelled_settlesAfterTheOwnersCleanup() throws Exception {
    HeldResource resource = new HeldResource();
    CallFuture<String> f = AsyncTaskGroup.run(runtime, group -> usingForever(resource));
    f.cancel(true);
    CompletableFuture<Void> settled = f.settled();
    assertThat(resource.closes).hasValue(1);
    assertThat(settled).isNotDone();
    resource.release();
    settled.get(10, TimeUnit.SECONDS);
  }

  @Test
  void settled_returnsANewFutureEachTime_thatTheCallerCannotSpoil() {
    HeldResource resource = new HeldResource();
    CallFuture<String> f = usingForever(resource);
    f.cancel(true);
    CompletableFuture<Void> first = f.settled();
    first.complete(null);
    first.cancel(true);
    assertThat(f.settled()).isNotDone();
    resource.release();
    assertThat(f.settled()).isCompleted();
  }

  @Test
  void aPendingSettled_completesOnceTheCancelledOperationEnds() throws Exception {
    HeldResource resource = new HeldResource();
    CallFuture<String> f = usingForever(resource);
    CompletableFuture<Void> askedBefore = f.settled();
    f.cancel(true);
    assertThat(askedBefore).isNotDone();
    resource.release();
    askedBefore.get(10, TimeUnit.SECONDS);
  }
}

package io.ambidex.control;

import io.ambidex.AsyncCloseable;
import io.ambidex.BlockingWait;
import io.ambidex.CallFuture;
import io.ambidex.Deadline;
import io.ambidex.Immediate;
import io.ambidex.OperationTimeoutException;
import io.ambidex.control.Async;
import io.ambidex.control.AsyncCallback;
import io.ambidex.control.AsyncRuntime;
import io.ambidex.control.CoreRuntime;
import io.ambidex.control.RetryDecider;
import io.ambidex.control.RetryPolicy;
import io.ambidex.control.SyncRuntime;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(60)
class AsyncTest {
  private static final int MILLION = 1_000_000;
  private final ExecutorService executor = Executors.newFixedThreadPool(2);
  private final AsyncRuntime asyncRuntime = AsyncRuntime.create();

  @AfterEach
  void tearDown() throws Exception {
    executor.shutdownNow();
    assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    asyncRuntime.close().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  private <T> CompletableFuture<T> later(T value) {
    return CompletableFuture.supplyAsync(() -> value, executor);
  }

  // ---- stack safety and inline execution ----

  @Test
  void loop_millionImmediateIterations_completesInlineWithoutStackOverflow() {
    Thread caller = Thread.currentThread();
    AtomicBoolean sameThread = new AtomicBoolean(true);
    CallFuture<Integer> result =
        Async.loop(
            0,
            i -> i < MILLION,
            i -> {
              if (Thread.currentThread() != caller) {
                sameThread.set(false);
              }
              return CompletableFuture.completedFuture(i + 1);
            });
    assertThat(result).isCompletedWithValue(MILLION);
    assertThat(sameThread).isTrue();
  }

  @Test
  void whileLoop_millionImmediateIterations_completesInline() {
    int[] count = {0};
    CallFuture<Void> result =
        Async.whileLoop(() -> count[0] < MILLION, () -> CompletableFuture.completedFuture(count[0]++));
    assertThat(result).isCompleted();
    assertThat(count[0]).isEqualTo(MILLION);
  }

  @Test
  void forEach_millionItems_completesInline() {
    long[] sum = {0};
    Iterable<Integer> items = () -> IntStream.range(0, MILLION).iterator();
    CallFuture<Void> result =
        Async.forEach(
            items,
            i -> {
              sum[0] += i;
              return CompletableFuture.completedFuture(null);
            });
    assertThat(result).isCompleted();
    assertThat(sum[0]).isEqualTo((long) MILLION * (MILLION - 1) / 2);
  }

  @Test
  void parallel_millionImmediateTasks_completesInlineInOrder() {
    List<Integer> inputs = IntStream.range(0, MILLION).boxed().toList();
    CallFuture<List<Integer>> result =
        Async.parallel(inputs, 8, i -> CompletableFuture.completedFuture(i * 2));
    assertThat(result).isDone();
    List<Integer> out = result.join();
    assertThat(out).hasSize(MILLION);
    assertThat(out.get(0)).isZero();
    assertThat(out.get(MILLION - 1)).isEqualTo(2 * (MILLION - 1));
  }

  @Test
  void retry_tenThousandImmediateFailures_noStackOverflow() {
    RetryPolicy policy =
        RetryPolicy.builder().maxAttempts(10_000).initialDelay(Duration.ZERO).build();
    AtomicInteger attempts = new AtomicInteger();
    CallFuture<String> result =
        Async.retry(
            policy,
            SyncRuntime.create(),
            () ->
                attempts.incrementAndGet() < 10_000
                    ? CompletableFuture.failedFuture(new IOException("flaky"))
                    : CompletableFuture.completedFuture("ok"));
    assertThat(result).isCompletedWithValue("ok");
    assertThat(attempts).hasValue(10_000);
  }

  @Test
  void loop_asyncSteps_completeWithoutBlockingTheCaller() {
    CallFuture<Integer> result = Async.loop(0, i -> i < 1000, i -> later(i + 1));
    assertThat(result.join()).isEqualTo(1000);
  }

  @Test
  void loop_mixedImmediateAndAsyncSteps_runsEveryStepOnce() {
    AtomicInteger steps = new AtomicInteger();
    CallFuture<Integer> result =
        Async.loop(
            0,
            i -> i < 10_000,
            i -> {
              steps.incrementAndGet();
              return i % 7 == 0 ? later(i + 1) : CompletableFuture.completedFuture(i + 1);
            });
    assertThat(result.join()).isEqualTo(10_000);
    assertThat(steps).hasValue(10_000);
  }

  // ---- failures ----

  @Test
  void loop_stepThrows_failsResultWithSameException() {
    IllegalStateException boom = new IllegalStateException("boom");
    CallFuture<Integer> result =
        Async.loop(
            0,
            i -> true,
            i -> {
              if (i == 3) {
                throw boom;
              }
              return CompletableFuture.completedFuture(i + 1);
            });
    assertThat(result).isCompletedExceptionally();
    assertThatThrownBy(() -> Immediate.get(result, "loop")).isSameAs(boom);
  }

  @Test
  void loop_stepStageFails_failsResultUnwrapped() {
    UncheckedIOException io = new UncheckedIOException(new IOException("reset"));
    CallFuture<Integer> result =
        Async.loop(0, i -> true, i -> later(i).thenApply(v -> { throw io; }));
    assertThatThrownBy(() -> BlockingWait.get(result, "loop")).isSameAs(io);
  }

  @Test
  void combinators_nullArguments_failAtCallWithParameterName() {
    assertThatThrownBy(() -> Async.loop(0, null, i -> null)).hasMessage("condition");
    assertThatThrownBy(() -> Async.parallel(null, 1, i -> null)).hasMessage("inputs");
    assertThatThrownBy(() -> Async.parallel(List.of(1), 0, i -> null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("limit must be at least 1, but was 0");
    assertThatThrownBy(() -> Async.retry(null, SyncRuntime.create(), () -> null))
        .hasMessage("decider");
    assertThatThrownBy(() -> Async.using(null, r -> null)).hasMessage("resource");
  }

  // ---- cancellation ----

  @Test
  void loop_cancelled_cancelsStageInFlightAndStops() {
    CompletableFuture<Integer> inFlight = new CompletableFuture<>();
    AtomicInteger steps = new AtomicInteger();
    CallFuture<Integer> result =
        Async.loop(
            0,
            i -> true,
            i -> {
              steps.incrementAndGet();
              return inFlight;
            });
    assertThat(result.cancel(true)).isTrue();
    assertThat(inFlight).isCancelled();
    assertThat(steps).hasValue(1);
  }

  @Test
  void parallel_cancelled_cancelsEveryTaskInFlight() {
    List<CompletableFuture<Integer>> started = new ArrayList<>();
    CallFuture<List<Integer>> result =
        Async.parallel(
            List.of(1, 2, 3, 4, 5),
            3,
            i -> {
              CompletableFuture<Integer> f = new CompletableFuture<>();
              started.add(f);
              return f;
            });
    assertThat(started).hasSize(3);
    result.cancel(true);
    assertThat(started).allMatch(CompletableFuture::isCancelled);
    assertThat(started).hasSize(3);
  }

  // ---- then ----

  @Test
  void then_composesAndUnwrapsFailures() {
    assertThat(Async.then(later(2), v -> later(v * 21)).join()).isEqualTo(42);
    IllegalStateException boom = new IllegalStateException("boom");
    CallFuture<Integer> failed = Async.then(later(1), v -> { throw boom; });
    assertThatThrownBy(() -> BlockingWait.get(failed, "then")).isSameAs(boom);
  }

  @Test
  void then_cancelled_cancelsWhicheverStageIsInFlight() {
    CompletableFuture<Integer> first = new CompletableFuture<>();
    CallFuture<Integer> a = Async.then(first, v -> CompletableFuture.completedFuture(v));
    a.cancel(true);
    assertThat(first).isCancelled();

    CompletableFuture<Integer> second = new CompletableFuture<>();
    CallFuture<Integer> b = Async.then(CompletableFuture.completedFuture(1), v -> second);
    b.cancel(true);
    assertThat(second).isCancelled();
  }

  // ---- parallel ----

  @Test
  void parallel_respectsLimitAndKeepsInputOrder() {
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    List<Integer> inputs = IntStream.range(0, 200).boxed().toList();
    CallFuture<List<Integer>> result =
        Async.parallel(
            inputs,
            4,
            i -> {
              maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
              return CompletableFuture.supplyAsync(
                  () -> {
                    inFlight.decrementAndGet();
                    return i * 10;
                  },
                  CompletableFuture.delayedExecutor((200 - i) % 3, TimeUnit.MILLISECONDS, executor));
            });
    assertThat(result.join()).isEqualTo(inputs.stream().map(i -> i * 10).toList());
    assertThat(maxInFlight.get()).isBetween(1, 4);
  }

  @Test
  void parallel_firstFailure_failsResultCancelsOthersStartsNoMore() {
    IOException bad = new IOException("part 2 failed");
    List<CompletableFuture<Integer>> pending = new ArrayList<>();
    AtomicInteger started = new AtomicInteger();
    CallFuture<List<Integer>> result =
        Async.parallel(
            List.of(0, 1, 2, 3, 4, 5),
            3,
            i -> {
              started.incrementAndGet();
              if (i == 2) {
                return CompletableFuture.failedFuture(bad);
              }
              CompletableFuture<Integer> f = new CompletableFuture<>();
              pending.add(f);
              return f;
            });
    assertThatThrownBy(() -> Immediate.get(result, "parallel", IOException.class)).isSameAs(bad);
    assertThat(pending).isNotEmpty().allMatch(CompletableFuture::isCancelled);
    assertThat(started).hasValue(3);
  }

  @Test
  void parallel_firstFailure_failsOnlyAfterTheTasksInFlightHaveFinished() {
    IOException bad = new IOException("part 0 failed");
    /** A task that ignores cancellation: it finishes when the test says so. */
    final class Stubborn extends CompletableFuture<Integer> {
      @Override
      public boolean cancel(boolean mayInterruptIfRunning) {
        return false;
      }
    }
    Stubborn inFlight = new Stubborn();
    CompletableFuture<Integer> failing = new CompletableFuture<>();
    CallFuture<List<Integer>> result =
        Async.parallel(List.of(0, 1, 2), 2, i -> i == 0 ? failing : inFlight);
    failing.completeExceptionally(bad);
    assertThat(result).isNotDone(); // part 1 is still running
    inFlight.complete(1);
    assertThatThrownBy(() -> Immediate.get(result, "parallel", IOException.class)).isSameAs(bad);
  }

  @Test
  void parallel_emptyInputs_completesWithEmptyList() {
    assertThat(Async.parallel(List.of(), 3, i -> CompletableFuture.completedFuture(i)))
        .isCompletedWithValue(List.of());
  }

  @Test
  void sequence_runsOneAtATimeInOrder() {
    ConcurrentLinkedQueue<Integer> order = new ConcurrentLinkedQueue<>();
    AtomicInteger inFlight = new AtomicInteger();
    CallFuture<List<String>> result =
        Async.sequence(
            List.of(1, 2, 3, 4),
            i -> {
              assertThat(inFlight.incrementAndGet()).isEqualTo(1);
              order.add(i);
              return later("v" + i).whenComplete((v, e) -> inFlight.decrementAndGet());
            });
    assertThat(result.join()).containsExactly("v1", "v2", "v3", "v4");
    assertThat(order).containsExactly(1, 2, 3, 4);
  }

  // ---- retry ----

  @Test
  void retry_succeedsAfterRetryableFailures_sleepingThroughRuntime() {
    RecordingRuntime runtime = new RecordingRuntime();
    RetryPolicy policy =
        RetryPolicy.builder()
            .maxAttempts(4)
            .initialDelay(Duration.ofMillis(100))
            .multiplier(2)
            .jitter(RetryPolicy.Jitter.NONE)
            .build();
    AtomicInteger attempts = new AtomicInteger();
    CallFuture<String> result =
        Async.retry(
            policy,
            runtime,
            () ->
                attempts.incrementAndGet() < 3
                    ? CompletableFuture.failedFuture(new IOException("503"))
                    : CompletableFuture.completedFuture("ok"));
    assertThat(result).isCompletedWithValue("ok");
    assertThat(runtime.sleeps).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
  }

  @Test
  void retry_nonRetryableFailure_failsAtOnce() {
    RecordingRuntime runtime = new RecordingRuntime();
    IllegalArgumentException bad = new IllegalArgumentException("400 bad request");
    AtomicInteger attempts = new AtomicInteger();
    CallFuture<String> result =
        Async.retry(
            RetryPolicy.builder().maxAttempts(5).build(),
            runtime,
            () -> {
              attempts.incrementAndGet();
              return CompletableFuture.failedFuture(bad);
            });
    assertThatThrownBy(() -> Immediate.get(result, "retry")).isSameAs(bad);
    assertThat(attempts).hasValue(1);
    assertThat(runtime.sleeps).isEmpty();
  }

  @Test
  void retry_exhausted_failsWithLastFailureCarryingEarlierOnes() {
    RecordingRuntime runtime = new RecordingRuntime();
    AtomicInteger attempts = new AtomicInteger();
    CallFuture<String> result =
        Async.retry(
            RetryPolicy.builder().maxAttempts(3).jitter(RetryPolicy.Jitter.NONE).build(),
            runtime,
            () ->
                CompletableFuture.failedFuture(
                    new IOException("attempt " + attempts.incrementAndGet())));
    Throwable thrown =
        org.assertj.core.api.Assertions.catchThrowable(
            () -> Immediate.get(result, "retry", IOException.class));
    assertThat(thrown).isInstanceOf(IOException.class).hasMessage("attempt 3");
    assertThat(thrown.getSuppressed())
        .filteredOn(IOException.class::isInstance)
        .extracting(Throwable::getMessage)
        .containsExactly("attempt 1", "attempt 2");
    assertThat(runtime.sleeps).hasSize(2);
  }

  /*
   * A time limit around the retries reports why the attempts failed, on both runtimes: the sync
   * path's deadline cuts the sleep, the async path's timer cuts the retry from outside.
   */
  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void retry_cutByATimeout_reportsTheAttemptsFailuresWithTheTimeout(boolean sync) {
    CoreRuntime runtime = sync ? SyncRuntime.create() : asyncRuntime;
    AtomicInteger attempts = new AtomicInteger();
    RetryPolicy forever =
        RetryPolicy.builder().maxAttempts(1_000_000).initialDelay(Duration.ofMillis(20))
            .maxDelay(Duration.ofMillis(20)).jitter(RetryPolicy.Jitter.NONE).build();
    CompletionStage<String> timed =
        runtime.withTimeout(
            Duration.ofMillis(200),
            "get",
            () ->
                Async.retry(
                    forever,
                    runtime,
                    () ->
                        CompletableFuture.failedFuture(
                            new IOException("503 #" + attempts.incrementAndGet()))));

    Throwable thrown =
        org.assertj.core.api.Assertions.catchThrowable(
            () -> {
              if (sync) {
                Immediate.get(timed, "get");
              } else {
                BlockingWait.get(timed, "get");
              }
            });

    assertThat(thrown).isInstanceOf(OperationTimeoutException.class);
    List<String> reported =
        java.util.Arrays.stream(thrown.getSuppressed())
            .filter(IOException.class::isInstance)
            .map(Throwable::getMessage)
            .toList();
    assertThat(reported).as("the attempts' failures, in order").isNotEmpty();
    assertThat(reported)
        .containsExactlyElementsOf(
            IntStream.rangeClosed(1, reported.size()).mapToObj(i -> "503 #" + i).toList());
    assertThat(attempts.get()).isBetween(reported.size(), reported.size() + 1);
  }

  @Test
  void retry_attemptThrowsSynchronously_isTreatedAsFailedAttempt() {
    AtomicInteger attempts = new AtomicInteger();
    CallFuture<String> result =
        Async.retry(
            RetryPolicy.builder().maxAttempts(2).retryOn(t -> true).initialDelay(Duration.ZERO).build(),
            SyncRuntime.create(),
            () -> {
              if (attempts.incrementAndGet() == 1) {
                throw new IllegalStateException("first");
              }
              return CompletableFuture.completedFuture("second");
            });
    assertThat(result).isCompletedWithValue("second");
  }

  @Test
  void retry_cancellationIsNeverRetried() {
    AtomicInteger attempts = new AtomicInteger();
    CallFuture<String> result =
        Async.retry(
            RetryPolicy.builder().maxAttempts(5).retryOn(t -> true).build(),
            new RecordingRuntime(),
            () -> {
              attempts.incrementAndGet();
              return CompletableFuture.failedFuture(new CancellationException());
            });
    assertThat(result).isCompletedExceptionally();
    assertThat(attempts).hasValue(1);
  }

  @Test
  void retry_cancelledWhileSleeping_cancelsTheSleep() {
    AtomicInteger attempts = new AtomicInteger();
    CallFuture<String> result =
        Async.retry(
            RetryPolicy.builder().maxAttempts(5).initialDelay(Duration.ofHours(1))
                .jitter(RetryPolicy.Jitter.NONE).build(),
            asyncRuntime,
            () -> {
              attempts.incrementAndGet();
              return CompletableFuture.failedFuture(new IOException("503"));
            });
    assertThat(result).isNotDone();
    result.cancel(true);
    assertThat(asyncRuntime.toString()).contains("pendingTimers=0");
    assertThat(attempts).hasValue(1);
  }

  @Test
  void retryPolicy_delays_growExponentiallyCappedAndJittered() {
    RetryPolicy exact =
        RetryPolicy.builder().initialDelay(Duration.ofMillis(100)).multiplier(3)
            .maxDelay(Duration.ofSeconds(1)).jitter(RetryPolicy.Jitter.NONE).build();
    assertThat(exact.delayBefore(1)).isEqualTo(Duration.ofMillis(100));
    assertThat(exact.delayBefore(2)).isEqualTo(Duration.ofMillis(300));
    assertThat(exact.delayBefore(3)).isEqualTo(Duration.ofMillis(900));
    assertThat(exact.delayBefore(4)).isEqualTo(Duration.ofSeconds(1));
    assertThat(exact.delayBefore(60)).isEqualTo(Duration.ofSeconds(1));

    RetryPolicy full =
        RetryPolicy.builder().initialDelay(Duration.ofMillis(100)).multiplier(2)
            .jitter(RetryPolicy.Jitter.FULL).random(new SplittableRandom(42)).build();
    RetryPolicy equal =
        RetryPolicy.builder().initialDelay(Duration.ofMillis(100)).multiplier(2)
            .jitter(RetryPolicy.Jitter.EQUAL).random(new SplittableRandom(42)).build();
    for (int i = 0; i < 1000; i++) {
      assertThat(full.delayBefore(2)).isBetween(Duration.ZERO, Duration.ofMillis(200));
      assertThat(equal.delayBefore(2)).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
    }
  }

  @Test
  void retry_adjustedDelay_honoursTheFailure() {
    RecordingRuntime runtime = new RecordingRuntime();
    RetryPolicy policy =
        RetryPolicy.builder().maxAttempts(2).initialDelay(Duration.ofMillis(10))
            .jitter(RetryPolicy.Jitter.NONE)
            .adjustDelay((failure, backoff) -> failure.getMessage().equals("retry after 3s")
                ? Duration.ofSeconds(3) : backoff)
            .build();
    AtomicInteger attempts = new AtomicInteger();
    Async.retry(policy, runtime, () -> attempts.incrementAndGet() == 1
        ? CompletableFuture.failedFuture(new IOException("retry after 3s"))
        : CompletableFuture.completedFuture("ok"));
    assertThat(runtime.sleeps).containsExactly(Duration.ofSeconds(3));
  }

  @Test
  void retry_customDecider_isAskedOncePerFailureAndItsDelaysAreSlept() {
    RecordingRuntime runtime = new RecordingRuntime();
    List<String> asked = new ArrayList<>();
    RetryDecider decider =
        (attempt, failure) -> {
          asked.add(attempt + ":" + failure.getMessage());
          return attempt < 3 ? Duration.ofSeconds(attempt) : null;
        };
    AtomicInteger attempts = new AtomicInteger();
    CallFuture<String> result =
        Async.retry(
            decider,
            runtime,
            () -> CompletableFuture.failedFuture(new IOException("n" + attempts.incrementAndGet())));
    Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(
        () -> Immediate.get(result, "retry", IOException.class));
    assertThat(thrown).hasMessage("n3");
    assertThat(asked).containsExactly("1:n1", "2:n2", "3:n3");
    assertThat(runtime.sleeps).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
  }

  @Test
  void retry_customDecider_isNotAskedAboutCancellationOrErrors() {
    AtomicInteger asked = new AtomicInteger();
    RetryDecider always = (attempt, failure) -> {
      asked.incrementAndGet();
      return Duration.ZERO;
    };
    CallFuture<String> cancelled =
        Async.retry(always, new RecordingRuntime(),
            () -> CompletableFuture.failedFuture(new CancellationException()));
    CallFuture<String> error =
        Async.retry(always, new RecordingRuntime(),
            () -> CompletableFuture.failedFuture(new AssertionError("bug")));
    assertThat(cancelled).isCompletedExceptionally();
    assertThat(error).isCompletedExceptionally();
    assertThat(asked).hasValue(0);
  }

  @Test
  void retryPolicy_badSettings_areRejectedWithTheRule() {
    assertThatThrownBy(() -> RetryPolicy.builder().maxAttempts(0))
        .hasMessage("maxAttempts must be at least 1, but was 0");
    assertThatThrownBy(() -> RetryPolicy.builder().multiplier(0.5))
        .hasMessageContaining("multiplier must be a finite number of at least 1.0");
    assertThatThrownBy(() -> RetryPolicy.builder().initialDelay(Duration.ofMillis(-1)))
        .hasMessageContaining("initialDelay must not be negative");
  }

  // ---- using ----

  private static final class Resource implements AsyncCloseable {
    final AtomicInteger closes = new AtomicInteger();
    final CompletableFuture<Void> closeResult;

    Resource(CompletableFuture<Void> closeResult) {
      this.closeResult = closeResult;
    }

    @Override
    public CompletionStage<Void> close() {
      closes.incrementAndGet();
      return closeResult;
    }
  }

  @Test
  void using_resourceStageCompletesWithNull_failsNamingTheRuleWithoutRunningTheBody() {
    AtomicBoolean bodyRan = new AtomicBoolean();
    CallFuture<String> result =
        Async.using(
            CompletableFuture.<Resource>completedFuture(null),
            res -> {
              bodyRan.set(true);
              return CompletableFuture.completedFuture("body");
            });
    assertThatThrownBy(() -> Immediate.get(result, "using"))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("completed with null");
    assertThat(bodyRan).isFalse();
  }

  @Test
  void using_success_closesOnceAndReturnsBodyValue() {
    Resource r = new Resource(CompletableFuture.completedFuture(null));
    CallFuture<String> result =
        Async.using(CompletableFuture.completedFuture(r), res -> CompletableFuture.completedFuture("body"));
    assertThat(result).isCompletedWithValue("body");
    assertThat(r.closes).hasValue(1);
  }

  @Test
  void using_bodyFails_closesAndAttachesCloseFailureAsSuppressed() {
    IOException closeFailure = new IOException("close failed");
    Resource r = new Resource(CompletableFuture.failedFuture(closeFailure));
    IllegalStateException bodyFailure = new IllegalStateException("body failed");
    CallFuture<String> result =
        Async.using(CompletableFuture.completedFuture(r), res -> { throw bodyFailure; });
    assertThatThrownBy(() -> Immediate.get(result, "using")).isSameAs(bodyFailure);
    assertThat(bodyFailure.getSuppressed()).contains(closeFailure);
    assertThat(r.closes).hasValue(1);
  }

  @Test
  void using_closeFailsAfterSuccess_failsResult() {
    IOException closeFailure = new IOException("flush failed");
    Resource r = new Resource(CompletableFuture.failedFuture(closeFailure));
    CallFuture<String> result =
        Async.using(CompletableFuture.completedFuture(r), res -> CompletableFuture.completedFuture("x"));
    assertThatThrownBy(() -> Immediate.get(result, "using", IOException.class)).isSameAs(closeFailure);
  }

  @Test
  void using_cancelled_cancelsBodyAndStillCloses() {
    Resource r = new Resource(CompletableFuture.completedFuture(null));
    CompletableFuture<String> body = new CompletableFuture<>();
    CallFuture<String> result = Async.using(CompletableFuture.completedFuture(r), res -> body);
    result.cancel(true);
    assertThat(body).isCancelled();
    assertThat(r.closes).hasValue(1);
  }

  @Test
  void using_resourceOfAnotherKindArrivingAfterTheCancel_isClosed_withoutTheBody() {
    // A stage that is not a CompletableFuture: cancelling the result cannot stop it, so the
    // resource it produces later must still be closed.
    CompletableFuture<Resource> source = new CompletableFuture<>();
    AtomicBoolean bodyRan = new AtomicBoolean();
    CallFuture<String> result =
        Async.using(
            source.minimalCompletionStage(),
            res -> {
              bodyRan.set(true);
              return CompletableFuture.completedFuture("body");
            });
    result.cancel(true);
    Resource r = new Resource(CompletableFuture.completedFuture(null));
    source.complete(r);
    assertThat(r.closes).as("closes of the resource that came after the cancel").hasValue(1);
    assertThat(bodyRan).isFalse();
    assertThat(result).isCancelled();
  }

  @Test
  void using_cancelledWhileABodyOfAnotherKindRuns_closesOnlyOnceItEnds() {
    Resource r = new Resource(CompletableFuture.completedFuture(null));
    CompletableFuture<String> body = new CompletableFuture<>();
    CallFuture<String> result =
        Async.using(CompletableFuture.completedFuture(r), res -> body.minimalCompletionStage());
    result.cancel(true);
    assertThat(r.closes).as("closes while the body still runs").hasValue(0);
    body.complete("done");
    assertThat(r.closes).hasValue(1);
    assertThat(result).isCancelled();
  }

  @Test
  void using_asyncResource_closesAfterAsyncBody() {
    Resource r = new Resource(CompletableFuture.completedFuture(null));
    CallFuture<Integer> result = Async.using(later(r), res -> later(7));
    assertThat(result.join()).isEqualTo(7);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(r.closes).hasValue(1));
  }

  // ---- timeouts ----

  @Test
  void withTimeout_asyncRuntime_failsWithTimeoutAndCancelsOperation() {
    CompletableFuture<String> never = new CompletableFuture<>();
    CompletionStage<String> result =
        Async.withTimeout(Duration.ofMillis(20), asyncRuntime, "blob.get", () -> never);
    assertThatThrownBy(() -> BlockingWait.get(result, "blob.get", Duration.ofSeconds(10)))
        .isInstanceOf(OperationTimeoutException.class)
        .hasMessageContaining("'blob.get'");
    await().atMost(Duration.ofSeconds(5)).until(never::isCancelled);
  }

  @Test
  void withTimeout_asyncRuntime_fastOperationWins() {
    CompletionStage<String> result =
        Async.withTimeout(Duration.ofSeconds(10), asyncRuntime, "op", () -> later("fast"));
    assertThat(BlockingWait.get(result, "op")).isEqualTo("fast");
  }

  @Test
  void withTimeout_syncRuntime_cutsSleepAtDeadline() {
    SyncRuntime runtime = SyncRuntime.create();
    CompletionStage<Void> result =
        runtime.withTimeout(Duration.ofMillis(30), "op", () -> runtime.sleep(Duration.ofHours(1)));
    assertThatThrownBy(() -> Immediate.get(result, "op"))
        .isInstanceOf(OperationTimeoutException.class)
        .hasMessageContaining("'op'");
    assertThat(Deadline.current()).isNull();
  }

  @Test
  void withTimeout_syncRuntime_exposesDeadlineToTheOperation() {
    SyncRuntime runtime = SyncRuntime.create();
    CompletionStage<Duration> result =
        runtime.withTimeout(
            Duration.ofSeconds(5),
            "op",
            () -> CompletableFuture.completedFuture(Deadline.current().remaining()));
    assertThat(Immediate.get(result, "op")).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(5));
  }

  /** A runtime that records sleeps and completes them at once. */
  private static final class RecordingRuntime implements CoreRuntime {
    final List<Duration> sleeps = new ArrayList<>();
    private final SyncRuntime delegate = SyncRuntime.create();

    @Override
    public CompletionStage<Void> sleep(Duration duration) {
      sleeps.add(duration);
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public <T, R> CompletionStage<List<R>> mapConcurrently(
        List<? extends T> inputs, int limit, java.util.function.Function<? super T, ? extends CompletionStage<R>> task) {
      return delegate.mapConcurrently(inputs, limit, task);
    }

    @Override
    public <T> CompletionStage<T> withTimeout(
        Duration timeout, String name, java.util.function.Supplier<? extends CompletionStage<T>> operation) {
      return delegate.withTimeout(timeout, name, operation);
    }

    @Override
    public <E> CompletionStage<Void> emit(AsyncCallback<? super E> callback, E event) {
      return delegate.emit(callback, event);
    }

    @Override
    public boolean isBlocking() {
      return true;
    }

    @Override
    public CompletionStage<Void> close() {
      return delegate.close();
    }
  }
}

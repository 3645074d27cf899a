package io.ambidex.stream;

import io.ambidex.CallFuture;
import io.ambidex.stream.AsyncIterator;
import io.ambidex.stream.AsyncIterators;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ambidex.testing.RecordingSource;
import io.ambidex.testing.RecordingSource.Mode;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** forEach, forEachStage, fold and collect: outcome, close, failure and cancellation. */
@Timeout(60)
class AsyncIteratorTerminalTest {
  private static final int MILLION = 1_000_000;
  private final ExecutorService executor = Executors.newFixedThreadPool(2);

  @AfterEach
  void tearDown() throws InterruptedException {
    executor.shutdownNow();
    assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  private static Throwable failureOf(CompletionStage<?> stage) throws Exception {
    try {
      stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (CancellationException e) {
      return e;
    }
    throw new AssertionError("stage did not fail: " + stage);
  }

  // ---- outcome and close ----

  @ParameterizedTest
  @EnumSource(names = {"SYNC", "ASYNC"})
  void forEach_allItems_visitsInOrderThenClosesTheSource(Mode mode) throws Exception {
    RecordingSource<Integer> source = RecordingSource.of(mode, executor, 50);
    List<Integer> seen = new CopyOnWriteArrayList<>();
    CallFuture<Void> done = AsyncIterators.forEach(source, seen::add);
    if (mode == Mode.SYNC) {
      assertThat(done).isDone();
    }
    done.get(10, TimeUnit.SECONDS);
    assertThat(seen).isEqualTo(IntStream.range(0, 50).boxed().toList());
    assertThat(source.closeCalls()).isEqualTo(1);
    assertThat(done.operation()).isEqualTo("forEach");
  }

  @ParameterizedTest
  @EnumSource(names = {"SYNC", "ASYNC"})
  void forEachStage_asyncAction_nextItemOnlyAfterTheActionsStage(Mode mode) throws Exception {
    RecordingSource<Integer> source = RecordingSource.of(mode, executor, 20);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger maxRunning = new AtomicInteger();
    CallFuture<Void> done =
        AsyncIterators.forEachStage(
            source,
            i -> {
              maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
              return CompletableFuture.runAsync(running::decrementAndGet, executor);
            });
    done.get(10, TimeUnit.SECONDS);
    assertThat(maxRunning).hasValue(1);
    assertThat(source.taken()).isEqualTo(20);
    assertThat(source.closeCalls()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(names = {"SYNC", "ASYNC"})
  void fold_sum_isTheSumOfTheItems(Mode mode) throws Exception {
    CallFuture<Integer> sum = AsyncIterators.fold(RecordingSource.of(mode, executor, 101), 0, Integer::sum);
    assertThat(sum.get(10, TimeUnit.SECONDS)).isEqualTo(5050);
  }

  @ParameterizedTest
  @EnumSource(names = {"SYNC", "ASYNC"})
  void collect_joining_usesTheCollectorsFinisher(Mode mode) throws Exception {
    CallFuture<String> joined =
        AsyncIterators.collect(
            AsyncIterators.map(RecordingSource.of(mode, executor, 4), String::valueOf),
            Collectors.joining(","));
    assertThat(joined.get(10, TimeUnit.SECONDS)).isEqualTo("0,1,2,3");
  }

  @Test
  void collect_emptySource_finishesWithAnEmptyResultAndCloses() {
    RecordingSource<Integer> source = RecordingSource.sync(0);
    assertThat(AsyncIterators.collect(source, Collectors.toList())).isCompletedWithValue(List.of());
    assertThat(source.closeCalls()).isEqualTo(1);
  }

  @Test
  void terminalOperations_millionImmediateItems_completeInlineWithoutStackOverflow() {
    assertThat(AsyncIterators.fold(RecordingSource.sync(MILLION), 0L, (s, i) -> s + i))
        .isCompletedWithValue((long) MILLION * (MILLION - 1) / 2);
    AtomicInteger count = new AtomicInteger();
    assertThat(AsyncIterators.forEach(RecordingSource.sync(MILLION), i -> count.incrementAndGet()))
        .isCompleted();
    assertThat(
            AsyncIterators.forEachStage(
                RecordingSource.sync(MILLION), i -> CompletableFuture.completedFuture(i)))
        .isCompleted();
    assertThat(AsyncIterators.collect(RecordingSource.sync(MILLION), Collectors.counting()))
        .isCompletedWithValue((long) MILLION);
    assertThat(count).hasValue(MILLION);
  }

  @Test
  void forEach_closeCompletesLater_resultCompletesOnlyAfterTheClose() {
    CompletableFuture<Void> closing = new CompletableFuture<>();
    CallFuture<Void> done =
        AsyncIterators.forEach(RecordingSource.sync(3).closingWith(closing), i -> {});
    assertThat(done).isNotDone();
    closing.complete(null);
    assertThat(done).isCompleted();
  }

  // ---- failures ----

  @Test
  void forEach_actionThrows_failsWithItAfterClosingTheSource() throws Exception {
    IllegalStateException boom = new IllegalStateException("boom");
    RecordingSource<Integer> source = RecordingSource.sync(10);
    CallFuture<Void> done =
        AsyncIterators.forEach(
            source,
            i -> {
              if (i == 3) {
                throw boom;
              }
            });
    assertThat(failureOf(done)).isSameAs(boom);
    assertThat(source.closeCalls()).isEqualTo(1);
    assertThat(source.taken()).isEqualTo(4);
  }

  @Test
  void forEachStage_actionStageFails_failsWithTheUnwrappedFailure() throws Exception {
    IOException io = new IOException("reset");
    RecordingSource<Integer> source = RecordingSource.async(executor, 10);
    CallFuture<Void> done =
        AsyncIterators.forEachStage(
            source,
            i -> i == 2 ? CompletableFuture.failedFuture(io) : CompletableFuture.completedFuture(i));
    assertThat(failureOf(done)).isSameAs(io);
    assertThat(source.closeCalls()).isEqualTo(1);
  }

  @Test
  void forEachStage_actionReturnsNull_failsWithClearMessage() throws Exception {
    CallFuture<Void> done = AsyncIterators.forEachStage(RecordingSource.sync(1), i -> null);
    assertThat(failureOf(done))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("forEachStage action returned null");
  }

  @ParameterizedTest
  @EnumSource(names = {"SYNC", "ASYNC"})
  void fold_sourceFailsAndCloseFails_failsWithTheSourcesFailureCloseSuppressed(Mode mode)
      throws Exception {
    IllegalStateException boom = new IllegalStateException("source failed");
    IllegalStateException closeFailure = new IllegalStateException("close failed");
    RecordingSource<Integer> source =
        RecordingSource.of(mode, executor, 10)
            .failingAt(5, boom)
            .closingWith(CompletableFuture.failedFuture(closeFailure));
    Throwable failure = failureOf(AsyncIterators.fold(source, 0, Integer::sum));
    assertThat(failure).isSameAs(boom);
    assertThat(failure.getSuppressed()).contains(closeFailure);
  }

  @Test
  void collect_onlyTheCloseFails_failsWithTheClosesFailure() throws Exception {
    IllegalStateException closeFailure = new IllegalStateException("close failed");
    RecordingSource<Integer> source =
        RecordingSource.sync(3).closingWith(CompletableFuture.failedFuture(closeFailure));
    assertThat(failureOf(AsyncIterators.collect(source, Collectors.toList())))
        .isSameAs(closeFailure);
  }

  @Test
  void collect_finisherThrows_failsWithItAndStillCloses() throws Exception {
    RecordingSource<Integer> source = RecordingSource.sync(3);
    IllegalStateException boom = new IllegalStateException("finisher");
    CallFuture<Object> result =
        AsyncIterators.collect(
            source,
            Collectors.collectingAndThen(
                Collectors.toList(),
                l -> {
                  throw boom;
                }));
    assertThat(failureOf(result)).isSameAs(boom);
    assertThat(source.closeCalls()).isEqualTo(1);
  }

  // ---- cancellation ----

  @Test
  void forEach_cancelledWhileHasNextInFlight_stopsCancelsTheFetchAndClosesTheSource() {
    RecordingSource<Integer> source = RecordingSource.manual(10);
    List<Integer> seen = new CopyOnWriteArrayList<>();
    CallFuture<Void> done = AsyncIterators.forEach(source, seen::add);
    source.release();
    source.release();
    assertThat(seen).containsExactly(0, 1);
    assertThat(done.cancel(true)).isTrue();
    assertThat(source.closeCalls()).isEqualTo(1);
    assertThat(source.hasNextCalls()).isEqualTo(3);
    assertThat(done).isCancelled();
    assertThat(source.nextCalls()).isEqualTo(2);
    assertThat(source.callsAfterClose()).isZero();
  }

  @Test
  void forEachStage_cancelledWhileActionRuns_cancelsTheActionsStageAndClosesTheSource() {
    RecordingSource<Integer> source = RecordingSource.sync(10);
    CompletableFuture<Void> action = new CompletableFuture<>();
    CallFuture<Void> done = AsyncIterators.forEachStage(source, i -> action);
    assertThat(source.closeCalls()).isZero();
    done.cancel(true);
    assertThat(action).isCancelled();
    assertThat(source.closeCalls()).isEqualTo(1);
    assertThat(source.taken()).isEqualTo(1);
  }

  @Test
  void forEach_cancelledFromAnotherThreadDuringAsyncIteration_closesTheSourceOnce() {
    RecordingSource<Integer> source = RecordingSource.async(executor, Integer.MAX_VALUE);
    AtomicInteger seen = new AtomicInteger();
    CallFuture<Void> done = AsyncIterators.forEach(source, i -> seen.incrementAndGet());
    await().atMost(Duration.ofSeconds(10)).until(() -> seen.get() > 100);
    done.cancel(true);
    await().atMost(Duration.ofSeconds(10)).until(() -> source.closeCalls() == 1);
    int after = seen.get();
    assertThat(done).isCancelled();
    assertThat(seen.get()).isLessThanOrEqualTo(after + 1);
    assertThat(source.closeCalls()).isEqualTo(1);
    assertThat(source.callsAfterClose()).isZero();
  }

  @Test
  void fold_cancelledWhileClosing_doesNotCancelTheClose() {
    CompletableFuture<Void> closing = new CompletableFuture<>();
    CallFuture<Integer> sum =
        AsyncIterators.fold(RecordingSource.sync(3).closingWith(closing), 0, Integer::sum);
    assertThat(sum).isNotDone();
    sum.cancel(true);
    assertThat(closing).isNotCancelled();
    closing.complete(null);
    assertThat(sum).isCancelled();
  }

  enum Terminal {
    FOR_EACH,
    FOR_EACH_STAGE,
    FOLD,
    COLLECT;

    CallFuture<?> start(AsyncIterator<Integer> source) {
      return switch (this) {
        case FOR_EACH -> AsyncIterators.forEach(source, i -> {});
        case FOR_EACH_STAGE ->
            AsyncIterators.forEachStage(source, i -> CompletableFuture.completedFuture(null));
        case FOLD -> AsyncIterators.fold(source, 0, Integer::sum);
        case COLLECT -> AsyncIterators.collect(source, Collectors.toList());
      };
    }
  }

  @ParameterizedTest
  @EnumSource(Terminal.class)
  void terminalOperation_cancelledWhileHasNextInFlight_settlesOnlyAfterTheSourcesClose(
      Terminal terminal) throws Exception {
    CompletableFuture<Void> closing = new CompletableFuture<>();
    RecordingSource<Integer> source = RecordingSource.manual(10).closingWith(closing);
    CallFuture<?> result = terminal.start(source);
    source.release();
    result.cancel(true);
    assertThat(result).isCancelled();
    assertThat(source.closeCalls()).isEqualTo(1);
    CompletableFuture<Void> settled = result.settled();
    assertThat(settled).as("settled while the source's close is pending").isNotDone();
    closing.complete(null);
    settled.get(10, TimeUnit.SECONDS);
    assertThat(source.callsAfterClose()).isZero();
  }

  @Test
  void forEachStage_cancelledWhileActionRuns_settlesOnlyAfterTheSourcesClose() throws Exception {
    CompletableFuture<Void> closing = new CompletableFuture<>();
    RecordingSource<Integer> source = RecordingSource.sync(10).closingWith(closing);
    CallFuture<Void> done = AsyncIterators.forEachStage(source, i -> new CompletableFuture<>());
    done.cancel(true);
    assertThat(source.closeCalls()).isEqualTo(1);
    CompletableFuture<Void> settled = done.settled();
    assertThat(settled).isNotDone();
    closing.complete(null);
    settled.get(10, TimeUnit.SECONDS);
  }

  @Test
  void collect_cancelledAndTheSourcesCloseFails_settlesAndLogsInsteadOfFailingTheResult()
      throws Exception {
    RecordingSource<Integer> source =
        RecordingSource.manual(10)
            .closingWith(CompletableFuture.failedFuture(new IllegalStateException("close failed")));
    CallFuture<List<Integer>> all = AsyncIterators.collect(source, Collectors.toList());
    all.cancel(true);
    all.settled().get(10, TimeUnit.SECONDS);
    assertThat(all).isCancelled();
    assertThat(source.closeCalls()).isEqualTo(1);
  }

  // ---- bad arguments ----

  @Test
  void terminalOperations_nullArguments_failAtTheCall() {
    AsyncIterator<Integer> s = AsyncIterators.empty();
    assertThatThrownBy(() -> AsyncIterators.forEach(null, i -> {})).hasMessage("source");
    assertThatThrownBy(() -> AsyncIterators.forEach(s, null)).hasMessage("action");
    assertThatThrownBy(() -> AsyncIterators.forEachStage(s, null)).hasMessage("action");
    assertThatThrownBy(() -> AsyncIterators.fold(s, 0, null)).hasMessage("accumulator");
    assertThatThrownBy(() -> AsyncIterators.collect(s, null)).hasMessage("collector");
  }
}

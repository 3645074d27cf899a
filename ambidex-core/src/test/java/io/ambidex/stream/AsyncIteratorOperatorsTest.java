package io.ambidex.stream;

import io.ambidex.CallFuture;
import io.ambidex.stream.AsyncIterator;
import io.ambidex.stream.AsyncIterators;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.testing.RecordingSource;
import io.ambidex.testing.RecordingSource.Mode;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The operators of {@link AsyncIterators}, each under a source whose stages complete during the
 * call (SYNC) and one whose stages complete on another thread (ASYNC).
 */
@Timeout(60)
class AsyncIteratorOperatorsTest {
  private static final int MILLION = 1_000_000;
  private final ExecutorService executor = Executors.newFixedThreadPool(2);

  @AfterEach
  void tearDown() throws InterruptedException {
    executor.shutdownNow();
    assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  /** Drains an iterator; under a SYNC source the result must already be complete. */
  private static <T> List<T> drain(AsyncIterator<T> it, Mode mode) throws Exception {
    CallFuture<List<T>> all = AsyncIterators.collect(it, Collectors.toList());
    if (mode == Mode.SYNC) {
      assertThat(all).as("complete during the call over a sync source").isDone();
    }
    return all.get(10, TimeUnit.SECONDS);
  }

  private static List<Integer> range(int from, int to) {
    return IntStream.range(from, to).boxed().toList();
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

  // ---- map ----

  @ParameterizedTest
  @EnumSource(names = {"SYNC", "ASYNC"})
  void map_eachItem_appliesFunctionInOrder(Mode mode) throws Exception {
    RecordingSource<Integer> source = RecordingSource.of(mode, executor, 5);
    assertThat(drain(AsyncIterators.map(source, i -> "#" + i), mode))
        .containsExactly("#0", "#1", "#2", "#3", "#4");
    assertThat(source.closeCalls()).isEqualTo(1);
  }

  @Test
  void map_hasNext_isTheSourcesOwnStage() {
    CompletableFuture<Boolean> stage = CompletableFuture.completedFuture(true);
    AsyncIterator<Integer> source =
        new AsyncIterator<>() {
          @Override
          public CompletionStage<Boolean> hasNext() {
            return stage;
          }

          @Override
          public Integer next() {
            return 1;
          }

          @Override
          public CompletionStage<Void> close() {
            return CompletableFuture.completedFuture(null);
          }
        };
    assertThat(AsyncIterators.map(source, i -> i + 1).hasNext()).isSameAs(stage);
  }

  @Test
  void map_functionThrows_nextThrowsItAndIterationCanGoOn() {
    IllegalArgumentException boom = new IllegalArgumentException("boom");
    AsyncIterator<Integer> it =
        AsyncIterators.map(
            RecordingSource.sync(3),
            i -> {
              if (i == 1) {
                throw boom;
              }
              return i;
            });
    assertThat(it.hasNext()).isCompletedWithValue(true);
    assertThat(it.next()).isZero();
    assertThat(it.hasNext()).isCompletedWithValue(true);
    assertThatThrownBy(it::next).isSameAs(boom);
    assertThat(it.hasNext()).isCompletedWithValue(true);
    assertThat(it.next()).isEqualTo(2);
  }

  // ---- filter ----

  @ParameterizedTest
  @EnumSource(names = {"SYNC", "ASYNC"})
  void filter_mixedItems_keepsOnlyMatchingInOrder(Mode mode) throws Exception {
    RecordingSource<Integer> source = RecordingSource.of(mode, executor, 20);
    assertThat(drain(AsyncIterators.filter(source, i -> i % 3 == 0), mode))
        .containsExactly(0, 3, 6, 9, 12, 15, 18);
    assertThat(source.closeCalls()).isEqualTo(1);
  }

  @Test
  void filter_hasNextTwice_pullsOnceAndHoldsTheItem() {
    RecordingSource<Integer> source = RecordingSource.sync(10);
    AsyncIterator<Integer> it = AsyncIterators.filter(source, i -> i == 4);
    assertThat(it.hasNext()).isCompletedWithValue(true);
    assertThat(it.hasNext()).isCompletedWithValue(true);
    assertThat(source.taken()).isEqualTo(5);
    assertThat(it.next()).isEqualTo(4);
    assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
  }

  @Test
  void filter_predicateThrows_hasNextFailsAndKeepsFailing() throws Exception {
    IllegalStateException boom = new IllegalStateException("bad item");
    RecordingSource<Integer> source = RecordingSource.sync(10);
    AsyncIterator<Integer> it =
        AsyncIterators.filter(
            source,
            i -> {
              if (i == 2) {
                throw boom;
              }
              return true;
            });
    assertThat(it.hasNext()).isCompletedWithValue(true);
    assertThat(it.next()).isZero();
    assertThat(it.hasNext()).isCompletedWithValue(true);
    assertThat(it.next()).isEqualTo(1);
    assertThat(failureOf(it.hasNext())).isSameAs(boom);
    assertThat(failureOf(it.hasNext())).isSameAs(boom);
    assertThat(source.taken()).as("no item pulled after the failure").isEqualTo(3);
  }

  // ---- flatMap, flatMapIterable, concat ----

  @ParameterizedTest
  @EnumSource(names = {"SYNC", "ASYNC"})
  void flatMap_pagesOfItems_flattenedInOrder(Mode mode) throws Exception {
    RecordingSource<Integer> pages = RecordingSource.of(mode, executor, 4);
    List<RecordingSource<Integer>> inners = new ArrayList<>();
    AsyncIterator<Integer> items =
        AsyncIterators.flatMap(
            pages,
            page -> {
              RecordingSource<Integer> inner =
                  mode == Mode.SYNC
                      ? RecordingSource.sync(page, i -> page * 10 + i)
                      : RecordingSource.async(executor, page, i -> page * 10 + i);
              inners.add(inner);
              return inner;
            });
    assertThat(drain(items, mode)).containsExactly(10, 20, 21, 30, 31, 32);
    assertThat(inners).hasSize(4).allSatisfy(inner -> assertThat(inner.closeCalls()).isEqualTo(1));
    assertThat(pages.closeCalls()).isEqualTo(1);
  }

  @Test
  void flatMap_innerExhausted_isClosedBeforeTheNextOuterItemIsPulled() {
    RecordingSource<Integer> outer = RecordingSource.sync(2);
    List<RecordingSource<Integer>> inners = new ArrayList<>();
    List<Integer> closedInnersWhenOuterPulled = new ArrayList<>();
    AsyncIterator<Integer> items =
        AsyncIterators.flatMap(
            outer,
            page -> {
              closedInnersWhenOuterPulled.add(
                  (int) inners.stream().filter(RecordingSource::isClosed).count());
              RecordingSource<Integer> inner = RecordingSource.sync(1);
              inners.add(inner);
              return inner;
            });
    assertThat(AsyncIterators.fold(items, 0, (n, i) -> n + 1)).isCompletedWithValue(2);
    assertThat(closedInnersWhenOuterPulled).containsExactly(0, 1);
  }

  @Test
  void flatMap_closedMidInner_closesTheInnerAndTheOuter() {
    RecordingSource<Integer> outer = RecordingSource.sync(3);
    List<RecordingSource<Integer>> inners = new ArrayList<>();
    AsyncIterator<Integer> items =
        AsyncIterators.flatMap(
            outer,
            page -> {
              RecordingSource<Integer> inner = RecordingSource.sync(5);
              inners.add(inner);
              return inner;
            });
    assertThat(items.hasNext()).isCompletedWithValue(true);
    items.next();
    assertThat(items.close()).isCompleted();
    assertThat(inners).hasSize(1);
    assertThat(inners.get(0).closeCalls()).isEqualTo(1);
    assertThat(outer.closeCalls()).isEqualTo(1);
  }

  @Test
  void flatMap_mapperReturnsNull_failsWithClearMessage() throws Exception {
    AsyncIterator<Integer> items = AsyncIterators.flatMap(RecordingSource.sync(1), page -> null);
    assertThat(failureOf(items.hasNext()))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("flatMap function returned null");
  }

  @ParameterizedTest
  @EnumSource(names = {"SYNC", "ASYNC"})
  void flatMapIterable_someEmptyLists_skipsThem(Mode mode) throws Exception {
    RecordingSource<Integer> pages = RecordingSource.of(mode, executor, 6);
    AsyncIterator<Integer> items =
        AsyncIterators.flatMapIterable(pages, p -> p % 2 == 0 ? List.of() : List.of(p, p));
    assertThat(drain(items, mode)).containsExactly(1, 1, 3, 3, 5, 5);
  }

  @Test
  void flatMapIterable_iterableThrowsMidway_elementsBeforeThenTheFailureEveryTime()
      throws Exception {
    IllegalStateException boom = new IllegalStateException("bad page");
    Iterable<Integer> failing =
        () ->
            new java.util.Iterator<>() {
              private int i;

              @Override
              public boolean hasNext() {
                if (i == 2) {
                  throw boom;
                }
                return true;
              }

              @Override
              public Integer next() {
                return i++;
              }
            };
    AsyncIterator<Integer> items = AsyncIterators.flatMapIterable(AsyncIterators.of(1), p -> failing);
    assertThat(items.hasNext()).isCompletedWithValue(true);
    assertThat(items.next()).isZero();
    assertThat(items.hasNext()).isCompletedWithValue(true);
    assertThat(items.next()).isEqualTo(1);
    assertThat(failureOf(items.hasNext())).isSameAs(boom);
    assertThat(failureOf(items.hasNext())).isSameAs(boom);
  }

  @Test
  void flatMapIterable_nextTwiceAfterOneHasNext_throwsNoSuchElement() {
    AsyncIterator<Integer> items =
        AsyncIterators.flatMapIterable(AsyncIterators.of(1), p -> List.of(1, 2, 3));
    assertThat(items.hasNext()).isCompletedWithValue(true);
    assertThat(items.next()).isEqualTo(1);
    assertThatThrownBy(items::next).isInstanceOf(NoSuchElementException.class);
    assertThat(items.hasNext()).isCompletedWithValue(true);
    assertThat(items.next()).isEqualTo(2);
  }

  @Test
  void flatMapIterable_functionReturnsNull_failsWithClearMessage() throws Exception {
    AsyncIterator<Integer> items = AsyncIterators.flatMapIterable(AsyncIterators.of(1), p -> null);
    assertThat(failureOf(items.hasNext()))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("flatMapIterable function returned null");
  }

  @Test
  void concat_iteratorOfIterators_allItemsInOrder() throws Exception {
    AsyncIterator<AsyncIterator<Integer>> parts =
        AsyncIterators.of(
            AsyncIterators.of(1, 2), AsyncIterators.empty(), AsyncIterators.of(3));
    assertThat(drain(AsyncIterators.concat(parts), Mode.SYNC)).containsExactly(1, 2, 3);
  }

  @ParameterizedTest
  @EnumSource(names = {"SYNC", "ASYNC"})
  void concat_list_allItemsInOrder(Mode mode) throws Exception {
    List<AsyncIterator<Integer>> parts =
        List.of(
            RecordingSource.of(mode, executor, 2),
            RecordingSource.of(mode, executor, 0),
            RecordingSource.of(mode, executor, 3));
    assertThat(drain(AsyncIterators.concat(parts), mode)).containsExactly(0, 1, 0, 1, 2);
  }

  @Test
  void concat_listClosedEarly_closesEveryListedIterator() {
    RecordingSource<Integer> a = RecordingSource.sync(2);
    RecordingSource<Integer> b = RecordingSource.sync(2);
    RecordingSource<Integer> c = RecordingSource.sync(2);
    AsyncIterator<Integer> all = AsyncIterators.concat(List.of(a, b, c));
    assertThat(all.hasNext()).isCompletedWithValue(true);
    assertThat(all.next()).isZero();
    assertThat(all.close()).isCompleted();
    assertThat(List.of(a, b, c)).allSatisfy(s -> assertThat(s.isClosed()).isTrue());
    assertThat(b.hasNextCalls()).as("never started").isZero();
  }

  // ---- take ----

  @ParameterizedTest
  @EnumSource(names = {"SYNC", "ASYNC"})
  void take_fewerThanAvailable_takesNAndClosesTheSourceAtOnce(Mode mode) throws Exception {
    RecordingSource<Integer> source = RecordingSource.of(mode, executor, 100);
    AsyncIterator<Integer> first3 = AsyncIterators.take(source, 3);
    for (int i = 0; i < 3; i++) {
      assertThat(first3.hasNext().toCompletableFuture().get(10, TimeUnit.SECONDS)).isTrue();
      assertThat(source.closeCalls()).isZero();
      assertThat(first3.next()).isEqualTo(i);
    }
    assertThat(source.closeCalls()).as("closed by the third next()").isEqualTo(1);
    assertThat(first3.hasNext()).isCompletedWithValue(false);
    assertThat(source.hasNextCalls()).as("no pull beyond n").isEqualTo(3);
    assertThat(first3.close()).isCompleted();
    assertThat(source.closeCalls()).isEqualTo(1);
  }

  @Test
  void take_moreThanAvailable_endsWithTheSource() throws Exception {
    assertThat(drain(AsyncIterators.take(RecordingSource.sync(2), 5), Mode.SYNC))
        .containsExactly(0, 1);
  }

  @Test
  void take_zero_neverPullsAndClosesTheSource() {
    RecordingSource<Integer> source = RecordingSource.sync(5);
    AsyncIterator<Integer> none = AsyncIterators.take(source, 0);
    assertThat(none.hasNext()).isCompletedWithValue(false);
    assertThat(source.hasNextCalls()).isZero();
    assertThat(source.closeCalls()).isEqualTo(1);
  }

  @Test
  void take_sourceCloseFails_nextHasNextFailsWithIt() throws Exception {
    IllegalStateException closeFailure = new IllegalStateException("close failed");
    RecordingSource<Integer> source =
        RecordingSource.sync(5).closingWith(CompletableFuture.failedFuture(closeFailure));
    AsyncIterator<Integer> one = AsyncIterators.take(source, 1);
    assertThat(one.hasNext()).isCompletedWithValue(true);
    one.next();
    assertThat(failureOf(one.hasNext())).isSameAs(closeFailure);
  }

  @Test
  void take_sourceCloseCompletesLater_hasNextCompletesFalseThen() {
    CompletableFuture<Void> closing = new CompletableFuture<>();
    RecordingSource<Integer> source = RecordingSource.sync(5).closingWith(closing);
    AsyncIterator<Integer> one = AsyncIterators.take(source, 1);
    assertThat(one.hasNext()).isCompletedWithValue(true);
    one.next();
    CompletionStage<Boolean> end = one.hasNext();
    assertThat(end.toCompletableFuture()).isNotDone();
    closing.complete(null);
    assertThat(end.toCompletableFuture()).isCompletedWithValue(false);
  }

  // ---- batch ----

  @ParameterizedTest
  @EnumSource(names = {"SYNC", "ASYNC"})
  void batch_tenItemsBy3_fourBatchesLastShorter(Mode mode) throws Exception {
    assertThat(drain(AsyncIterators.batch(RecordingSource.of(mode, executor, 10), 3), mode))
        .containsExactly(range(0, 3), range(3, 6), range(6, 9), range(9, 10));
  }

  @Test
  void batch_exactMultiple_noEmptyBatchAtTheEnd() throws Exception {
    assertThat(drain(AsyncIterators.batch(RecordingSource.sync(4), 2), Mode.SYNC))
        .containsExactly(range(0, 2), range(2, 4));
  }

  @Test
  void batch_sourceFailsMidBatch_partialBatchFirstThenTheFailure() throws Exception {
    IllegalStateException boom = new IllegalStateException("reset");
    AsyncIterator<List<Integer>> batches =
        AsyncIterators.batch(RecordingSource.sync(10).failingAt(5, boom), 3);
    assertThat(batches.hasNext()).isCompletedWithValue(true);
    assertThat(batches.next()).containsExactly(0, 1, 2);
    assertThat(batches.hasNext()).isCompletedWithValue(true);
    assertThat(batches.next()).containsExactly(3, 4);
    assertThat(failureOf(batches.hasNext())).isSameAs(boom);
    assertThat(failureOf(batches.hasNext())).isSameAs(boom);
  }

  @Test
  void batch_batches_areUnmodifiable() {
    AsyncIterator<List<Integer>> batches = AsyncIterators.batch(RecordingSource.sync(2), 2);
    batches.hasNext();
    List<Integer> batch = batches.next();
    assertThatThrownBy(() -> batch.add(9)).isInstanceOf(UnsupportedOperationException.class);
  }

  // ---- stack safety: a million immediate items through each operator, on one thread ----

  @Test
  void map_millionImmediateItems_noStackOverflowOnTheCallingThread() {
    RecordingSource<Integer> source = RecordingSource.sync(MILLION);
    CallFuture<Long> sum = AsyncIterators.fold(AsyncIterators.map(source, i -> i * 2L), 0L, Long::sum);
    assertThat(sum).isCompletedWithValue((long) MILLION * (MILLION - 1));
    assertThat(source.threads()).containsExactly(Thread.currentThread());
  }

  @Test
  void filter_millionRejectedItemsInOneHasNext_noStackOverflow() {
    RecordingSource<Integer> source = RecordingSource.sync(MILLION);
    AsyncIterator<Integer> last = AsyncIterators.filter(source, i -> i == MILLION - 1);
    assertThat(last.hasNext()).isCompletedWithValue(true);
    assertThat(last.next()).isEqualTo(MILLION - 1);
    assertThat(last.hasNext()).isCompletedWithValue(false);
    assertThat(source.threads()).containsExactly(Thread.currentThread());
  }

  @Test
  void flatMap_millionEmptyInnerIteratorsInOneHasNext_noStackOverflow() {
    RecordingSource<Integer> outer = RecordingSource.sync(MILLION);
    AsyncIterator<Integer> items =
        AsyncIterators.flatMap(
            outer, i -> i == MILLION - 1 ? AsyncIterators.of(i) : AsyncIterators.empty());
    assertThat(items.hasNext()).isCompletedWithValue(true);
    assertThat(items.next()).isEqualTo(MILLION - 1);
    assertThat(items.hasNext()).isCompletedWithValue(false);
  }

  @Test
  void flatMapIterable_millionItemsInPages_noStackOverflow() {
    AsyncIterator<Integer> items =
        AsyncIterators.flatMapIterable(RecordingSource.sync(1000), p -> range(p * 1000, p * 1000 + 1000));
    assertThat(AsyncIterators.fold(items, 0L, (s, i) -> s + i))
        .isCompletedWithValue((long) MILLION * (MILLION - 1) / 2);
  }

  @Test
  void concat_millionIterators_noStackOverflow() {
    AsyncIterator<AsyncIterator<Integer>> parts =
        AsyncIterators.map(RecordingSource.sync(MILLION), i -> AsyncIterators.of(i));
    assertThat(AsyncIterators.fold(AsyncIterators.concat(parts), 0, (n, i) -> n + 1))
        .isCompletedWithValue(MILLION);
  }

  @Test
  void take_millionImmediateItems_noStackOverflow() {
    RecordingSource<Integer> source = RecordingSource.sync(MILLION + 10);
    assertThat(AsyncIterators.fold(AsyncIterators.take(source, MILLION), 0, (n, i) -> n + 1))
        .isCompletedWithValue(MILLION);
    assertThat(source.taken()).isEqualTo(MILLION);
  }

  @Test
  void batch_millionItemsInOneBatch_noStackOverflow() {
    AsyncIterator<List<Integer>> batches = AsyncIterators.batch(RecordingSource.sync(MILLION), MILLION);
    assertThat(batches.hasNext()).isCompletedWithValue(true);
    assertThat(batches.next()).hasSize(MILLION);
    assertThat(batches.hasNext()).isCompletedWithValue(false);
  }

  @Test
  void allOperatorsChained_millionImmediateItems_noStackOverflow() {
    AsyncIterator<Integer> source = RecordingSource.sync(MILLION);
    AsyncIterator<List<Integer>> chain =
        AsyncIterators.batch(
            AsyncIterators.take(
                AsyncIterators.flatMap(
                    AsyncIterators.filter(AsyncIterators.map(source, i -> i + 1), i -> i % 2 == 0),
                    i -> AsyncIterators.of(i, -i)),
                MILLION - 2),
            1000);
    CallFuture<Integer> count = AsyncIterators.fold(chain, 0, (n, b) -> n + b.size());
    assertThat(count).isCompletedWithValue(MILLION - 2);
  }

  // ---- the shared completed stage ----

  @Test
  void syncSources_hasNext_returnsOneSharedCompletedStage() {
    AsyncIterator<Integer> source = AsyncIterators.fromIterable(range(0, 10));
    CompletionStage<Boolean> first = source.hasNext();
    source.next();
    assertThat(source.hasNext()).isSameAs(first);
    AsyncIterator<Integer> filtered = AsyncIterators.filter(AsyncIterators.fromIterable(range(0, 10)), i -> true);
    assertThat(filtered.hasNext()).isSameAs(first);
    AsyncIterator<Integer> flat =
        AsyncIterators.flatMapIterable(AsyncIterators.of(1, 2), i -> range(0, 3));
    assertThat(flat.hasNext()).isSameAs(first);
    flat.next();
    assertThat(flat.hasNext()).isSameAs(first);
    assertThat(first).isCompletedWithValue(true);
    assertThatThrownBy(() -> first.toCompletableFuture().complete(false))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void completedStage_isTheSharedAnswerAndRefusesCompletion() {
    assertThat(AsyncIterators.completedStage(true))
        .isSameAs(AsyncIterators.fromIterable(List.of(1)).hasNext())
        .isCompletedWithValue(true);
    assertThat(AsyncIterators.completedStage(false))
        .isSameAs(AsyncIterators.empty().hasNext())
        .isCompletedWithValue(false);
    assertThatThrownBy(() -> AsyncIterators.completedStage(false).toCompletableFuture().obtrudeValue(true))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  // ---- close propagation, for every operator ----

  static Stream<Arguments> operators() {
    return Stream.of(
        Arguments.of("map", (Function<AsyncIterator<Integer>, AsyncIterator<?>>) s -> AsyncIterators.map(s, i -> i)),
        Arguments.of("filter", (Function<AsyncIterator<Integer>, AsyncIterator<?>>) s -> AsyncIterators.filter(s, i -> true)),
        Arguments.of("flatMap", (Function<AsyncIterator<Integer>, AsyncIterator<?>>) s -> AsyncIterators.flatMap(s, i -> AsyncIterators.of(i))),
        Arguments.of("flatMapIterable", (Function<AsyncIterator<Integer>, AsyncIterator<?>>) s -> AsyncIterators.flatMapIterable(s, i -> List.of(i))),
        Arguments.of("take", (Function<AsyncIterator<Integer>, AsyncIterator<?>>) s -> AsyncIterators.take(s, 100)),
        Arguments.of("batch", (Function<AsyncIterator<Integer>, AsyncIterator<?>>) s -> AsyncIterators.batch(s, 2)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("operators")
  void operator_created_pullsNothing(String name, Function<AsyncIterator<Integer>, AsyncIterator<?>> op) {
    RecordingSource<Integer> source = RecordingSource.sync(5);
    op.apply(source);
    assertThat(source.hasNextCalls()).isZero();
    assertThat(source.closeCalls()).isZero();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("operators")
  void operator_closedAfterPartialIteration_closesTheSourceOnceAndIsIdempotent(
      String name, Function<AsyncIterator<Integer>, AsyncIterator<?>> op) {
    RecordingSource<Integer> source = RecordingSource.sync(10);
    AsyncIterator<?> it = op.apply(source);
    assertThat(it.hasNext()).isCompletedWithValue(true);
    it.next();
    CompletionStage<Void> closed = it.close();
    assertThat(closed.toCompletableFuture()).isCompleted();
    assertThat(it.close().toCompletableFuture()).isCompleted();
    assertThat(source.closeCalls()).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("operators")
  void operator_usedAfterClose_throwsIllegalStateNamingTheRule(
      String name, Function<AsyncIterator<Integer>, AsyncIterator<?>> op) {
    AsyncIterator<?> it = op.apply(RecordingSource.sync(10));
    it.close();
    assertThatThrownBy(it::hasNext)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("must not be used after close()")
        .hasMessageContaining("hasNext()");
    assertThatThrownBy(it::next)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("next()");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("operators")
  void operator_closedWhileHasNextInFlight_cancelsTheSourcesFetch(
      String name, Function<AsyncIterator<Integer>, AsyncIterator<?>> op) throws Exception {
    RecordingSource<Integer> source = RecordingSource.manual(10);
    AsyncIterator<?> it = op.apply(source);
    CompletionStage<Boolean> pending = it.hasNext();
    assertThat(pending.toCompletableFuture()).as("the call returned without blocking").isNotDone();
    it.close();
    assertThat(source.inFlightAtClose()).containsExactly(1);
    assertThat(source.cancelledFetches()).isEqualTo(1);
    assertThat(failureOf(pending)).isInstanceOf(CancellationException.class);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("operators")
  void operator_pendingSourceStageCompletesOnAnotherThread_continuesThere(
      String name, Function<AsyncIterator<Integer>, AsyncIterator<?>> op) throws Exception {
    RecordingSource<Integer> source = RecordingSource.manual(1);
    AsyncIterator<?> it = op.apply(source);
    CompletionStage<Boolean> pending = it.hasNext();
    assertThat(pending.toCompletableFuture()).isNotDone();
    // batch asks again after the first item: release each pending stage, on the other thread
    for (int i = 0; i < 3 && !pending.toCompletableFuture().isDone(); i++) {
      executor.submit(source::release).get(10, TimeUnit.SECONDS);
    }
    assertThat(pending.toCompletableFuture().get(10, TimeUnit.SECONDS)).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("operators")
  void operator_sourceFails_failureReachesTheConsumerUnwrapped(
      String name, Function<AsyncIterator<Integer>, AsyncIterator<?>> op) throws Exception {
    IllegalStateException boom = new IllegalStateException("boom");
    AsyncIterator<?> it = op.apply(RecordingSource.async(executor, 5).failingAt(0, boom));
    assertThat(failureOf(it.hasNext())).isSameAs(boom);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("operators")
  void operator_sourceCloseFails_closeStageFailsWithIt(
      String name, Function<AsyncIterator<Integer>, AsyncIterator<?>> op) throws Exception {
    IllegalStateException closeFailure = new IllegalStateException("close failed");
    AsyncIterator<?> it =
        op.apply(RecordingSource.sync(3).closingWith(CompletableFuture.failedFuture(closeFailure)));
    assertThat(failureOf(it.close())).isSameAs(closeFailure);
  }

  // ---- factories ----

  @Test
  void of_items_iteratesThemAndCopiesTheArray() throws Exception {
    Integer[] items = {1, null, 3};
    AsyncIterator<Integer> it = AsyncIterators.of(items);
    items[0] = 9;
    assertThat(drain(it, Mode.SYNC)).containsExactly(1, null, 3);
  }

  @Test
  void fromIterable_isLazy_callsIteratorOnFirstHasNext() {
    int[] calls = {0};
    Iterable<Integer> items =
        () -> {
          calls[0]++;
          return List.of(1).iterator();
        };
    AsyncIterator<Integer> it = AsyncIterators.fromIterable(items);
    assertThat(calls[0]).isZero();
    it.hasNext();
    assertThat(calls[0]).isEqualTo(1);
  }

  @Test
  void empty_hasNext_falseAtOnce() {
    assertThat(AsyncIterators.empty().hasNext()).isCompletedWithValue(false);
  }

  @Test
  void failed_hasNext_failsEveryTimeWithTheSameException() throws Exception {
    IllegalStateException boom = new IllegalStateException("boom");
    AsyncIterator<String> it = AsyncIterators.failed(boom);
    assertThat(failureOf(it.hasNext())).isSameAs(boom);
    assertThat(failureOf(it.hasNext())).isSameAs(boom);
    assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
  }

  @Test
  void next_withoutHasNextTrue_throwsNoSuchElement() {
    AsyncIterator<Integer> it = AsyncIterators.filter(AsyncIterators.of(1), i -> true);
    assertThatThrownBy(it::next)
        .isInstanceOf(NoSuchElementException.class)
        .hasMessageContaining("call next() once after each hasNext() that completed with true");
  }

  // ---- bad arguments ----

  @Test
  void operators_badArguments_failAtTheCallNamingTheParameter() {
    AsyncIterator<Integer> s = AsyncIterators.empty();
    assertThatThrownBy(() -> AsyncIterators.map(null, i -> i)).hasMessage("source");
    assertThatThrownBy(() -> AsyncIterators.map(s, null)).hasMessage("mapper");
    assertThatThrownBy(() -> AsyncIterators.filter(s, null)).hasMessage("predicate");
    assertThatThrownBy(() -> AsyncIterators.flatMap(s, null)).hasMessage("mapper");
    assertThatThrownBy(() -> AsyncIterators.flatMapIterable(s, null)).hasMessage("mapper");
    assertThatThrownBy(() -> AsyncIterators.concat((List<AsyncIterator<Integer>>) null))
        .hasMessage("iterators");
    assertThatThrownBy(() -> AsyncIterators.fromIterable(null)).hasMessage("items");
    assertThatThrownBy(() -> AsyncIterators.failed(null)).hasMessage("failure");
    assertThatThrownBy(() -> AsyncIterators.take(s, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("n must not be negative, but was -1");
    assertThatThrownBy(() -> AsyncIterators.batch(s, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("size must be at least 1, but was 0");
  }
}

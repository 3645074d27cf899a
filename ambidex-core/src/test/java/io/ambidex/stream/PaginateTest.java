package io.ambidex.stream;

import io.ambidex.CallFuture;
import io.ambidex.stream.AsyncIterator;
import io.ambidex.stream.AsyncIterators;
import io.ambidex.stream.Page;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The pagination builder: laziness, tokens, end, failures, close, and stack safety. */
@Timeout(60)
class PaginateTest {
  private final ExecutorService executor = Executors.newFixedThreadPool(2);

  @AfterEach
  void tearDown() throws InterruptedException {
    executor.shutdownNow();
    assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  /**
   * A recording fake service: pages of {@code pageSize} items, tokens "p1", "p2", ... and no token
   * after {@code pages} pages. It records the tokens it was asked for.
   */
  private final class FakeListing implements Function<@Nullable String, CompletionStage<Page<Integer, String>>> {
    final List<@Nullable String> requested = new CopyOnWriteArrayList<>();
    private final int pages;
    private final int pageSize;
    private final boolean async;

    FakeListing(int pages, int pageSize, boolean async) {
      this.pages = pages;
      this.pageSize = pageSize;
      this.async = async;
    }

    @Override
    public CompletionStage<Page<Integer, String>> apply(@Nullable String token) {
      requested.add(token);
      int index = token == null ? 0 : Integer.parseInt(token.substring(1));
      List<Integer> items =
          IntStream.range(index * pageSize, (index + 1) * pageSize).boxed().toList();
      Page<Integer, String> page =
          Page.of(items, index + 1 < pages ? "p" + (index + 1) : null);
      return async
          ? CompletableFuture.supplyAsync(() -> page, executor)
          : CompletableFuture.completedFuture(page);
    }
  }

  private static List<Integer> drain(AsyncIterator<Integer> it) throws Exception {
    return AsyncIterators.collect(it, Collectors.toList()).get(10, TimeUnit.SECONDS);
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

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void paginate_threePages_allItemsInOrderAndEveryTokenOnce(boolean async) throws Exception {
    FakeListing listing = new FakeListing(3, 4, async);
    assertThat(drain(AsyncIterators.paginate(null, listing)))
        .isEqualTo(IntStream.range(0, 12).boxed().toList());
    assertThat(listing.requested).containsExactly(null, "p1", "p2");
  }

  @Test
  void paginate_beforeTheFirstHasNext_fetchesNothing() {
    FakeListing listing = new FakeListing(3, 2, false);
    AsyncIterator<Integer> items = AsyncIterators.paginate(null, listing);
    assertThat(listing.requested).isEmpty();
    items.hasNext();
    assertThat(listing.requested).containsExactly((String) null);
  }

  @Test
  void paginate_nextPage_fetchedOnlyWhenThePreviousPageIsUsedUp() {
    FakeListing listing = new FakeListing(3, 2, false);
    AsyncIterator<Integer> items = AsyncIterators.paginate(null, listing);
    items.hasNext();
    items.next();
    items.hasNext();
    items.next();
    assertThat(listing.requested).hasSize(1);
    items.hasNext();
    assertThat(listing.requested).containsExactly(null, "p1");
  }

  @Test
  void paginate_firstToken_isPassedToTheFirstFetch() throws Exception {
    FakeListing listing = new FakeListing(3, 2, false);
    assertThat(drain(AsyncIterators.paginate("p1", listing))).containsExactly(2, 3, 4, 5);
    assertThat(listing.requested).containsExactly("p1", "p2");
  }

  @Test
  void paginate_lastPage_endsWithoutAnotherFetch() {
    FakeListing listing = new FakeListing(1, 1, false);
    AsyncIterator<Integer> items = AsyncIterators.paginate(null, listing);
    assertThat(items.hasNext()).isCompletedWithValue(true);
    items.next();
    assertThat(items.hasNext()).isCompletedWithValue(false);
    assertThat(items.hasNext()).isCompletedWithValue(false);
    assertThat(listing.requested).hasSize(1);
  }

  @Test
  void paginate_emptyPages_areSkipped() throws Exception {
    AsyncIterator<Integer> items =
        AsyncIterators.paginate(
            0,
            token ->
                CompletableFuture.completedFuture(
                    token < 5 ? Page.of(List.of(), token + 1) : Page.last(List.of(42))));
    assertThat(drain(items)).containsExactly(42);
  }

  @Test
  void paginate_syncFetch_everyAnswerIsTheSameSharedCompletedStage() {
    AsyncIterator<Integer> items = AsyncIterators.paginate(null, new FakeListing(2, 3, false));
    CompletionStage<Boolean> first = items.hasNext();
    for (int i = 0; i < 5; i++) {
      items.next();
      assertThat(items.hasNext()).isSameAs(first);
    }
    assertThat(first).isCompletedWithValue(true);
  }

  @Test
  void paginate_millionItemsAndManyEmptyPages_noStackOverflowOnTheCallingThread() {
    Thread caller = Thread.currentThread();
    List<Thread> fetchThreads = Collections.synchronizedList(new ArrayList<>());
    AsyncIterator<Integer> items =
        AsyncIterators.paginate(
            0,
            token -> {
              fetchThreads.add(Thread.currentThread());
              // 100,000 empty pages, then 1,000 pages of 1,000 items
              List<Integer> page =
                  token < 100_000
                      ? List.of()
                      : IntStream.range(0, 1000).boxed().toList();
              return CompletableFuture.completedFuture(
                  token < 101_000 - 1 ? Page.of(page, token + 1) : Page.last(page));
            });
    CallFuture<Long> count = AsyncIterators.fold(items, 0L, (n, i) -> n + 1);
    assertThat(count).isCompletedWithValue(1_000_000L);
    assertThat(fetchThreads).hasSize(101_000).containsOnly(caller);
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void paginate_fetchFails_itemsOfEarlierPagesFirstThenTheFailureEveryTime(boolean async)
      throws Exception {
    IOException io = new IOException("503 Slow Down");
    AsyncIterator<Integer> items =
        AsyncIterators.paginate(
            null,
            token -> {
              if ("p1".equals(token)) {
                return async
                    ? CompletableFuture.supplyAsync(
                        () -> {
                          throw new java.io.UncheckedIOException(io);
                        },
                        executor)
                    : CompletableFuture.failedFuture(io);
              }
              return CompletableFuture.completedFuture(Page.of(List.of(1, 2), "p1"));
            });
    List<Integer> seen = new ArrayList<>();
    Throwable failure = failureOf(AsyncIterators.forEach(items, seen::add));
    assertThat(seen).containsExactly(1, 2);
    if (async) {
      assertThat(failure).isInstanceOf(java.io.UncheckedIOException.class).hasCause(io);
    } else {
      assertThat(failure).isSameAs(io);
    }
  }

  @Test
  void paginate_fetchFails_laterHasNextFailsTheSameWayWithoutFetching() throws Exception {
    IOException io = new IOException("boom");
    List<String> calls = new ArrayList<>();
    AsyncIterator<Integer> items =
        AsyncIterators.paginate(
            null,
            token -> {
              calls.add(String.valueOf(token));
              return CompletableFuture.failedFuture(io);
            });
    assertThat(failureOf(items.hasNext())).isSameAs(io);
    assertThat(failureOf(items.hasNext())).isSameAs(io);
    assertThat(calls).hasSize(1);
  }

  @Test
  void paginate_fetchThrows_hasNextFailsWithIt() throws Exception {
    IllegalArgumentException bad = new IllegalArgumentException("bad prefix");
    AsyncIterator<Integer> items =
        AsyncIterators.paginate(
            null,
            token -> {
              throw bad;
            });
    assertThat(failureOf(items.hasNext())).isSameAs(bad);
  }

  @Test
  void paginate_fetchReturnsNullStageOrNullPage_failsWithClearMessage() throws Exception {
    AsyncIterator<Integer> nullStage = AsyncIterators.paginate(null, token -> null);
    assertThat(failureOf(nullStage.hasNext()))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("fetch function returned null");
    AsyncIterator<Integer> nullPage =
        AsyncIterators.paginate(null, token -> CompletableFuture.completedFuture(null));
    assertThat(failureOf(nullPage.hasNext()))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("completed with null");
  }

  @Test
  void paginate_serviceReturnsTheSameTokenAgain_failsInsteadOfLoopingForever() throws Exception {
    AsyncIterator<Integer> items =
        AsyncIterators.paginate(
            "t", token -> CompletableFuture.completedFuture(Page.of(List.of(1), "t")));
    Throwable failure = failureOf(AsyncIterators.collect(items, Collectors.toList()));
    assertThat(failure)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("must differ from the token that fetched it")
        .hasMessageContaining("'t'");
  }

  @Test
  void paginate_serviceWhoseTokensCycle_failsInsteadOfLoopingForever() throws Exception {
    // Empty pages "a" -> "b" -> "c" -> "a" ...: one hasNext() would fetch forever. The fake gives
    // up after 1000 fetches, so the loop shows as its failure rather than as a hang.
    List<String> asked = new CopyOnWriteArrayList<>();
    AsyncIterator<Integer> items =
        AsyncIterators.paginate(
            null,
            (String token) -> {
              asked.add(String.valueOf(token));
              if (asked.size() > 1000) {
                return CompletableFuture.failedFuture(new AssertionError("the listing looped"));
              }
              String next =
                  token == null || token.equals("c") ? "a" : token.equals("a") ? "b" : "c";
              return CompletableFuture.completedFuture(Page.of(List.<Integer>of(), next));
            });
    Throwable failure = failureOf(AsyncIterators.collect(items, Collectors.toList()));
    assertThat(failure)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("came back");
    assertThat(asked.size()).isLessThan(20);
  }

  @Test
  void paginate_closedWhileAFetchIsInFlight_cancelsTheFetch() throws Exception {
    CompletableFuture<Page<Integer, String>> fetch = new CompletableFuture<>();
    AsyncIterator<Integer> items = AsyncIterators.paginate(null, (String token) -> fetch);
    CompletionStage<Boolean> pending = items.hasNext();
    assertThat(pending.toCompletableFuture()).isNotDone();
    assertThat(items.close()).isCompleted();
    assertThat(fetch).isCancelled();
    assertThat(failureOf(pending)).isInstanceOf(CancellationException.class);
    assertThatThrownBy(items::hasNext)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("must not be used after close()");
  }

  @Test
  void paginate_pendingAnswerCancelled_cancelsTheFetch() {
    CompletableFuture<Page<Integer, String>> fetch = new CompletableFuture<>();
    AsyncIterator<Page<Integer, String>> pages = AsyncIterators.pages(null, token -> fetch);
    pages.hasNext().toCompletableFuture().cancel(true);
    assertThat(fetch).isCancelled();
  }

  @Test
  void pages_returnPagesWithTheirTokensIncludingEmptyOnes() throws Exception {
    AsyncIterator<Page<Integer, Integer>> pages =
        AsyncIterators.pages(
            null,
            token ->
                CompletableFuture.completedFuture(
                    token == null ? Page.of(List.<Integer>of(), 1) : Page.last(List.of(7))));
    List<Page<Integer, Integer>> all =
        AsyncIterators.collect(pages, Collectors.toList()).get(10, TimeUnit.SECONDS);
    assertThat(all).containsExactly(Page.of(List.of(), 1), Page.last(List.of(7)));
    assertThat(all.get(0).isLast()).isFalse();
    assertThat(all.get(1).isLast()).isTrue();
  }

  @Test
  void page_items_areCopiedAndUnmodifiable() {
    List<Integer> items = new ArrayList<>(List.of(1, 2));
    Page<Integer, String> page = Page.of(items, "next");
    items.add(3);
    assertThat(page.items()).containsExactly(1, 2);
    assertThatThrownBy(() -> page.items().add(4)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> Page.of(null, "x")).hasMessage("items");
  }

  @Test
  void paginate_nullFetch_failsAtTheCall() {
    assertThatThrownBy(() -> AsyncIterators.paginate(null, null)).hasMessage("fetchPage");
  }
}

package io.ambidex.stream;

import io.ambidex.BlockingNotAllowedException;
import io.ambidex.CallInterruptedException;
import io.ambidex.CallerStackTrace;
import io.ambidex.stream.AsyncIterator;
import io.ambidex.stream.AsyncIterators;
import io.ambidex.stream.CloseableIterator;
import io.ambidex.stream.Page;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.ambidex.testing.OnThread;
import io.ambidex.testing.RecordingSource;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.io.IOException;
import java.lang.reflect.UndeclaredThrowableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The blocking bridges: {@code blockingIterator} and {@code blockingStream}. */
@Timeout(60)
class BlockingIteratorTest {
  private final ExecutorService executor = Executors.newFixedThreadPool(2);

  @AfterEach
  void tearDown() throws InterruptedException {
    executor.shutdownNow();
    assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    Thread.interrupted(); // a test that interrupts itself must not leak the flag
  }

  // ---- threads ----

  @Test
  void blockingIterator_syncSource_theConsumingThreadDoesAllTheWork() {
    RecordingSource<Integer> source = RecordingSource.sync(1000);
    List<Integer> seen = new ArrayList<>();
    try (CloseableIterator<Integer> it = AsyncIterators.blockingIterator(source)) {
      it.forEachRemaining(seen::add);
    }
    assertThat(seen).hasSize(1000);
    assertThat(source.threads()).containsExactly(Thread.currentThread());
  }

  @Test
  void blockingIterator_syncSourceOnAThreadThatMustNotBlock_neverParksSoTheGuardStaysQuiet()
      throws Exception {
    // The guard refuses to park a Netty event loop: iterating there proves nothing waited.
    CompletableFuture<List<Object>> outcome =
        OnThread.run(
            r -> new FastThreadLocalThread(r, "nioEventLoopGroup-3-1", false),
            () -> {
              RecordingSource<Integer> source = RecordingSource.sync(100);
              List<Integer> seen = new ArrayList<>();
              try (CloseableIterator<Integer> it = AsyncIterators.blockingIterator(source)) {
                it.forEachRemaining(seen::add);
              }
              return List.of(seen.size(), source.threads(), Thread.currentThread());
            });
    List<Object> result = outcome.get(10, TimeUnit.SECONDS);
    assertThat(result.get(0)).isEqualTo(100);
    assertThat(result.get(1)).isEqualTo(java.util.Set.of(result.get(2)));
  }

  @Test
  void blockingIterator_paginatedSyncFetch_millionItemsOnTheCallersThread() {
    Thread caller = Thread.currentThread();
    List<Thread> fetchThreads = new ArrayList<>();
    AsyncIterator<Integer> items =
        AsyncIterators.paginate(
            0,
            page -> {
              fetchThreads.add(Thread.currentThread());
              List<Integer> content = IntStream.range(0, 1000).boxed().toList();
              return CompletableFuture.completedFuture(
                  page < 999 ? Page.of(content, page + 1) : Page.last(content));
            });
    long count;
    try (Stream<Integer> stream = AsyncIterators.blockingStream(items)) {
      count = stream.count();
    }
    assertThat(count).isEqualTo(1_000_000L);
    assertThat(fetchThreads).hasSize(1000).containsOnly(caller);
  }

  @Test
  void blockingIterator_asyncSource_waitsForEachItemInOrder() {
    RecordingSource<Integer> source = RecordingSource.async(executor, 200);
    List<Integer> seen = new ArrayList<>();
    try (CloseableIterator<Integer> it = AsyncIterators.blockingIterator(source)) {
      while (it.hasNext()) {
        seen.add(it.next());
      }
    }
    assertThat(seen).isEqualTo(IntStream.range(0, 200).boxed().toList());
    assertThat(source.closeCalls()).isEqualTo(1);
  }

  @Test
  void blockingIterator_asyncSourceOnAThreadThatMustNotBlock_throwsBlockingNotAllowed()
      throws Exception {
    RecordingSource<Integer> source = RecordingSource.manual(3);
    CompletableFuture<Boolean> outcome =
        OnThread.run(
            r -> new FastThreadLocalThread(r, "nioEventLoopGroup-4-1", false),
            () -> AsyncIterators.blockingIterator(source).hasNext());
    Throwable failure = catchThrowable(() -> outcome.get(10, TimeUnit.SECONDS)).getCause();
    assertThat(failure)
        .isInstanceOf(BlockingNotAllowedException.class)
        .hasMessageContaining("AsyncIterator.hasNext")
        .hasMessageContaining("nioEventLoopGroup-4-1");
    assertThat(source.closeCalls()).as("a failure closes the source").isEqualTo(1);
  }

  // ---- end, partial iteration, close ----

  @Test
  void blockingIterator_iteratedToTheEnd_closesTheSourceWithoutAnExplicitClose() {
    RecordingSource<Integer> source = RecordingSource.sync(3);
    CloseableIterator<Integer> it = AsyncIterators.blockingIterator(source);
    it.forEachRemaining(i -> {});
    assertThat(source.closeCalls()).isEqualTo(1);
    assertThat(it.hasNext()).isFalse();
    assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
    it.close();
    assertThat(source.closeCalls()).isEqualTo(1);
  }

  @Test
  void blockingIterator_partialIterationThenClose_runsTheSourcesCleanupOnce() {
    RecordingSource<Integer> source = RecordingSource.sync(10);
    CloseableIterator<Integer> it = AsyncIterators.blockingIterator(source);
    assertThat(it.next()).isZero();
    assertThat(it.next()).isEqualTo(1);
    it.close();
    it.close();
    assertThat(source.closeCalls()).isEqualTo(1);
    assertThat(source.taken()).isEqualTo(2);
  }

  @Test
  void blockingIterator_usedAfterClose_throwsIllegalStateNamingTheRule() {
    CloseableIterator<Integer> it = AsyncIterators.blockingIterator(RecordingSource.sync(10));
    it.next();
    it.close();
    assertThatThrownBy(it::hasNext)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "A CloseableIterator must not be used after close(), but hasNext() was called on the"
                + " closed blocking iterator");
    assertThatThrownBy(it::next)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "A CloseableIterator must not be used after close(), but next() was called on the"
                + " closed blocking iterator");
  }

  @Test
  void blockingIterator_closeWaitsForAnAsyncClose() throws Exception {
    CompletableFuture<Void> closing = new CompletableFuture<>();
    RecordingSource<Integer> source = RecordingSource.sync(10).closingWith(closing);
    CloseableIterator<Integer> it = AsyncIterators.blockingIterator(source);
    it.next();
    Future<?> closer = executor.submit(it::close);
    await().atMost(Duration.ofSeconds(10)).until(() -> source.closeCalls() == 1);
    assertThat(closer).isNotDone();
    closing.complete(null);
    closer.get(10, TimeUnit.SECONDS);
  }

  @Test
  void blockingIterator_closeFails_throwsTheClosesFailure() {
    IllegalStateException closeFailure = new IllegalStateException("close failed");
    CloseableIterator<Integer> it =
        AsyncIterators.blockingIterator(
            RecordingSource.sync(3).closingWith(CompletableFuture.failedFuture(closeFailure)));
    assertThatThrownBy(it::close).isSameAs(closeFailure);
  }

  @Test
  void blockingIterator_closedFromAnotherThreadWhileBlocked_hasNextThrowsCancellation()
      throws Exception {
    RecordingSource<Integer> source = RecordingSource.manual(3);
    CloseableIterator<Integer> it = AsyncIterators.blockingIterator(source);
    Future<Boolean> blocked = executor.submit(it::hasNext);
    await().atMost(Duration.ofSeconds(10)).until(() -> source.hasNextCalls() == 1);
    it.close();
    Throwable failure = catchThrowable(() -> blocked.get(10, TimeUnit.SECONDS)).getCause();
    assertThat(failure).isInstanceOf(CancellationException.class);
    assertThat(source.inFlightAtClose()).containsExactly(1);
    assertThat(source.closeCalls()).isEqualTo(1);
  }

  @Test
  void blockingIterator_closedFromAnotherThreadOverASourceWhoseCloseLeavesItsFetchPending_hasNextThrowsCancellation()
      throws Exception {
    // A source that releases on close() but does not cancel the stage it handed out.
    CompletableFuture<Boolean> fetch = new CompletableFuture<>();
    java.util.concurrent.atomic.AtomicInteger hasNextCalls =
        new java.util.concurrent.atomic.AtomicInteger();
    AsyncIterator<Integer> source =
        new AsyncIterator<>() {
          @Override
          public java.util.concurrent.CompletionStage<Boolean> hasNext() {
            hasNextCalls.incrementAndGet();
            return fetch.minimalCompletionStage();
          }

          @Override
          public Integer next() {
            return 1;
          }

          @Override
          public java.util.concurrent.CompletionStage<Void> close() {
            return CompletableFuture.completedFuture(null);
          }
        };
    CloseableIterator<Integer> it = AsyncIterators.blockingIterator(source);
    Future<Boolean> blocked = executor.submit(it::hasNext);
    await().atMost(Duration.ofSeconds(10)).until(() -> hasNextCalls.get() == 1);
    it.close();
    Throwable failure = catchThrowable(() -> blocked.get(10, TimeUnit.SECONDS)).getCause();
    assertThat(failure).isInstanceOf(CancellationException.class);
  }

  // ---- failures ----

  @Test
  void blockingIterator_sourceFailsUnchecked_throwsTheSameInstanceWithTheCallersStack() {
    IllegalStateException boom = new IllegalStateException("boom");
    RecordingSource<Integer> source = RecordingSource.async(executor, 5).failingAt(2, boom);
    CloseableIterator<Integer> it = AsyncIterators.blockingIterator(source);
    it.next();
    it.next();
    Throwable failure = catchThrowable(it::hasNext);
    assertThat(failure).isSameAs(boom);
    assertThat(failure.getSuppressed())
        .anySatisfy(s -> assertThat(s).isInstanceOf(CallerStackTrace.class));
    assertThat(catchThrowable(it::hasNext)).as("and again").isSameAs(boom);
    assertThat(source.closeCalls()).isEqualTo(1);
  }

  @Test
  void blockingIterator_sourceFailsChecked_throwsUndeclaredThrowableWithTheCause() {
    IOException io = new IOException("reset");
    CloseableIterator<Integer> it =
        AsyncIterators.blockingIterator(RecordingSource.sync(5).failingAt(0, io));
    assertThatThrownBy(it::hasNext)
        .isInstanceOf(UndeclaredThrowableException.class)
        .hasCause(io)
        .hasMessageContaining("AsyncIterator.hasNext");
  }

  @Test
  void blockingIterator_sourceAndCloseFail_closeFailureIsSuppressed() {
    IllegalStateException boom = new IllegalStateException("boom");
    IllegalStateException closeFailure = new IllegalStateException("close failed");
    CloseableIterator<Integer> it =
        AsyncIterators.blockingIterator(
            RecordingSource.sync(5)
                .failingAt(0, boom)
                .closingWith(CompletableFuture.failedFuture(closeFailure)));
    Throwable failure = catchThrowable(it::hasNext);
    assertThat(failure).isSameAs(boom);
    assertThat(failure.getSuppressed()).contains(closeFailure);
  }

  @Test
  void blockingIterator_loopToTheEndInTryWithResourcesCloseFails_throwsTheClosesFailureOnce() {
    // The shape of docs/streams.md's countKeys(): the end closes the source, then the try's close.
    IllegalStateException closeFailure = new IllegalStateException("close failed");
    RecordingSource<Integer> source =
        RecordingSource.sync(2).closingWith(CompletableFuture.failedFuture(closeFailure));
    Throwable thrown =
        catchThrowable(
            () -> {
              try (CloseableIterator<Integer> it = AsyncIterators.blockingIterator(source)) {
                while (it.hasNext()) {
                  it.next();
                }
              }
            });
    assertThat(thrown).isSameAs(closeFailure);
    assertThat(closeFailure.getSuppressed())
        .allSatisfy(s -> assertThat(s).isInstanceOf(CallerStackTrace.class));
    assertThat(source.closeCalls()).isEqualTo(1);
  }

  @Test
  void blockingIterator_closeFailureAlreadyThrownAtTheEnd_laterCloseReturnsNormally() {
    IllegalStateException closeFailure = new IllegalStateException("close failed");
    CloseableIterator<Integer> it =
        AsyncIterators.blockingIterator(
            RecordingSource.sync(1).closingWith(CompletableFuture.failedFuture(closeFailure)));
    it.next();
    assertThat(catchThrowable(it::hasNext)).isSameAs(closeFailure);
    it.close();
    it.close();
  }

  @Test
  void blockingIterator_sourceAndCloseFailInTryWithResources_closeFailureSuppressedOnce() {
    IllegalStateException boom = new IllegalStateException("boom");
    IllegalStateException closeFailure = new IllegalStateException("close failed");
    RecordingSource<Integer> source =
        RecordingSource.sync(5)
            .failingAt(1, boom)
            .closingWith(CompletableFuture.failedFuture(closeFailure));
    Throwable thrown =
        catchThrowable(
            () -> {
              try (CloseableIterator<Integer> it = AsyncIterators.blockingIterator(source)) {
                while (it.hasNext()) {
                  it.next();
                }
              }
            });
    assertThat(thrown).isSameAs(boom);
    assertThat(List.of(boom.getSuppressed())).filteredOn(s -> s == closeFailure).hasSize(1);
  }

  @Test
  void blockingIterator_interruptedWhileWaiting_throwsCallInterruptedCancelsTheFetchAndKeepsTheFlag() {
    RecordingSource<Integer> source = RecordingSource.manual(3);
    CloseableIterator<Integer> it = AsyncIterators.blockingIterator(source);
    Thread.currentThread().interrupt();
    assertThatThrownBy(it::hasNext).isInstanceOf(CallInterruptedException.class);
    assertThat(Thread.interrupted()).as("flag restored").isTrue();
    assertThat(source.closeCalls()).isEqualTo(1);
  }

  // ---- Stream ----

  @Test
  void blockingStream_partialIterationThenClose_onCloseRunsTheSourcesCleanup() {
    RecordingSource<Integer> source = RecordingSource.async(executor, 100);
    List<Integer> firstThree;
    try (Stream<Integer> stream = AsyncIterators.blockingStream(source)) {
      firstThree = stream.limit(3).toList();
      assertThat(source.closeCalls()).isZero();
    }
    assertThat(firstThree).containsExactly(0, 1, 2);
    assertThat(source.closeCalls()).isEqualTo(1);
  }

  @Test
  void blockingStream_consumedToTheEnd_closesTheSource() {
    RecordingSource<Integer> source = RecordingSource.sync(10);
    assertThat(AsyncIterators.blockingStream(source).map(i -> i * i).collect(Collectors.toList()))
        .hasSize(10);
    assertThat(source.closeCalls()).isEqualTo(1);
  }

  @Test
  void blockingStream_sourceFails_terminalOperationThrowsTheTranslatedFailure() {
    IllegalStateException boom = new IllegalStateException("boom");
    Stream<Integer> stream =
        AsyncIterators.blockingStream(RecordingSource.async(executor, 10).failingAt(4, boom));
    assertThatThrownBy(stream::toList).isSameAs(boom);
  }

  @Test
  void blockingStream_readToTheEndInTryWithResourcesCloseFails_throwsTheClosesFailureOnce() {
    IllegalStateException closeFailure = new IllegalStateException("close failed");
    RecordingSource<Integer> source =
        RecordingSource.sync(2).closingWith(CompletableFuture.failedFuture(closeFailure));
    Throwable thrown =
        catchThrowable(
            () -> {
              try (Stream<Integer> stream = AsyncIterators.blockingStream(source)) {
                stream.toList();
              }
            });
    assertThat(thrown).isSameAs(closeFailure);
    assertThat(source.closeCalls()).isEqualTo(1);
  }

  @Test
  void blockingStream_closedThenUsed_throwsIllegalState() {
    Stream<Integer> stream = AsyncIterators.blockingStream(RecordingSource.sync(10));
    stream.close();
    assertThatThrownBy(stream::toList).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void blockingBridges_nullSource_failAtTheCall() {
    assertThatThrownBy(() -> AsyncIterators.blockingIterator(null)).hasMessage("source");
    assertThatThrownBy(() -> AsyncIterators.blockingStream(null)).hasMessage("source");
  }
}

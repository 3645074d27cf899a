package io.ambidex.facade;

import io.ambidex.CallFuture;
import io.ambidex.CallInterruptedException;
import io.ambidex.CallerDrained;
import io.ambidex.CallerStackTrace;
import io.ambidex.IncompleteStageException;
import io.ambidex.facade.FacadeSupport;
import io.ambidex.stream.AsyncIterator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class FacadeSupportTest {
  private final ExecutorService pool = Executors.newFixedThreadPool(2);

  @AfterEach
  void shutdown() {
    pool.shutdownNow();
  }

  /**
   * A recording AsyncIterator over a list. Sync mode: every stage is complete on return. Async
   * mode: each hasNext completes on the given executor. It can fail at an index.
   */
  static final class ScriptedIterator implements AsyncIterator<String> {
    final List<String> items;
    final @Nullable Executor executor;
    final AtomicInteger closes = new AtomicInteger();
    final List<Thread> hasNextThreads = Collections.synchronizedList(new ArrayList<>());
    volatile int failAt = -1;
    volatile Throwable failure = new IllegalStateException("source broke");
    volatile @Nullable CompletableFuture<Boolean> lastStage;
    volatile CompletionStage<Void> closeStage = CompletableFuture.completedFuture(null);
    private int index;
    private boolean available;

    ScriptedIterator(List<String> items, @Nullable Executor executor) {
      this.items = items;
      this.executor = executor;
    }

    static ScriptedIterator sync(String... items) {
      return new ScriptedIterator(List.of(items), null);
    }

    static ScriptedIterator async(Executor executor, String... items) {
      return new ScriptedIterator(List.of(items), executor);
    }

    @Override
    public CompletionStage<Boolean> hasNext() {
      hasNextThreads.add(Thread.currentThread());
      if (closes.get() > 0) {
        return CompletableFuture.failedFuture(new IllegalStateException("closed"));
      }
      CompletableFuture<Boolean> stage = new CompletableFuture<>();
      lastStage = stage;
      Runnable answer =
          () -> {
            if (index == failAt) {
              stage.completeExceptionally(failure);
            } else {
              available = index < items.size();
              stage.complete(available);
            }
          };
      if (executor == null) {
        answer.run();
      } else {
        executor.execute(answer);
      }
      return stage;
    }

    @Override
    public String next() {
      if (!available) {
        throw new NoSuchElementException();
      }
      available = false;
      return items.get(index++);
    }

    @Override
    public CompletionStage<Void> close() {
      closes.incrementAndGet();
      CompletableFuture<Boolean> pending = lastStage;
      if (pending != null) {
        pending.cancel(true);
      }
      return closeStage;
    }
  }

  @Nested
  class BlockingStreams {
    @Test
    void immediateStream_syncSource_readsEveryItemAndClosesSourceAtEnd() {
      ScriptedIterator source = ScriptedIterator.sync("a", "b", "c");

      List<String> items = FacadeSupport.immediateStream("Kv.list", source).toList();

      assertThat(items).containsExactly("a", "b", "c");
      assertThat(source.closes).hasValue(1);
      assertThat(source.hasNextThreads).containsOnly(Thread.currentThread());
    }

    @Test
    void immediateStream_incompleteStage_failsAtOnceAndCancelsAndCloses() {
      ScriptedIterator source = ScriptedIterator.async(command -> {}, "a");

      try (Stream<String> stream = FacadeSupport.immediateStream("Kv.list", source)) {
        assertThatThrownBy(stream::toList)
            .isInstanceOf(IncompleteStageException.class)
            .hasMessageContaining("Kv.list");
      }
      assertThat(source.lastStage).isCancelled();
      assertThat(source.closes).hasValue(1);
    }

    @Test
    void waitingStream_asyncSource_waitsForEachItem() {
      ScriptedIterator source = ScriptedIterator.async(pool, "a", "b");

      List<String> items = FacadeSupport.waitingStream("Kv.list", source).toList();

      assertThat(items).containsExactly("a", "b");
      assertThat(source.closes).hasValue(1);
    }

    @Test
    void waitingStream_sourceFailsWithRuntimeException_throwsTheSameInstanceAndCloses() {
      ScriptedIterator source = ScriptedIterator.async(pool, "a", "b");
      source.failAt = 1;
      List<String> seen = new ArrayList<>();

      assertThatThrownBy(() -> FacadeSupport.waitingStream("Kv.list", source).forEach(seen::add))
          .isSameAs(source.failure)
          .hasSuppressedException(new CallerStackTrace("Kv.list"));
      assertThat(seen).containsExactly("a");
      assertThat(source.closes).hasValue(1);
    }

    @Test
    void immediateStream_sourceFailsWithCheckedException_throwsUndeclaredThrowable() {
      ScriptedIterator source = ScriptedIterator.sync("a");
      source.failAt = 0;
      source.failure = new IOException("disk");

      assertThatThrownBy(() -> FacadeSupport.immediateStream("Kv.list", source).toList())
          .isInstanceOf(UndeclaredThrowableException.class)
          .hasCause(source.failure);
    }

    @Test
    void stream_closedEarly_closesSourceOnce() {
      ScriptedIterator source = ScriptedIterator.sync("a", "b", "c");

      try (Stream<String> stream = FacadeSupport.immediateStream("Kv.list", source)) {
        assertThat(stream.findFirst()).contains("a");
      }

      assertThat(source.closes).hasValue(1);
    }

    @Test
    void stream_closeFails_closeOfStreamThrows() {
      ScriptedIterator source = ScriptedIterator.sync("a", "b");
      IllegalStateException closeFailure = new IllegalStateException("close failed");
      source.closeStage = CompletableFuture.failedFuture(closeFailure);

      Stream<String> stream = FacadeSupport.immediateStream("Kv.list", source);
      assertThat(stream.iterator().next()).isEqualTo("a");

      assertThatThrownBy(stream::close).isSameAs(closeFailure);
    }

    @Test
    void waitingStream_interrupted_throwsCallInterruptedAndCancelsTheStage() {
      ScriptedIterator source = ScriptedIterator.async(command -> {}, "a");
      Thread.currentThread().interrupt();
      try {
        assertThatThrownBy(() -> FacadeSupport.waitingStream("Kv.list", source).toList())
            .isInstanceOf(CallInterruptedException.class);
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
      } finally {
        Thread.interrupted();
      }
      assertThat(source.lastStage).isCancelled();
      assertThat(source.closes).hasValue(1);
    }

    @Test
    void drainedStream_workScheduledOnTheDrainLoop_runsOnTheCallersThread() {
      List<Thread> answeredOn = Collections.synchronizedList(new ArrayList<>());
      Executor onCallerLoop =
          command ->
              CallerDrained.currentExecutor()
                  .execute(
                      () -> {
                        answeredOn.add(Thread.currentThread());
                        command.run();
                      });
      ScriptedIterator source = ScriptedIterator.async(onCallerLoop, "a", "b");

      List<String> items = FacadeSupport.drainedStream("Kv.list", source).toList();

      assertThat(items).containsExactly("a", "b");
      assertThat(answeredOn).hasSize(3).containsOnly(Thread.currentThread());
    }

    @Test
    void next_afterTheEnd_throwsNoSuchElement() {
      var iterator = FacadeSupport.immediateStream("Kv.list", ScriptedIterator.sync()).iterator();

      assertThat(iterator.hasNext()).isFalse();
      assertThatThrownBy(iterator::next).isInstanceOf(NoSuchElementException.class);
    }
  }

  @Nested
  class StreamsOverPublishers {
    @Test
    void immediateStream_syncPublisher_readsAllItemsAcrossSeveralRequests() {
      RangePublisher publisher = new RangePublisher(100);

      List<Integer> items = FacadeSupport.immediateStream("Kv.watch", publisher).toList();

      assertThat(items).isEqualTo(IntStream.range(0, 100).boxed().toList());
      assertThat(publisher.requests.size()).isGreaterThan(1);
      assertThat(publisher.maxOutstanding.get()).isLessThanOrEqualTo(32);
    }

    @Test
    void waitingStream_asyncPublisher_readsAllItems() throws Exception {
      SubmissionPublisher<Integer> publisher = new SubmissionPublisher<>(pool, 4);
      Stream<Integer> stream = FacadeSupport.waitingStream("Kv.watch", publisher);
      CompletableFuture<List<Integer>> consumed =
          CompletableFuture.supplyAsync(stream::toList, pool);
      await().until(() -> publisher.getNumberOfSubscribers() == 1);
      for (int i = 0; i < 50; i++) {
        publisher.submit(i);
      }
      publisher.close();

      List<Integer> items = consumed.get(10, TimeUnit.SECONDS);
      assertThat(items).isEqualTo(IntStream.range(0, 50).boxed().toList());
    }

    @Test
    void stream_closedEarly_cancelsTheSubscription() {
      RangePublisher publisher = new RangePublisher(1_000);

      try (Stream<Integer> stream = FacadeSupport.immediateStream("Kv.watch", publisher)) {
        assertThat(stream.limit(3).toList()).containsExactly(0, 1, 2);
      }

      assertThat(publisher.cancelled).isTrue();
    }

    @Test
    void stream_publisherFails_throwsItsFailure() {
      IllegalStateException broken = new IllegalStateException("feed broke");
      Flow.Publisher<Integer> failing =
          subscriber -> {
            subscriber.onSubscribe(new NoopSubscription());
            subscriber.onNext(1);
            subscriber.onError(broken);
          };
      List<Integer> seen = new ArrayList<>();

      assertThatThrownBy(
              () -> FacadeSupport.immediateStream("Kv.watch", failing).forEach(seen::add))
          .isSameAs(broken);
      assertThat(seen).containsExactly(1);
    }

    @Test
    void stream_isLazy_subscribesOnFirstPull() {
      RangePublisher publisher = new RangePublisher(3);

      Stream<Integer> stream = FacadeSupport.immediateStream("Kv.watch", publisher);
      assertThat(publisher.subscribed).isFalse();

      assertThat(stream.toList()).containsExactly(0, 1, 2);
      assertThat(publisher.subscribed).isTrue();
    }
  }

  @Nested
  class Publishers {
    @Test
    void publisher_unboundedDemand_emitsEveryItemThenCompletesAfterClose() {
      ScriptedIterator source = ScriptedIterator.sync("a", "b", "c");
      Recorder recorder = new Recorder(Long.MAX_VALUE);

      FacadeSupport.publisher("Kv.list", source).subscribe(recorder);

      assertThat(recorder.items).containsExactly("a", "b", "c");
      assertThat(recorder.completed).isTrue();
      assertThat(source.closes).hasValue(1);
    }

    @Test
    void publisher_requestOneAtATimeFromOnNext_isStackSafeOverManySyncItems() {
      int count = 100_000; // a recursive drain overflows the stack after some thousands
      AsyncIterator<Integer> source = new CountingIterator(count);
      AtomicInteger received = new AtomicInteger();
      AtomicBoolean completed = new AtomicBoolean();
      FacadeSupport.publisher("Kv.count", source)
          .subscribe(
              new Flow.Subscriber<Integer>() {
                Flow.@Nullable Subscription subscription;

                @Override
                public void onSubscribe(Flow.Subscription s) {
                  subscription = s;
                  s.request(1);
                }

                @Override
                public void onNext(Integer item) {
                  received.incrementAndGet();
                  subscription.request(1);
                }

                @Override
                public void onError(Throwable t) {
                  throw new AssertionError(t);
                }

                @Override
                public void onComplete() {
                  completed.set(true);
                }
              });

      assertThat(received).hasValue(count);
      assertThat(completed).isTrue();
    }

    @Test
    void publisher_boundedDemand_emitsOnlyWhatWasRequested() {
      ScriptedIterator source = ScriptedIterator.sync("a", "b", "c");
      Recorder recorder = new Recorder(2);

      FacadeSupport.publisher("Kv.list", source).subscribe(recorder);

      assertThat(recorder.items).containsExactly("a", "b");
      assertThat(recorder.completed).isFalse();
      recorder.subscription.request(5);
      assertThat(recorder.items).containsExactly("a", "b", "c");
      assertThat(recorder.completed).isTrue();
    }

    @Test
    void publisher_asyncSource_emitsAllItemsAndCompletes() {
      ScriptedIterator source = ScriptedIterator.async(pool, "a", "b", "c");
      Recorder recorder = new Recorder(Long.MAX_VALUE);

      FacadeSupport.publisher("Kv.list", source).subscribe(recorder);

      await().untilAsserted(() -> assertThat(recorder.completed).isTrue());
      assertThat(recorder.items).containsExactly("a", "b", "c");
    }

    @Test
    void publisher_closeAtTheEndIsPending_completesOnlyWhenCloseHasCompleted() {
      ScriptedIterator source = ScriptedIterator.sync("a");
      CompletableFuture<Void> close = new CompletableFuture<>();
      source.closeStage = close;
      Recorder recorder = new Recorder(Long.MAX_VALUE);

      FacadeSupport.publisher("Kv.list", source).subscribe(recorder);
      assertThat(recorder.items).containsExactly("a");
      assertThat(recorder.completed).isFalse();

      close.complete(null);
      assertThat(recorder.completed).isTrue();
    }

    @Test
    void publisher_closeAtTheEndFails_signalsItsFailure() {
      ScriptedIterator source = ScriptedIterator.sync("a");
      IllegalStateException closeFailure = new IllegalStateException("flush failed");
      source.closeStage = CompletableFuture.failedFuture(closeFailure);
      Recorder recorder = new Recorder(Long.MAX_VALUE);

      FacadeSupport.publisher("Kv.list", source).subscribe(recorder);

      assertThat(recorder.error).isSameAs(closeFailure);
      assertThat(recorder.completed).isFalse();
    }

    @Test
    void publisher_sourceFails_signalsTheUnwrappedFailureAndCloses() {
      ScriptedIterator source = ScriptedIterator.async(pool, "a", "b");
      source.failAt = 1;
      source.failure = new IOException("disk");
      Recorder recorder = new Recorder(Long.MAX_VALUE);

      FacadeSupport.publisher("Kv.list", source).subscribe(recorder);

      await().untilAsserted(() -> assertThat(recorder.error).isSameAs(source.failure));
      assertThat(recorder.items).containsExactly("a");
      assertThat(source.closes).hasValue(1);
    }

    @Test
    void publisher_nonPositiveRequest_signalsIllegalArgumentAndCloses() {
      ScriptedIterator source = ScriptedIterator.sync("a");
      Recorder recorder = new Recorder(0);

      FacadeSupport.publisher("Kv.list", source).subscribe(recorder);
      recorder.subscription.request(0);

      assertThat(recorder.error)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("3.9");
      assertThat(recorder.items).isEmpty();
      assertThat(source.closes).hasValue(1);
    }

    @Test
    void publisher_cancelWhileFetchIsPending_closesTheSourceWhichCancelsTheFetch() {
      ScriptedIterator source = ScriptedIterator.async(command -> {}, "a");
      Recorder recorder = new Recorder(1);

      FacadeSupport.publisher("Kv.list", source).subscribe(recorder);
      recorder.subscription.cancel();

      assertThat(source.closes).hasValue(1);
      assertThat(source.lastStage).isCancelled();
      assertThat(recorder.error).isNull();
      assertThat(recorder.completed).isFalse();
    }

    @Test
    void publisher_noDemand_emitsNothing_andLooksAtMostOneItemAhead() {
      ScriptedIterator source = ScriptedIterator.sync("a", "b");
      Recorder recorder = new Recorder(0);

      FacadeSupport.publisher("Kv.list", source).subscribe(recorder);

      // The publisher asks hasNext() once, so an empty source completes without demand.
      assertThat(source.hasNextThreads).hasSizeLessThanOrEqualTo(1);
      assertThat(recorder.items).isEmpty();
      assertThat(recorder.completed).isFalse();
    }

    @Test
    void publisher_secondSubscriber_receivesIllegalState() {
      Flow.Publisher<String> publisher =
          FacadeSupport.publisher("Kv.list", ScriptedIterator.sync("a"));
      publisher.subscribe(new Recorder(0));
      Recorder second = new Recorder(1);

      publisher.subscribe(second);

      assertThat(second.error)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("Kv.list");
      assertThat(second.items).isEmpty();
    }

    @Test
    void publisher_subscriberThrowsFromOnNext_cancelsAndCloses() {
      ScriptedIterator source = ScriptedIterator.sync("a", "b");
      Recorder recorder = new Recorder(Long.MAX_VALUE);
      recorder.failOnNext = new IllegalStateException("subscriber bug");

      // Rule 2.13: the subscription is considered cancelled (and the breach logged); the
      // publisher's caller is not the one to blame, so nothing is thrown at it.
      FacadeSupport.publisher("Kv.list", source).subscribe(recorder);

      assertThat(source.closes).hasValue(1);
      recorder.subscription.request(1);
      assertThat(recorder.items).containsExactly("a");
      assertThat(recorder.completed).isFalse();
      assertThat(recorder.error).isNull();
    }
  }

  @Nested
  class Callbacks {
    @Test
    void stageOf_value_returnsCompletedStage() {
      assertThat(FacadeSupport.stageOf(() -> 42).toCompletableFuture()).isCompletedWithValue(42);
    }

    @Test
    void stageOf_runtimeException_returnsStageFailedWithIt() {
      IllegalArgumentException bad = new IllegalArgumentException("bad");

      CompletionStage<Object> stage =
          FacadeSupport.stageOf(
              () -> {
                throw bad;
              });

      assertThatThrownBy(stage.toCompletableFuture()::join).hasCause(bad);
    }

    @Test
    void stageOf_error_isThrown() {
      OutOfMemoryError error = new OutOfMemoryError("test");

      assertThatThrownBy(
              () ->
                  FacadeSupport.stageOf(
                      () -> {
                        throw error;
                      }))
          .isSameAs(error);
    }
  }

  @Nested
  class CallAsync {
    @Test
    void callAsync_noExecutor_runsOnANamedVirtualThread() throws Exception {
      CallFuture<Thread> future =
          FacadeSupport.callAsync("Files.read", null, Thread::currentThread);

      Thread ranOn = future.get(10, TimeUnit.SECONDS);
      assertThat(ranOn.isVirtual()).isTrue();
      assertThat(ranOn.getName()).isEqualTo("Files.read");
      assertThat(future.operation()).isEqualTo("Files.read");
    }

    @Test
    void callAsync_executor_runsOnIt() throws Exception {
      CallFuture<String> future =
          FacadeSupport.callAsync("Files.read", pool, () -> Thread.currentThread().getName());

      assertThat(future.get(10, TimeUnit.SECONDS)).startsWith("pool-");
    }

    @Test
    void callAsync_checkedFailure_failsTheFutureWithIt() {
      IOException disk = new IOException("disk");

      CallFuture<String> future =
          FacadeSupport.callAsync(
              "Files.read",
              null,
              () -> {
                throw disk;
              });

      assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCause(disk);
      assertThatThrownBy(future::join).isInstanceOf(CompletionException.class).hasCause(disk);
    }

    @Test
    void callAsync_cancelWithoutInterruptFlag_interruptsTheRunningCall() throws Exception {
      CountDownLatch started = new CountDownLatch(1);
      CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
      CallFuture<String> future =
          FacadeSupport.callAsync(
              "Files.read",
              null,
              () -> {
                started.countDown();
                try {
                  new CountDownLatch(1).await();
                  return "never";
                } catch (InterruptedException e) {
                  interrupted.complete(true);
                  throw e;
                }
              });
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

      assertThat(future.cancel(false)).isTrue();

      assertThat(interrupted.get(10, TimeUnit.SECONDS)).isTrue();
      assertThat(future).isCancelled();
      assertThatThrownBy(future::join).isInstanceOf(CancellationException.class);
    }

    @Test
    void callAsync_cancelledBeforeItRuns_neverRuns() {
      List<Runnable> queued = new ArrayList<>();
      AtomicBoolean ran = new AtomicBoolean();
      CallFuture<String> future =
          FacadeSupport.callAsync(
              "Files.read",
              queued::add,
              () -> {
                ran.set(true);
                return "x";
              });

      future.cancel(true);
      queued.forEach(Runnable::run);

      assertThat(ran).isFalse();
      assertThat(future).isCancelled();
    }

    @Test
    void callAsync_executorRejects_failsTheFuture() {
      RejectedExecutionException rejected = new RejectedExecutionException("full");

      CallFuture<String> future =
          FacadeSupport.callAsync(
              "Files.read",
              command -> {
                throw rejected;
              },
              () -> "x");

      assertThatThrownBy(future::join).hasCause(rejected);
    }

    @Test
    void runAsync_action_completesWithNullOnAVirtualThread() throws Exception {
      AtomicReference<Thread> ranOn = new AtomicReference<>();

      CallFuture<@Nullable Void> future =
          FacadeSupport.runAsync("Files.touch", () -> ranOn.set(Thread.currentThread()));

      assertThat(future.get(10, TimeUnit.SECONDS)).isNull();
      assertThat(ranOn.get().isVirtual()).isTrue();
    }

    @Test
    void runAsync_actionThrows_failsTheFuture() {
      IOException disk = new IOException("disk");

      CallFuture<@Nullable Void> future =
          FacadeSupport.runAsync(
              "Files.touch",
              pool,
              () -> {
                throw disk;
              });

      assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS)).hasCause(disk);
    }

    @Test
    void failedFuture_isFailedWithTheGivenException() {
      IOException disk = new IOException("disk");

      CallFuture<String> future = FacadeSupport.failedFuture("Files.read", disk);

      assertThat(future).isCompletedExceptionally();
      assertThat(future.operation()).isEqualTo("Files.read");
      assertThatThrownBy(future::join).hasCause(disk);
    }

    @Test
    void undeclared_checkedException_wrapsItAsTheBridgesDo() {
      IOException disk = new IOException("disk");

      RuntimeException thrown = FacadeSupport.undeclared(disk, "Files.read");

      assertThat(thrown)
          .isInstanceOf(UndeclaredThrowableException.class)
          .hasCause(disk)
          .hasMessageContaining("'Files.read'")
          .hasMessageContaining("java.io.IOException");
    }

    @Test
    void undeclared_runtimeException_isReturnedAsItIs() {
      IllegalStateException state = new IllegalStateException("x");

      assertThat(FacadeSupport.undeclared(state, "Files.read")).isSameAs(state);
    }

    @Test
    void callAsync_future_cannotBeCompletedByTheCaller() {
      CallFuture<String> future =
          FacadeSupport.callAsync("Files.read", command -> {}, () -> "x");

      assertThatThrownBy(() -> future.complete("forged"))
          .isInstanceOf(UnsupportedOperationException.class);
    }
  }

  // ---- helpers ----

  static final class Recorder implements Flow.Subscriber<String> {
    final long initialRequest;
    final List<String> items = new ArrayList<>();
    volatile boolean completed;
    volatile @Nullable Throwable error;
    volatile @Nullable RuntimeException failOnNext;
    Flow.Subscription subscription;

    Recorder(long initialRequest) {
      this.initialRequest = initialRequest;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      if (initialRequest > 0) {
        s.request(initialRequest);
      }
    }

    @Override
    public void onNext(String item) {
      synchronized (items) {
        items.add(item);
      }
      RuntimeException fail = failOnNext;
      if (fail != null) {
        throw fail;
      }
    }

    @Override
    public void onError(Throwable t) {
      error = t;
    }

    @Override
    public void onComplete() {
      completed = true;
    }
  }

  /** Counts up to a limit with shared completed stages, like a sync-transport source. */
  static final class CountingIterator implements AsyncIterator<Integer> {
    private static final CompletionStage<Boolean> TRUE = CompletableFuture.completedFuture(true);
    private static final CompletionStage<Boolean> FALSE = CompletableFuture.completedFuture(false);
    private final int limit;
    private int next;

    CountingIterator(int limit) {
      this.limit = limit;
    }

    @Override
    public CompletionStage<Boolean> hasNext() {
      return next < limit ? TRUE : FALSE;
    }

    @Override
    public Integer next() {
      return next++;
    }

    @Override
    public CompletionStage<Void> close() {
      return CompletableFuture.completedFuture(null);
    }
  }

  /** A synchronous publisher of 0..n-1 that honours demand and records requests. */
  static final class RangePublisher implements Flow.Publisher<Integer> {
    final int count;
    final List<Long> requests = new ArrayList<>();
    final AtomicLong maxOutstanding = new AtomicLong();
    volatile boolean subscribed;
    volatile boolean cancelled;

    RangePublisher(int count) {
      this.count = count;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super Integer> subscriber) {
      subscribed = true;
      subscriber.onSubscribe(
          new Flow.Subscription() {
            int next;
            long demand;
            boolean emitting;
            boolean done;

            @Override
            public void request(long n) {
              requests.add(n);
              demand += n;
              maxOutstanding.accumulateAndGet(demand, Math::max);
              if (emitting) {
                return;
              }
              emitting = true;
              while (demand > 0 && next < count && !cancelled) {
                demand--;
                subscriber.onNext(next++);
              }
              if (next == count && !cancelled && !done) {
                done = true;
                subscriber.onComplete();
              }
              emitting = false;
            }

            @Override
            public void cancel() {
              cancelled = true;
            }
          });
    }
  }

  static final class NoopSubscription implements Flow.Subscription {
    @Override
    public void request(long n) {}

    @Override
    public void cancel() {}
  }
}

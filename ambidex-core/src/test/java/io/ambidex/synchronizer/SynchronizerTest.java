package io.ambidex.synchronizer;

import io.ambidex.BlockingGuard;
import io.ambidex.BlockingNotAllowedException;
import io.ambidex.CallFuture;
import io.ambidex.CallInterruptedException;
import io.ambidex.CallerStackTrace;
import io.ambidex.stream.AsyncIterator;
import io.ambidex.synchronizer.Synchronizer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The behaviours of synchronicity's test suite, for the Java Synchronizer. */
@Timeout(60)
class SynchronizerTest {
  private static final AtomicInteger NAMES = new AtomicInteger();
  private final String name = "test-" + NAMES.incrementAndGet();
  private final Synchronizer sync = Synchronizer.builder(name).closeTimeout(Duration.ofSeconds(2)).build();
  private final ExecutorService userExecutor = Executors.newFixedThreadPool(2);

  @AfterEach
  void tearDown() throws InterruptedException {
    sync.close();
    userExecutor.shutdownNow();
    assertThat(userExecutor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() -> loopThreads().isEmpty());
  }

  private List<Thread> loopThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("ambidex-synchronizer-" + name) && t.isAlive())
        .toList();
  }

  private <T> CompletionStage<T> afterSleep(T value) {
    return sync.runtime().sleep(Duration.ofMillis(20)).thenApply(v -> value);
  }

  // ---- calls ----

  @Test
  void call_returnsValue_computedOnTheLoop() {
    AtomicReference<Thread> ranOn = new AtomicReference<>();
    String v =
        sync.call(
            "f",
            () -> {
              ranOn.set(Thread.currentThread());
              return afterSleep("x");
            });
    assertThat(v).isEqualTo("x");
    assertThat(ranOn.get().getName()).isEqualTo("ambidex-synchronizer-" + name);
  }

  @Test
  void sequentialCalls_runSequentially() {
    List<String> events = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 5; i++) {
      int n = i;
      sync.call(
          "f",
          () -> {
            events.add("start " + n);
            return afterSleep(n).whenComplete((v, e) -> events.add("end " + n));
          });
    }
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      expected.add("start " + i);
      expected.add("end " + i);
    }
    assertThat(events).isEqualTo(expected);
  }

  @Test
  void futures_runConcurrently() {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger maxRunning = new AtomicInteger();
    CompletableFuture<Void> release = new CompletableFuture<>();
    List<CallFuture<Integer>> futures = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      int n = i;
      futures.add(
          sync.future(
              "f",
              () -> {
                maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                return release.thenApplyAsync(v -> n, sync.executor());
              }));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> maxRunning.get() == 10);
    release.complete(null);
    assertThat(futures.stream().map(CompletableFuture::join).toList())
        .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
  }

  @Test
  void asyncCalls_runConcurrently_andCompleteOnTheCallersExecutor() {
    CompletableFuture<Void> release = new CompletableFuture<>();
    AtomicInteger started = new AtomicInteger();
    List<CompletableFuture<String>> threads = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      threads.add(
          sync.async(
                  "f",
                  userExecutor,
                  () -> {
                    started.incrementAndGet();
                    return release.thenApplyAsync(v -> "done", sync.executor());
                  })
              .thenApply(v -> Thread.currentThread().getName()));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> started.get() == 10);
    release.complete(null);
    assertThat(threads.stream().map(CompletableFuture::join))
        .allSatisfy(t -> assertThat(t).startsWith("pool-").doesNotContain("synchronizer"));
  }

  @Test
  void twentyThreadsCallingAtOnce_allComplete() throws Exception {
    ExecutorService callers = Executors.newFixedThreadPool(20);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<java.util.concurrent.Future<Integer>> results = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        int n = i;
        results.add(callers.submit(() -> { go.await(); return sync.call("f", () -> afterSleep(n)); }));
      }
      go.countDown();
      for (int i = 0; i < 20; i++) {
        assertThat(results.get(i).get(20, TimeUnit.SECONDS)).isEqualTo(i);
      }
    } finally {
      callers.shutdownNow();
    }
  }

  @Test
  void thousandConcurrentFirstCalls_startExactlyOneLoop() throws Exception {
    try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      CountDownLatch go = new CountDownLatch(1);
      List<java.util.concurrent.Future<Integer>> results = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        int n = i;
        results.add(callers.submit(() -> {
          go.await();
          return sync.call("f", () -> CompletableFuture.completedFuture(n));
        }));
      }
      go.countDown();
      for (int i = 0; i < 1000; i++) {
        assertThat(results.get(i).get(20, TimeUnit.SECONDS)).isEqualTo(i);
      }
    }
    assertThat(loopThreads()).hasSize(1);
  }

  // ---- isolation ----

  @Test
  void loopBlockedByLibraryCode_doesNotStallTheCallersExecutor() throws Exception {
    CountDownLatch unblockLoop = new CountDownLatch(1);
    CallFuture<String> stuck =
        sync.async(
            "buggy",
            userExecutor,
            () -> {
              awaitQuietly(unblockLoop); // a blocking bug in library code
              return CompletableFuture.completedFuture("late");
            });
    // The user's executor keeps working while the library's loop is blocked.
    assertThat(CompletableFuture.supplyAsync(() -> "user work", userExecutor).get(10, TimeUnit.SECONDS))
        .isEqualTo("user work");
    assertThat(stuck).isNotDone();
    unblockLoop.countDown();
    assertThat(stuck.get(10, TimeUnit.SECONDS)).isEqualTo("late");
  }

  @Test
  void blockingUserContinuation_doesNotStallTheLoop() throws Exception {
    CountDownLatch unblockUser = new CountDownLatch(1);
    CompletableFuture<String> library = new CompletableFuture<>();
    // Completed only once the continuation is attached: a result already complete would run it
    // on this thread, which then blocked here instead of on the user's executor.
    CompletableFuture<Void> userContinuation =
        sync.async("f", userExecutor, () -> library).thenAccept(v -> awaitQuietly(unblockUser));
    library.complete("x");
    // While the user's continuation blocks, the loop still serves other calls.
    assertThat(sync.call("g", () -> afterSleep("served"))).isEqualTo("served");
    unblockUser.countDown();
    userContinuation.get(10, TimeUnit.SECONDS);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- guard ----

  @Test
  void blockingCallOnTheLoopThread_failsAtOnceSayingItWouldDeadlock() {
    Throwable thrown =
        catchThrowable(
            () -> sync.call("outer", () -> CompletableFuture.completedFuture(sync.call("inner", () -> afterSleep(1)))));
    assertThat(thrown)
        .isInstanceOf(BlockingNotAllowedException.class)
        .hasMessageContaining("'inner'")
        .hasMessageContaining("deadlock");
  }

  @Test
  void blockingCallOnTheLoopThread_failsEvenWithTheGuardOff() {
    BlockingGuard.Mode before = BlockingGuard.setMode(BlockingGuard.Mode.OFF);
    try {
      assertThatThrownBy(
              () -> sync.call("outer", () -> CompletableFuture.completedFuture(sync.call("inner", () -> afterSleep(1)))))
          .isInstanceOf(BlockingNotAllowedException.class);
    } finally {
      BlockingGuard.setMode(before);
    }
  }

  /** The ways code can wait on a future: each must refuse on the loop while the future is open. */
  enum Wait {
    GET {
      @Override
      Object on(CallFuture<?> future) throws Exception {
        return future.get();
      }
    },
    TIMED_GET {
      @Override
      Object on(CallFuture<?> future) throws Exception {
        return future.get(30, TimeUnit.SECONDS);
      }
    },
    JOIN {
      @Override
      Object on(CallFuture<?> future) {
        return future.join();
      }
    };

    abstract Object on(CallFuture<?> future) throws Exception;
  }

  @ParameterizedTest
  @EnumSource(Wait.class)
  @Timeout(20)
  void waitingOnTheLoopForAFuturesTask_failsAtOnceSayingItWouldDeadlock(Wait wait) {
    BlockingGuard.Mode before = BlockingGuard.setMode(BlockingGuard.Mode.OFF);
    try {
      for (boolean async : new boolean[] {false, true}) {
        Throwable thrown =
            catchThrowable(
                () -> sync.call("outer", () -> {
                  CallFuture<Integer> inner =
                      async
                          ? sync.async("inner", () -> CompletableFuture.completedFuture(1))
                          : sync.future("inner", () -> CompletableFuture.completedFuture(1));
                  try {
                    return CompletableFuture.completedFuture(wait.on(inner));
                  } catch (Exception e) {
                    return CompletableFuture.failedFuture(e);
                  }
                }));
        assertThat(thrown)
            .as("async=%s", async)
            .isInstanceOf(BlockingNotAllowedException.class)
            .hasMessageContaining("'inner'")
            .hasMessageContaining("deadlock");
      }
      // The loop is free again: nothing waits on it.
      assertThat(sync.call("after", () -> CompletableFuture.completedFuture(2))).isEqualTo(2);
    } finally {
      BlockingGuard.setMode(before);
    }
  }

  @ParameterizedTest
  @EnumSource(Wait.class)
  void waitingOnTheLoopForAFutureAlreadyDone_returnsItsValue(Wait wait) throws Exception {
    CallFuture<Integer> done = sync.future("done", () -> CompletableFuture.completedFuture(7));
    assertThat(done.get(10, TimeUnit.SECONDS)).isEqualTo(7);
    Object seen =
        sync.call("outer", () -> {
          try {
            return CompletableFuture.completedFuture(wait.on(done));
          } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
          }
        });
    assertThat(seen).isEqualTo(7);
  }

  // ---- lifecycle ----

  @Test
  void loopDeath_nextCallFailsWithTheCause() {
    sync.call("warm up", () -> CompletableFuture.completedFuture(1));
    OutOfMemoryError fatal = new OutOfMemoryError("simulated");
    sync.executor().execute(() -> { throw fatal; });
    await().atMost(Duration.ofSeconds(10)).until(() -> loopThreads().isEmpty());
    assertThatThrownBy(() -> sync.call("f", () -> CompletableFuture.completedFuture(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("died")
        .hasCause(fatal);
  }

  @Test
  void loopDeath_failsTheCallsInFlightWithTheCause() {
    CompletableFuture<String> library = new CompletableFuture<>(); // completed by nobody now
    AtomicBoolean libraryStageCancelled = new AtomicBoolean();
    library.whenComplete((v, e) -> libraryStageCancelled.set(e instanceof CancellationException));
    CallFuture<String> inFlight = sync.future("pending", () -> library);
    await().atMost(Duration.ofSeconds(10)).until(() -> sync.toString().contains("inFlight=1"));
    OutOfMemoryError fatal = new OutOfMemoryError("simulated");
    sync.executor().execute(() -> { throw fatal; });
    assertThatThrownBy(() -> inFlight.get(10, TimeUnit.SECONDS))
        .isInstanceOf(java.util.concurrent.ExecutionException.class)
        .cause()
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("died")
        .hasCause(fatal);
    await().atMost(Duration.ofSeconds(10)).untilTrue(libraryStageCancelled); // cancelled after
  }

  @Test
  void executor_afterClose_refusesWithRejectedExecutionException() {
    java.util.concurrent.Executor loop = sync.executor();
    loop.execute(() -> {});
    sync.close();
    // Executor's contract: library code that falls back on a rejection catches this type.
    assertThatThrownBy(() -> loop.execute(() -> {}))
        .isInstanceOf(java.util.concurrent.RejectedExecutionException.class)
        .hasMessageContaining("is closed")
        .hasCauseInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> loop.execute(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void taskLeavingTheInterruptFlagSet_laterTasksRunWithoutIt() {
    // Library code that "restores" an interrupt it caught, on the loop: the flag used to stay,
    // so every later task saw it (an interruptible wait in it failed at once) and the idle loop
    // spun, its park returning at once.
    sync.call(
        "restores an interrupt",
        () -> {
          Thread.currentThread().interrupt();
          return CompletableFuture.completedFuture(null);
        });
    boolean interrupted =
        sync.call(
            "later",
            () -> CompletableFuture.completedFuture(Thread.currentThread().isInterrupted()));
    assertThat(interrupted).isFalse();
  }

  @Test
  void runtimeExceptionInARawTask_isLoggedAndTheLoopGoesOn() {
    sync.executor().execute(() -> { throw new IllegalStateException("a bug in a raw task"); });
    assertThat(sync.call("f", () -> CompletableFuture.completedFuture("alive"))).isEqualTo("alive");
  }

  @Test
  void closeDuringACall_failsTheCallerWithCancellation() throws Exception {
    AtomicReference<Throwable> seen = new AtomicReference<>();
    Thread caller = new Thread(() -> seen.set(catchThrowable(() -> sync.call("pending", CompletableFuture::new))));
    caller.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> sync.toString().contains("inFlight=1"));
    sync.close();
    caller.join(10_000);
    assertThat(seen.get())
        .isInstanceOf(CancellationException.class)
        .hasMessageContaining("was closed while 'pending' was in progress");
  }

  @Test
  void closeDuringAStream_failsTheNextPull() {
    AsyncIterator<Integer> slow = new TestSource(3, true);
    Stream<Integer> stream = sync.stream("list", () -> slow);
    var it = stream.iterator();
    assertThat(it.next()).isEqualTo(0);
    AtomicReference<Throwable> seen = new AtomicReference<>();
    Thread consumer = new Thread(() -> seen.set(catchThrowable(() -> { while (it.hasNext()) it.next(); })));
    consumer.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> sync.toString().contains("inFlight=1"));
    sync.close();
    await().atMost(Duration.ofSeconds(10)).until(() -> seen.get() != null);
    assertThat(seen.get()).isInstanceOf(CancellationException.class);
  }

  @Test
  void concurrentCloses_allReturn_andLaterCallsFailClearly() throws Exception {
    sync.call("warm up", () -> CompletableFuture.completedFuture(1));
    Thread a = new Thread(sync::close);
    Thread b = new Thread(sync::close);
    a.start();
    b.start();
    a.join(10_000);
    b.join(10_000);
    assertThat(a.isAlive() || b.isAlive()).isFalse();
    assertThatThrownBy(() -> sync.call("f", () -> CompletableFuture.completedFuture(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is closed and accepts no more calls");
  }

  @Test
  void close_leavesNoThreadBehind() {
    sync.call("f", () -> afterSleep(1)); // starts the loop and the runtime's timer
    sync.close();
    await().atMost(Duration.ofSeconds(10)).until(() -> loopThreads().isEmpty());
    await().atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces().keySet().stream()
        .noneMatch(t -> t.getName().startsWith("ambidex-async-timer-") && t.isAlive()));
  }

  @Test
  void close_beforeTheLoopStarted_closesTheRuntimeAndCancelsItsSleeps() {
    // A sleep scheduled from outside the loop starts the runtime's timer thread, not the loop.
    io.ambidex.control.AsyncRuntime runtime = sync.runtime();
    CompletableFuture<Void> sleep = runtime.sleep(Duration.ofDays(1)).toCompletableFuture();
    assertThat(sync.toString()).contains("not started");
    sync.close();
    assertThat(runtime.toString()).endsWith("closed]"); // its timer thread is stopped
    await().atMost(Duration.ofSeconds(10)).until(sleep::isDone);
    assertThat(sleep).isCancelled();
  }

  @Test
  void neverStarted_closeIsFree() {
    Synchronizer unused = Synchronizer.create("unused");
    unused.close();
    assertThat(unused.toString()).contains("closed");
  }

  // ---- interrupts and cancellation ----

  @Test
  void interruptedCaller_seesItsExceptionOnlyAfterTheTasksFinallyRan() throws Exception {
    AtomicBoolean finallyRan = new AtomicBoolean();
    AtomicBoolean finallyRanBeforeCallerSawException = new AtomicBoolean();
    AtomicReference<Throwable> seen = new AtomicReference<>();
    AtomicBoolean flagRestored = new AtomicBoolean();
    Thread caller =
        new Thread(
            () -> {
              try {
                sync.call(
                    "long",
                    () -> {
                      CompletableFuture<String> task = new CompletableFuture<>();
                      task.whenComplete((v, e) -> finallyRan.set(true)); // the task's finally
                      return task;
                    });
              } catch (Throwable t) {
                finallyRanBeforeCallerSawException.set(finallyRan.get());
                flagRestored.set(Thread.currentThread().isInterrupted());
                seen.set(t);
              }
            });
    caller.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> sync.toString().contains("inFlight=1"));
    caller.interrupt();
    caller.join(10_000);
    assertThat(seen.get()).isInstanceOf(CallInterruptedException.class);
    assertThat(finallyRanBeforeCallerSawException).isTrue();
    assertThat(flagRestored).isTrue();
  }

  /** A library stage that swallows cancellation and completes normally instead. */
  private static final class Stubborn extends CompletableFuture<String> {
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      complete("completed anyway");
      return false;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
      return new CompletableFuture<>();
    }
  }

  @Test
  void cancellationRequested_callerAlwaysSeesCancellation_evenIfTheTaskCompletedInTheRace()
      throws Exception {
    AtomicReference<Throwable> seen = new AtomicReference<>();
    Thread caller = new Thread(() -> seen.set(catchThrowable(() -> sync.call("stubborn", Stubborn::new))));
    caller.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> sync.toString().contains("inFlight=1"));
    caller.interrupt();
    caller.join(10_000);
    assertThat(seen.get()).isInstanceOf(CallInterruptedException.class);

    CallFuture<String> f = sync.future("stubborn", Stubborn::new);
    await().atMost(Duration.ofSeconds(10)).until(() -> sync.toString().contains("inFlight=1"));
    f.cancel(true);
    assertThatThrownBy(f::join).isInstanceOf(CancellationException.class);
  }

  @Test
  void async_callerExecutorThrowingOtherThanRejected_stillCompletesTheFuture() throws Exception {
    // An executor that refuses with another exception than RejectedExecutionException (a
    // closed custom executor's IllegalStateException): the future is completed where the
    // result is, as for a rejection, instead of never.
    java.util.concurrent.Executor closedExecutor =
        task -> {
          throw new IllegalStateException("this executor was shut down");
        };
    CompletableFuture<String> later = new CompletableFuture<>();
    CallFuture<String> now =
        sync.async("now", closedExecutor, () -> CompletableFuture.completedFuture("ready"));
    CallFuture<String> afterwards = sync.async("afterwards", closedExecutor, () -> later);
    assertThat(now.get(10, TimeUnit.SECONDS)).isEqualTo("ready");
    later.complete("late");
    assertThat(afterwards.get(10, TimeUnit.SECONDS)).isEqualTo("late");
  }

  @Test
  void cancellingAnAsyncResult_cancelsTheTaskOnTheLoop() {
    AtomicReference<Thread> cancelledOn = new AtomicReference<>();
    CompletableFuture<String> inner = new CompletableFuture<>();
    inner.whenComplete((v, e) -> cancelledOn.set(Thread.currentThread()));
    CallFuture<String> f = sync.async("f", userExecutor, () -> inner);
    await().atMost(Duration.ofSeconds(10)).until(() -> sync.toString().contains("inFlight=1"));
    f.cancel(true);
    await().atMost(Duration.ofSeconds(10)).until(inner::isCancelled);
    assertThat(cancelledOn.get().getName()).isEqualTo("ambidex-synchronizer-" + name);
  }

  // ---- exceptions ----

  @Test
  void exceptions_keepTypeAndIdentityOnEveryPath() throws Exception {
    IOException failure = new IOException("disk full");
    Throwable blocking =
        catchThrowable(() -> sync.call("f", IOException.class, () -> CompletableFuture.failedFuture(failure)));
    assertThat(blocking).isSameAs(failure);
    assertThat(failure.getSuppressed()).hasAtLeastOneElementOfType(CallerStackTrace.class);
    IllegalStateException other = new IllegalStateException("bad state");
    CallFuture<Object> future = sync.future("f", () -> CompletableFuture.failedFuture(other));
    await().atMost(Duration.ofSeconds(10)).until(future::isDone);
    assertThat(future.exceptionNow()).isSameAs(other);
    CallFuture<Object> async = sync.async("f", userExecutor, () -> CompletableFuture.failedFuture(other));
    await().atMost(Duration.ofSeconds(10)).until(async::isDone);
    assertThat(async.exceptionNow()).isSameAs(other);
  }

  @Test
  void functionThrowingSynchronously_failsTheCallWithThatException() {
    IllegalArgumentException bad = new IllegalArgumentException("bad key");
    assertThatThrownBy(() -> sync.call("f", () -> { throw bad; })).isSameAs(bad);
  }

  // ---- streams ----

  /** A source of n items on the loop; optionally its last hasNext never completes. */
  private final class TestSource implements AsyncIterator<Integer> {
    final int size;
    final boolean hangAtEnd;
    final AtomicInteger closed = new AtomicInteger();
    final List<Thread> threads = new CopyOnWriteArrayList<>();
    final AtomicInteger consumed;
    final List<Integer> consumedWhenProduced = new CopyOnWriteArrayList<>();
    int next;

    TestSource(int size, boolean hangAtEnd) {
      this(size, hangAtEnd, new AtomicInteger());
    }

    TestSource(int size, boolean hangAtEnd, AtomicInteger consumed) {
      this.size = size;
      this.hangAtEnd = hangAtEnd;
      this.consumed = consumed;
    }

    @Override
    public CompletionStage<Boolean> hasNext() {
      threads.add(Thread.currentThread());
      if (next < size) {
        return CompletableFuture.completedFuture(true);
      }
      return hangAtEnd ? new CompletableFuture<>() : CompletableFuture.completedFuture(false);
    }

    @Override
    public Integer next() {
      consumedWhenProduced.add(consumed.get());
      return next++;
    }

    @Override
    public CompletionStage<Void> close() {
      threads.add(Thread.currentThread());
      closed.incrementAndGet();
      return CompletableFuture.completedFuture(null);
    }
  }

  @Test
  void stream_pullsOnTheLoopInBatches() {
    AtomicInteger consumed = new AtomicInteger();
    TestSource source = new TestSource(1000, false, consumed);
    List<Integer> out;
    try (Stream<Integer> s = sync.stream("list", () -> source)) {
      out = s.peek(i -> consumed.incrementAndGet()).collect(Collectors.toList());
    }
    assertThat(out).isEqualTo(IntStream.range(0, 1000).boxed().toList());
    // The first 256 items were all produced before the consumer took any: one round trip.
    assertThat(source.consumedWhenProduced.subList(0, 256)).containsOnly(0);
    assertThat(source.consumedWhenProduced.get(256)).isEqualTo(256);
    assertThat(source.threads).allMatch(t -> t.getName().equals("ambidex-synchronizer-" + name));
  }

  @Test
  void stream_partialIterationThenClose_runsTheSourcesCleanupOnTheLoop() {
    TestSource source = new TestSource(10_000, false);
    try (Stream<Integer> s = sync.stream("list", () -> source)) {
      assertThat(s.limit(5).toList()).containsExactly(0, 1, 2, 3, 4);
    }
    assertThat(source.closed).hasValue(1);
  }

  @Test
  void stream_sourceFailure_isThrownAfterTheItemsBeforeIt() {
    IOException broken = new IOException("connection reset");
    AsyncIterator<Integer> failing =
        new AsyncIterator<>() {
          int n;

          @Override
          public CompletionStage<Boolean> hasNext() {
            return n < 3 ? CompletableFuture.completedFuture(true) : CompletableFuture.failedFuture(broken);
          }

          @Override
          public Integer next() {
            return n++;
          }

          @Override
          public CompletionStage<Void> close() {
            return CompletableFuture.completedFuture(null);
          }
        };
    List<Integer> seen = new ArrayList<>();
    Throwable thrown;
    try (Stream<Integer> s = sync.stream("list", () -> failing)) {
      thrown = catchThrowable(() -> s.forEach(seen::add));
    }
    assertThat(seen).containsExactly(0, 1, 2);
    assertThat(thrown).isInstanceOf(java.lang.reflect.UndeclaredThrowableException.class).hasCause(broken);
  }

  /* Two items, then the end; counts its closes, and fails its close with `closeFailure` if set. */
  private static final class ClosingSource implements AsyncIterator<Integer> {
    final AtomicInteger closes = new AtomicInteger();
    final List<Thread> closedOn = new CopyOnWriteArrayList<>();
    private final @org.jspecify.annotations.Nullable RuntimeException closeFailure;
    private final @org.jspecify.annotations.Nullable RuntimeException failure;
    private int n;

    ClosingSource(
        @org.jspecify.annotations.Nullable RuntimeException failure,
        @org.jspecify.annotations.Nullable RuntimeException closeFailure) {
      this.failure = failure;
      this.closeFailure = closeFailure;
    }

    @Override
    public CompletionStage<Boolean> hasNext() {
      if (n == 2 && failure != null) {
        return CompletableFuture.failedFuture(failure);
      }
      return CompletableFuture.completedFuture(n < 2);
    }

    @Override
    public Integer next() {
      return n++;
    }

    @Override
    public CompletionStage<Void> close() {
      closes.incrementAndGet();
      closedOn.add(Thread.currentThread());
      return closeFailure == null
          ? CompletableFuture.completedFuture(null)
          : CompletableFuture.failedFuture(closeFailure);
    }
  }

  @Test
  void stream_readToTheEndWithoutClose_closesTheSourceOnTheLoop() {
    ClosingSource source = new ClosingSource(null, null);
    assertThat(sync.stream("rows", () -> source).toList()).containsExactly(0, 1);
    assertThat(source.closes).hasValue(1);
    assertThat(source.closedOn)
        .allMatch(t -> t.getName().equals("ambidex-synchronizer-" + name));
  }

  @Test
  void stream_callerInterruptedWhileTheSourceOpens_closesTheSourceOnceOpened() throws Exception {
    ClosingSource source = new ClosingSource(null, null);
    CountDownLatch opening = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicReference<Throwable> seen = new AtomicReference<>();
    Thread caller =
        new Thread(
            () ->
                seen.set(
                    catchThrowable(
                        () ->
                            sync.stream(
                                "rows",
                                () -> {
                                  opening.countDown();
                                  awaitQuietly(release); // slow synchronous work opening it
                                  return source;
                                }))));
    caller.start();
    opening.await();
    caller.interrupt();
    caller.join(10_000);
    assertThat(seen.get()).isInstanceOf(CallInterruptedException.class);
    release.countDown();
    // Nobody holds the stream: the source it opened after all is closed, without waiting for
    // the Synchronizer's close.
    await().atMost(Duration.ofSeconds(10)).until(() -> source.closes.get() == 1);
    assertThat(source.closedOn)
        .allMatch(t -> t.getName().equals("ambidex-synchronizer-" + name));
  }

  @Test
  void stream_closedOnTheLoopThread_closesTheSourceThereWithoutWaitingForItself() {
    // A grace of a day: a close that waited for the loop from the loop itself would hold it
    // for that long (it used to), so the call below would never return.
    try (Synchronizer patient =
        Synchronizer.builder(name + "-patient").cancelGrace(Duration.ofDays(1)).build()) {
      ClosingSource source = new ClosingSource(null, null);
      Stream<Integer> rows = patient.stream("rows", () -> source);
      int closesSeenOnTheLoop =
          org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
              Duration.ofSeconds(30),
              () ->
                  patient.call(
                      "close rows",
                      () -> {
                        rows.close();
                        return CompletableFuture.completedFuture(source.closes.get());
                      }));
      assertThat(closesSeenOnTheLoop).isEqualTo(1);
      assertThat(source.closedOn)
          .allMatch(t -> t.getName().equals("ambidex-synchronizer-" + name + "-patient"));
    }
  }

  @Test
  void stream_sourceFailsWithoutClose_closesTheSource() {
    IllegalStateException boom = new IllegalStateException("boom");
    ClosingSource source = new ClosingSource(boom, null);
    assertThat(catchThrowable(() -> sync.stream("rows", () -> source).toList())).isSameAs(boom);
    assertThat(source.closes).hasValue(1);
  }

  @Test
  void stream_readToTheEndInTryWithResourcesCloseFails_throwsTheClosesFailureOnce() {
    IllegalStateException closeFailure = new IllegalStateException("close failed");
    ClosingSource source = new ClosingSource(null, closeFailure);
    Throwable thrown =
        catchThrowable(
            () -> {
              try (Stream<Integer> s = sync.stream("rows", () -> source)) {
                s.toList();
              }
            });
    assertThat(thrown).isSameAs(closeFailure);
    assertThat(source.closes).hasValue(1);
  }

  @Test
  void stream_closedEarlyAndTheCloseFails_closeThrowsTheClosesFailure() {
    IllegalStateException closeFailure = new IllegalStateException("close failed");
    ClosingSource source = new ClosingSource(null, closeFailure);
    Throwable thrown =
        catchThrowable(
            () -> {
              try (Stream<Integer> s = sync.stream("rows", () -> source)) {
                assertThat(s.limit(1).toList()).containsExactly(0);
              }
            });
    assertThat(thrown).isSameAs(closeFailure);
  }

  @Test
  void stream_closedEarlyWithAnUnboundedCancelGrace_closesTheSourceAndThrowsItsFailure() {
    IllegalStateException closeFailure = new IllegalStateException("close failed");
    ClosingSource source = new ClosingSource(null, closeFailure);
    try (Synchronizer patient =
        Synchronizer.builder(name + "-patient")
            .cancelGrace(java.time.temporal.ChronoUnit.FOREVER.getDuration())
            .build()) {
      Throwable thrown =
          catchThrowable(
              () -> {
                try (Stream<Integer> s = patient.stream("rows", () -> source)) {
                  assertThat(s.limit(1).toList()).containsExactly(0);
                }
              });
      assertThat(thrown).isSameAs(closeFailure);
    }
  }

  @Test
  void stream_sourceAndCloseFail_closeFailureSuppressedOnce() {
    IllegalStateException boom = new IllegalStateException("boom");
    IllegalStateException closeFailure = new IllegalStateException("close failed");
    ClosingSource source = new ClosingSource(boom, closeFailure);
    Throwable thrown =
        catchThrowable(
            () -> {
              try (Stream<Integer> s = sync.stream("rows", () -> source)) {
                s.toList();
              }
            });
    assertThat(thrown).isSameAs(boom);
    assertThat(List.of(boom.getSuppressed())).filteredOn(x -> x == closeFailure).hasSize(1);
  }

  @Test
  void publisher_sourceWhoseCloseFails_signalsTheClosesFailureOnceAfterTheItems() throws Exception {
    IllegalStateException closeFailure = new IllegalStateException("close failed");
    ClosingSource source = new ClosingSource(null, closeFailure);
    io.ambidex.testing.RecordingSubscriber<Integer> subscriber =
        new io.ambidex.testing.RecordingSubscriber<>();
    sync.publisher("rows", () -> source).subscribe(subscriber);
    subscriber.request(10);
    assertThat(subscriber.awaitTerminal()).isSameAs(closeFailure);
    assertThat(subscriber.items()).containsExactly(0, 1);
    assertThat(closeFailure.getSuppressed())
        .noneMatch(x -> x == closeFailure || x instanceof IllegalStateException);
    assertThat(subscriber.violations()).isZero();
    assertThat(source.closes).hasValue(1);
  }

  @Test
  void close_withAStreamLeftOpen_closesItsSourceOnTheLoop() {
    TestSource source = new TestSource(10_000, false);
    Stream<Integer> s = sync.stream("list", () -> source);
    assertThat(s.limit(3).toList()).containsExactly(0, 1, 2);
    assertThat(source.closed).hasValue(0);
    sync.close();
    assertThat(source.closed).hasValue(1);
    s.close(); // nothing left to do
    assertThat(source.closed).hasValue(1);
  }

  /*
   * A call queued behind busy work on the loop when close() runs: close() sweeps the calls in
   * flight, but this one is not in flight yet; the loop then runs it ("finish the queued
   * tasks") and it registers after the sweep. It must fail as the sweep would have failed it,
   * or its caller waits forever on a library stage that never completes.
   */
  @Test
  void close_whileACallIsQueuedBehindBusyWork_failsThatCall() throws Exception {
    Synchronizer sync =
        Synchronizer.builder("close-queued").closeTimeout(Duration.ofSeconds(30)).build();
    CountDownLatch busy = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    sync.future(
        "hold",
        () -> {
          busy.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return CompletableFuture.completedFuture(null);
        });
    assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue();
    CallFuture<String> queued = sync.future("queued", () -> new CompletableFuture<String>());
    Thread closer = Thread.ofPlatform().name("closer").start(sync::close);
    // close() has swept and stopped the loop once it waits for the loop to end.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> closer.getState() == Thread.State.TIMED_WAITING);

    release.countDown();
    closer.join(10_000);

    assertThat(closer.isAlive()).isFalse();
    await().atMost(Duration.ofSeconds(5)).until(queued::isDone);
    assertThat(queued.handle((value, failure) -> failure).join())
        .isInstanceOf(CancellationException.class)
        .hasMessage("Synchronizer 'close-queued' was closed while 'queued' was in progress.");
  }

  /*
   * Waits until the loop has run everything queued and parked. After the source's first
   * hasNext() was asked, that means the fill found the stage pending and registered for it:
   * completing the stage before then would let the fill go on in place.
   */
  private static void awaitLoopIdle(Synchronizer sync) {
    Thread loop = sync.loop().thread();
    await().atMost(Duration.ofSeconds(10)).until(() -> loop.getState() == Thread.State.WAITING);
  }

  /** A source whose first hasNext() waits for the test; it counts overlapping hasNext() calls. */
  static final class GatedSource implements AsyncIterator<Integer> {
    final CompletableFuture<Boolean> firstAnswer = new CompletableFuture<>();
    final CountDownLatch asked = new CountDownLatch(1);
    final AtomicInteger overlapping = new AtomicInteger();
    private final int size;
    private int next;
    private @org.jspecify.annotations.Nullable CompletableFuture<Boolean> pending;

    GatedSource(int size) {
      this.size = size;
    }

    @Override
    public CompletionStage<Boolean> hasNext() {
      if (pending != null && !pending.isDone()) {
        overlapping.incrementAndGet();
      }
      if (asked.getCount() > 0) {
        asked.countDown();
        pending = firstAnswer;
      } else {
        pending = CompletableFuture.completedFuture(next < size);
      }
      return pending;
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

  /*
   * The consumer is interrupted while the batch waits for the source's first hasNext(); that
   * fill is abandoned. When the stage then completes, the abandoned fill must not pull the items
   * into the cancelled batch (they were lost), and the retry must not call the source's hasNext()
   * while the first one is pending (the AsyncIterator contract).
   */
  @Test
  void stream_hasNextInterruptedWhileTheSourceWaits_thenRetried_losesNoItem() throws Exception {
    Synchronizer sync = Synchronizer.create("interrupted-fill");
    try {
      GatedSource source = new GatedSource(5);
      java.util.Iterator<Integer> it = sync.stream("items", () -> source).iterator();
      AtomicReference<Throwable> interrupted = new AtomicReference<>();
      CountDownLatch retry = new CountDownLatch(1);
      List<Integer> received = new CopyOnWriteArrayList<>();
      Thread consumer =
          Thread.ofPlatform()
              .name("consumer")
              .start(
                  () -> {
                    try {
                      it.hasNext();
                    } catch (Throwable t) {
                      interrupted.set(t);
                    }
                    Thread.interrupted(); // the test's interrupt, kept by the bridge: clear it
                    try {
                      retry.await();
                    } catch (InterruptedException e) {
                      return;
                    }
                    while (it.hasNext()) {
                      received.add(it.next());
                    }
                  });
      assertThat(source.asked.await(10, TimeUnit.SECONDS)).isTrue();
      awaitLoopIdle(sync); // the fill has registered for the source's stage
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> consumer.getState() == Thread.State.WAITING);
      consumer.interrupt();
      await().atMost(Duration.ofSeconds(10)).until(() -> interrupted.get() != null);
      assertThat(interrupted.get()).isInstanceOf(CallInterruptedException.class);

      source.firstAnswer.complete(true); // the abandoned fill's callback is queued on the loop now
      sync.call("barrier", () -> CompletableFuture.completedFuture(null)); // and has run after this
      retry.countDown();
      consumer.join(10_000);

      assertThat(received).containsExactly(0, 1, 2, 3, 4);
      assertThat(source.overlapping).hasValue(0);
    } finally {
      sync.close();
    }
  }

  /*
   * The loop dies (an Error in a task) while a stream's fill waits for the source: the fill's
   * continuation is queued behind the fatal task. The death's drain must fail it, so the consumer
   * sees the loop's death at once instead of waiting until the Synchronizer is closed.
   */
  @Test
  void stream_loopDiesWhileTheFillIsQueued_failsTheConsumer() throws Exception {
    Synchronizer sync = Synchronizer.create("dies-mid-fill");
    try {
      GatedSource source = new GatedSource(3);
      java.util.Iterator<Integer> it = sync.stream("items", () -> source).iterator();
      AtomicReference<Throwable> thrown = new AtomicReference<>();
      Thread consumer =
          Thread.ofPlatform()
              .name("consumer")
              .start(
                  () -> {
                    try {
                      it.hasNext();
                    } catch (Throwable t) {
                      thrown.set(t);
                    }
                  });
      assertThat(source.asked.await(10, TimeUnit.SECONDS)).isTrue();
      awaitLoopIdle(sync); // the fill has registered for the source's stage
      CountDownLatch release = new CountDownLatch(1);
      sync.loop()
          .execute(
              () -> {
                try {
                  release.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      sync.loop()
          .execute(
              () -> {
                throw new AssertionError("the loop dies here");
              });
      source.firstAnswer.complete(true); // queues the fill's continuation behind the fatal task

      release.countDown();
      consumer.join(10_000);

      assertThat(consumer.isAlive()).as("the consumer still waits").isFalse();
      assertThat(thrown.get())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("died");
    } finally {
      sync.close();
    }
  }
}

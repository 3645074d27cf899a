package io.ambidex.control;

import io.ambidex.BlockingWait;
import io.ambidex.Deadline;
import io.ambidex.Immediate;
import io.ambidex.OperationTimeoutException;
import io.ambidex.control.Async;
import io.ambidex.control.AsyncCallback;
import io.ambidex.control.AsyncRuntime;
import io.ambidex.control.CoreRuntime;
import io.ambidex.control.RetryPolicy;
import io.ambidex.control.SyncRuntime;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ambidex.testing.CountingThreadFactory;
import io.ambidex.testing.FakeTransport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.util.List;
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
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One core, two paths: the blocking path (sync transport, SyncRuntime, Immediate bridge) and the
 * async path (async transport, AsyncRuntime, a future) must behave the same.
 */
@Timeout(60)
class RuntimeParityTest {
  private final ExecutorService io = Executors.newFixedThreadPool(8);
  private final CountingThreadFactory syncThreads = new CountingThreadFactory("sync-task-");
  private final RetryPolicy retry =
      RetryPolicy.builder().maxAttempts(3).initialDelay(Duration.ofMillis(1))
          .jitter(RetryPolicy.Jitter.NONE).build();

  @AfterEach
  void tearDown() throws InterruptedException {
    io.shutdownNow();
    assertThat(io.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  enum Path {
    BLOCKING,
    ASYNC
  }

  /** The two facades a generated pair would have, written by hand for the test. */
  private final class Client {
    final FakeTransport transport;
    final KvCore core;
    final CoreRuntime runtime;
    final Path path;

    Client(Path path) {
      this.path = path;
      this.transport = path == Path.BLOCKING ? FakeTransport.sync() : FakeTransport.async(io);
      this.runtime =
          path == Path.BLOCKING
              ? SyncRuntime.builder().threadFactory(syncThreads).build()
              : AsyncRuntime.create();
      this.core = new KvCore(transport, runtime, retry);
    }

    <T> T call(CompletionStage<T> stage) {
      return path == Path.BLOCKING
          ? Immediate.get(stage, "kv")
          : BlockingWait.get(stage, "kv", Duration.ofSeconds(20));
    }

    String get(String key) {
      return call(core.get(key));
    }

    List<String> putAll(List<String> keys, int concurrency, AsyncCallback<KvCore.Progress> cb) {
      return call(core.putAll(keys, concurrency, cb));
    }

    void close() {
      call(core.close());
    }
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void get_returnsParsedValue(Path path) {
    Client c = new Client(path);
    assertThat(c.get("k1")).isEqualTo("GET k1");
    assertThat(c.transport.requests()).containsExactly("GET k1");
    c.close();
  }

  @Test
  void blockingPath_runsEntirelyOnTheCallersThread() {
    Client c = new Client(Path.BLOCKING);
    c.transport.answer(failingFirst(2));
    assertThat(c.get("k")).isEqualTo("GET k");
    assertThat(c.transport.sendThreads()).hasSize(3).containsOnly(Thread.currentThread());
    assertThat(syncThreads.created()).isZero();
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void get_transientFailures_areRetriedTheSameWay(Path path) {
    Client c = new Client(path);
    c.transport.answer(failingFirst(2));
    assertThat(c.get("k")).isEqualTo("GET k");
    assertThat(c.transport.requests()).hasSize(3);
    c.close();
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void get_persistentFailure_throwsSameTypeOnBothPaths(Path path) {
    Client c = new Client(path);
    c.transport.answer(r -> { throw new UncheckedIOException(new IOException("connection reset")); });
    assertThatThrownBy(() -> c.get("k"))
        .isInstanceOf(UncheckedIOException.class)
        .hasRootCauseMessage("connection reset");
    assertThat(c.transport.requests()).hasSize(3);
    c.close();
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void get_invalidKey_failsAtTheCallBeforeAnyRequest(Path path) {
    Client c = new Client(path);
    assertThatThrownBy(() -> c.core.get("bad key"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("key must be non-empty and contain no spaces, but was 'bad key'");
    assertThatThrownBy(() -> c.core.get(null)).isInstanceOf(NullPointerException.class).hasMessage("key");
    assertThat(c.transport.requests()).isEmpty();
    c.close();
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void putAll_resultsInInputOrder_concurrencyBounded(Path path) {
    Client c = new Client(path);
    List<String> keys = IntStream.range(0, 40).mapToObj(i -> "k" + i).toList();
    List<String> results = c.putAll(keys, 4, null);
    assertThat(results).isEqualTo(keys.stream().map(k -> "ok:PUT " + k).toList());
    assertThat(c.transport.maxInFlight()).isBetween(1, 4);
    c.close();
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void putAll_firstFailure_failsAndStopsStartingParts(Path path) {
    Client c = new Client(path);
    List<String> keys = IntStream.range(0, 100).mapToObj(i -> "k" + i).toList();
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    // Parts after k5 cannot finish until the test releases them, so the fan-out can only end
    // through k5's failure; the parts started by then are bounded by the concurrency limit.
    c.transport.answer(
        r -> {
          int part = Integer.parseInt(r.substring("PUT k".length()));
          if (part == 5) {
            throw new IllegalStateException("part k5 rejected");
          }
          if (part > 5) {
            try {
              release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new IllegalStateException("part " + part + " interrupted", e);
            }
          }
          return "ok:" + r;
        });
    try {
      assertThatThrownBy(() -> c.putAll(keys, 2, null))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("part k5 rejected");
      // k0..k5, plus at most one part the other lane had started when k5 failed.
      assertThat(c.transport.requests().size()).isBetween(6, 7);
    } finally {
      release.countDown();
    }
    c.close();
  }

  @Test
  void syncRuntime_fanOut_leavesNoThreadBehind() {
    Client c = new Client(Path.BLOCKING);
    List<String> keys = IntStream.range(0, 50).mapToObj(i -> "k" + i).toList();
    c.putAll(keys, 5, null);
    assertThat(syncThreads.created()).isEqualTo(5);
    assertThat(syncThreads.anyAlive()).isFalse();
    c.transport.answer(r -> { throw new IllegalStateException("fail"); });
    assertThatThrownBy(() -> c.putAll(keys, 5, null)).isInstanceOf(IllegalStateException.class);
    assertThat(syncThreads.anyAlive()).isFalse();
  }

  @Test
  void asyncRuntime_close_stopsItsTimerThread() throws Exception {
    AsyncRuntime runtime = AsyncRuntime.create();
    BlockingWait.get(runtime.sleep(Duration.ofMillis(1)), "sleep");
    assertThat(timerThreads()).isNotEmpty();
    runtime.close().toCompletableFuture().get(5, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).until(() -> timerThreads().isEmpty());
  }

  private static List<Thread> timerThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("ambidex-async-timer-") && t.isAlive())
        .toList();
  }

  @Test
  void asyncRuntime_completionExecutorShutDown_sleepFailsWithRejectedExecution() {
    ExecutorService shutDown = Executors.newSingleThreadExecutor();
    shutDown.shutdown();
    AsyncRuntime runtime = AsyncRuntime.builder().completionExecutor(shutDown).build();
    CompletionStage<Void> sleep = runtime.sleep(Duration.ofMillis(1));
    assertThatThrownBy(() -> BlockingWait.get(sleep, "sleep", Duration.ofSeconds(10)))
        .isInstanceOf(java.util.concurrent.RejectedExecutionException.class)
        .hasMessageContaining("completion executor refused")
        .hasCauseInstanceOf(java.util.concurrent.RejectedExecutionException.class);
    assertThat(runtime.toString()).contains("pendingTimers=0");
    runtime.close();
  }

  @Test
  void asyncRuntime_completionExecutorThrows_sleepAndRetryFail() {
    IllegalStateException refusal = new IllegalStateException("pool closed");
    AsyncRuntime runtime =
        AsyncRuntime.builder().completionExecutor(task -> { throw refusal; }).build();
    CompletionStage<String> retried =
        Async.retry(retry, runtime, () -> CompletableFuture.<String>failedFuture(
            new IOException("503")));
    assertThatThrownBy(() -> BlockingWait.get(retried, "retry", Duration.ofSeconds(10)))
        .isInstanceOf(java.util.concurrent.RejectedExecutionException.class)
        .hasCause(refusal);
    runtime.close();
  }

  @Test
  void asyncRuntime_close_cancelsPendingSleeps() {
    AsyncRuntime runtime = AsyncRuntime.create();
    CompletionStage<Void> sleep = runtime.sleep(Duration.ofHours(1));
    runtime.close();
    assertThat(sleep.toCompletableFuture()).isCancelled();
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void closedRuntime_failsClearly(Path path) {
    Client c = new Client(path);
    c.close();
    assertThatThrownBy(() -> c.runtime.sleep(Duration.ofMillis(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("after the runtime was closed");
    assertThatThrownBy(() -> c.runtime.mapConcurrently(List.of(1), 1, CompletableFuture::completedFuture))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> c.runtime.shielded("cleanup", () -> CompletableFuture.completedFuture(1)))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> c.runtime.fork("task", () -> CompletableFuture.completedFuture(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("fork was called after the runtime was closed");
    AtomicBoolean called = new AtomicBoolean();
    assertThatThrownBy(() -> c.runtime.emit(e -> {
      called.set(true);
      return null;
    }, "event"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("emit was called after the runtime was closed");
    assertThat(called).as("the callback was not called").isFalse();
    assertThatThrownBy(() -> c.runtime.emit(null, "event"))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> c.runtime.await("w", CompletableFuture.completedFuture(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("await was called after the runtime was closed");
  }

  // ---- fork and await: work alongside the caller ----

  @ParameterizedTest
  @EnumSource(Path.class)
  void fork_resultReadThroughAwait_andAThrowingTaskFailsTheStage(Path path) {
    Client c = new Client(path);
    CompletionStage<String> forked =
        c.runtime.fork("task", () -> CompletableFuture.completedFuture("done"));
    assertThat(c.call(c.runtime.await("task", forked))).isEqualTo("done");
    IllegalStateException broken = new IllegalStateException("task broken");
    CompletionStage<String> failed =
        c.runtime.fork("task", () -> {
          throw broken;
        });
    assertThatThrownBy(() -> c.call(c.runtime.await("task", failed))).isSameAs(broken);
    c.close();
  }

  /* The async runtime starts the task at once, on the caller: it never blocks. */
  @Test
  void asyncRuntime_fork_runsTheTaskAtOnceOnTheCaller() {
    Client c = new Client(Path.ASYNC);
    Thread caller = Thread.currentThread();
    CompletionStage<Thread> forked =
        c.runtime.fork("task", () -> CompletableFuture.completedFuture(Thread.currentThread()));
    assertThat(forked.toCompletableFuture().getNow(null)).isSameAs(caller);
    CompletableFuture<String> pending = new CompletableFuture<>();
    assertThat(c.runtime.await("task", pending)).isSameAs(pending);
    c.close();
  }

  /*
   * The blocking path runs the task on a thread of its own and returns at once: the task here
   * can only finish after fork() has returned, since it waits for the caller to release it.
   */
  @Test
  void syncRuntime_fork_runsAlongsideTheCaller_onAThreadThatEndsWithTheTask() throws Exception {
    SyncRuntime runtime = SyncRuntime.builder().threadFactory(syncThreads).build();
    CountDownLatch release = new CountDownLatch(1);
    CompletionStage<String> forked =
        runtime.fork(
            "task",
            () -> {
              try {
                return CompletableFuture.completedFuture(
                    release.await(20, TimeUnit.SECONDS) ? "released" : "never released");
              } catch (InterruptedException e) {
                return CompletableFuture.failedFuture(e);
              }
            });
    assertThat(forked.toCompletableFuture().isDone()).isFalse();
    release.countDown();
    CompletionStage<String> awaited = runtime.await("task", forked);
    assertThat(awaited.toCompletableFuture().isDone()).isTrue();
    assertThat(Immediate.get(awaited, "task")).isEqualTo("released");
    assertThat(syncThreads.created()).isEqualTo(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> !syncThreads.anyAlive());
  }

  /*
   * A factory that starts the threads it returns breaks its contract: every call that needs a
   * thread fails naming the rule, and the started threads run none of the runtime's work (the
   * lanes of mapConcurrently used to run anyway, behind a bare IllegalThreadStateException).
   */
  @Test
  void syncRuntime_threadFactoryReturningStartedThreads_isRefusedByEachCall_andRunsNothing()
      throws Exception {
    List<Thread> made = new CopyOnWriteArrayList<>();
    SyncRuntime runtime =
        SyncRuntime.builder()
            .threadFactory(r -> {
              Thread t = Thread.ofVirtual().unstarted(r);
              made.add(t);
              t.start();
              return t;
            })
            .build();
    AtomicInteger ran = new AtomicInteger();
    Supplier<CompletionStage<String>> work =
        () -> {
          ran.incrementAndGet();
          return CompletableFuture.completedFuture("ran");
        };

    assertThat(runtime.mapConcurrently(List.of(1, 2, 3), 3, i -> work.get()).toCompletableFuture())
        .isCompletedExceptionally()
        .failsWithin(Duration.ZERO)
        .withThrowableThat()
        .havingRootCause()
        .isInstanceOf(IllegalStateException.class)
        .withMessageContaining("SyncRuntime's thread factory returned a thread that was already"
            + " started")
        .withMessageContaining("must return a new, unstarted thread");
    assertThat(runtime.fork("task", work).toCompletableFuture())
        .failsWithin(Duration.ZERO)
        .withThrowableThat()
        .havingRootCause()
        .isInstanceOf(IllegalStateException.class)
        .withMessageContaining("already started");
    assertThatThrownBy(() -> runtime.shielded("cleanup", work))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already started");

    for (Thread t : made) {
      assertThat(t.join(Duration.ofSeconds(20))).isTrue();
    }
    assertThat(made).hasSize(3); // one each: the first refusal stops mapConcurrently
    assertThat(ran).as("work run on a refused thread").hasValue(0);
  }

  /* Cancelling a forked stage interrupts its thread, which closes the channel it is blocked in. */
  @Test
  void syncRuntime_fork_cancelled_interruptsTheTasksThread() throws Exception {
    SyncRuntime runtime = SyncRuntime.builder().threadFactory(syncThreads).build();
    Pipe pipe = Pipe.open();
    CountDownLatch reading = new CountDownLatch(1);
    AtomicReference<Throwable> taskSaw = new AtomicReference<>();
    CompletionStage<Integer> forked =
        runtime.fork(
            "task",
            () -> {
              reading.countDown();
              try {
                return CompletableFuture.completedFuture(pipe.source().read(ByteBuffer.allocate(1)));
              } catch (IOException e) {
                taskSaw.set(e);
                return CompletableFuture.failedFuture(e);
              }
            });
    assertThat(reading.await(10, TimeUnit.SECONDS)).isTrue();

    assertThat(forked.toCompletableFuture().cancel(true)).isTrue();

    await().atMost(Duration.ofSeconds(10)).until(() -> !syncThreads.anyAlive());
    assertThat(taskSaw.get()).isInstanceOf(java.nio.channels.ClosedByInterruptException.class);
    assertThat(forked.toCompletableFuture()).isCancelled();
    pipe.sink().close();
  }

  @Test
  void syncRuntime_fork_runsUnderTheCallersDeadline() {
    SyncRuntime runtime = SyncRuntime.builder().threadFactory(syncThreads).build();
    CompletionStage<Boolean> bound =
        runtime.withTimeout(
            Duration.ofMinutes(1),
            "op",
            () ->
                runtime.await(
                    "task",
                    runtime.fork(
                        "task", () -> CompletableFuture.completedFuture(Deadline.current() != null))));
    assertThat(Immediate.get(bound, "op")).isTrue();
  }

  /* An interrupt ends the wait, not the awaited stage; the flag is kept for the caller. */
  @Test
  void syncRuntime_await_interrupted_failsWithCallInterrupted_flagKept_stageGoesOn() {
    SyncRuntime runtime = SyncRuntime.create();
    CompletableFuture<String> pending = new CompletableFuture<>();
    Thread.currentThread().interrupt();
    CompletionStage<String> awaited;
    boolean flagAfter;
    try {
      awaited = runtime.await("task", pending);
    } finally {
      flagAfter = Thread.interrupted();
    }
    assertThat(flagAfter).as("interrupt flag kept").isTrue();
    assertThatThrownBy(() -> Immediate.get(awaited, "task"))
        .isInstanceOf(io.ambidex.CallInterruptedException.class);
    assertThat(pending).isNotDone();
  }

  @Test
  void syncRuntime_await_neverPastTheCurrentDeadline() {
    SyncRuntime runtime = SyncRuntime.create();
    CompletableFuture<String> never = new CompletableFuture<>();
    CompletionStage<String> bound =
        runtime.withTimeout(Duration.ofMillis(50), "op", () -> runtime.await("task", never));
    assertThatThrownBy(() -> Immediate.get(bound, "op"))
        .isInstanceOf(io.ambidex.OperationTimeoutException.class);
    assertThat(never).isNotDone();
  }

  // ---- shielded cleanup ----

  @ParameterizedTest
  @EnumSource(Path.class)
  void shielded_returnsTheCleanupsResult_andAThrowingCleanupFailsTheStage(Path path) {
    Client c = new Client(path);
    assertThat(c.call(c.runtime.shielded("cleanup", () -> CompletableFuture.completedFuture("done"))))
        .isEqualTo("done");
    IllegalStateException broken = new IllegalStateException("cleanup broken");
    CompletionStage<String> failed =
        c.runtime.shielded("cleanup", () -> {
          throw broken;
        });
    assertThatThrownBy(() -> c.call(failed)).isSameAs(broken);
    c.close();
  }

  /*
   * The blocking path runs the cleanup on a thread of its own: an interrupt of the caller reaches
   * neither the cleanup's flag nor the interruptible channel it is blocked in (here a pipe), and
   * is kept on the caller for afterwards.
   */
  @Test
  void syncRuntime_shielded_callerInterruptedDuringTheCleanup_cleanupRunsToItsEnd_flagKept()
      throws Exception {
    SyncRuntime runtime = SyncRuntime.builder().threadFactory(syncThreads).build();
    Pipe pipe = Pipe.open();
    CountDownLatch reading = new CountDownLatch(1);
    AtomicReference<Object> outcome = new AtomicReference<>();
    AtomicBoolean flagAfter = new AtomicBoolean();
    Thread caller =
        new Thread(
            () -> {
              CompletionStage<Byte> cleanup =
                  runtime.shielded(
                      "cleanup",
                      () -> {
                        reading.countDown();
                        ByteBuffer one = ByteBuffer.allocate(1);
                        try {
                          pipe.source().read(one);
                        } catch (IOException e) {
                          return CompletableFuture.failedFuture(e);
                        }
                        return CompletableFuture.completedFuture(one.get(0));
                      });
              flagAfter.set(Thread.currentThread().isInterrupted());
              cleanup.whenComplete((v, e) -> outcome.set(e != null ? e : v));
            },
            "shielded-caller");
    caller.start();
    assertThat(reading.await(10, TimeUnit.SECONDS)).isTrue();

    caller.interrupt();
    pipe.sink().write(ByteBuffer.wrap(new byte[] {42}));
    caller.join(10_000);

    assertThat(caller.isAlive()).isFalse();
    assertThat(outcome.get()).isEqualTo((byte) 42);
    assertThat(flagAfter).as("interrupt flag kept").isTrue();
    assertThat(syncThreads.created()).isEqualTo(1);
    assertThat(syncThreads.anyAlive()).isFalse();
    pipe.source().close();
    pipe.sink().close();
  }

  @Test
  void syncRuntime_shielded_callerAlreadyInterrupted_cleanupRunsUninterrupted_flagKept() {
    SyncRuntime runtime = SyncRuntime.builder().threadFactory(syncThreads).build();
    Thread.currentThread().interrupt();
    CompletionStage<Boolean> cleanup;
    boolean flagAfter;
    try {
      cleanup =
          runtime.shielded(
              "cleanup", () -> CompletableFuture.completedFuture(Thread.currentThread().isInterrupted()));
    } finally {
      flagAfter = Thread.interrupted();
    }
    assertThat(flagAfter).as("interrupt flag kept").isTrue();
    assertThat(Immediate.get(cleanup, "cleanup")).as("the cleanup's thread was interrupted").isFalse();
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void shielded_runsOutsideTheOperationsDeadline(Path path) {
    Client c = new Client(path);
    CoreRuntime r = c.runtime;
    CompletionStage<Boolean> bound =
        r.withTimeout(
            Duration.ofMinutes(1),
            "op",
            () ->
                r.shielded(
                    "cleanup", () -> CompletableFuture.completedFuture(Deadline.current() == null)));
    assertThat(BlockingWait.get(bound, "op", Duration.ofSeconds(10))).isTrue();
    c.close();
  }

  /*
   * The exploratory tester's case: an operation cut by withTimeout whose failure starts a shielded
   * cleanup that itself waits (a sleep standing for the abort request). The cleanup must finish on
   * both runtimes; on SyncRuntime it inherited the expired Deadline and failed at once.
   */
  @ParameterizedTest
  @EnumSource(Path.class)
  void shielded_afterTheOperationsDeadlinePassed_cleanupStillRunsToItsEnd(Path path) {
    Client c = new Client(path);
    CoreRuntime r = c.runtime;
    CompletableFuture<String> cleanup = new CompletableFuture<>();
    CompletionStage<String> op =
        r.withTimeout(Duration.ofMillis(50), "upload", () -> {
          CompletionStage<String> io = r.sleep(Duration.ofSeconds(30)).thenApply(v -> "uploaded");
          io.whenComplete((v, e) -> {
            if (e != null) {
              r.shielded("abort", () -> r.sleep(Duration.ofMillis(10)))
                  .whenComplete((x, ce) -> {
                    if (ce == null) {
                      cleanup.complete("cleanup done");
                    } else {
                      cleanup.completeExceptionally(ce);
                    }
                  });
            }
          });
          return io;
        });
    assertThatThrownBy(() -> BlockingWait.get(op, "upload", Duration.ofSeconds(10)))
        .isInstanceOf(OperationTimeoutException.class);
    assertThat(BlockingWait.get(cleanup, "cleanup", Duration.ofSeconds(10)))
        .isEqualTo("cleanup done");
    c.close();
  }

  // ---- callbacks: the seed's await_callback rule ----

  @ParameterizedTest
  @EnumSource(Path.class)
  void progress_syncCallback_seesEveryEvent(Path path) {
    Client c = new Client(path);
    List<KvCore.Progress> events = new CopyOnWriteArrayList<>();
    c.putAll(List.of("a", "b", "c"), 1, AsyncCallback.of(events::add));
    assertThat(events)
        .containsExactly(new KvCore.Progress(1, 3), new KvCore.Progress(2, 3), new KvCore.Progress(3, 3));
    c.close();
  }

  @Test
  void asyncRuntime_awaitsTheCallbacksStage() {
    Client c = new Client(Path.ASYNC);
    CompletableFuture<Void> callbackDone = new CompletableFuture<>();
    CompletionStage<List<String>> result =
        c.core.putAll(List.of("a"), 1, event -> callbackDone);
    await().during(Duration.ofMillis(50)).atMost(Duration.ofSeconds(5))
        .until(() -> !result.toCompletableFuture().isDone());
    callbackDone.complete(null);
    assertThat(BlockingWait.get(result, "putAll")).containsExactly("ok:PUT a");
    c.close();
  }

  @Test
  void syncRuntime_neverWaitsForTheCallbacksStage() {
    Client c = new Client(Path.BLOCKING);
    CompletableFuture<Void> neverDone = new CompletableFuture<>();
    assertThat(c.putAll(List.of("a"), 1, event -> neverDone)).containsExactly("ok:PUT a");
  }

  @ParameterizedTest
  @EnumSource(Path.class)
  void throwingCallback_failsTheOperationWithItsException(Path path) {
    Client c = new Client(path);
    IllegalStateException abort = new IllegalStateException("user aborted");
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(
            () ->
                c.putAll(
                    List.of("a", "b", "c"),
                    1,
                    AsyncCallback.of(
                        e -> {
                          calls.incrementAndGet();
                          throw abort;
                        })))
        .isSameAs(abort);
    assertThat(calls).hasValue(1);
    c.close();
  }

  @Test
  void asyncRuntime_callbackStageFailure_failsTheOperation() {
    Client c = new Client(Path.ASYNC);
    IOException failure = new IOException("progress sink down");
    CompletionStage<List<String>> result =
        c.core.putAll(List.of("a"), 1, e -> CompletableFuture.failedFuture(failure));
    assertThatThrownBy(() -> BlockingWait.get(result, "putAll", null, IOException.class)).isSameAs(failure);
    c.close();
  }

  private static java.util.function.Function<String, String> failingFirst(int n) {
    AtomicInteger calls = new AtomicInteger();
    return r -> {
      if (calls.incrementAndGet() <= n) {
        throw new UncheckedIOException(new IOException("503 slow down"));
      }
      return "ok:" + r;
    };
  }
}

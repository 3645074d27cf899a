package io.ambidex.context;

import static io.ambidex.testsupport.ForeignCompletion.completedByForeignThread;
import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.CallFuture;
import io.ambidex.CallerDrained;
import io.ambidex.Immediate;
import io.ambidex.control.Async;
import io.ambidex.control.AsyncRuntime;
import io.ambidex.control.SyncRuntime;
import io.ambidex.facade.FacadeSupport;
import io.ambidex.producer.AsyncProducerIterator;
import io.ambidex.producer.Producer;
import io.ambidex.stream.AsyncIterators;
import io.ambidex.synchronizer.Synchronizer;
import io.ambidex.taskgroup.AsyncTaskGroup;
import io.ambidex.taskgroup.TaskGroup;
import io.ambidex.testing.ThreadLocalPropagator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every path on which the core runs user code on a thread other than the caller's carries the
 * caller's context: a value bound on the test thread through a registered {@link
 * ThreadLocalPropagator} is seen inside the core's code and callbacks after the hop, and the
 * thread that hopped holds nothing afterwards. Each test checks that the code did run on another
 * thread, so that it can only pass by propagation. See docs/context.md.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ContextPathsTest {
  private final ThreadLocalPropagator tl = new ThreadLocalPropagator();
  private ContextPropagation.Registration registration;

  /** Where and with what value the observed code ran. */
  record Seen(String thread, @Nullable String value) {}

  private Seen seen() {
    return new Seen(Thread.currentThread().getName(), tl.local.get());
  }

  @BeforeEach
  void register() {
    registration = ContextPropagation.register(tl);
    tl.local.set("caller");
  }

  @AfterEach
  void unregister() {
    tl.local.remove();
    registration.close();
  }

  private void assertHoppedWithContext(Seen s) {
    assertThat(s.thread()).as("ran on another thread").isNotEqualTo(Thread.currentThread().getName());
    assertThat(s.value()).as("the caller's value on thread " + s.thread()).isEqualTo("caller");
  }

  /*
   * A timer's continuation registered after the call returns runs on the caller instead if the
   * timer fired first (a loaded machine). Such a run proves nothing, so it is tried again with a
   * longer delay until the continuation did run on the timer's thread.
   */
  private static Seen afterTimer(java.util.function.LongFunction<CompletionStage<Seen>> attempt) {
    String caller = Thread.currentThread().getName();
    for (long delay = 5; ; delay *= 4) {
      Seen s = attempt.apply(delay).toCompletableFuture().join();
      if (!s.thread().equals(caller) || delay > 5_000) {
        return s;
      }
    }
  }

  // ---------------------------------------------------------------- immediate

  @Test
  void immediatePath_seesTheCallersValue_andCapturesNothingWhenNothingIsRegistered() {
    String v =
        Immediate.get(
            Async.then(CompletableFuture.completedFuture(1), x -> CompletableFuture.completedFuture(tl.local.get())),
            "immediate");
    assertThat(v).isEqualTo("caller");
    assertThat(tl.restores).as("no hop, no restore").hasValue(0);

    registration.close();
    assertThat(ContextPropagation.capture())
        .as("nothing registered: one shared snapshot, no allocation")
        .isSameAs(ContextPropagation.capture());
  }

  // ---------------------------------------------------------------- AsyncRuntime

  @Test
  void asyncRuntimeSleep_continuesOnTheTimerThread_insideTheCallersContext() {
    AsyncRuntime runtime = AsyncRuntime.create();
    try {
      Seen s = afterTimer(ms -> runtime.sleep(Duration.ofMillis(ms)).thenApply(v -> seen()));
      assertThat(s.thread()).startsWith("ambidex-async-timer-");
      assertHoppedWithContext(s);
    } finally {
      runtime.close();
    }
  }

  @Test
  void asyncRuntimeSleep_withACompletionExecutor_completesInsideTheCallersContext() {
    ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "completion-pool"));
    AsyncRuntime runtime = AsyncRuntime.builder().completionExecutor(pool).build();
    try {
      Seen s = afterTimer(ms -> runtime.sleep(Duration.ofMillis(ms)).thenApply(v -> seen()));
      assertThat(s.thread()).isEqualTo("completion-pool");
      assertHoppedWithContext(s);
    } finally {
      runtime.close();
      pool.shutdownNow();
    }
  }

  @Test
  void asyncRuntimeTimeout_failsOnTheTimerThread_insideTheCallersContext() {
    AsyncRuntime runtime = AsyncRuntime.create();
    try {
      Seen s =
          afterTimer(
              ms ->
                  runtime
                      .withTimeout(Duration.ofMillis(ms), "slow", () -> new CompletableFuture<String>())
                      .handle((v, e) -> seen()));
      assertThat(s.thread()).startsWith("ambidex-async-timer-");
      assertHoppedWithContext(s);
    } finally {
      runtime.close();
    }
  }

  @Test
  void asyncRuntimeTimer_afterTheHop_holdsNothing() {
    AsyncRuntime runtime = AsyncRuntime.create();
    try {
      runtime.sleep(Duration.ofMillis(1)).toCompletableFuture().join();
      registration.close(); // later work captures nothing, so it restores nothing either
      tl.local.remove(); // and, should it run on the caller after all, it sees nothing there either
      Seen s = afterTimer(ms -> runtime.sleep(Duration.ofMillis(ms)).thenApply(v -> seen()));
      assertThat(s.thread()).startsWith("ambidex-async-timer-");
      assertThat(s.value()).as("the timer thread kept the previous hop's value").isNull();
    } finally {
      runtime.close();
    }
  }

  @Test
  void permits_taskReleasedByAnotherCompletion_startsInsideTheFanOutCallersContext() {
    List<Seen> starts = Collections.synchronizedList(new ArrayList<>());
    CompletableFuture<@Nullable Void> release = new CompletableFuture<>();
    CompletableFuture<List<String>> all =
        Async.parallel(
                List.of(1, 2, 3),
                1,
                i -> {
                  starts.add(seen());
                  return completedByForeignThread(release, "x" + i);
                })
            .toCompletableFuture();
    tl.local.set("changed after the call"); // the fan-out keeps what its caller had
    release.complete(null); // task 1's continuation is registered: tasks 2 and 3 start off main
    assertThat(all.join()).containsExactly("x1", "x2", "x3");
    assertThat(starts).hasSize(3);
    // The first task starts on the caller; the next two are released on the completer's thread.
    assertThat(starts.subList(1, 3))
        .allSatisfy(s -> assertThat(s).isEqualTo(new Seen("foreign-completer", "caller")));
  }

  @Test
  void combinatorContinuation_afterAForeignCompletion_runsInsideTheCallersContext() {
    CompletableFuture<@Nullable Void> release = new CompletableFuture<>();
    CompletableFuture<Seen> s =
        Async.then(
                completedByForeignThread(release, 1),
                v -> CompletableFuture.completedFuture(seen()))
            .toCompletableFuture();
    tl.local.remove(); // the caller moves on; the continuation keeps what it had at the call
    release.complete(null);
    assertHoppedWithContextValue(s.join());
  }

  private static void assertHoppedWithContextValue(Seen s) {
    assertThat(s).isEqualTo(new Seen("foreign-completer", "caller"));
  }

  @Test
  void callFutureOrTimeout_firesOnTheSharedTimer_insideTheCallersContext() {
    Seen s =
        afterTimer(
            ms ->
                CallerDrainedFree.future()
                    .orTimeout(ms, TimeUnit.MILLISECONDS)
                    .handle((v, e) -> seen()));
    assertThat(s.thread()).isEqualTo("ambidex-timeouts");
    assertHoppedWithContext(s);
  }

  // ---------------------------------------------------------------- SyncRuntime

  @Test
  void syncRuntimeFanOut_workerThreads_runInsideTheCallersContext() {
    SyncRuntime runtime = SyncRuntime.create();
    List<Seen> seen =
        runtime
            .mapConcurrently(List.of(1, 2, 3, 4), 2, i -> CompletableFuture.completedFuture(seen()))
            .toCompletableFuture()
            .join();
    assertThat(seen).allSatisfy(this::assertHoppedWithContext);
  }

  @Test
  void syncRuntimeShielded_cleanupThread_runsInsideTheCallersContext() {
    SyncRuntime runtime = SyncRuntime.create();
    Seen s =
        runtime
            .shielded("cleanup", () -> CompletableFuture.completedFuture(seen()))
            .toCompletableFuture()
            .join();
    assertHoppedWithContext(s);
  }

  @Test
  void syncRuntimeFork_taskThread_runsInsideTheCallersContext() {
    SyncRuntime runtime = SyncRuntime.create();
    Seen s =
        runtime
            .await("task", runtime.fork("task", () -> CompletableFuture.completedFuture(seen())))
            .toCompletableFuture()
            .join();
    assertHoppedWithContext(s);
  }

  // ---------------------------------------------------------------- CallerDrained

  @Test
  void callerDrained_taskSubmittedAfterTheCall_runsOnItsSubmitterInsideTheCallersContext()
      throws Exception {
    AtomicReference<Executor> loop = new AtomicReference<>();
    CallerDrained.get(
        "drained",
        executor -> {
          loop.set(executor);
          CompletableFuture<String> f = new CompletableFuture<>();
          Thread.ofPlatform().start(() -> executor.execute(() -> f.complete(tl.local.get())));
          return f;
        });
    CompletableFuture<Seen> late = new CompletableFuture<>();
    Thread t = Thread.ofPlatform().name("late-submitter").start(() -> loop.get().execute(() -> late.complete(seen())));
    t.join(10_000);
    assertThat(late.join()).isEqualTo(new Seen("late-submitter", "caller"));
  }

  @Test
  void callerDrained_queuedWork_runsOnTheCaller() {
    String v =
        CallerDrained.get(
            "drained",
            executor -> {
              CompletableFuture<String> f = new CompletableFuture<>();
              Thread.ofPlatform().start(() -> executor.execute(() -> f.complete(tl.local.get())));
              return f;
            });
    assertThat(v).isEqualTo("caller");
  }

  // ---------------------------------------------------------------- Synchronizer

  @Test
  void synchronizerCall_runsOnTheLoopInsideTheCallersContext_andTheLoopHoldsNothingAfterwards() {
    try (Synchronizer sync = Synchronizer.create("context")) {
      Seen s = sync.call("seen", () -> CompletableFuture.completedFuture(seen()));
      assertThat(s.thread()).startsWith("ambidex-synchronizer-");
      assertHoppedWithContext(s);

      registration.close();
      Seen after = sync.call("after", () -> CompletableFuture.completedFuture(seen()));
      assertThat(after.value()).as("the loop thread kept the previous call's value").isNull();
    }
  }

  @Test
  void synchronizerAsync_resultCompletesOnTheCallersExecutor_insideTheCallersContext() {
    ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "caller-pool"));
    try (Synchronizer sync = Synchronizer.create("context-async")) {
      // Completed only after the continuation below is attached: a result already complete by
      // then would run it on this thread instead (seen once under load).
      CompletableFuture<String> source = new CompletableFuture<>();
      CompletableFuture<Seen> back =
          sync.async("seen", pool, () -> source).thenApply(v -> seen());
      tl.local.remove();
      Thread.ofPlatform().name("foreign-completer").start(() -> source.complete("v"));
      assertThat(back.join()).isEqualTo(new Seen("caller-pool", "caller"));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void synchronizerExecutor_taskRunsOnTheLoopInsideTheSubmittersContext() {
    try (Synchronizer sync = Synchronizer.create("context-executor")) {
      CompletableFuture<Seen> s = new CompletableFuture<>();
      sync.executor().execute(() -> s.complete(seen()));
      assertThat(s.join().thread()).startsWith("ambidex-synchronizer-");
      assertHoppedWithContext(s.join());
    }
  }

  @Test
  void synchronizerStream_laterBatchPulledAfterAForeignCompletion_runsInsideTheCallersContext() {
    try (Synchronizer sync = Synchronizer.create("context-stream")) {
      List<Seen> pulls = Collections.synchronizedList(new ArrayList<>());
      List<String> items;
      try (var stream =
          sync.stream(
              "items",
              () ->
                  new io.ambidex.stream.AsyncIterator<String>() {
                    int left = 3;

                    @Override
                    public CompletionStage<Boolean> hasNext() {
                      pulls.add(seen());
                      // completed at once: later pulls run on the loop or the completer
                      return completedByForeignThread(
                          CompletableFuture.completedFuture(null), left > 0);
                    }

                    @Override
                    public String next() {
                      return "i" + left--;
                    }

                    @Override
                    public CompletionStage<@Nullable Void> close() {
                      return CompletableFuture.completedFuture(null);
                    }
                  })) {
        items = stream.collect(Collectors.toList());
      }
      assertThat(items).containsExactly("i3", "i2", "i1");
      assertThat(pulls).hasSizeGreaterThan(1).allSatisfy(this::assertHoppedWithContext);
    }
  }

  // ---------------------------------------------------------------- producers

  @Test
  void producerBody_runsOnItsVirtualThreadInsideTheConsumersContext() {
    Producer<Seen, @Nullable Void> p =
        Producer.of(
            ctx -> {
              ctx.started();
              ctx.send(seen());
            });
    List<Seen> got;
    try (var it = p.iterator()) {
      got = new ArrayList<>();
      it.forEachRemaining(got::add);
    }
    assertThat(got).singleElement().satisfies(this::assertHoppedWithContext);
  }

  @Test
  void streamOperatorContinuingOnTheProducersThread_runsInsideItsOwnCallersContext() {
    tl.local.set("producer's creator");
    java.util.concurrent.CountDownLatch consumerWaits = new java.util.concurrent.CountDownLatch(1);
    AsyncProducerIterator<Integer, @Nullable Void> it =
        Producer.<Integer, @Nullable Void>of(
                ctx -> {
                  ctx.started();
                  consumerWaits.await(); // so the first item wakes a consumer that waits for it
                  for (int i = 0; i < 3; i++) {
                    ctx.send(i);
                  }
                })
            .asyncIterator();
    tl.local.set("caller");
    List<Seen> steps = Collections.synchronizedList(new ArrayList<>());
    CallFuture<@Nullable Void> done = AsyncIterators.forEach(it, i -> steps.add(seen()));
    tl.local.remove();
    consumerWaits.countDown();
    done.join();
    assertThat(steps).hasSize(3);
    assertThat(steps.stream().filter(s -> s.thread().startsWith("ambidex-producer-")))
        .as("items handed over on the producer's thread")
        .isNotEmpty()
        .allSatisfy(s -> assertThat(s.value()).isEqualTo("caller"));
  }

  // ---------------------------------------------------------------- task groups

  @Test
  void taskGroupChild_runsOnItsThreadInsideTheStartersContext() throws Exception {
    List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
    try (TaskGroup group = TaskGroup.open()) {
      group.startSoon(() -> seen.add(seen()));
      String v = group.start(status -> {
        seen.add(seen());
        status.started("ok");
      });
      assertThat(v).isEqualTo("ok");
    }
    assertThat(seen).hasSize(2).allSatisfy(this::assertHoppedWithContext);
  }

  @Test
  void asyncTaskGroupOnSyncRuntime_childThread_runsInsideTheStartersContext() {
    List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
    AsyncTaskGroup group = AsyncTaskGroup.open(SyncRuntime.create());
    group.startSoon(() -> {
      seen.add(seen());
      return CompletableFuture.completedFuture(null);
    });
    group.close().toCompletableFuture().join();
    assertThat(seen).singleElement().satisfies(this::assertHoppedWithContext);
  }

  // ---------------------------------------------------------------- facades

  @Test
  void facadeOffload_blockingCallOnAVirtualThread_runsInsideTheCallersContext() {
    CallFuture<Seen> f = FacadeSupport.callAsync("offload", null, this::seen);
    tl.local.remove();
    assertHoppedWithContextOn(f.join());
  }

  private static void assertHoppedWithContextOn(Seen s) {
    assertThat(s.thread()).isEqualTo("offload");
    assertThat(s.value()).isEqualTo("caller");
  }

  /** A future nobody completes, made the way the core makes them. */
  static final class CallerDrainedFree {
    static CallFuture<String> future() {
      return FacadeSupport.callAsync("never", task -> {}, () -> "never");
    }
  }
}

package io.ambidex.taskgroup;

import io.ambidex.BlockingWait;
import io.ambidex.CallFuture;
import io.ambidex.IncompleteStageException;
import io.ambidex.control.AsyncRuntime;
import io.ambidex.control.CoreRuntime;
import io.ambidex.control.SyncRuntime;
import io.ambidex.taskgroup.AsyncTaskGroup;
import io.ambidex.taskgroup.TaskStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ambidex.testing.CountingVirtualThreadFactory;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The async task group: the same rules as {@link TaskGroupTest}, for tasks that are stages
 * ({@link AsyncTaskGroup#open()}, async runtimes) and for tasks on threads (a {@link
 * SyncRuntime}).
 */
@Timeout(30)
class AsyncTaskGroupTest {
  private static <T> T done(CompletionStage<T> stage) {
    return BlockingWait.get(stage, "test", Duration.ofSeconds(10));
  }

  private static void assertFailsWith(CompletionStage<?> stage, Throwable expected) {
    assertThat(stage.toCompletableFuture()).isDone();
    assertThatThrownBy(() -> stage.toCompletableFuture().join())
        .isInstanceOf(CompletionException.class)
        .cause()
        .isSameAs(expected);
  }

  /** Tasks are stages: called at once, tracked, cancelled through their stages. */
  @Nested
  class Stages {
    @Test
    void startSoon_callsTheTaskAtOnce_andCloseCompletesAfterEveryStage() {
      AsyncTaskGroup group = AsyncTaskGroup.open();
      CompletableFuture<String> a = new CompletableFuture<>();
      CompletableFuture<String> b = new CompletableFuture<>();
      AtomicReference<Thread> calledOn = new AtomicReference<>();
      group.startSoon(() -> {
        calledOn.set(Thread.currentThread());
        return a;
      });
      group.startSoon(() -> b);
      assertThat(calledOn.get()).isSameAs(Thread.currentThread());
      CompletionStage<Void> closing = group.close();
      assertThat(closing.toCompletableFuture()).isNotDone();
      a.complete("a");
      assertThat(closing.toCompletableFuture()).isNotDone();
      b.complete("b");
      assertThat(closing.toCompletableFuture()).isCompletedWithValue(null);
      assertThat(group.close()).isSameAs(closing);
    }

    @Test
    void close_waitsForTasksStartedByTasksWhileClosing() {
      AsyncTaskGroup group = AsyncTaskGroup.open();
      CompletableFuture<String> parent = new CompletableFuture<>();
      CompletableFuture<String> child = new CompletableFuture<>();
      group.startSoon(() -> parent.thenCompose(v -> {
        group.startSoon(() -> child);
        return CompletableFuture.completedFuture(v);
      }));
      CompletionStage<Void> closing = group.close();
      parent.complete("p");
      assertThat(closing.toCompletableFuture()).isNotDone();
      child.complete("c");
      assertThat(closing.toCompletableFuture()).isCompletedWithValue(null);
    }

    @Test
    void closedGroup_refusesNewTasksAtOnce() {
      AsyncTaskGroup group = AsyncTaskGroup.open();
      done(group.close());
      assertThatThrownBy(() -> group.startSoon(() -> CompletableFuture.completedFuture(1)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("task group is closed to new tasks");
      assertThatThrownBy(() -> group.start(status -> CompletableFuture.completedFuture(1)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("task group is closed to new tasks");
    }

    @Test
    void start_completesWithTheStartedValue_thenTheTaskBelongsToTheGroup() {
      AsyncTaskGroup group = AsyncTaskGroup.open();
      CompletableFuture<String> rest = new CompletableFuture<>();
      CallFuture<String> value =
          group.start(status -> {
            status.started("ready");
            return rest;
          });
      assertThat(value).isCompletedWithValue("ready");
      assertThat(value.cancel(true)).isFalse(); // too late: it belongs to the group
      assertThat(rest).isNotCancelled();
      IllegalStateException late = new IllegalStateException("lost");
      rest.completeExceptionally(late);
      assertFailsWith(group.close(), late);
    }

    @Test
    void start_startedLater_fromAnotherThread() {
      AsyncTaskGroup group = AsyncTaskGroup.open();
      AtomicReference<TaskStatus<Integer>> statusRef = new AtomicReference<>();
      CompletableFuture<Void> work = new CompletableFuture<>();
      CallFuture<Integer> value =
          group.start(status -> {
            statusRef.set(status);
            return work;
          });
      assertThat(value).isNotDone();
      Thread.ofVirtual().start(() -> statusRef.get().started(42));
      assertThat(done(value)).isEqualTo(42);
      work.complete(null);
      done(group.close());
    }

    @Test
    void start_failureBeforeStarted_failsStartWithTheSameException_andSparesTheGroup() {
      IOException checked = new IOException("cannot bind");
      AsyncTaskGroup group = AsyncTaskGroup.open();
      CompletableFuture<Void> sibling = new CompletableFuture<>();
      group.startSoon(() -> sibling);
      assertFailsWith(group.start(status -> CompletableFuture.failedFuture(checked)), checked);
      IllegalArgumentException thrown = new IllegalArgumentException("thrown");
      assertFailsWith(group.start(status -> {
        throw thrown;
      }), thrown);
      assertThat(group.isCancelled()).isFalse();
      assertThat(sibling).isNotCancelled();
      sibling.complete(null);
      assertThat(done(group.close())).isNull();
    }

    @Test
    void start_taskEndingWithoutStarted_failsClearly() {
      AsyncTaskGroup group = AsyncTaskGroup.open();
      CallFuture<String> value = group.start(status -> CompletableFuture.completedFuture("x"));
      assertThatThrownBy(value::join)
          .cause()
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("ended without calling started()");
      done(group.close());
    }

    @Test
    void startedTwice_throwsInTheTask() {
      AsyncTaskGroup group = AsyncTaskGroup.open();
      AtomicReference<Throwable> second = new AtomicReference<>();
      CallFuture<Integer> value =
          group.start(status -> {
            status.started(1);
            try {
              status.started(2);
            } catch (IllegalStateException e) {
              second.set(e);
            }
            return CompletableFuture.completedFuture(null);
          });
      assertThat(value).isCompletedWithValue(1);
      assertThat(second.get()).hasMessageStartingWith("started() was called twice");
      done(group.close());
    }

    @Test
    void cancellingStart_beforeStarted_cancelsTheTask_andIsNotAGroupFailure() {
      AsyncTaskGroup group = AsyncTaskGroup.open();
      CompletableFuture<Void> work = new CompletableFuture<>();
      AtomicReference<TaskStatus<String>> statusRef = new AtomicReference<>();
      CallFuture<String> value =
          group.start(status -> {
            statusRef.set(status);
            return work;
          });
      assertThat(value.cancel(true)).isTrue();
      assertThat(work).isCancelled();
      assertThatThrownBy(() -> statusRef.get().started("too late"))
          .isInstanceOf(CancellationException.class)
          .hasMessageContaining("after start() was cancelled");
      assertThat(done(group.close())).isNull();
    }

    @Test
    void failingTask_cancelsSiblings_whoseCancellationIsNotAFailure() {
      AsyncTaskGroup group = AsyncTaskGroup.open();
      List<CompletableFuture<Void>> siblings = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        CompletableFuture<Void> s = new CompletableFuture<>();
        siblings.add(s);
        group.startSoon(() -> s);
      }
      CompletableFuture<Void> failing = new CompletableFuture<>();
      group.startSoon(() -> failing);
      IllegalStateException boom = new IllegalStateException("boom");
      failing.completeExceptionally(boom);
      assertThat(siblings).allMatch(CompletableFuture::isCancelled);
      assertThat(group.isCancelled()).isTrue();
      assertFailsWith(group.close(), boom);
      assertThat(boom.getSuppressed()).isEmpty();
    }

    @Test
    void everyFailure_isCarried_firstPrimary_othersSuppressed() {
      AsyncTaskGroup group = AsyncTaskGroup.open();
      IllegalStateException first = new IllegalStateException("first");
      IllegalArgumentException second = new IllegalArgumentException("second");
      CompletableFuture<Void> a = new CompletableFuture<>();
      // A stage that ignores cancellation and fails on its own afterwards.
      CompletableFuture<Void> stubborn = new CompletableFuture<>() {
        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
          return false;
        }
      };
      group.startSoon(() -> a);
      group.startSoon(() -> stubborn);
      a.completeExceptionally(first);
      stubborn.completeExceptionally(second);
      assertFailsWith(group.close(), first);
      assertThat(first.getSuppressed()).containsExactly(second);
    }

    @Test
    void taskThatThrowsOrReturnsNull_failsTheGroup() {
      AsyncTaskGroup group = AsyncTaskGroup.open();
      IllegalStateException thrown = new IllegalStateException("thrown");
      group.startSoon(() -> {
        throw thrown;
      });
      assertFailsWith(group.close(), thrown);
      AsyncTaskGroup other = AsyncTaskGroup.open();
      other.startSoon(() -> null);
      assertThatThrownBy(() -> done(other.close()))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("null stage");
    }

    @Test
    void cancel_cancelsTasks_andIsNotAFailure_newTasksAreNotRun() {
      AsyncTaskGroup group = AsyncTaskGroup.open();
      CompletableFuture<Void> running = new CompletableFuture<>();
      group.startSoon(() -> running);
      group.cancel();
      assertThat(running).isCancelled();
      AtomicBoolean ran = new AtomicBoolean();
      group.startSoon(() -> {
        ran.set(true);
        return CompletableFuture.completedFuture(null);
      });
      CallFuture<Object> started = group.start(status -> {
        ran.set(true);
        return CompletableFuture.completedFuture(null);
      });
      assertThatThrownBy(started::join).isInstanceOf(CancellationException.class);
      assertThat(ran).isFalse();
      assertThat(done(group.close())).isNull();
    }

    @Test
    void cancellingTheCloseStage_cancelsTheGroup() {
      AsyncTaskGroup group = AsyncTaskGroup.open();
      CompletableFuture<Void> running = new CompletableFuture<>();
      group.startSoon(() -> running);
      group.close().toCompletableFuture().cancel(true);
      assertThat(running).isCancelled();
      assertThat(group.isCancelled()).isTrue();
    }

    @Test
    void run_returnsTheScopesValue_afterEveryTask() {
      CompletableFuture<Void> task = new CompletableFuture<>();
      CallFuture<String> result =
          AsyncTaskGroup.run(AsyncRuntime.create(), group -> {
            group.startSoon(() -> task);
            return CompletableFuture.completedFuture("value");
          });
      assertThat(result).isNotDone();
      task.complete(null);
      assertThat(result).isCompletedWithValue("value");
    }

    @Test
    void run_ownerFailure_cancelsTasks_andComesFirst() {
      CompletableFuture<Void> task = new CompletableFuture<>();
      IllegalStateException ownerBug = new IllegalStateException("owner");
      CallFuture<String> result =
          AsyncTaskGroup.run(AsyncRuntime.create(), group -> {
            group.startSoon(() -> task);
            return CompletableFuture.failedFuture(ownerBug);
          });
      assertThat(task).isCancelled();
      assertFailsWith(result, ownerBug);
    }

    @Test
    void openOnAnAsyncRuntime_tracksStages_withoutThreads() {
      AsyncRuntime runtime = AsyncRuntime.create();
      AsyncTaskGroup group = AsyncTaskGroup.open(runtime);
      AtomicReference<Thread> ranOn = new AtomicReference<>();
      group.startSoon(() -> {
        ranOn.set(Thread.currentThread());
        return runtime.sleep(Duration.ofMillis(1));
      });
      assertThat(ranOn.get()).isSameAs(Thread.currentThread());
      done(group.close());
      done(runtime.close());
    }
  }

  /** Tasks on threads, for a core under a SyncRuntime: every stage returned is complete. */
  @Nested
  class OnSyncRuntime {
    private final CountingVirtualThreadFactory threads = new CountingVirtualThreadFactory("sync-");
    private final SyncRuntime runtime = SyncRuntime.builder().threadFactory(threads).build();

    @AfterEach
    void noThreadOutlivesTheTest() {
      await().atMost(Duration.ofSeconds(5)).until(() -> !threads.anyAlive());
    }

    @Test
    void tasksRunOnTheRuntimesThreads_closeReturnsACompletedStage() {
      AsyncTaskGroup group = AsyncTaskGroup.open(runtime);
      List<Thread> ranOn = new CopyOnWriteArrayList<>();
      for (int i = 0; i < 3; i++) {
        group.startSoon(() -> {
          ranOn.add(Thread.currentThread());
          return runtime.sleep(Duration.ofMillis(5));
        });
      }
      CallFuture<Void> closed = group.close();
      assertThat(closed).isCompletedWithValue(null);
      assertThat(threads.anyAlive()).isFalse();
      assertThat(ranOn)
          .hasSize(3)
          .allMatch(Thread::isVirtual)
          .doesNotContain(Thread.currentThread());
      assertThat(threads.created()).isEqualTo(3);
    }

    @Test
    void start_blocksUntilStarted_andReturnsACompletedStage() {
      AsyncTaskGroup group = AsyncTaskGroup.open(runtime);
      CountDownLatch release = new CountDownLatch(1);
      CallFuture<String> value =
          group.start(status -> {
            status.started("ready");
            try {
              release.await();
            } catch (InterruptedException e) {
              return CompletableFuture.failedFuture(e);
            }
            return CompletableFuture.completedFuture(null);
          });
      assertThat(value).isCompletedWithValue("ready");
      release.countDown();
      assertThat(group.close()).isCompletedWithValue(null);
      assertThat(threads.anyAlive()).isFalse();
    }

    @Test
    void startFailureBeforeStarted_isTheStagesFailure() {
      AsyncTaskGroup group = AsyncTaskGroup.open(runtime);
      IOException checked = new IOException("cannot bind");
      assertFailsWith(group.start(status -> CompletableFuture.failedFuture(checked)), checked);
      assertThat(group.close()).isCompletedWithValue(null);
    }

    @Test
    void failingTask_interruptsSiblingThreads_andFailsTheClose() {
      AsyncTaskGroup group = AsyncTaskGroup.open(runtime);
      AtomicInteger interrupted = new AtomicInteger();
      CountDownLatch waiting = new CountDownLatch(2);
      for (int i = 0; i < 2; i++) {
        group.startSoon(() -> {
          waiting.countDown();
          CompletionStage<?> sleep = runtime.sleep(Duration.ofMinutes(5));
          if (sleep.toCompletableFuture().isCompletedExceptionally()) {
            interrupted.incrementAndGet();
          }
          return sleep;
        });
      }
      IllegalStateException boom = new IllegalStateException("boom");
      group.startSoon(() -> {
        try {
          waiting.await();
        } catch (InterruptedException e) {
          return CompletableFuture.failedFuture(e);
        }
        return CompletableFuture.failedFuture(boom);
      });
      assertFailsWith(group.close(), boom);
      assertThat(interrupted).hasValue(2);
      assertThat(boom.getSuppressed()).isEmpty(); // CallInterruptedException is a reaction
      assertThat(threads.anyAlive()).isFalse();
    }

    @Test
    void incompleteStage_isAFailureOfTheTask() {
      AsyncTaskGroup group = AsyncTaskGroup.open(runtime);
      CompletableFuture<Void> never = new CompletableFuture<>();
      group.startSoon(() -> never);
      assertThatThrownBy(() -> group.close().join())
          .cause()
          .isInstanceOf(IncompleteStageException.class);
      assertThat(never).isCancelled();
    }
  }

  /** The same orchestration, written once, on both runtimes. */
  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void orchestrationWrittenOnce_runsOnBothRuntimes(boolean blocking) {
    CountingVirtualThreadFactory threads = new CountingVirtualThreadFactory("once-");
    CoreRuntime runtime =
        blocking ? SyncRuntime.builder().threadFactory(threads).build() : AsyncRuntime.create();
    Function<String, CompletionStage<String>> fetch =
        key -> runtime.sleep(Duration.ofMillis(2)).thenApply(v -> key.toUpperCase());
    List<String> results = new CopyOnWriteArrayList<>();
    CallFuture<Integer> count =
        AsyncTaskGroup.run(runtime, group -> {
          for (String key : List.of("a", "b", "c")) {
            group.startSoon(() -> fetch.apply(key).thenAccept(results::add));
          }
          return CompletableFuture.completedFuture(3);
        });
    if (blocking) {
      // No waiting: every stage of a blocking runtime is done when returned.
      assertThat(count).isCompletedWithValue(3);
      assertThat(threads.created()).isEqualTo(3);
    }
    assertThat(done(count)).isEqualTo(3);
    assertThat(results).containsExactlyInAnyOrder("A", "B", "C");
    done(runtime.close());
    await().until(() -> !threads.anyAlive());
  }
}

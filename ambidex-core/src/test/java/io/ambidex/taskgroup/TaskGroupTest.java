package io.ambidex.taskgroup;

import io.ambidex.BlockingGuard;
import io.ambidex.BlockingNotAllowedException;
import io.ambidex.CallInterruptedException;
import io.ambidex.taskgroup.TaskGroup;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ambidex.testing.CountingVirtualThreadFactory;
import java.io.IOException;
import java.lang.reflect.UndeclaredThrowableException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The blocking task group: trio's nursery semantics, rule by rule, with thread-leak checks. */
@Timeout(30)
class TaskGroupTest {
  private final CountingVirtualThreadFactory threads = new CountingVirtualThreadFactory("task-");

  @AfterEach
  void noThreadOutlivesTheTest() {
    await().atMost(Duration.ofSeconds(5)).until(() -> !threads.anyAlive());
  }

  /** Asserted right after close(): close itself must have waited for every thread. */
  private void assertNoTaskThread() {
    assertThat(threads.anyAlive()).as("a task thread outlived close()").isFalse();
  }

  private static void blockUntilInterrupted() throws InterruptedException {
    new CountDownLatch(1).await();
  }

  // ---- startSoon, close ----

  @Test
  void close_waitsForEveryTask() {
    List<Integer> done = new CopyOnWriteArrayList<>();
    CountDownLatch release = new CountDownLatch(1);
    try (TaskGroup group = TaskGroup.open(threads)) {
      for (int i = 0; i < 5; i++) {
        int n = i;
        group.startSoon(() -> {
          release.await();
          done.add(n);
        });
      }
      release.countDown();
    }
    assertThat(done).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
    assertThat(threads.created()).isEqualTo(5);
    assertNoTaskThread();
  }

  @Test
  void close_waitsForTasksStartedByTasksWhileClosing() {
    AtomicBoolean grandchildRan = new AtomicBoolean();
    CountDownLatch closing = new CountDownLatch(1);
    TaskGroup group = TaskGroup.open(threads);
    group.startSoon(() -> {
      closing.await();
      group.startSoon(() -> grandchildRan.set(true));
    });
    Thread.ofVirtual().start(() -> {
      await().until(() -> group.toString().contains("closing"));
      closing.countDown();
    });
    group.close();
    assertThat(grandchildRan).isTrue();
    assertNoTaskThread();
  }

  @Test
  void closedGroup_refusesNewTasksAtOnce() {
    TaskGroup group = TaskGroup.open(threads);
    group.close();
    assertThatThrownBy(() -> group.startSoon(() -> {}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("task group is closed to new tasks");
    assertThatThrownBy(() -> group.start(status -> status.started()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("task group is closed to new tasks");
    assertThat(threads.created()).isZero();
    group.close(); // idempotent
  }

  @Test
  void nullTasks_areRejectedAtTheCall() {
    try (TaskGroup group = TaskGroup.open(threads)) {
      assertThatThrownBy(() -> group.startSoon(null)).isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> group.start(null)).isInstanceOf(NullPointerException.class);
    }
    assertThatThrownBy(() -> TaskGroup.open(null)).isInstanceOf(NullPointerException.class);
  }

  // ---- start / started ----

  @Test
  void start_returnsTheValuePassedToStarted_thenTheTaskKeepsRunningInTheGroup() {
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean finished = new AtomicBoolean();
    try (TaskGroup group = TaskGroup.open(threads)) {
      String value =
          group.start(status -> {
            status.started("listening");
            release.await();
            finished.set(true);
          });
      assertThat(value).isEqualTo("listening");
      assertThat(finished).isFalse();
      release.countDown();
    }
    assertThat(finished).isTrue();
    assertNoTaskThread();
  }

  @Test
  void start_failureBeforeStarted_isThrownByStart_withItsType_andSparesTheGroup() {
    IllegalArgumentException boom = new IllegalArgumentException("bad port");
    IOException checked = new IOException("cannot bind");
    AtomicBoolean siblingCancelled = new AtomicBoolean();
    try (TaskGroup group = TaskGroup.open(threads)) {
      CountDownLatch siblingRunning = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      group.startSoon(() -> {
        siblingRunning.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          siblingCancelled.set(true);
        }
      });
      siblingRunning.await();
      assertThatThrownBy(() -> group.start(status -> {
        throw boom;
      })).isSameAs(boom);
      assertThatThrownBy(() -> group.start(status -> {
        throw checked;
      })).isInstanceOf(UndeclaredThrowableException.class).cause().isSameAs(checked);
      assertThat(group.isCancelled()).isFalse();
      release.countDown();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    assertThat(siblingCancelled).isFalse(); // close() did not throw either
    assertNoTaskThread();
  }

  @Test
  void start_taskEndingWithoutStarted_failsClearly() {
    try (TaskGroup group = TaskGroup.open(threads)) {
      assertThatThrownBy(() -> group.start(status -> {}))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("ended without calling started()");
    }
    assertNoTaskThread();
  }

  @Test
  void startedTwice_fails_andTheFailureBelongsToTheGroup() {
    AtomicReference<Throwable> second = new AtomicReference<>();
    TaskGroup group = TaskGroup.open(threads);
    Integer value =
        group.start(status -> {
          status.started(1);
          try {
            status.started(2);
          } catch (IllegalStateException e) {
            second.set(e);
            throw e;
          }
        });
    assertThat(value).isEqualTo(1);
    assertThatThrownBy(group::close)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("started() was called twice");
    assertThat(second.get()).hasMessageStartingWith("started() was called twice");
    assertNoTaskThread();
  }

  @Test
  void failureAfterStarted_failsTheGroup() {
    IllegalStateException late = new IllegalStateException("connection lost");
    TaskGroup group = TaskGroup.open(threads);
    assertThat(group.<String>start(status -> {
      status.started("up");
      throw late;
    })).isEqualTo("up");
    assertThatThrownBy(group::close).isSameAs(late);
    assertNoTaskThread();
  }

  @Test
  void interruptingStart_cancelsTheStartingTask_andWaitsForIt() throws Exception {
    AtomicBoolean taskInterrupted = new AtomicBoolean();
    CountDownLatch taskRunning = new CountDownLatch(1);
    TaskGroup group = TaskGroup.open(threads);
    CompletableFuture<Throwable> outcome = new CompletableFuture<>();
    Thread caller =
        Thread.ofPlatform().start(() -> {
          try {
            group.start(status -> {
              taskRunning.countDown();
              try {
                blockUntilInterrupted();
              } catch (InterruptedException e) {
                taskInterrupted.set(true);
                throw e;
              }
            });
            outcome.complete(null);
          } catch (Throwable t) {
            outcome.complete(t);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
          }
        });
    taskRunning.await();
    caller.interrupt();
    assertThat(outcome.get()).isInstanceOf(CallInterruptedException.class);
    assertThat(taskInterrupted).isTrue(); // and it had ended before start() threw
    caller.join();
    group.close(); // the cancelled start is not a group failure
    assertThat(group.isCancelled()).isFalse();
    assertNoTaskThread();
  }

  // ---- failure and cancellation ----

  @Test
  void failingTask_cancelsItsSiblings_whoseReactionIsNotAFailure() {
    IllegalStateException boom = new IllegalStateException("boom");
    AtomicInteger interruptedSiblings = new AtomicInteger();
    CountDownLatch siblingsWaiting = new CountDownLatch(3);
    TaskGroup group = TaskGroup.open(threads);
    for (int i = 0; i < 3; i++) {
      group.startSoon(() -> {
        siblingsWaiting.countDown();
        try {
          blockUntilInterrupted();
        } catch (InterruptedException e) {
          interruptedSiblings.incrementAndGet();
          throw e;
        }
      });
    }
    group.startSoon(() -> {
      siblingsWaiting.await();
      throw boom;
    });
    assertThatThrownBy(group::close).isSameAs(boom);
    assertThat(boom.getSuppressed())
        .noneMatch(s -> s instanceof InterruptedException); // reactions are not failures
    assertThat(interruptedSiblings).hasValue(3);
    assertThat(group.isCancelled()).isTrue();
    assertNoTaskThread();
  }

  @Test
  void everyFailure_isCarried_firstPrimary_othersSuppressed() {
    IllegalStateException first = new IllegalStateException("first");
    IllegalArgumentException second = new IllegalArgumentException("second");
    CountDownLatch bothStarted = new CountDownLatch(1);
    TaskGroup group = TaskGroup.open(threads);
    group.startSoon(() -> {
      bothStarted.await();
      throw first;
    });
    group.startSoon(() -> {
      bothStarted.countDown();
      // Fails on its own, not as a reaction: it ignores the interrupt the first failure sends.
      while (!group.isCancelled()) {
        Thread.onSpinWait();
      }
      throw second;
    });
    assertThatThrownBy(group::close).isSameAs(first);
    assertThat(first.getSuppressed()).contains(second);
    assertNoTaskThread();
  }

  @Test
  void cancel_interruptsTasks_andIsNotAFailure() {
    CountDownLatch running = new CountDownLatch(2);
    TaskGroup group = TaskGroup.open(threads);
    for (int i = 0; i < 2; i++) {
      group.startSoon(() -> {
        running.countDown();
        blockUntilInterrupted();
      });
    }
    try {
      running.await();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    group.cancel();
    group.close(); // no failure: the InterruptedExceptions are reactions
    assertNoTaskThread();
  }

  @Test
  void cancelledGroup_doesNotRunNewTasks_andStartFailsWithCancellation() {
    AtomicBoolean ran = new AtomicBoolean();
    TaskGroup group = TaskGroup.open(threads);
    group.cancel();
    group.startSoon(() -> ran.set(true));
    assertThatThrownBy(() -> group.start(status -> ran.set(true)))
        .isInstanceOf(CancellationException.class)
        .hasMessageContaining("cancelled");
    group.close();
    assertThat(ran).isFalse();
    assertThat(threads.created()).isZero();
  }

  @Test
  void siblingFailureWhileStarting_failsStartWithCancellation_carryingTheReaction()
      throws InterruptedException {
    IllegalStateException boom = new IllegalStateException("boom");
    CountDownLatch starting = new CountDownLatch(1);
    TaskGroup group = TaskGroup.open(threads);
    group.startSoon(() -> {
      starting.await();
      throw boom;
    });
    assertThatThrownBy(() -> group.start(status -> {
      starting.countDown();
      blockUntilInterrupted();
    })).isInstanceOf(CancellationException.class)
        .hasMessageContaining("cancelled")
        .cause().isInstanceOf(InterruptedException.class);
    assertThatThrownBy(group::close).isSameAs(boom);
    assertNoTaskThread();
  }

  @Test
  void interruptingClose_cancelsTasks_waitsForThem_andThrowsCallInterrupted() throws Exception {
    AtomicInteger cancelled = new AtomicInteger();
    CountDownLatch running = new CountDownLatch(2);
    TaskGroup group = TaskGroup.open(threads);
    for (int i = 0; i < 2; i++) {
      group.startSoon(() -> {
        running.countDown();
        try {
          blockUntilInterrupted();
        } finally {
          cancelled.incrementAndGet();
        }
      });
    }
    running.await();
    CompletableFuture<Throwable> outcome = new CompletableFuture<>();
    Thread closer =
        Thread.ofPlatform().start(() -> {
          try {
            group.close();
            outcome.complete(null);
          } catch (Throwable t) {
            outcome.complete(t);
          }
        });
    await().until(() -> closer.getState() == Thread.State.WAITING);
    closer.interrupt();
    assertThat(outcome.get()).isInstanceOf(CallInterruptedException.class);
    assertThat(cancelled).hasValue(2);
    closer.join();
    assertNoTaskThread();
  }

  @Test
  void closeFromOwnTask_isRefused() {
    AtomicReference<Throwable> refused = new AtomicReference<>();
    TaskGroup group = TaskGroup.open(threads);
    group.startSoon(() -> {
      try {
        group.close();
      } catch (IllegalStateException e) {
        refused.set(e);
      }
    });
    group.close();
    assertThat(refused.get()).hasMessageContaining("would wait for itself");
  }

  @Test
  @SuppressWarnings("try")
  void closeAndStart_onAThreadThatMustNotBlock_failInsteadOfWaiting() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    TaskGroup group = TaskGroup.open(threads);
    group.startSoon(release::await);
    try (BlockingGuard.Registration r =
        BlockingGuard.register("a test loop", t -> t.getName().equals("group-loop"))) {
      CompletableFuture<List<Throwable>> outcome = new CompletableFuture<>();
      Thread.ofPlatform().name("group-loop").start(() -> {
        List<Throwable> thrown = new CopyOnWriteArrayList<>();
        try {
          group.close();
        } catch (Throwable t) {
          thrown.add(t);
        }
        try {
          group.start(status -> status.started());
        } catch (Throwable t) {
          thrown.add(t);
        }
        outcome.complete(thrown);
      });
      assertThat(outcome.get())
          .hasSize(2)
          .allMatch(t -> t instanceof BlockingNotAllowedException);
    }
    release.countDown();
    group.close(); // still open: closes normally from a thread that may block
    assertNoTaskThread();
  }

  @Test
  void threadFactoryFailure_isThrownByStartSoon_andDoesNotBlockClose() {
    TaskGroup group = TaskGroup.open(r -> null);
    assertThatThrownBy(() -> group.startSoon(() -> {}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("thread factory returned null");
    group.close();
  }

  @Test
  void startSoon_threadFactoryReturnsAStartedThread_failsNamingTheRule_runsNothing_closeWaits()
      throws Exception {
    AtomicInteger made = new AtomicInteger();
    AtomicReference<Thread> startedByTheFactory = new AtomicReference<>();
    ThreadFactory startsItsSecondThread =
        r -> {
          Thread t = Thread.ofVirtual().name("misused-", made.get()).unstarted(r);
          if (made.incrementAndGet() == 2) {
            startedByTheFactory.set(t);
            t.start(); // the misuse: a factory must return unstarted threads
          }
          return t;
        };
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean firstEnded = new AtomicBoolean();
    TaskGroup group = TaskGroup.open(startsItsSecondThread);
    group.startSoon(
        () -> {
          release.await();
          firstEnded.set(true);
        });

    AtomicBoolean refusedTaskRan = new AtomicBoolean();
    assertThatThrownBy(() -> group.startSoon(() -> refusedTaskRan.set(true)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already started")
        .hasMessageContaining("new, unstarted thread");
    assertThat(startedByTheFactory.get().join(Duration.ofSeconds(20))).isTrue();
    assertThat(refusedTaskRan).as("the task ran on the refused thread").isFalse();

    Thread closer = Thread.currentThread();
    Thread releaser =
        Thread.ofVirtual()
            .start(
                () -> {
                  await()
                      .atMost(Duration.ofSeconds(20))
                      .until(() -> closer.getState() == Thread.State.WAITING);
                  release.countDown();
                });
    try {
      group.close();
      assertThat(firstEnded).as("close() returned before the first task ended").isTrue();
    } finally {
      release.countDown();
      releaser.interrupt();
    }
  }

  // ---- run: the owner's failure cancels the tasks ----

  @Test
  void run_returnsTheScopesValue_afterEveryTask() {
    AtomicBoolean taskDone = new AtomicBoolean();
    String result =
        TaskGroup.run(threads, group -> {
          group.startSoon(() -> taskDone.set(true));
          return group.<String>start(status -> status.started("ready"));
        });
    assertThat(result).isEqualTo("ready");
    assertThat(taskDone).isTrue();
    assertNoTaskThread();
  }

  @Test
  void run_ownerFailure_cancelsTasks_andIsThrownFirst() {
    IllegalStateException ownerBug = new IllegalStateException("owner failed");
    AtomicBoolean taskCancelled = new AtomicBoolean();
    CountDownLatch running = new CountDownLatch(1);
    assertThatThrownBy(() -> TaskGroup.run(threads, group -> {
      group.startSoon(() -> {
        running.countDown();
        try {
          blockUntilInterrupted();
        } catch (InterruptedException e) {
          taskCancelled.set(true);
          throw e;
        }
      });
      running.await();
      throw ownerBug;
    })).isSameAs(ownerBug);
    assertThat(taskCancelled).isTrue();
    assertNoTaskThread();
  }

  @Test
  void run_ownerReactingToTheGroupsCancellation_reportsTheTaskFailureFirst() {
    IllegalStateException boom = new IllegalStateException("task failed");
    assertThatThrownBy(() -> TaskGroup.run(threads, group -> {
      CountDownLatch starting = new CountDownLatch(1);
      group.startSoon(() -> {
        starting.await();
        throw boom;
      });
      return group.start(status -> {
        starting.countDown();
        blockUntilInterrupted();
      });
    })).isSameAs(boom)
        .satisfies(e -> assertThat(e.getSuppressed())
            .anyMatch(s -> s instanceof CancellationException));
    assertNoTaskThread();
  }
}

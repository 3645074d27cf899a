package io.ambidex.taskgroup;

import io.ambidex.internal.Calls;
import io.ambidex.AsyncCloseable;
import io.ambidex.CallFuture;
import io.ambidex.CallInterruptedException;
import io.ambidex.control.Async;
import io.ambidex.control.CoreRuntime;
import io.ambidex.control.SyncRuntime;
import io.ambidex.taskgroup.internal.GroupCore;
import io.ambidex.internal.Failures;
import io.ambidex.internal.Stages;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadFactory;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Structured concurrency for stage-returning code, with the semantics of {@link TaskGroup}
 * (trio's nursery): {@link #startSoon} runs a task; {@link #start} runs a task and completes with
 * the value it passes to {@link TaskStatus#started}; {@link #close()} completes when every task
 * has ended.
 *
 * <pre>{@code
 * AsyncTaskGroup group = AsyncTaskGroup.open(runtime);
 * for (Part part : parts) {
 *   group.startSoon(() -> uploadPart(part));       // returns a stage
 * }
 * return group.close();                             // completes when every upload has
 * }</pre>
 *
 * <p>Policies:
 *
 * <ul>
 *   <li><b>Two ways to run tasks</b>, chosen when the group is opened, so that a core writes its
 *       orchestration once: {@link #open()}, and {@link #open(CoreRuntime)} with an async
 *       runtime, call each task at once on the calling thread and track the stage it returns (no
 *       thread of its own); {@link #open(CoreRuntime)} with a blocking runtime ({@link
 *       SyncRuntime}) runs each task on a new thread from the runtime's factory, where its stage
 *       must complete (or it fails with {@link io.ambidex.IncompleteStageException}), and {@code
 *       start()} and {@code close()} block until they can return a completed stage, as every
 *       stage of a blocking runtime is.
 *   <li><b>Failure</b>: the first task whose stage fails (or that throws) cancels the group: the
 *       other tasks' stages are cancelled (their threads interrupted), and tasks started afterwards
 *       are not run. A cancelled task's reaction to it is not a failure.
 *   <li><b>Close</b>: the stage of {@link #close()} completes when every task, including tasks
 *       started by tasks meanwhile, has ended; it fails with the first task failure, the others
 *       attached as suppressed. Cancelling it cancels the group.
 *   <li><b>Closed</b>: once every task has ended after {@code close()}, {@code startSoon} and
 *       {@code start} throw {@link IllegalStateException} ("task group is closed to new tasks")
 *       at the call.
 *   <li><b>Which thread continues</b>: the stage of {@code start()} completes on the thread that
 *       calls {@code started()}; the stage of {@code close()} on the thread that completes the
 *       last task's stage.
 *   <li><b>Owner failure</b>: use {@link #run} so that a failure of the owner code cancels the
 *       tasks, as in trio.
 * </ul>
 */
public final class AsyncTaskGroup implements AsyncCloseable {
  private static final ThreadFactory DEFAULT_THREADS =
      Thread.ofVirtual().name("ambidex-task-", 0).factory();

  private final GroupCore core;

  private AsyncTaskGroup(@Nullable ThreadFactory threads) {
    this.core = new GroupCore("AsyncTaskGroup", threads);
  }

  /** Opens a group whose tasks are called at once and tracked through their stages. */
  public static AsyncTaskGroup open() {
    return new AsyncTaskGroup(null);
  }

  /**
   * Opens the group that fits {@code runtime}: tasks on threads from its factory for a {@link
   * SyncRuntime} (on virtual threads for another blocking runtime), tracked stages for an async
   * runtime.
   *
   * @param runtime the runtime of the core
   */
  public static AsyncTaskGroup open(CoreRuntime runtime) {
    Objects.requireNonNull(runtime, "runtime");
    if (!runtime.isBlocking()) {
      return new AsyncTaskGroup(null);
    }
    return new AsyncTaskGroup(
        runtime instanceof SyncRuntime sync ? sync.threadFactory() : DEFAULT_THREADS);
  }

  /**
   * Opens the group that fits {@code runtime}, calls {@code scope} with it and closes it, with
   * trio's semantics: if the scope fails (throws, or its stage fails), the group is cancelled
   * before it is closed, and the result fails with the scope's failure, the group's suppressed
   * (or, if the scope only reacted to the group's cancellation, the group's failure with the
   * scope's suppressed).
   *
   * @param runtime the runtime of the core
   * @param scope the owner code
   * @return a future of the scope's value, completed once every task has ended
   */
  public static <R extends @Nullable Object> CallFuture<R> run(
      CoreRuntime runtime,
      Function<? super AsyncTaskGroup, ? extends CompletionStage<R>> scope) {
    Objects.requireNonNull(scope, "scope");
    AsyncTaskGroup group = open(runtime);
    CallFuture<R> result = Calls.createReporting("AsyncTaskGroup.run");
    CompletionStage<R> owner;
    try {
      owner = Objects.requireNonNull(scope.apply(group), "scope returned a null stage");
    } catch (Throwable t) {
      owner = CompletableFuture.failedFuture(t);
    }
    CompletableFuture<R> ownerFuture = Stages.asFuture(owner);
    Calls.dependOn(result, ownerFuture);
    ownerFuture.whenComplete(
        (value, ownerFailure) -> {
          if (ownerFailure != null) {
            group.core.cancel();
          }
          Calls.dependOn(result, null);
          group.close()
              .whenComplete(
                  (ignored, groupFailure) -> {
                    if (ownerFailure != null) {
                      Calls.fail(result, group.core.combine(ownerFailure));
                    } else if (groupFailure != null) {
                      Calls.fail(result, Failures.unwrap(groupFailure));
                    } else {
                      Calls.succeed(result, value);
                    }
                  });
        });
    return result;
  }

  /**
   * Runs {@code task} as a member of this group: called at once (or on a new thread, for a
   * blocking runtime), its stage tracked. If the group is cancelled, the task is not run. A task
   * that throws, or returns null, fails like a task whose stage fails.
   *
   * @param task returns the stage of the task's work
   * @throws IllegalStateException if the group is closed ("task group is closed to new tasks")
   */
  public void startSoon(Supplier<? extends CompletionStage<?>> task) {
    Objects.requireNonNull(task, "task");
    if (core.runsThreads()) {
      core.startSoonOnThread(() -> GroupCore.readDone(task.get(), "AsyncTaskGroup task"),
          "startSoon()");
    } else {
      core.startSoonStage(task, "startSoon()");
    }
  }

  /**
   * Runs {@code task} with a {@link TaskStatus}; the returned future completes with the value it
   * passes to {@code started()}, from which point the task is a member of this group.
   *
   * <p>The future fails with the task's own failure if it ends (or its stage fails) before
   * {@code started()}, with {@link IllegalStateException} if it ends without calling it, and with
   * {@link java.util.concurrent.CancellationException} if the group is, or got, cancelled first.
   * Cancelling the future before {@code started()} cancels the task. Under a blocking runtime
   * the call blocks until the future is complete.
   *
   * @param task returns the stage of the task's work, given its status
   * @return a future of the value passed to {@code started()}
   * @throws IllegalStateException if the group is closed ("task group is closed to new tasks")
   */
  public <V extends @Nullable Object> CallFuture<V> start(
      Function<? super TaskStatus<V>, ? extends CompletionStage<?>> task) {
    Objects.requireNonNull(task, "task");
    if (core.runsThreads()) {
      return core.startOnThread(
          status -> GroupCore.readDone(task.apply(status), "AsyncTaskGroup task"), "start()");
    }
    return core.startStage(task, "start()");
  }

  /**
   * Cancels the group: cancels every task's stage (interrupts its thread); tasks started from now
   * on are not run. The reactions of tasks to it are not failures. Idempotent.
   */
  public void cancel() {
    core.cancel();
  }

  /** Returns true once the group was cancelled, by {@link #cancel()} or by a failing task. */
  public boolean isCancelled() {
    return core.isCancelled();
  }

  /**
   * Closes the group: returns a stage that completes when every task has ended, failed with the
   * group's failure if a task failed. Cancelling the stage cancels the group. Idempotent: every
   * call returns the same stage. Under a blocking runtime the call blocks until the stage is
   * complete; an interrupt cancels the group and, after the tasks ended, that call returns a
   * stage of its own failed with {@link CallInterruptedException} (later calls return the close's
   * stage, as {@link TaskGroup#close()} throws nothing after an interrupted close).
   *
   * @return the stage of the close
   * @throws IllegalStateException under a blocking runtime, if called by one of the group's own
   *     tasks (it would wait for itself)
   */
  @Override
  public CallFuture<Void> close() {
    if (!core.runsThreads()) {
      return core.closeAsync("AsyncTaskGroup.close");
    }
    boolean interrupted = core.closeBlocking("close()");
    CallFuture<Void> stage = core.closeAsync("AsyncTaskGroup.close");
    if (interrupted && !stage.isCompletedExceptionally()) {
      return Calls.failed(
          "AsyncTaskGroup.close", new CallInterruptedException("AsyncTaskGroup.close"));
    }
    return stage;
  }

  @Override
  public String toString() {
    return core.toString();
  }
}

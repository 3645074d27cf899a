package io.ambidex.taskgroup;

import io.ambidex.CallFuture;
import io.ambidex.CallInterruptedException;
import io.ambidex.taskgroup.internal.GroupCore;
import io.ambidex.internal.Failures;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import org.jspecify.annotations.Nullable;

/**
 * Structured concurrency for blocking code: a scope whose tasks run on their own threads (virtual
 * by default) and which does not end before they all have. It is trio's nursery:
 * {@link #startSoon} runs a task; {@link #start} runs a task and waits until it says it is ready
 * ({@link TaskStatus#started}), returning the value it hands over.
 *
 * <pre>{@code
 * try (TaskGroup group = TaskGroup.open()) {
 *   group.startSoon(() -> refreshCache());
 *   Server server = group.start(status -> {
 *     try (Server s = Server.bind(8080)) {
 *       status.started(s);   // start() returns s; the task now belongs to the group
 *       s.serve();
 *     }
 *   });
 *   ...
 * }                          // waits for both tasks; throws if one failed
 * }</pre>
 *
 * <p>Policies:
 *
 * <ul>
 *   <li><b>Threads</b>: each task runs on a new thread from the group's factory (virtual threads
 *       named {@code ambidex-task-N} by default). No thread outlives {@link #close()}.
 *   <li><b>Failure</b>: the first task that fails cancels the group: the other tasks' threads are
 *       interrupted, and tasks started afterwards are not run. How a cancelled task reacts (an
 *       {@link InterruptedException}, a {@link java.util.concurrent.CancellationException}, an
 *       interrupted I/O) is not a failure; anything else it throws is.
 *   <li><b>Close</b>: {@link #close()} waits for every task, including tasks started by tasks
 *       meanwhile, then throws the group's failure: the first task failure, with the others
 *       attached as suppressed, translated by the <a href="../package-summary.html#translation">
 *       exception table of {@code io.ambidex}</a>. Interrupting the thread in {@code close()}
 *       cancels the group; close still waits for the tasks to end, then throws {@link
 *       CallInterruptedException} with the interrupt flag set.
 *   <li><b>Closed</b>: once {@code close()} has finished, {@code startSoon} and {@code start}
 *       throw {@link IllegalStateException} ("task group is closed to new tasks") at once.
 *   <li><b>Owner failure</b>: a group in try-with-resources does not see an exception thrown in
 *       its block, so its tasks are not cancelled by it; use {@link #run} (or call {@link
 *       #cancel()}) for trio's behaviour, where a failing owner cancels the tasks.
 *   <li><b>Nulls</b> are rejected at the call.
 * </ul>
 *
 * <p>The async counterpart is {@link AsyncTaskGroup}; a core that writes its orchestration once
 * uses {@link AsyncTaskGroup#open(io.ambidex.control.CoreRuntime)}, which runs tasks on threads
 * under a {@link io.ambidex.control.SyncRuntime}.
 */
public final class TaskGroup implements AutoCloseable {
  /** A task run by {@link #startSoon}. */
  @FunctionalInterface
  public interface Task {
    /**
     * Runs the task on its own thread.
     *
     * @throws Exception to fail the task, and so the group
     */
    void run() throws Exception;
  }

  /**
   * A task run by {@link #start}: it calls {@code status.started(value)} once it is ready.
   *
   * @param <V> the type of the value it hands to the caller of {@code start()}
   */
  @FunctionalInterface
  public interface StartableTask<V extends @Nullable Object> {
    /**
     * Runs the task on its own thread.
     *
     * @param status where to signal that the task is ready
     * @throws Exception to fail the task: before {@code started()} the caller of {@code start()}
     *     receives it, after it the group does
     */
    void run(TaskStatus<V> status) throws Exception;
  }

  /**
   * The code that owns a group in {@link #run}.
   *
   * @param <R> its result type
   */
  @FunctionalInterface
  public interface Scope<R extends @Nullable Object> {
    /**
     * Runs with the open group.
     *
     * @param group the group, closed when this returns
     * @return the result of {@link #run}
     * @throws Exception to cancel the group and fail {@link #run}
     */
    R run(TaskGroup group) throws Exception;
  }

  private static final ThreadFactory DEFAULT_THREADS =
      Thread.ofVirtual().name("ambidex-task-", 0).factory();

  private final GroupCore core;
  private volatile boolean closedByCaller;

  private TaskGroup(ThreadFactory threads) {
    this.core = new GroupCore("TaskGroup", threads);
  }

  /** Opens a group whose tasks run on virtual threads. */
  public static TaskGroup open() {
    return new TaskGroup(DEFAULT_THREADS);
  }

  /**
   * Opens a group whose tasks run on threads from {@code threadFactory}.
   *
   * @param threadFactory must return a new, unstarted thread for every call; if it returns null
   *     or a thread that was already started, {@code startSoon} and {@code start} throw {@link
   *     IllegalStateException} and the task never runs
   */
  public static TaskGroup open(ThreadFactory threadFactory) {
    return new TaskGroup(Objects.requireNonNull(threadFactory, "threadFactory"));
  }

  /**
   * Opens a group, runs {@code scope} with it and closes it, with trio's semantics: if the scope
   * throws, the group is cancelled before it is closed, and the scope's exception is thrown with
   * the group's failure suppressed (or, if the scope only reacted to the group's cancellation,
   * the group's failure with the scope's suppressed). Tasks run on virtual threads.
   *
   * @param scope the owner code
   * @return what {@code scope} returned, once every task has ended
   */
  public static <R extends @Nullable Object> R run(Scope<R> scope) {
    return run(DEFAULT_THREADS, scope);
  }

  /**
   * Like {@link #run(Scope)}, with tasks on threads from {@code threadFactory}.
   *
   * @param threadFactory must return a new, unstarted thread for every call (see {@link
   *     #open(ThreadFactory)})
   * @param scope the owner code
   * @return what {@code scope} returned, once every task has ended
   */
  public static <R extends @Nullable Object> R run(ThreadFactory threadFactory, Scope<R> scope) {
    Objects.requireNonNull(scope, "scope");
    TaskGroup group = open(threadFactory);
    R result;
    try {
      result = scope.run(group);
    } catch (Throwable ownerFailure) {
      group.core.cancel();
      group.core.closeBlocking("run");
      throw Failures.rethrow(group.core.combine(ownerFailure), "TaskGroup.run", null);
    }
    group.close();
    return result;
  }

  /**
   * Runs {@code task} on a new thread as a member of this group. If the group is cancelled, the
   * task is not run.
   *
   * @param task the task
   * @throws IllegalStateException if the group is closed ("task group is closed to new tasks"),
   *     or if the thread factory returned null or a started thread
   */
  public void startSoon(Task task) {
    Objects.requireNonNull(task, "task");
    core.startSoonOnThread(task::run, "startSoon()");
  }

  /**
   * Runs {@code task} on a new thread and waits until it calls {@link TaskStatus#started}; from
   * then on it is a member of this group.
   *
   * @param task the task
   * @return the value the task passed to {@code started()}
   * @throws IllegalStateException if the group is closed ("task group is closed to new tasks"),
   *     if the thread factory returned null or a started thread, or if the task ended without
   *     calling {@code started()}
   * @throws java.util.concurrent.CancellationException if the group is, or got, cancelled before
   *     the task called {@code started()}
   * @throws CallInterruptedException if the calling thread was interrupted first: the task was
   *     cancelled and has ended, and the interrupt flag is set
   * @throws io.ambidex.BlockingNotAllowedException if the calling thread must not block
   * @throws RuntimeException the task's own failure before {@code started()}, translated by the
   *     <a href="../package-summary.html#translation">exception table of {@code io.ambidex}</a>
   */
  public <V extends @Nullable Object> V start(StartableTask<V> task) {
    Objects.requireNonNull(task, "task");
    CallFuture<V> outcome = core.startOnThread(task::run, "start()");
    try {
      return outcome.join();
    } catch (RuntimeException failure) {
      throw Failures.rethrow(failure, "TaskGroup.start", null);
    }
  }

  /**
   * Cancels the group: interrupts every task's thread; tasks started from now on are not run.
   * The reactions of tasks to it are not failures. Idempotent.
   */
  public void cancel() {
    core.cancel();
  }

  /** Returns true once the group was cancelled, by {@link #cancel()} or by a failing task. */
  public boolean isCancelled() {
    return core.isCancelled();
  }

  /**
   * Waits for every task to end, then closes the group to new tasks. Idempotent: a later call
   * returns at once, throwing nothing.
   *
   * @throws RuntimeException the group's failure (see the class policies)
   * @throws CallInterruptedException if the closing thread was interrupted (after the tasks
   *     ended; the group's failure, if any, is suppressed in it)
   * @throws IllegalStateException if called by one of the group's own tasks
   * @throws io.ambidex.BlockingNotAllowedException if tasks are running and the calling thread
   *     must not block (the group stays open)
   */
  @Override
  public void close() {
    if (closedByCaller) {
      return;
    }
    boolean interrupted = core.closeBlocking("close()");
    closedByCaller = true;
    Throwable failure = core.failure();
    if (interrupted) {
      CallInterruptedException e = new CallInterruptedException("TaskGroup.close");
      if (failure != null) {
        e.addSuppressed(failure);
      }
      throw e;
    }
    if (failure != null) {
      throw Failures.rethrow(failure, "TaskGroup.close", null);
    }
  }

  @Override
  public String toString() {
    return core.toString();
  }
}

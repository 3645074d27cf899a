package io.ambidex.taskgroup;

import org.jspecify.annotations.Nullable;

/**
 * Handed to a task started with {@code start()} ({@link TaskGroup#start}, {@link
 * AsyncTaskGroup#start}): the task calls {@link #started} once it is ready, which hands a value to
 * the caller of {@code start()} and moves the task into its group. It is trio's {@code
 * task_status}.
 *
 * <p>Policies:
 *
 * <ul>
 *   <li>Call it once. A second call throws {@link IllegalStateException} ("started() was called
 *       twice").
 *   <li>Until the call, a failure of the task is thrown by {@code start()} and does not fail the
 *       group; from the call on, the task belongs to the group like one started with {@code
 *       startSoon()}.
 *   <li>A task that ends without calling it makes {@code start()} fail with {@link
 *       IllegalStateException}.
 *   <li>If {@code start()} was cancelled first (its caller interrupted, its stage cancelled),
 *       the call throws {@link java.util.concurrent.CancellationException}: the task is being
 *       cancelled and should unwind.
 *   <li>Any thread may call it.
 * </ul>
 *
 * @param <V> the type of the value handed to the caller of {@code start()}
 */
public interface TaskStatus<V extends @Nullable Object> {
  /**
   * Signals that the task is ready and hands {@code value} to the caller of {@code start()}.
   *
   * @param value the value {@code start()} returns, may be null
   * @throws IllegalStateException if called twice
   * @throws java.util.concurrent.CancellationException if {@code start()} was cancelled first
   */
  void started(V value);

  /**
   * Signals that the task is ready, with a null value. Same as {@code started(null)}.
   *
   * @throws IllegalStateException if called twice
   * @throws java.util.concurrent.CancellationException if {@code start()} was cancelled first
   */
  void started();
}

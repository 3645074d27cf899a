package io.ambidex.control;

import io.ambidex.internal.Calls;
import io.ambidex.AsyncCloseable;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * What differs between the blocking path and the async path of a core, apart from the transport:
 * how to wait, how to run things concurrently, how to bound a call in time, and how to treat a
 * user callback. A core holds one runtime and calls it polymorphically, so its orchestration is
 * written once.
 *
 * <p>The two implementations:
 *
 * <table>
 *   <caption>The runtime split</caption>
 *   <tr><th></th><th>{@link SyncRuntime} (blocking facades)</th>
 *       <th>{@link AsyncRuntime} (async facades)</th></tr>
 *   <tr><td>{@link #sleep}</td><td>{@code Thread.sleep} on the caller, interruptible</td>
 *       <td>a delay on the runtime's timer thread, or on the caller-drained loop</td></tr>
 *   <tr><td>{@link #mapConcurrently}</td><td>threads (virtual by default), each driving its
 *       task's stage immediately; the caller waits</td>
 *       <td>stages under a permit limit; no thread</td></tr>
 *   <tr><td>{@link #withTimeout}</td><td>a {@link io.ambidex.Deadline} that sleeps and sync
 *       transports honour</td><td>a timer that cancels the stage</td></tr>
 *   <tr><td>{@link #emit}</td><td>a callback's returned stage is never waited for</td>
 *       <td>a callback's returned stage is waited for, without blocking</td></tr>
 *   <tr><td>{@link #shielded}</td><td>a thread of its own; the caller waits, and its interrupts
 *       are kept for afterwards</td><td>runs at once; the caller's cancellation does not reach
 *       it</td></tr>
 *   <tr><td>{@link #fork}</td><td>a thread of its own (virtual by default), started at once; the
 *       caller goes on</td><td>runs at once; no thread</td></tr>
 *   <tr><td>{@link #await}</td><td>waits for the stage, interruptibly, within the current
 *       {@link io.ambidex.Deadline}</td><td>returns the stage as it is</td></tr>
 *   <tr><td>every stage it returns</td><td>is already complete, but {@link #fork}'s (read it
 *       with {@link #await})</td><td>may be incomplete</td></tr>
 * </table>
 *
 * <p>Every method but {@link #isBlocking} and {@link #close} (idempotent) throws {@link
 * IllegalStateException} once the runtime is closed, and {@link
 * NullPointerException} or {@link IllegalArgumentException}, naming the parameter, for bad
 * arguments.
 */
public interface CoreRuntime extends AsyncCloseable {

  /**
   * Returns a stage that completes after {@code duration}.
   *
   * @param duration zero or positive
   * @return a stage completed after the delay; failed with {@link
   *     io.ambidex.CallInterruptedException} or cancelled if the wait is interrupted, or with
   *     {@link io.ambidex.OperationTimeoutException} if the current {@link io.ambidex.Deadline}
   *     ends first
   */
  CompletionStage<@Nullable Void> sleep(Duration duration);

  /**
   * Applies {@code task} to every input with at most {@code limit} tasks at once and returns the
   * results in input order. The first failure fails the result and cancels (or interrupts) the
   * tasks still running; none starts after it. The call returns only after every task it started
   * has finished.
   *
   * @param inputs the inputs
   * @param limit the maximum number of concurrent tasks, at least 1 (the runtime may lower it)
   * @param task returns the stage of the result for one input
   * @return a stage of the results in input order
   */
  <T extends @Nullable Object, R extends @Nullable Object> CompletionStage<List<R>> mapConcurrently(
      List<? extends T> inputs, int limit, Function<? super T, ? extends CompletionStage<R>> task);

  /**
   * Runs {@code operation} under a time limit; if the limit passes first, the result fails with
   * {@link io.ambidex.OperationTimeoutException}.
   *
   * @param timeout positive
   * @param name the operation's name, for the exception
   * @param operation starts the operation
   * @return a stage of the operation's result
   */
  <T extends @Nullable Object> CompletionStage<T> withTimeout(
      Duration timeout, String name, Supplier<? extends CompletionStage<T>> operation);

  /**
   * Calls a user callback with {@code event} following this runtime's rule (see the table). A
   * callback that throws, or whose stage fails, fails the returned stage, and so the operation
   * that emitted the event: a callback can abort an operation by throwing.
   *
   * @param callback the callback, or null for none
   * @param event the event
   * @return a stage that completes when the callback is done as far as this runtime waits
   */
  <E> CompletionStage<@Nullable Void> emit(@Nullable AsyncCallback<? super E> callback, E event);

  /**
   * Runs {@code cleanup}: work that must still be done after the operation it belongs to failed,
   * was cancelled or was interrupted (an abort, a release), and that an interrupt of the caller
   * must not cut short. Nothing but the cleanup itself stops it, so it should bound its own
   * requests in time: it runs outside the operation's {@link io.ambidex.Deadline} (none is
   * current inside it; install one with {@link #withTimeout} if it needs one), since that
   * deadline having passed is often why it runs.
   *
   * <p>This default runs {@code cleanup} on the calling thread (with whatever deadline is bound
   * to it), which is right for a runtime whose cancellations do not reach a stage started
   * afterwards ({@link AsyncRuntime} uses it, without the deadline). {@link
   * SyncRuntime} runs it on a thread of its own, because interrupting a blocked caller also
   * closes the interruptible channel it is blocked in.
   *
   * @param name the cleanup's name, for exceptions
   * @param cleanup starts the cleanup; an exception it throws fails the returned stage
   * @return a stage of the cleanup's result
   */
  default <T extends @Nullable Object> CompletionStage<T> shielded(
      String name, Supplier<? extends CompletionStage<T>> cleanup) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(cleanup, "cleanup");
    try {
      return Objects.requireNonNull(cleanup.get(), "cleanup returned a null stage");
    } catch (RuntimeException | Error e) {
      return Calls.failed(name, e);
    }
  }

  /**
   * Starts {@code task} to run alongside the caller and returns its stage at once: for work the
   * caller will want a little later, such as the next ranges of a stream while its reader consumes
   * the current one. Read the stage only through {@link #await}. Cancelling it stops the task
   * ({@link SyncRuntime} interrupts its thread). A task that throws fails the stage.
   *
   * <p>This default starts the task at once on the calling thread, which is right for a runtime
   * whose tasks never block ({@link AsyncRuntime} uses it). {@link SyncRuntime} runs it on a
   * thread of its own, inside the caller's context and {@link io.ambidex.Deadline}: its one
   * stage that may be incomplete when returned.
   *
   * @param name the task's name, for exceptions
   * @param task starts the task
   * @return the task's stage
   */
  default <T extends @Nullable Object> CompletionStage<T> fork(
      String name, Supplier<? extends CompletionStage<T>> task) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(task, "task");
    try {
      return Objects.requireNonNull(task.get(), "task returned a null stage");
    } catch (RuntimeException | Error e) {
      return Calls.failed(name, e);
    }
  }

  /**
   * Returns {@code stage} in the form this runtime's callers read stages: {@link SyncRuntime}
   * waits for it (blocking the caller) and returns a complete stage; this default, which {@link
   * AsyncRuntime} uses, returns it as it is. On {@link SyncRuntime} the wait ends early if the
   * caller is interrupted (the returned stage fails with {@link
   * io.ambidex.CallInterruptedException} and the interrupt flag is set again) or if the current
   * {@link io.ambidex.Deadline} passes ({@link io.ambidex.OperationTimeoutException}); {@code
   * stage} itself is not cancelled then: cancel it yourself if its result is no longer wanted.
   *
   * @param name the operation waited for, for exceptions
   * @param stage the stage, typically from {@link #fork}
   * @return a stage with {@code stage}'s outcome
   */
  default <T extends @Nullable Object> CompletionStage<T> await(
      String name, CompletionStage<T> stage) {
    Objects.requireNonNull(name, "name");
    return Objects.requireNonNull(stage, "stage");
  }

  /**
   * Returns true for the runtime of blocking facades, whose stages are always complete (but
   * {@link #fork}'s, read through {@link #await}).
   */
  boolean isBlocking();
}

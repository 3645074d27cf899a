/**
 * Ambidex: write I/O logic once, against {@link java.util.concurrent.CompletionStage}, and ship a
 * blocking API and an async API from it. This package is the call boundary, what every other
 * package builds on; each concept above it has a package of its own, and uses only those listed
 * before it.
 *
 * <h2>The packages</h2>
 *
 * <ul>
 *   <li>{@code io.ambidex} (this one): bridges from a stage to a blocking result, {@link
 *       io.ambidex.Immediate} (zero-hop, for cores on a sync transport), {@link
 *       io.ambidex.CallerDrained} (the caller's thread runs the core's scheduled work) and {@link
 *       io.ambidex.BlockingWait} (a real cross-thread wait); {@link io.ambidex.CallFuture}, the
 *       future handed to callers; {@link io.ambidex.Deadline}; the {@link io.ambidex.BlockingGuard},
 *       consulted before any bridge parks a thread; {@link io.ambidex.AsyncCloseable}; the
 *       exceptions below.
 *   <li>{@code io.ambidex.control}: stack-safe control flow over stages ({@link
 *       io.ambidex.control.Async}, {@link io.ambidex.control.RetryPolicy}) and the runtimes that
 *       hold what differs between the two paths ({@link io.ambidex.control.SyncRuntime}, {@link
 *       io.ambidex.control.AsyncRuntime}).
 *   <li>{@code io.ambidex.stream}: results that arrive over time ({@link
 *       io.ambidex.stream.AsyncIterator}, {@link io.ambidex.stream.AsyncIterators}).
 *   <li>{@code io.ambidex.producer}: blocking code that feeds a stream ({@link
 *       io.ambidex.producer.Producer}).
 *   <li>{@code io.ambidex.taskgroup}: structured concurrency ({@link
 *       io.ambidex.taskgroup.TaskGroup}, {@link io.ambidex.taskgroup.AsyncTaskGroup}).
 *   <li>{@code io.ambidex.synchronizer}: a library-owned loop thread ({@link
 *       io.ambidex.synchronizer.Synchronizer}).
 *   <li>{@code io.ambidex.facade}: what generated facades call ({@link
 *       io.ambidex.facade.FacadeSupport}).
 *   <li>{@code io.ambidex.context}, below this one: the caller's context carried across every
 *       thread hop of the core ({@link io.ambidex.context.ContextPropagator}, {@link
 *       io.ambidex.context.ContextPropagation}).
 * </ul>
 *
 * <h2>Exceptions</h2>
 *
 * <pre>
 * RuntimeException
 *  ├── IllegalStateException
 *  │    ├── {@link io.ambidex.IncompleteStageException}     a stage did not complete under the immediate bridge
 *  │    └── {@link io.ambidex.BlockingNotAllowedException}  a blocking bridge was called on a thread that must not block
 *  ├── CancellationException (JDK)
 *  │    ├── {@link io.ambidex.CallInterruptedException}     the blocked caller was interrupted; the operation was cancelled
 *  │    └── {@link io.ambidex.producer.ProducerCancelledException}   thrown in a producer body: its consumer closed or cancelled
 *  └── {@link io.ambidex.OperationTimeoutException}         a deadline passed; the operation was cancelled
 * </pre>
 *
 * <h2 id="translation">Exception translation (one table for every bridge)</h2>
 *
 * <p>When a bridge returns the outcome of a failed stage it throws, on the caller's thread:
 *
 * <table>
 *   <caption>What the blocking path throws for each way a stage can fail</caption>
 *   <tr><th>The stage failed with</th><th>The bridge throws</th></tr>
 *   <tr><td>{@code CompletionException} or {@code ExecutionException} with a cause</td>
 *       <td>the translation of the cause (wrappers are peeled off, repeatedly)</td></tr>
 *   <tr><td>a {@code RuntimeException} (including {@code CancellationException})</td>
 *       <td>the same instance</td></tr>
 *   <tr><td>an {@code Error}</td><td>the same instance, never wrapped</td></tr>
 *   <tr><td>a checked exception assignable to the type the caller declared</td>
 *       <td>the same instance</td></tr>
 *   <tr><td>any other checked exception</td>
 *       <td>a new {@link java.lang.reflect.UndeclaredThrowableException} with it as the cause</td></tr>
 * </table>
 *
 * <p>So the blocking path throws exactly the type the async path fails with, except for checked
 * exceptions the blocking method does not declare. The first time an exception instance crosses a
 * bridge, a {@link io.ambidex.CallerStackTrace} is added to it as a suppressed exception, so its
 * printed stack shows where the blocking call was made even when the failure happened on another
 * thread. Failures caused by the bridge itself (interrupt, timeout, guard) are new exceptions
 * created on the caller's thread.
 */
@NullMarked
package io.ambidex;

import org.jspecify.annotations.NullMarked;

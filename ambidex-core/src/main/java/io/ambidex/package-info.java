/**
 * Ambidex: write I/O logic once, against {@link java.util.concurrent.CompletionStage}, and ship a
 * blocking API and an async API from it.
 *
 * <h2>The pieces</h2>
 *
 * <ul>
 *   <li>Bridges from a stage to a blocking result: {@link io.ambidex.Immediate} (zero-hop, for
 *       cores on a sync transport), {@link io.ambidex.CallerDrained} (the caller's thread runs the
 *       core's scheduled work) and {@link io.ambidex.BlockingWait} (a real cross-thread wait).
 *   <li>Stack-safe control flow over stages: {@link io.ambidex.control.Async} and {@link
 *       io.ambidex.control.RetryPolicy}.
 *   <li>Runtimes that hold what differs between the two paths (sleeping, concurrency, callbacks):
 *       {@link io.ambidex.control.CoreRuntime}, {@link io.ambidex.control.SyncRuntime}, {@link
 *       io.ambidex.control.AsyncRuntime}.
 *   <li>Lifecycle: {@link io.ambidex.AsyncCloseable}; futures handed to callers: {@link
 *       io.ambidex.CallFuture}.
 *   <li>Results that arrive over time: {@link io.ambidex.stream.AsyncIterator}, with pagination ({@link
 *       io.ambidex.stream.Page}), operators and bridges to {@link io.ambidex.stream.CloseableIterator}, {@code
 *       Stream} and {@code Flow.Publisher} in {@link io.ambidex.stream.AsyncIterators}.
 *   <li>The {@link io.ambidex.BlockingGuard}, consulted before any bridge parks a thread.
 *   <li>Two-phase producers: blocking code that feeds a stream, run lazily on its own thread and
 *       consumed as an iterator, a stream, an async iterator or a {@code Flow.Publisher}: {@link
 *       io.ambidex.producer.Producer}, {@link io.ambidex.producer.ProducerContext}, {@link
 *       io.ambidex.producer.ProducerIterator}, {@link io.ambidex.producer.AsyncProducerIterator}.
 *   <li>Structured concurrency with trio's {@code start()}/{@code started()}: {@link
 *       io.ambidex.taskgroup.TaskGroup} (threads) and {@link io.ambidex.taskgroup.AsyncTaskGroup} (stages, or threads
 *       under a {@link io.ambidex.control.SyncRuntime}), with {@link io.ambidex.taskgroup.TaskStatus}.
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

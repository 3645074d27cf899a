/**
 * Control flow over stages and the runtimes: loops, retries, fan-out, timeouts and
 * try-with-resources that run inline and stack-safe when every stage completes at once
 * ({@link io.ambidex.control.Async}, {@link io.ambidex.control.RetryPolicy}), and the runtimes
 * that hold what differs between the blocking and the async path: sleeping, concurrency and
 * callbacks ({@link io.ambidex.control.CoreRuntime}, {@link io.ambidex.control.SyncRuntime},
 * {@link io.ambidex.control.AsyncRuntime}).
 *
 * <p>Depends on {@code io.ambidex} only.
 */
@NullMarked
package io.ambidex.control;

import org.jspecify.annotations.NullMarked;

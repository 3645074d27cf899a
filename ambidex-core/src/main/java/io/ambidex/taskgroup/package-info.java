/**
 * Structured concurrency with trio's {@code start()}/{@code started(value)} handshake:
 * {@link io.ambidex.taskgroup.TaskGroup} (threads) and {@link io.ambidex.taskgroup.AsyncTaskGroup}
 * (stages, or threads under a {@code SyncRuntime}).
 *
 * <p>Depends on {@code io.ambidex} and {@code io.ambidex.control}.
 */
@NullMarked
package io.ambidex.taskgroup;

import org.jspecify.annotations.NullMarked;

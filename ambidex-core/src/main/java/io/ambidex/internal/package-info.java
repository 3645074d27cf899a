/**
 * Machinery of {@code io.ambidex}: failure translation, stage helpers, timers, the loop-thread
 * marks, and the privileged access other packages of the core need to {@code CallFuture} and
 * {@code Deadline}. Not exported; may change in any release.
 */
@NullMarked
package io.ambidex.internal;

import org.jspecify.annotations.NullMarked;

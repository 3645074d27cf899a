/**
 * Machinery of {@code io.ambidex.taskgroup}: the children, their cancellation and the join.
 * Not exported; may change in any release.
 */
@NullMarked
package io.ambidex.taskgroup.internal;

import org.jspecify.annotations.NullMarked;

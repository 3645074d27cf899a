/**
 * Machinery of {@code io.ambidex.synchronizer}: the loop thread, batched iterators across it and
 * the reflective wrappers. Not exported; may change in any release.
 */
@NullMarked
package io.ambidex.synchronizer.internal;

import org.jspecify.annotations.NullMarked;

/**
 * The {@link io.ambidex.synchronizer.Synchronizer}: async code on a loop thread the library owns,
 * called through blocking wrappers, isolated async wrappers, iterators and publishers.
 *
 * <p>Depends on {@code io.ambidex}, {@code io.ambidex.control} and {@code io.ambidex.stream}.
 */
@NullMarked
package io.ambidex.synchronizer;

import org.jspecify.annotations.NullMarked;

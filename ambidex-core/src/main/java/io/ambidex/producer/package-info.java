/**
 * Two-phase producers: plain blocking code that sets up, signals {@code started()}, then sends
 * items, run lazily on its own thread and consumed as an iterator, a stream, an async iterator or
 * a {@code Flow.Publisher} ({@link io.ambidex.producer.Producer}).
 *
 * <p>Depends on {@code io.ambidex}, {@code io.ambidex.control} and {@code io.ambidex.stream}.
 */
@NullMarked
package io.ambidex.producer;

import org.jspecify.annotations.NullMarked;

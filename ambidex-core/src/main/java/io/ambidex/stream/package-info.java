/**
 * Results that arrive over time: {@link io.ambidex.stream.AsyncIterator}, a pull-based iterator
 * whose {@code hasNext()} completes inline under a sync transport; its operators, pagination
 * ({@link io.ambidex.stream.Page}) and the bridges to {@link io.ambidex.stream.CloseableIterator},
 * {@code Stream} and {@code Flow.Publisher}, all in {@link io.ambidex.stream.AsyncIterators}.
 *
 * <p>Depends on {@code io.ambidex} and {@code io.ambidex.control}.
 */
@NullMarked
package io.ambidex.stream;

import org.jspecify.annotations.NullMarked;

/**
 * Machinery of {@code io.ambidex.reactor}, not exported: the {@code Mono} over a future and the
 * call helpers. May change in any release.
 */
@NullMarked
package io.ambidex.reactor.internal;

import org.jspecify.annotations.NullMarked;

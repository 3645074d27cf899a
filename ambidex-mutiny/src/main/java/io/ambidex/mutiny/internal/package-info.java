/**
 * Machinery of {@code io.ambidex.mutiny}, not exported: the {@code Uni} over a future and the
 * call helpers. May change in any release.
 */
@NullMarked
package io.ambidex.mutiny.internal;

import org.jspecify.annotations.NullMarked;
